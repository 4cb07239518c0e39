"""What follows from the clock for a work order (超期, 临期预警): computed from its deadline
columns and the time it is read, never from a flag a background job sets.

The pages, the API, the wall, the overview, the statistics and the bulletin all ask these
functions, so the desk's 超期 count, the phone's red badge and the overview's tile cannot
disagree, and none of them depends on whether `gridgov worker` (or the jobs inside
`gridgov serve`) has run. The deadline sweep keeps only its side effects: notices and
escalations (see sweep.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.workorders.deadlines import timing_for
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import OPEN_STATES, State

_OPEN = sorted(s.value for s in OPEN_STATES)


def overdue_q(now: dt.datetime) -> Q:
    """超期: an open order whose current step's deadline has passed at `now`."""
    return Q(state__in=_OPEN, due_at__lte=now)


def is_overdue(order: WorkOrder, now: dt.datetime) -> bool:
    return order.state in _OPEN and order.due_at is not None and order.due_at <= now


def urgency_of(
    state: str, due_at: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime
) -> str:
    """red (超期), yellow (临期预警) or '' — the colour a queue, a map pin or a badge shows."""
    if state not in _OPEN:
        return ""
    if due_at is not None and due_at <= now:
        return "red"
    if warn_at is not None and warn_at <= now:
        return "yellow"
    return ""


def urgency(order: WorkOrder, now: dt.datetime) -> str:
    return urgency_of(order.state, order.due_at, order.warn_at, now)


def most_urgent_first() -> list:
    """Ordering for task lists: the earliest deadline first (so every overdue order leads),
    orders without a deadline last."""
    return [F("due_at").asc(nulls_last=True), "-created_at"]


ON_TIME, LATE, IN_HAND = "on_time", "late", "in_hand"
PUBLIC_LABELS = {ON_TIME: _("按时"), LATE: _("超时"), IN_HAND: _("处理中")}


@dataclass(frozen=True)
class PublicDeadline:
    """An order's 办结时限 as the public sees it, and whether it was met at `now`."""

    due_at: dt.datetime | None
    status: str  # ON_TIME, LATE, IN_HAND, or "" (voided: no promise to keep)

    @property
    def label(self) -> str:
        return str(PUBLIC_LABELS.get(self.status, ""))


def public_deadline(order: WorkOrder, now: dt.datetime) -> PublicDeadline:
    """The one rule for the public pages and Open311: the category's whole time limit
    (`Timing.limit`, every step in turn) from the report, or from the last re-opening; an
    approved extension beyond it moves it there. 按时: closed by it; 超时: closed after it, or
    still open past it now; 处理中: open and not past it. Read with the order's event and its
    category (the policy is cached per process)."""
    if order.state == State.VOIDED:
        return PublicDeadline(None, "")
    start = order.reopened_at or order.created_at
    due = timing_for(order.event.category, order.priority).limit(start)
    if order.extended_until is not None and order.extended_until > due:
        due = order.extended_until
    if order.state == State.CLOSED:
        met = order.closed_at is not None and order.closed_at <= due
        return PublicDeadline(due, ON_TIME if met else LATE)
    return PublicDeadline(due, LATE if now > due else IN_HAND)
