"""What the work orders plug into the apps that may not import them (AppConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gridgov.air import alarm_queries, maintenance
from gridgov.air.alarm_queries import OrderRef
from gridgov.air.models import Alarm
from gridgov.core.actor import Account
from gridgov.sources import sections
from gridgov.sources.models import PollutionSource
from gridgov.workorders.maintenance_orders import maintenance_orders
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.services import orders_for
from gridgov.workorders.sourcing import source_section


def alarm_orders(user: Account, alarms: list[Alarm]) -> dict[int, OrderRef]:
    """The work order each of `alarms` made (those that made one), told only as existing when
    the account may not open it."""
    found: dict[int, OrderRef] = {}
    ids = [a.pk for a in alarms]
    made = WorkOrder.objects.filter(event__alarm_id__in=ids).select_related("event")
    visible = set(orders_for(user, made).values_list("pk", flat=True))
    for o in made:
        alarm_id = o.event.alarm_id
        assert alarm_id is not None
        shown = o.pk in visible
        found[alarm_id] = OrderRef(
            o.pk,
            o.event.reference if shown else "",
            o.state if shown else "",
            str(o.get_state_display()) if shown else "",
            shown,
        )
    return found


def orders_section(source: PollutionSource, user: Account) -> dict[str, Any] | None:
    """认定为责任源的工单: the work orders whose handling named this source."""
    return sections.rendered(
        _("认定为责任源的工单"), "workorders/_source_section.html", source_section(source, user)
    )


def register() -> None:
    # Importing racing_metrics registers the horse race's metrics of this app.
    from gridgov.workorders import bulletin, overview_panels, racing_metrics  # noqa: F401

    overview_panels.register()
    sections.register(orders_section, order=20)
    alarm_queries.register_order_finder(alarm_orders)
    maintenance.register_order_opener(maintenance_orders)
    bulletin.register()
