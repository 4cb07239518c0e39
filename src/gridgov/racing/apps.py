from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RacingConfig(AppConfig):
    name = "gridgov.racing"
    verbose_name = _("赛马比拼")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.racing import bulletin

        bulletin.register()
