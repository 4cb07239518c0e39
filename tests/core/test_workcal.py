"""Working time on China's calendar: weekends, public holidays and make-up working days."""

import datetime as dt

import pytest

from gridgov.core import workcal

CST = workcal.CST


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=CST)


def test_calendar_knows_2026_holidays_and_make_up_days():
    assert not workcal.is_working_day(dt.date(2026, 10, 1))  # National Day
    assert not workcal.is_working_day(dt.date(2026, 10, 7))
    assert workcal.is_working_day(dt.date(2026, 10, 10))  # a Saturday made a working day
    assert workcal.is_working_day(dt.date(2026, 9, 20))  # a Sunday made a working day
    assert not workcal.is_working_day(dt.date(2026, 11, 28))  # an ordinary Saturday


def test_minutes_within_a_morning():
    assert workcal.add_working_minutes(at(2026, 11, 26, 9, 0), 60) == at(2026, 11, 26, 10, 0)


def test_lunch_break_is_skipped():
    # 11:30 + 60 working minutes: 30 before 12:00, 30 after 13:30.
    assert workcal.add_working_minutes(at(2026, 11, 26, 11, 30), 60) == at(2026, 11, 26, 14, 0)


def test_weekend_is_skipped():
    # Friday 17:00 + 60: 30 minutes on Friday, then Monday 08:30 + 30.
    assert workcal.add_working_minutes(at(2026, 11, 27, 17, 0), 60) == at(2026, 11, 30, 9, 0)


def test_national_day_holiday_is_skipped():
    # Wednesday 30 September 17:00 + 60: the next working morning is Thursday 8 October.
    assert workcal.add_working_minutes(at(2026, 9, 30, 17, 0), 60) == at(2026, 10, 8, 9, 0)


def test_make_up_saturday_counts():
    # Friday 9 October 17:00 + 60: Saturday 10 October is a working day.
    assert workcal.add_working_minutes(at(2026, 10, 9, 17, 0), 60) == at(2026, 10, 10, 9, 0)


def test_start_outside_hours_begins_at_next_period():
    assert workcal.add_working_minutes(at(2026, 11, 26, 20, 0), 15) == at(2026, 11, 27, 8, 45)
    assert workcal.add_working_minutes(at(2026, 11, 26, 12, 30), 0) == at(2026, 11, 26, 13, 30)


def test_minutes_between_inverts_add():
    start = at(2026, 9, 29, 10, 17)
    for minutes in (1, 59, 450, 451, 1350, 3150):
        end = workcal.add_working_minutes(start, minutes)
        assert workcal.working_minutes_between(start, end) == pytest.approx(minutes)


def test_negative_minutes_refused():
    with pytest.raises(ValueError):
        workcal.add_working_minutes(at(2026, 11, 26, 9), -1)


def test_unknown_year_falls_back_to_weekdays():
    assert workcal.is_working_day(dt.date(2031, 1, 6))  # a Monday
    assert not workcal.is_working_day(dt.date(2031, 1, 5))  # a Sunday


def test_bad_work_hours_setting():
    with pytest.raises(ValueError, match="ends before"):
        workcal._parse_hours("12:00-08:00")
