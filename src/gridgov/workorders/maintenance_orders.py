"""Maintenance issues of air stations (air.maintenance) become work orders: one issue, one
event, one order, filed under 监测站点故障 (station_fault) and dispatched like an alarm's order
to the responsible person of the station's grid (routing), the station's operator (运维单位)
named in the description. A station outside every grid gets no order (nobody on our chain owns
it), as with its alarms. Registered in this app's ready() (plugins.register)."""

from __future__ import annotations

import logging

from django.db import transaction

from gridgov.air.sensor_quality import operator_of
from gridgov.air.upkeep_models import MaintenanceIssue
from gridgov.workorders.models import Category, Source

log = logging.getLogger(__name__)

CATEGORY = "station_fault"


def maintenance_orders(issues: list[MaintenanceIssue]) -> dict[int, tuple[int, str]]:
    from gridgov.workorders.services import EventInput, create_event

    category = Category.objects.filter(code=CATEGORY, active=True).first()
    if category is None:
        log.warning("no active category %s: maintenance issues make no orders", CATEGORY)
        return {}
    made: dict[int, tuple[int, str]] = {}
    for issue in issues:
        station = issue.station
        grid = station.grid
        if grid is None or grid.retired_at is not None:
            continue
        operator = operator_of(station)
        title = f"{station.name} {issue.get_kind_display()}"
        try:
            with transaction.atomic():
                order = create_event(
                    EventInput(
                        source=Source.UPKEEP,
                        category=category,
                        title=title[:120],
                        description=f"{issue.detail}\n运维单位：{operator}",
                        lat=station.lat,
                        lon=station.lon,
                        address=station.name,
                        region=grid,
                        # The same issue never makes a second order, whoever asks.
                        submission_key=f"maintenance-{issue.pk}",
                    )
                )
        except Exception:
            log.exception("maintenance issue %s: order not opened now", issue.pk)
            continue
        made[issue.pk] = (order.pk, order.event.reference)
    return made
