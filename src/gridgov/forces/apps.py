from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForcesConfig(AppConfig):
    name = "gridgov.forces"
    verbose_name = _("专班与物资")
    default_auto_field = "django.db.models.BigAutoField"
