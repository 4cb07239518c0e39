"""处置时限: how long each step may take, and when it turns yellow (预警) and red (超期)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from gridgov.core import workcal
from gridgov.workorders.models import Category, DeadlinePolicy, Priority
from gridgov.workorders.states import Step

# Used only when the policy table has no row at all for a priority (it is seeded).
FALLBACK = {
    Priority.URGENT: (15, 15, 240, 120, False),
    Priority.HIGH: (30, 30, 480, 240, False),
    Priority.NORMAL: (120, 120, 1440, 480, True),
}


@dataclass(frozen=True)
class Timing:
    minutes: dict[Step, int]
    working_time: bool
    warn_percent: int

    def due(self, step: Step, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(warn_at, due_at) of a step that starts at `start`."""
        minutes = self.minutes[step]
        warn = minutes * self.warn_percent / 100
        if self.working_time:
            return (
                workcal.add_working_minutes(start, warn),
                workcal.add_working_minutes(start, minutes),
            )
        return start + dt.timedelta(minutes=warn), start + dt.timedelta(minutes=minutes)

    def limit(self, start: dt.datetime) -> dt.datetime:
        """办结时限: the category's whole time limit (every step's minutes in turn) from
        `start` — an order's report, or its re-opening by the reporter."""
        minutes = sum(self.minutes.values())
        if self.working_time:
            return workcal.add_working_minutes(start, minutes)
        return start + dt.timedelta(minutes=minutes)

    def elapsed_minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        if self.working_time:
            return workcal.working_minutes_between(start, end)
        return max((end - start).total_seconds() / 60, 0.0)


_cache: dict[tuple[int | None, int], tuple[float, Timing]] = {}
CACHE_SECONDS = 60.0  # other processes see an edited policy within a minute


def clear_cache(**_: object) -> None:
    _cache.clear()


def timing_for(category: Category | None, priority: int) -> Timing:
    """The category's own policy, else its parent's, else the default row, else FALLBACK.
    Cached per process for a minute; edits in this process clear it at once."""
    key = (category.pk if category is not None else None, int(priority))
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    timing = _lookup(category, priority)
    _cache[key] = (time.monotonic(), timing)
    return timing


def _lookup(category: Category | None, priority: int) -> Timing:
    candidates = []
    if category is not None:
        candidates.append(category.pk)
        if category.parent_id:
            candidates.append(category.parent_id)
    rows = {
        p.category_id: p
        for p in DeadlinePolicy.objects.filter(priority=priority).filter(category_id__in=candidates)
    }
    policy = next((rows[c] for c in candidates if c in rows), None)
    if policy is None:
        policy = DeadlinePolicy.objects.filter(priority=priority, category__isnull=True).first()
    if policy is None:
        d, s, h, v, working = FALLBACK[Priority(priority)]
        return Timing({Step.DISPATCH: d, Step.SIGN: s, Step.HANDLE: h, Step.VERIFY: v}, working, 80)
    return Timing(
        {
            Step.DISPATCH: policy.dispatch_minutes,
            Step.SIGN: policy.sign_minutes,
            Step.HANDLE: policy.handle_minutes,
            Step.VERIFY: policy.verify_minutes,
        },
        policy.working_time,
        policy.warn_percent,
    )
