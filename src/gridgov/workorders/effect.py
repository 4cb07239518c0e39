"""治理成效 of an air-alarm order: did the station improve against its neighbours?

For a closed order from an air alarm (event.alarm): the alarm's station and pollutant (PM2.5 when
the alarm names none, e.g. an offline alarm), its neighbours (air.effect.neighbours_of: active
ambient stations within 5 km, nearest 5), and the difference-in-differences (air.effect.did) of

- before: the EFFECT_HOURS (24) hours before the order was dispatched (its creation when it was
  never dispatched), and
- after: the EFFECT_HOURS hours from when it was handled (its closing when no handling is
  recorded); hours not yet past simply have no data.
"""

from __future__ import annotations

from gridgov.air.effect import Effect, did, neighbours_of
from gridgov.air.models import POLLUTANT_FIELDS, Alarm
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import State

EFFECT_HOURS = 24
HOUR = 3600


def order_effect(order: WorkOrder) -> Effect | None:
    """The order's DiD, or None when it is not a closed air-alarm order."""
    if order.state != State.CLOSED or order.event.alarm_id is None:
        return None
    row = Alarm.objects.filter(pk=order.event.alarm_id).values_list("station_id", "pollutant")
    found = row.first()
    if found is None:
        return None
    station_id, pollutant = found
    if pollutant not in POLLUTANT_FIELDS:
        pollutant = "pm25"
    start = order.dispatched_at or order.created_at
    done = order.handled_at or order.closed_at
    if done is None:
        return None
    t1 = int(start.timestamp())
    t2 = int(done.timestamp())
    span = EFFECT_HOURS * HOUR
    return did(station_id, neighbours_of(station_id), (t1 - span, t1), (t2, t2 + span), pollutant)
