"""治理成效 of an air-alarm order: did the station improve against its neighbours?

For a closed order from an air alarm (event.alarm): the alarm's station and pollutant (PM2.5 when
the alarm names none, e.g. an offline alarm), its neighbours (air.effect.neighbours_of: active
ambient stations within 5 km, nearest 5), and the difference-in-differences (air.effect.did) of

- before: the EFFECT_HOURS (24) hours before the alarm began (or before the order was dispatched,
  if that was earlier): the alarm's own peak is left out, or every order would look like an
  improvement as the air returns to normal, and
- after: the EFFECT_HOURS hours from when it was handled (its closing when no handling is
  recorded); hours not yet past simply have no data.

Other closed orders may carry an estimate too: an app above this one registers an EffectHook
(`register_effect`) naming its orders (a filter) and their station and windows; workorders never
imports it. The inspections register their rectification orders (inspections/effect.py). The
order page, `GET /api/v1/air/effect?order=` and the horse race's 治理实效 read every hook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

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
    kind: str = "alarm"  # which rule chose the windows: "alarm" or a hook's name


@dataclass(frozen=True)
class EffectHook:
    """An app's orders with an estimate: `orders` filters WorkOrder to the candidates,
    `windows` gives a closed candidate's station, pollutant and windows (None: no estimate)."""

    name: str
    orders: Q
    windows: Callable[[WorkOrder], OrderWindows | None]


HOOKS: dict[str, EffectHook] = {}


def register_effect(hook: EffectHook) -> None:
    """Called from an app's ready(); registering a name again replaces it."""
    HOOKS[hook.name] = hook


def estimated_orders() -> Q:
    """The orders that may carry an estimate: from an air alarm, or any hook's."""
    found = Q(event__alarm__isnull=False)
    for hook in HOOKS.values():
        found |= hook.orders
    return found


def order_windows(order: WorkOrder) -> OrderWindows | None:
    """The station, pollutant and windows of a closed air-alarm order (or a hook's order);
    None for any other."""
    if order.state != State.CLOSED:
        return None
    if order.event.alarm_id is None:
        for hook in HOOKS.values():
            found_windows = hook.windows(order)
            if found_windows is not None:
                return found_windows
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
    """The order's DiD, or None when it is not a closed air-alarm order (nor a hook's)."""
    w = order_windows(order)
    if w is None:
        return None
    return did(w.station_id, neighbours_of(w.station_id), w.before, w.after, w.pollutant)
