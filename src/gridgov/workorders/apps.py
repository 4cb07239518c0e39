from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "gridgov.workorders"
    verbose_name = _("事件工单")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django.urls import reverse

        from gridgov.core import workcal
        from gridgov.inbox import links
        from gridgov.workorders import deadlines, plugins, receivers  # noqa: F401
        from gridgov.workorders.models import Category, DeadlinePolicy, WorkOrder

        for model in (Category, DeadlinePolicy):
            post_save.connect(deadlines.clear_cache, sender=model, dispatch_uid=f"dl-{model}")
            post_delete.connect(deadlines.clear_cache, sender=model, dispatch_uid=f"dl-d-{model}")
        # A bad GRIDGOV_WORK_HOURS stops the start, naming itself.
        workcal.work_hours()
        # Notices about an order open its page (the phone's on the phone); the API's order_id.
        links.register(
            WorkOrder,
            "order",
            desk=lambda pk: reverse("workorders:order", args=[pk]),
            phone=lambda pk: reverse("workorders:phone_order", args=[pk]),
        )
        plugins.register()
