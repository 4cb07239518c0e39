"""The periods pages, exports and bulletins default to, one rule for all of them.

A statistics period defaults to the month to date (China Standard Time). In a month's first
`FIRST_DAYS` days the month to date holds too few complete days to rank or compare anything
(on the 1st every unit shows "1/1" valid days and ties), so the default is the previous whole
month instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def resolve(
    start: dt.date | None, end: dt.date | None, on: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period a request asks for: `default_period` when it names neither end; an explicit
    `to` alone runs from its month's first day, an explicit `from` alone to today."""
    if start is None and end is None:
        return default_period(on)
    last = end if end is not None else (on or today())
    first = start if start is not None else last.replace(day=1)
    return first, last


def default_level(user: Any) -> str:
    """The unit level rankings default to: the level below the viewer's own unit (streets for
    the district, communities for a street, stations for a community or a grid). A community
    account has no street in its scope, so a street ranking would show it an empty table."""
    from gridgov.people import scope
    from gridgov.territory.models import Level, Region

    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return "street"
    levels: list[int] = list(Region.objects.filter(path__in=paths).values_list("level", flat=True))
    below = {int(Level.DISTRICT): "street", int(Level.STREET): "community"}
    return below.get(min(levels, default=int(Level.GRID)), "station")
