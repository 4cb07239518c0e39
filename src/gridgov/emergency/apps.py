from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "gridgov.emergency"
    verbose_name = _("重污染天气应急")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.emergency import plugins

        plugins.register()
