from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "gridgov.workorders"
    verbose_name = _("事件工单")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gridgov.core import workcal
        from gridgov.workorders import deadlines, notify, plugins, receivers  # noqa: F401
        from gridgov.workorders.models import Category, DeadlinePolicy

        for model in (Category, DeadlinePolicy):
            post_save.connect(deadlines.clear_cache, sender=model, dispatch_uid=f"dl-{model}")
            post_delete.connect(deadlines.clear_cache, sender=model, dispatch_uid=f"dl-d-{model}")
        # A bad GRIDGOV_WORK_HOURS or GRIDGOV_NOTIFY_CHANNELS stops the start, naming itself.
        workcal.work_hours()
        notify.channels()
        plugins.register()
