"""The default statistics period: the month's complete days (to yesterday), the previous month
on a month's first days."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.periods import default_period, month_bounds


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2026, 12, 1), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 12, 3), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 12, 4), (dt.date(2026, 12, 1), dt.date(2026, 12, 3))),
        (dt.date(2026, 12, 7), (dt.date(2026, 12, 1), dt.date(2026, 12, 6))),
        (dt.date(2026, 12, 31), (dt.date(2026, 12, 1), dt.date(2026, 12, 30))),
        (dt.date(2027, 1, 1), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (dt.date(2027, 1, 2), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (dt.date(2028, 3, 1), (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
    ],
)
def test_default_period(on, expected):
    assert default_period(on) == expected


def test_month_bounds_of_february_in_a_common_year():
    assert month_bounds(dt.date(2027, 2, 14)) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))


def test_basis_states_the_days_or_the_month():
    from gridgov.air.periods import basis

    assert basis(dt.date(2026, 12, 1), dt.date(2026, 12, 6)) == "12-01～12-06，6 天"
    assert basis(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == "2026年11月"
    assert basis(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == "2026-12-28～2027-01-03，7 天"
