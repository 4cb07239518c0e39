"""治理成效 of an air-alarm order: did the station improve against its neighbours?

For a closed order from an air alarm (event.alarm): the alarm's station and pollutant (PM2.5 when
the alarm names none, e.g. an offline alarm), its neighbours (air.effect.neighbours_of: active
ambient stations within 5 km, nearest 5), and the difference-in-differences (air.effect.did) of

- before: the EFFECT_HOURS (24) hours before the alarm began (or before the order was dispatched,
  if that was earlier): the alarm's own peak is left out, or every order would look like an
  improvement as the air returns to normal, and
- after: the EFFECT_HOURS hours from when it was handled (its closing when no handling is
  recorded); hours not yet past simply have no data.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.air.effect import Effect, did, neighbours_of
from gridgov.air.models import POLLUTANT_FIELDS, Alarm
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import State

EFFECT_HOURS = 24
HOUR = 3600


@dataclass(frozen=True)
class OrderWindows:
    station_id: int
    pollutant: str
    before: tuple[int, int]  # [t0, t1) epoch seconds
    after: tuple[int, int]


def order_windows(order: WorkOrder) -> OrderWindows | None:
    """The station, pollutant and windows of a closed air-alarm order; None for any other."""
    if order.state != State.CLOSED or order.event.alarm_id is None:
        return None
    found = (
        Alarm.objects.filter(pk=order.event.alarm_id)
        .values_list("station_id", "pollutant", "started_at")
        .first()
    )
    done = order.handled_at or order.closed_at
    if found is None or done is None:
        return None
    station_id, pollutant, began = found
    if pollutant not in POLLUTANT_FIELDS:
        pollutant = "pm25"
    t1 = int(min(began, order.dispatched_at or order.created_at).timestamp())
    t2 = int(done.timestamp())
    span = EFFECT_HOURS * HOUR
    return OrderWindows(station_id, pollutant, (t1 - span, t1), (t2, t2 + span))


def order_effect(order: WorkOrder) -> Effect | None:
    """The order's DiD, or None when it is not a closed air-alarm order."""
    w = order_windows(order)
    if w is None:
        return None
    return did(w.station_id, neighbours_of(w.station_id), w.before, w.after, w.pollutant)
