"""Target risk: the allowance for the rest of a period against the same days of last year (the
unit's data, else its district's, else unknown), the cut that needs, and the risk level."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.assessment import Risk, target_progress, target_risk
from gridgov.air.models import Station, Target
from tests.air.conftest import put_days

DEC = dt.date(2026, 12, 1)
AS_OF = dt.date(2026, 12, 4)  # 4 days gone, 27 left


@pytest.fixture
def east_and_west(territory):
    """One station in each street: 东街道 (D-S1) and 西街道 (D-S2)."""
    return {
        street: Station.objects.create(
            code=code, name=name, kind="micro", lat=35.2, lon=lon, grid=territory[grid]
        )
        for street, code, name, lon, grid in [
            ("east", "E1", "东站", 113.05, "D-S1-C1-G1"),
            ("west", "W1", "西站", 113.3, "D-S2-C2-G3"),
        ]
    }


def pm25_target(region, value=35.0, metric="pm25") -> Target:
    return Target.objects.create(
        region=region, metric=metric, start=DEC, end=dt.date(2026, 12, 31), value=value
    )


@pytest.mark.parametrize(
    ("cut", "risk"),
    [
        (None, Risk.UNKNOWN),
        (float("nan"), Risk.UNKNOWN),
        (-12.0, Risk.ACHIEVABLE),
        (0.0, Risk.ACHIEVABLE),
        (0.1, Risk.PRESSURE),
        (15.0, Risk.PRESSURE),
        (15.1, Risk.HIGH),
        (30.0, Risk.HIGH),
        (30.1, Risk.OUT_OF_REACH),
    ],
)
def test_risk_levels_from_the_required_cut(cut, risk):
    assert target_risk(cut, (0, 15, 30)) == risk


def test_risk_steps_come_from_the_settings(settings):
    settings.GRIDGOV_TARGET_RISK_STEPS = (5, 10, 20)
    assert target_risk(4) == Risk.ACHIEVABLE
    assert target_risk(12) == Risk.HIGH
    assert target_risk(21) == Risk.OUT_OF_REACH


def test_heating_month_allowance_half_of_last_year_is_out_of_reach(territory, east_and_west):
    west = east_and_west["west"]
    put_days(west, dt.date(2025, 12, 1), [65.0] * 31)  # last December
    put_days(west, DEC, [60.0] * 4)
    p = target_progress(pm25_target(territory["D-S2"]), AS_OF)
    # (35·31 − 240) / 27 = 31.30 µg/m³ for the rest, against 65 in those days last year
    assert p.allowance == pytest.approx(845 / 27)
    assert p.days_left == 27
    assert p.last_year == 65.0 and p.last_year_basis == "unit"
    assert p.required_cut == pytest.approx(51.85, abs=0.06)
    assert p.risk == Risk.OUT_OF_REACH and p.risk_label == "基本无法达成"
    assert p.on_track  # the old verdict: a positive allowance looked "achievable"


def test_last_year_comes_from_the_remaining_days_only(territory, east_and_west):
    west = east_and_west["west"]
    # Last year's first four days were filthy, the rest mild: only the rest counts.
    put_days(west, dt.date(2025, 12, 1), [300.0] * 4 + [33.0] * 27)
    put_days(west, DEC, [60.0] * 4)
    p = target_progress(pm25_target(territory["D-S2"]), AS_OF)
    assert p.last_year == 33.0
    assert p.required_cut == pytest.approx(100 * (1 - (845 / 27) / 33), abs=0.05)  # 5.2 %
    assert p.risk == Risk.PRESSURE


def test_room_to_spare_is_achievable(territory, east_and_west):
    west = east_and_west["west"]
    put_days(west, dt.date(2025, 12, 1), [25.0] * 31)
    put_days(west, DEC, [30.0] * 4)
    p = target_progress(pm25_target(territory["D-S2"]), AS_OF)
    assert p.required_cut < 0 and p.risk == Risk.ACHIEVABLE


def test_without_the_units_own_history_the_district_is_used(territory, east_and_west):
    put_days(east_and_west["east"], dt.date(2025, 12, 1), [30.0] * 31)  # only 东街道 last year
    put_days(east_and_west["west"], dt.date(2025, 12, 1), [None] * 20 + [90.0] * 11)  # too thin
    put_days(east_and_west["west"], DEC, [60.0] * 4)
    p = target_progress(pm25_target(territory["D-S2"]), AS_OF)
    # The district's daily value is the mean of its stations' valid values: 30 on the 16 days
    # only 东街道 has, (30 + 90) / 2 on the last 11.
    assert p.last_year_basis == "district"
    assert p.last_year == pytest.approx((30 * 16 + 60 * 11) / 27, abs=0.05)
    assert p.risk == Risk.HIGH


def test_with_no_history_anywhere_the_risk_is_unknown(territory, east_and_west):
    put_days(east_and_west["west"], DEC, [60.0] * 4)
    p = target_progress(pm25_target(territory["D-S2"]), AS_OF)
    assert p.last_year is None and p.required_cut is None and p.last_year_basis == ""
    assert p.risk == Risk.UNKNOWN


def test_an_allowance_below_zero_is_out_of_reach_whatever_last_year(territory, east_and_west):
    west = east_and_west["west"]
    put_days(west, DEC, [300.0] * 4)  # 1200 > 35·31 = 1085
    p = target_progress(pm25_target(territory["D-S2"]), AS_OF)
    assert p.allowance < 0 and p.risk == Risk.OUT_OF_REACH


def test_good_day_ratio_against_last_years_non_good_days(territory, east_and_west):
    west = east_and_west["west"]
    # Last year 8 of the remaining 27 days were not good (PM2.5 90); this year 3 of 4 so far.
    put_days(west, dt.date(2025, 12, 1), [30.0] * 23 + [90.0] * 8)
    put_days(west, DEC, [90.0] * 3 + [30.0])
    p = target_progress(pm25_target(territory["D-S2"], value=70, metric="good_day_ratio"), AS_OF)
    # N − ⌈0.7·31⌉ = 31 − 22 = 9 non-good days in all; 3 used -> 6 left, against 8 last year
    assert p.non_good_days_allowed == 6
    assert p.last_year == 8.0
    assert p.required_cut == 25.0 and p.risk == Risk.HIGH


def test_a_finished_period_is_judged_by_its_result(territory, east_and_west):
    west = east_and_west["west"]
    put_days(west, DEC, [30.0] * 31)
    p = target_progress(pm25_target(territory["D-S2"]), dt.date(2027, 1, 5))
    assert p.days_left == 0 and p.risk == Risk.ACHIEVABLE


def test_the_api_carries_the_risk(territory, east_and_west, login):
    west = east_and_west["west"]
    put_days(west, dt.date(2025, 12, 1), [65.0] * 31)
    put_days(west, DEC, [60.0] * 4)
    pm25_target(territory["D-S2"])
    response = login("command").get("/api/v1/air/targets?as_of=2026-12-04")
    assert response.status_code == 200
    row = response.json()[0]
    assert row["risk"] == "out_of_reach" and row["last_year_basis"] == "unit"
    assert row["required_cut"] == pytest.approx(51.85, abs=0.06)
    assert row["days_left"] == 27 and row["on_track"] is True and "allowance" in row


def test_the_targets_page_says_how_far_below_last_year(territory, east_and_west, login):
    west = east_and_west["west"]
    put_days(west, dt.date(2025, 12, 1), [65.0] * 31)
    put_days(west, DEC, [60.0] * 4)
    pm25_target(territory["D-S2"])
    html = login("command").get("/air/targets/?as_of=2026-12-04").content.decode()
    assert "余下 27 天须比去年同期低 52%" in html
    assert "基本无法达成" in html
