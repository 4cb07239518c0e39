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

from django.db.models import F, Q

from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import OPEN_STATES

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
