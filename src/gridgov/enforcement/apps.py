from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "gridgov.enforcement"
    verbose_name = _("执法办案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.enforcement import plugins

        plugins.register()
