from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentreConfig(AppConfig):
    name = "gridgov.centre"
    verbose_name = _("指挥中心")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.centre import bulletin

        bulletin.register()
