"""From an air alarm's order to the pollution sources: the registered sources near the alarm's
station — ordered by the back-trajectory from the station at the alarm's start over the
stations' hourly winds (air/trace.py, ORDER_TRACE_HOURS back) when those winds exist, else
upwind first when the station's latest wind is known and recent — and, for a source, the orders
whose handling named it responsible.

Scoped: a viewer sees only sources in their own scope (`sources.services.sources_for`), as
everywhere else. A grid worker therefore sees the sources touching their grids; a source just
across the boundary is listed for the community, street and district, who see both grids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridgov.air.trace import Trace, cone_polygon, path_geojson, trace_from
from gridgov.core.actor import Account
from gridgov.sources.models import PollutionSource
from gridgov.sources.nearby import NearbySource, Wind, nearby_for_point, station_wind
from gridgov.sources.services import sources_for
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import State

SECTION_LIMIT = 50
ORDER_TRACE_HOURS = 3


def alarm_place(
    order: WorkOrder, now: float | None = None
) -> tuple[float, float, Wind | None, int] | None:
    """The alarm station's position, usable latest wind and the alarm's start (epoch s), or
    None for an order not from an alarm."""
    alarm_id = order.event.alarm_id
    if alarm_id is None:
        return None
    from gridgov.air.models import Alarm

    row = Alarm.objects.filter(pk=alarm_id).values_list(
        "station_id", "station__lat", "station__lon", "started_at"
    )
    found = row.first()
    if found is None:
        return None
    station_id, lat, lon, started = found
    return lat, lon, station_wind(station_id, now), int(started.timestamp())


@dataclass(frozen=True)
class Around:
    """What an alarm order's pages show: the trace used (None: none could be made), else the
    latest wind used (None: nearest first), and the sources."""

    wind: Wind | None
    sources: list[NearbySource]
    trace: Trace | None = None

    def trace_map(self) -> dict[str, Any] | None:
        """What the order page's small map draws: the station, the path and the cone (GeoJSON),
        the listed sources scored by the trace; None without a trace."""
        if self.trace is None:
            return None
        return {
            "station": [self.trace.station_lat, self.trace.station_lon],
            "path": path_geojson(self.trace),
            "cone": cone_polygon(self.trace),
        }


def around_order(order: WorkOrder, user: Account, *, now: float | None = None) -> Around:
    """The sources to look at for an air alarm's order (none for any other order)."""
    place = alarm_place(order, now)
    if place is None:
        return Around(None, [])
    lat, lon, wind, started = place
    trace = trace_from(lat, lon, started, ORDER_TRACE_HOURS)
    if not trace.usable:
        return Around(wind, nearby_for_point(lat, lon, wind, qs=sources_for(user)))
    found = nearby_for_point(lat, lon, wind, qs=sources_for(user), trace=trace)
    return Around(wind, found, trace)


def nearby_for_order(
    order: WorkOrder, user: Account, *, now: float | None = None
) -> list[NearbySource]:
    return around_order(order, user, now=now).sources


def source_section(source: PollutionSource, user: Account) -> dict[str, Any]:
    """For the source's page: the orders (the viewer may see) whose handling named it."""
    qs = (
        orders_for(user)
        .filter(event__pollution_source=source)
        .select_related("event", "unit")
        .defer("event__description", "unit__geometry")
        .order_by("-event__created_at", "-pk")
    )
    orders = list(qs[:SECTION_LIMIT])
    return {
        "source": source,
        "orders": [
            {
                "order": o,
                "reference": o.event.reference,
                "title": o.event.title,
                "state_label": State(o.state).label,
                "handled_at": o.handled_at,
                "unit_name": o.unit.name,
            }
            for o in orders
        ],
        "total": qs.count() if len(orders) == SECTION_LIMIT else len(orders),
    }
