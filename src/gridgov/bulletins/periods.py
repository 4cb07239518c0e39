"""The period a bulletin covers, from its kind and a date D (China Standard Time).

- day: D itself;
- week: the Monday–Sunday week containing D;
- month: the calendar month containing D.

A period that is not over yet (it contains today) ends at D instead of its last day, so a
bulletin never counts days that have not happened. The scheduled bulletins use yesterday as D,
so theirs are whole periods. The previous period is the one before of the same kind, cut to the
same length (a week to date compares with the same days of the week before; the 1st–10th of a
month with the 1st–10th of the month before).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridgov.air.periods import month_bounds, today
from gridgov.air.stats import same_period_last_year
from gridgov.errors import INVALID, DomainError

KINDS = ("day", "week", "month")
KIND_LABELS = {"day": "日报", "week": "周报", "month": "月报"}


class PeriodError(DomainError, ValueError):
    """A period that cannot be made: which field, and why (kind invalid)."""

    field: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(INVALID, message, field)
        self.args = (f"{field}: {message}",)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    last_year_start: dt.date
    last_year_end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.start:%Y年%-m月%-d日}"
        return f"{self.start:%Y年%-m月%-d日}—{self.end:%Y年%-m月%-d日}"


def period_for(kind: str, day: dt.date, on: dt.date | None = None) -> Period:
    """The period of `kind` for the date `day`, as of `on` (today, China time, by default)."""
    on = on or today()
    if kind not in KINDS:
        raise PeriodError("period", f"must be one of {', '.join(KINDS)}")
    if day > on:
        raise PeriodError("date", f"{day.isoformat()} is in the future")
    if kind == "day":
        start = last = day
    elif kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        last = start + dt.timedelta(days=6)
    else:
        start, last = month_bounds(day)
    end = day if last >= on else last
    if kind == "day":
        prev_start = prev_end = start - dt.timedelta(days=1)
    elif kind == "week":
        prev_start, prev_end = start - dt.timedelta(days=7), end - dt.timedelta(days=7)
    else:
        prev_start, prev_last = month_bounds(start - dt.timedelta(days=1))
        whole = end == last
        prev_end = prev_last if whole else min(prev_last, prev_start.replace(day=end.day))
    ly_start, ly_end = same_period_last_year(start, end)
    return Period(kind, start, end, prev_start, prev_end, ly_start, ly_end)
