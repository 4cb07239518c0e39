from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "gridgov.sources"
    verbose_name = _("污染源")
    default_auto_field = "django.db.models.BigAutoField"
