"""China's working calendar (工作日历) for deadlines counted in working time.

Working days come from the `chinese-calendar` package (public holidays and the weekend days made
working days, 调休); for a year it does not know yet, Monday to Friday. Working hours are
`GRIDGOV_WORK_HOURS` ("08:30-12:00,13:30-17:30" by default), in China Standard Time.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

CST = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)
DEFAULT_HOURS = "08:30-12:00,13:30-17:30"


def _parse_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        try:
            a, b = dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
        except ValueError:
            raise ValueError(
                f"GRIDGOV_WORK_HOURS: {part!r} is not a period like 08:30-12:00"
            ) from None
        if b <= a:
            raise ValueError(f"GRIDGOV_WORK_HOURS: {part!r} ends before it starts")
        periods.append((a, b))
    periods.sort()
    return tuple(periods)


@functools.cache
def work_hours() -> tuple[tuple[dt.time, dt.time], ...]:
    return _parse_hours(getattr(settings, "GRIDGOV_WORK_HOURS", DEFAULT_HOURS))


@functools.lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year beyond the package's data
        log.warning("no holiday data for %s; counting Monday to Friday", day.year)
        return day.weekday() < 5


def _periods(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    if not is_working_day(day):
        return []
    return [
        (dt.datetime.combine(day, a, CST), dt.datetime.combine(day, b, CST))
        for a, b in work_hours()
    ]


def add_working_minutes(start: dt.datetime, minutes: float) -> dt.datetime:
    """The moment `minutes` working minutes after `start` (an aware datetime)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    at = start.astimezone(CST)
    left = dt.timedelta(minutes=minutes)
    day = at.date()
    for _ in range(3660):  # ten years of days: a deadline never runs further
        for begin, end in _periods(day):
            if end <= at:
                continue
            begin = max(begin, at)
            if end - begin >= left:
                return (begin + left).astimezone(dt.UTC)
            left -= end - begin
        day += dt.timedelta(days=1)
        at = dt.datetime.combine(day, dt.time(0), CST)
    raise ValueError("no working time found within ten years")


def working_minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working minutes from `start` to `end` (0 if end is not after start)."""
    if end <= start:
        return 0.0
    a, b = start.astimezone(CST), end.astimezone(CST)
    total = dt.timedelta()
    day = a.date()
    while day <= b.date():
        for begin, finish in _periods(day):
            lo, hi = max(begin, a), min(finish, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60
