"""Statistics that feed the rankings (赛马比拼): per unit or person over a period — orders
received, on-time sign-for and handling rates, mean and 90th-percentile minutes to sign, handle
and close, overdue and returned counts, orders the reporter re-opened (结案未解决) and the
reporters' satisfaction (群众满意率). A unit or person with fewer than `min_orders` orders is
listed apart, not ranked: one order handled well does not make "the best".

The times are the order's own timestamps, each written by its transition (see services.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils import timezone

from gridgov.core.actor import Reader
from gridgov.people import scope
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region
from gridgov.workorders import lateness
from gridgov.workorders.models import Rating, Verdict, WorkOrder
from gridgov.workorders.publication import trackable_events
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import State, Step
from gridgov.workorders.verdict_links import PUBLIC_SOURCES

SATISFIED = frozenset({Rating.SATISFIED, Rating.FAIRLY})  # 满意率 counts 基本满意 too


@dataclass
class Row:
    key: str
    name: str
    received: int = 0
    signed: int = 0
    signed_on_time: int = 0
    sign_late_open: int = 0  # not signed for, and past the sign-for deadline now
    handled: int = 0
    handled_on_time: int = 0
    handle_late_open: int = 0  # not handled, and past the handling deadline now
    closed: int = 0
    overdue: int = 0
    returned: int = 0
    open: int = 0
    # Orders the reporter may re-open (public source, public category: verdict.py), closed
    # now or closed and then re-opened: the re-open rate's denominator. Patrol and other
    # internal orders cannot be re-opened, so they are not counted.
    public_closed: int = 0
    reopened: int = 0  # 结案未解决: re-opened by the reporter at least once
    rated: int = 0  # the reporters' ratings (one per closure)
    satisfied: int = 0  # of which 满意 or 基本满意
    sign_minutes: list[float] = field(default_factory=list)
    handle_minutes: list[float] = field(default_factory=list)
    close_minutes: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        def mean(xs: list[float]) -> float | None:
            return round(float(np.mean(xs)), 1) if xs else None

        def p90(xs: list[float]) -> float | None:
            return round(float(np.percentile(xs, 90)), 1) if xs else None

        def rate(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None

        return {
            "key": self.key,
            "name": self.name,
            "received": self.received,
            "open": self.open,
            "closed": self.closed,
            # An order still waiting past its deadline is already late: it counts against
            # the rate now, not only once it is finally signed for or handled.
            "on_time_sign_rate": rate(self.signed_on_time, self.signed + self.sign_late_open),
            "on_time_handle_rate": rate(self.handled_on_time, self.handled + self.handle_late_open),
            "mean_sign_minutes": mean(self.sign_minutes),
            "p90_sign_minutes": p90(self.sign_minutes),
            "mean_handle_minutes": mean(self.handle_minutes),
            "p90_handle_minutes": p90(self.handle_minutes),
            "mean_close_minutes": mean(self.close_minutes),
            "p90_close_minutes": p90(self.close_minutes),
            "overdue": self.overdue,
            "returned": self.returned,
            # 结案未解决/重新打开: orders the reporter re-opened ÷ public orders ever closed.
            "public_closed": self.public_closed,
            "reopened": self.reopened,
            "reopen_rate": rate(self.reopened, self.public_closed),
            # 群众满意率: (满意 + 基本满意) ÷ ratings given.
            "rated": self.rated,
            "satisfied": self.satisfied,
            "satisfaction_rate": rate(self.satisfied, self.rated),
        }


def _minutes(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    if a is None or b is None or b < a:
        return None
    return (b - a).total_seconds() / 60


def order_stats(
    user: Reader | None,
    start: dt.date,
    end: dt.date,
    by: str = "community",
    min_orders: int = 5,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Orders created from `start` to `end` (inclusive, China time) in the account's scope,
    grouped by a unit level (city, district, street, community: those configured), grid or
    person; ranked by on-time handling, then speed.
    Lateness of the steps still open is as of `now` (lateness.py)."""
    now = now or timezone.now()
    groups = {**ladder.unit_keys(), "grid": Level.GRID}  # city, district, street, community, grid
    if by not in (*groups, "person"):
        raise ValueError(f"by must be {', '.join(groups)} or person")
    if end < start:
        raise ValueError("the period ends before it starts")
    qs = (
        orders_for(user)
        .filter(created_at__date__gte=start, created_at__date__lte=end)
        .exclude(state=State.VOIDED)
        .select_related("event", "assignee")
    )
    ratings: dict[int, list[str]] = {}
    for order_id, rating in Verdict.objects.filter(order__in=qs.values("pk")).values_list(
        "order_id", "rating"
    ):
        ratings.setdefault(order_id, []).append(rating)
    # The orders whose reporter may give a verdict (the same rule as verdict._public_orders).
    public = set(
        qs.filter(event__in=trackable_events().filter(source__in=PUBLIC_SOURCES)).values_list(
            "pk", flat=True
        )
    )
    rows: dict[str, Row] = {}
    if by == "person":

        def keys(o: WorkOrder) -> list[tuple[str, str]]:
            return [(str(o.assignee_id), o.assignee.name)] if o.assignee_id and o.assignee else []

    else:
        level = groups[by]
        units = {
            r.path: r
            for r in scope.regions_for(user, Region.objects.filter(level=level)).defer("geometry")
        }

        def keys(o: WorkOrder) -> list[tuple[str, str]]:
            # The unit whose path the event's path starts with, at whatever depth the tree starts.
            unit = ladder.on_path(o.event.region_path, units)
            return [(unit.code, unit.name)] if unit else []

    for o in qs:
        for key, name in keys(o):
            row = rows.setdefault(key, Row(key, name))
            row.received += 1
            if o.state == State.CLOSED:
                row.closed += 1
            else:
                row.open += 1
            late_now = lateness.is_overdue(o, now)
            if o.signed_at:
                row.signed += 1
                row.signed_on_time += not o.sign_late
                m = _minutes(o.dispatched_at, o.signed_at)
                if m is not None:
                    row.sign_minutes.append(m)
            elif late_now and o.step == Step.SIGN:
                row.sign_late_open += 1
            if late_now and o.step == Step.HANDLE:
                row.handle_late_open += 1
            if o.handled_at:
                row.handled += 1
                row.handled_on_time += not o.handle_late
                m = _minutes(o.signed_at, o.handled_at)
                if m is not None:
                    row.handle_minutes.append(m)
            if o.closed_at:
                m = _minutes(o.created_at, o.closed_at)
                if m is not None:
                    row.close_minutes.append(m)
            row.overdue += o.ever_overdue or o.sign_late or o.handle_late or late_now
            row.returned += o.returned_count
            if o.pk in public:  # only these can be re-opened and rated
                row.public_closed += o.state == State.CLOSED or o.reopen_count > 0
                row.reopened += o.reopen_count > 0
                given = ratings.get(o.pk, ())
                row.rated += len(given)
                row.satisfied += sum(r in SATISFIED for r in given)
    summaries = [r.summary() for r in rows.values()]
    ranked = [s for s in summaries if s["received"] >= min_orders]
    apart = sorted((s for s in summaries if s["received"] < min_orders), key=lambda s: s["key"])

    def sort_key(s: dict[str, Any]) -> tuple[float, float, str]:
        rate = s["on_time_handle_rate"]
        speed = s["mean_handle_minutes"]
        return (-(rate if rate is not None else -1), speed if speed is not None else 1e12, s["key"])

    ranked.sort(key=sort_key)
    previous: tuple[Any, Any] | None = None
    position = 0
    for i, s in enumerate(ranked, start=1):
        value = (s["on_time_handle_rate"], s["mean_handle_minutes"])
        if value != previous:
            position = i
            previous = value
        s["rank"] = position
    for s in apart:
        s["rank"] = None
    return {
        "by": by,
        "from": start,
        "to": end,
        "min_orders": min_orders,
        "ranked": ranked,
        "apart": apart,
    }


def escalated_paths(user: Reader | None, start: dt.date, end: dt.date) -> list[str]:
    """The region paths of the orders created in the period (not voided) that were escalated:
    the same orders `order_stats` counts, one path per order."""
    qs = (
        orders_for(user)
        .filter(created_at__date__gte=start, created_at__date__lte=end)
        .exclude(state=State.VOIDED)
        .filter(escalation_level__gt=0)
    )
    return list(qs.values_list("event__region_path", flat=True))
