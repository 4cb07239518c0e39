"""The default statistics period: month to date, the previous month on a month's first days."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.periods import default_period, month_bounds


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2026, 12, 1), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 12, 3), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 12, 4), (dt.date(2026, 12, 1), dt.date(2026, 12, 4))),
        (dt.date(2026, 12, 31), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (dt.date(2027, 1, 2), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (dt.date(2028, 3, 1), (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
    ],
)
def test_default_period(on, expected):
    assert default_period(on) == expected


def test_month_bounds_of_february_in_a_common_year():
    assert month_bounds(dt.date(2027, 2, 14)) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
