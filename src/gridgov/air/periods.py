"""The periods pages, exports and bulletins default to, one rule for all of them.

A statistics period defaults to the month to date over its *complete* days (China Standard
Time): it ends yesterday, because today's daily value does not exist yet (a period ending today
asks every unit for a valid day it cannot have, and on the 7th nobody would be ranked on "6/7"
valid days). In a month's first `FIRST_DAYS` days the month holds too few complete days to rank
or compare anything, so the default is the previous whole month instead. The overview, the wall,
`/air/rankings`, the horse race (racing.services.period_for) and the bulletin scheduled for
yesterday all read this rule, so they rank the same units over the same days.
"""

from __future__ import annotations

import datetime as dt

from gridgov.air.models import CST
from gridgov.core.actor import Account

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
    """(start, end), both inclusive: the month's complete days so far (to yesterday), or the
    previous whole month in a month's first `FIRST_DAYS` days."""
    day = on or today()
    if day.day <= FIRST_DAYS:
        return month_bounds(day.replace(day=1) - dt.timedelta(days=1))
    return day.replace(day=1), day - dt.timedelta(days=1)


def basis(start: dt.date, end: dt.date) -> str:
    """The period stated beside a ranking: "12-01～12-06，6 天" (a whole month: "2026年11月")."""
    from django.utils.translation import gettext as _

    first, last = month_bounds(start)
    if (start, end) == (first, last):
        return _("%(year)d年%(month)d月") % {"year": start.year, "month": start.month}
    days = (end - start).days + 1
    fmt = "%m-%d" if start.year == end.year else "%Y-%m-%d"
    return _("%(start)s～%(end)s，%(days)d 天") % {
        "start": start.strftime(fmt),
        "end": end.strftime(fmt),
        "days": days,
    }


def resolve(
    start: dt.date | None, end: dt.date | None, on: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period a request asks for: `default_period` when it names neither end; an explicit
    `to` alone runs from its month's first day, an explicit `from` alone to yesterday (the last
    complete day; today itself when `from` is today)."""
    if start is None and end is None:
        return default_period(on)
    day = on or today()
    last = end if end is not None else max(day - dt.timedelta(days=1), start or day)
    first = start if start is not None else last.replace(day=1)
    return first, last


def default_level(user: Account) -> str:
    """The unit level rankings default to: the configured level below the viewer's own unit
    (districts for a city, streets for a district, communities for a street, stations for a
    community or a grid: territory.ladder). A community account has no street in its scope, so
    a street ranking would show it an empty table."""
    from gridgov.people import scope
    from gridgov.territory.levels import Level, key

    level = scope.ranked_level(user)
    return "station" if level is None or level == Level.GRID else key(level)
