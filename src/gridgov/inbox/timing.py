"""When a delivery goes: quiet hours (免打扰), the daily digest's moment, the back-off after a
failure, and whether a delivery is due. Pure functions of a moment: the sweep and the tests ask
these, nothing else decides it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

CHINA = ZoneInfo("Asia/Shanghai")
MAX_BACKOFF = dt.timedelta(days=1)
LEASE = dt.timedelta(minutes=5)  # a claim a worker died holding is taken again after this


def in_quiet(moment: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Whether `moment` (China time of day) falls in [start, end); the range may pass midnight."""
    t = moment.astimezone(CHINA).time()
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_release(moment: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """The moment a non-urgent message made at `moment` may go: `moment` itself outside the quiet
    hours, else the end of the quiet hours (China time)."""
    if not in_quiet(moment, start, end):
        return moment
    local = moment.astimezone(CHINA)
    release = dt.datetime.combine(local.date(), end, tzinfo=CHINA)
    if release <= local:
        release += dt.timedelta(days=1)
    return release


def next_digest(moment: dt.datetime, at: dt.time) -> dt.datetime:
    """The next digest moment at or after `moment` (the day's `at`, China time)."""
    local = moment.astimezone(CHINA)
    when = dt.datetime.combine(local.date(), at, tzinfo=CHINA)
    return when if when >= local else when + dt.timedelta(days=1)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: base · 2^(attempts-1), at most a day."""
    base = settings.GRIDGOV_NOTIFY_RETRY_SECONDS
    seconds = base * 2 ** max(0, min(attempts - 1, 20))
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def is_due(
    state: str, next_attempt_at: dt.datetime, lease_until: dt.datetime | None, now: dt.datetime
) -> bool:
    """Whether a delivery should be attempted at `now`: pending or failed and its time come, or
    left "sending" by a worker whose claim ran out."""
    if state in ("pending", "failed"):
        return next_attempt_at <= now
    if state == "sending":
        return lease_until is None or lease_until <= now
    return False


def due_filter(now: dt.datetime) -> Q:
    """`is_due` as a query on Delivery (the sweep's pick; `is_due` checks again once claimed)."""
    return Q(state__in=("pending", "failed"), next_attempt_at__lte=now) | Q(
        state="sending", lease_until__lte=now
    )
