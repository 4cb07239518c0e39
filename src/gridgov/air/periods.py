"""The periods pages, exports and bulletins default to, one rule for all of them.

A statistics period defaults to the month to date (China Standard Time). In a month's first
`FIRST_DAYS` days the month to date holds too few complete days to rank or compare anything
(on the 1st every unit shows "1/1" valid days and ties), so the default is the previous whole
month instead.
"""

from __future__ import annotations

import datetime as dt

from gridgov.air.models import CST

FIRST_DAYS = 3


def today() -> dt.date:
    """Today in China Standard Time (UTC+8), the calendar of every daily statistic."""
    return dt.datetime.now(CST).date()


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `day`'s month."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def default_period(on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(start, end), both inclusive: the month to date, or the previous month on its first days."""
    day = on or today()
    if day.day <= FIRST_DAYS:
        return month_bounds(day.replace(day=1) - dt.timedelta(days=1))
    return day.replace(day=1), day
