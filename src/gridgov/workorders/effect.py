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

Per front (战线): `estimates` gives each closed order's DiD with its front — the category of the
pollution source the handler found responsible (event.pollution_source), else the one a hook
names (a rectification's source), else UNATTRIBUTED — and `by_front` pools them into the mean
effect per closed order with its uncertainty and n (the allowance planner reads them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gridgov.air.effect import INSUFFICIENT, Z95, Effect, did, neighbours_of
from gridgov.air.models import POLLUTANT_FIELDS, Alarm
from gridgov.air.neighbours import Neighbourhood
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
    front: str = ""  # the source category (战线) a hook knows the order belongs to, if any


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


# --- per front ---------------------------------------------------------------------------------

UNATTRIBUTED = "unattributed"  # no registered source named: the front is not known


@dataclass(frozen=True)
class OrderEstimate:
    """One closed order's DiD (with a verdict: enough hours on both sides) and its front."""

    order_id: int
    front: str
    region_path: str
    closed_at: dt.datetime | None
    effect: Effect


@dataclass(frozen=True)
class FrontEffect:
    """The mean DiD per closed order of one front (µg/m³; negative: better than neighbours).

    Its standard error is the larger of the orders' own (√Σse²/n, each order's estimate being
    uncertain) and their spread (s/√n, the orders differing among themselves; n ≥ 2), so
    neither a few precise but scattered estimates nor one lucky order look surer than they are.
    """

    front: str
    n: int
    mean: float
    se: float

    @property
    def low(self) -> float:
        return self.mean - Z95 * self.se

    @property
    def high(self) -> float:
        return self.mean + Z95 * self.se

    @property
    def improves(self) -> bool:
        """The 95 % interval lies wholly below zero."""
        return self.high < 0


def estimates(orders: QuerySet[WorkOrder], pollutant: str | None = None) -> list[OrderEstimate]:
    """Each closed order's DiD among `orders` (those without an estimate or with too few hours
    left out), on its own pollutant or on `pollutant` over the same windows; the stations'
    neighbours read once for all of them."""
    hood = Neighbourhood()
    out: list[OrderEstimate] = []
    rows = orders.filter(estimated_orders(), state=State.CLOSED).select_related(
        "event", "event__pollution_source"
    )
    for order in rows.order_by("pk"):
        w = order_windows(order)
        if w is None:
            continue
        chosen = pollutant or w.pollutant
        e = did(w.station_id, neighbours_of(w.station_id, hood=hood), w.before, w.after, chosen)
        if e.did is None or e.se is None or e.verdict == INSUFFICIENT:
            continue
        source = order.event.pollution_source
        front = (source.category if source is not None else "") or w.front or UNATTRIBUTED
        out.append(OrderEstimate(order.pk, front, order.event.region_path, order.closed_at, e))
    return out


def pooled(effects: list[Effect]) -> tuple[float, float]:
    """(mean, standard error) of several orders' DiD (FrontEffect's rule)."""
    values = [e.did for e in effects if e.did is not None and e.se is not None]
    ses = [e.se for e in effects if e.did is not None and e.se is not None]
    n = len(values)
    if not n:
        return math.nan, math.nan
    mean = sum(values) / n
    own = math.sqrt(sum(s * s for s in ses)) / n
    spread = 0.0
    if n >= 2:
        spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n)
    return mean, max(own, spread)


def by_front(items: Iterable[OrderEstimate]) -> dict[str, FrontEffect]:
    """The orders' estimates pooled per front (FrontEffect), summed per 战线."""
    groups: dict[str, list[Effect]] = {}
    for item in items:
        groups.setdefault(item.front, []).append(item.effect)
    out = {}
    for front, effects in groups.items():
        mean, se = pooled(effects)
        out[front] = FrontEffect(front, len(effects), mean, se)
    return out
