from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "gridgov.workorders"
    verbose_name = _("事件工单")

    def ready(self) -> None:
        from gridgov.workorders import receivers  # noqa: F401  (air alarms → events)
