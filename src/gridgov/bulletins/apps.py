from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "gridgov.bulletins"
    verbose_name = _("调度通报")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.bulletins import content

        content.register()
