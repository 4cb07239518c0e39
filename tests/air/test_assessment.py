"""HJ 663 assessment: validity, percentiles, comprehensive index, good days, rankings, targets."""

import datetime as dt
import math

import numpy as np
import pytest

from gridgov.air import aggregate
from gridgov.air.assessment import (
    LIMITS_2012,
    LIMITS_2026_TRANSITION,
    assess,
    level_units,
    limits_for,
    rank,
    region_units,
    required_days,
    station_units,
    target_progress,
)
from gridgov.air.models import Station, Target
from gridgov.air.stats import comprehensive_index, percentile
from tests.air.conftest import put_days

# --- validity --------------------------------------------------------------------------------


def test_o3_daily_max_8h_needs_14_of_17_windows():
    o3 = np.full((1, 24), 100.0)
    # Window j covers hours j..j+7. With hours 0-3 missing, windows 0..3 keep 4, 5, 6, 7 hours,
    # so windows 0 and 1 are invalid and 15 remain.
    o3[0, :4] = np.nan
    value, windows = aggregate.o3_daily_max_8h(o3)
    assert windows[0] == 15 and value[0] == 100.0
    o3[0, :6] = np.nan  # windows 0..3 now have 2..5 valid hours: 4 invalid -> 13 valid windows
    value, windows = aggregate.o3_daily_max_8h(o3)
    assert windows[0] == 13 and np.isnan(value[0])


def test_o3_daily_max_8h_with_13_windows_still_counts_above_the_grade_ii_limit():
    o3 = np.full((1, 24), 170.0)
    o3[0, :6] = np.nan
    value, windows = aggregate.o3_daily_max_8h(o3)
    assert windows[0] == 13 and value[0] == 170.0


def test_an_8_hour_window_needs_6_hours():
    o3 = np.full((1, 24), 80.0)
    o3[0, 2:4] = np.nan  # window 0 (hours 0-7) keeps 6 hours
    assert np.isfinite(aggregate.o3_8h_windows(o3)[0, 0])
    o3[0, 4] = np.nan  # now 5
    assert np.isnan(aggregate.o3_8h_windows(o3)[0, 0])


@pytest.mark.parametrize(
    ("start", "end", "need"),
    [
        ((2026, 2, 1), (2026, 2, 28), 25),
        ((2024, 2, 1), (2024, 2, 29), 25),
        ((2026, 1, 1), (2026, 1, 31), 27),
        ((2026, 4, 1), (2026, 4, 30), 27),
        ((2026, 1, 1), (2026, 12, 31), 324),
        ((2026, 1, 1), (2026, 1, 10), 9),
    ],
)
def test_required_valid_days(start, end, need):
    assert required_days(dt.date(*start), dt.date(*end)) == need


# --- percentiles and the comprehensive index -------------------------------------------------


def test_percentile_follows_hj_663():
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    # p = 95: k = 1 + 9 * 0.95 = 9.55, s = 9, P = X9 + (X10 - X9) * 0.55 = 9.55
    assert percentile(np.array(x), 95) == pytest.approx(9.55)
    # p = 90 of 31 values 0..30: k = 1 + 30 * 0.9 = 28 exactly -> X28 = 27
    assert percentile(np.arange(31.0), 90) == 27.0
    assert percentile(np.array([5.0]), 90) == 5.0
    assert math.isnan(percentile(np.array([np.nan]), 90))
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 100, 57)
    assert percentile(values, 90) == pytest.approx(np.percentile(values, 90))


def test_comprehensive_index_worked_example():
    stats = {"so2": 12, "no2": 30, "pm10": 84, "pm25": 49, "co_p95": 1.6, "o3_8h_p90": 176}
    # 12/60 + 30/40 + 84/70 + 49/35 + 1.6/4 + 176/160 = 0.2 + 0.75 + 1.2 + 1.4 + 0.4 + 1.1 = 5.05
    assert comprehensive_index(stats, LIMITS_2012) == 5.05
    # 2026 transition limits: PM10 60, PM2.5 30 -> 0.2 + 0.75 + 1.4 + 1.6333 + 0.4 + 1.1 = 5.48
    assert comprehensive_index(stats, LIMITS_2026_TRANSITION) == 5.48


def test_limits_follow_the_date():
    assert limits_for(dt.date(2026, 2, 28)) is LIMITS_2012
    assert limits_for(dt.date(2026, 3, 1)) is LIMITS_2026_TRANSITION
    assert limits_for(dt.date(2031, 1, 1)).pm25 == 25


# --- assessment from daily rows --------------------------------------------------------------


@pytest.fixture
def four_stations(territory):
    g1, g2, g3 = territory["D-S1-C1-G1"], territory["D-S1-C1-G2"], territory["D-S2-C2-G3"]
    return [
        Station.objects.create(code=f"S{i}", name=f"站{i}", kind="micro", lat=35.2, lon=lon, grid=g)
        for i, (g, lon) in enumerate([(g1, 113.05), (g2, 113.15), (g3, 113.3), (g3, 113.35)])
    ]


def test_a_month_assessment_with_good_days_and_levels(four_stations):
    s = four_stations[0]
    start = dt.date(2026, 4, 1)
    # 30 days: 20 days at 20 µg/m³ (优), 8 at 50 (良 under 2026: IAQI 50→ 35..60), 2 at 80 (轻度)
    put_days(s, start, [20.0] * 20 + [50.0] * 8 + [80.0] * 2, pm10=40.0)
    a = assess(station_units(["S0"]), start, dt.date(2026, 4, 30), year_on_year=False)[0]
    assert a.valid_days == 30 and a.enough_data
    assert a.pm25 == round((20 * 20 + 8 * 50 + 2 * 80) / 30)  # 32
    assert a.aqi_days == 30 and a.good_days == 28
    assert a.good_day_ratio == 93.3
    assert a.days_by_level[1] == 20 and a.days_by_level[2] == 8 and a.days_by_level[3] == 2
    assert a.co_p95 == 0.8 and a.o3_8h_p90 == 100
    assert a.limits.startswith("GB 3095-2026")


def test_a_unit_is_the_mean_of_its_stations(four_stations):
    start = dt.date(2026, 4, 1)
    put_days(four_stations[2], start, [40.0] * 30)
    put_days(four_stations[3], start, [60.0] * 30)
    unit = region_units([four_stations[2].grid.parent])[0]
    a = assess([unit], start, dt.date(2026, 4, 30), year_on_year=False)[0]
    assert a.pm25 == 50


def test_rankings_rank_equal_values_equal_and_list_thin_units_apart(four_stations):
    start = dt.date(2026, 4, 1)
    put_days(four_stations[0], start, [30.0] * 30)
    put_days(four_stations[1], start, [30.0] * 30)
    put_days(four_stations[2], start, [45.0] * 30)
    put_days(four_stations[3], start, [10.0] * 5 + [None] * 25)  # too few valid days
    results = assess(station_units(), start, dt.date(2026, 4, 30), year_on_year=False)
    ranked, apart = rank(results, "pm25")
    assert [(r.rank, r.assessment.code) for r in ranked] == [(1, "S0"), (1, "S1"), (3, "S2")]
    assert [r.assessment.code for r in apart] == ["S3"]
    with pytest.raises(ValueError, match="unknown metric"):
        rank(results, "beauty")


def test_year_on_year_change(four_stations):
    s = four_stations[0]
    put_days(s, dt.date(2025, 4, 1), [50.0] * 30)
    put_days(s, dt.date(2026, 4, 1), [40.0] * 30)
    a = assess(station_units(["S0"]), dt.date(2026, 4, 1), dt.date(2026, 4, 30))[0]
    assert a.year_on_year["pm25"] == -20.0


def test_district_levels_group_stations(four_stations):
    units = {u.code: u for u in level_units(2)}
    assert len(units["D-S1"].station_ids) == 2 and len(units["D-S2"].station_ids) == 2


# --- targets and the allowance ---------------------------------------------------------------


def test_pm25_allowance_for_the_remaining_days(four_stations):
    s = four_stations[0]
    district = s.grid.parent.parent.parent
    target = Target.objects.create(
        region=district,
        metric="pm25",
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 4, 30),
        value=35,
    )
    put_days(s, dt.date(2026, 4, 1), [40.0] * 10)  # 10 days at 40
    p = target_progress(target, dt.date(2026, 4, 10))
    # T·N − S = 35·30 − 400 = 650 over R = 20 days -> 32.5
    assert p.elapsed_valid_days == 10 and p.remaining_days == 20
    assert p.allowance == pytest.approx(32.5)
    assert p.current == 40 and p.gap == 5 and p.on_track


def test_good_day_ratio_allowance(four_stations):
    s = four_stations[0]
    district = s.grid.parent.parent.parent
    target = Target.objects.create(
        region=district,
        metric="good_day_ratio",
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 4, 30),
        value=80,
    )
    put_days(s, dt.date(2026, 4, 1), [30.0] * 7 + [90.0] * 3)  # 3 non-good days (PM2.5 90)
    p = target_progress(target, dt.date(2026, 4, 10))
    # N − ⌈0.8·30⌉ = 6 non-good days allowed in all; 3 used -> 3 left
    assert p.non_good_days_allowed == 3
    assert p.current == 70.0


def test_stored_station_aqi_agrees_with_computing_it(four_stations):
    """Station rankings read the daily AQI stored at ingestion; it must equal the computed one."""
    from gridgov.air.aqi import Standard

    start = dt.date(2026, 4, 1)
    put_days(four_stations[0], start, [20.0, 61.0, 80.0, None, 116.0] * 6)
    units = station_units(["S0"])
    stored = assess(units, start, dt.date(2026, 4, 30), year_on_year=False)[0]
    computed = assess(units, start, dt.date(2026, 4, 30), Standard.HJ633_2026, False)[0]
    assert (stored.good_days, stored.aqi_days) == (computed.good_days, computed.aqi_days)
    assert stored.days_by_level == computed.days_by_level
    assert stored.good_days == 6 and stored.aqi_days == 24
