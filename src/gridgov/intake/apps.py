from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "gridgov.intake"
    verbose_name = _("外部感知事件接入")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Listens to the work orders' `order_moved` hook: a closed 12345 order's status is
        # pushed back to the hotline system (workorders never imports intake).
        from gridgov.intake import receivers, tasks  # noqa: F401
