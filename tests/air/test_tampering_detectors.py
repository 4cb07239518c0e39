"""The tampering detectors (干扰监测) on synthetic series: each finding, and the near misses that
must not be one (neighbours dropping too, humidity not rising, too few neighbours or hours, a
drop too small, a flat day whose neighbours are flat too, a day stuck on one value)."""

from __future__ import annotations

import numpy as np
import pytest

from gridgov.air import tampering
from gridgov.air.tampering import ClockDay, flat_day, longest_ramp, spray

HOURS = 1_763_568_000 + 3600 * np.arange(6, dtype=np.int64)  # any six hours


def series(pm25=80.0, pm10=110.0, at=None):
    """(6, 2) PM2.5/PM10 hourly means, wiggling by 2 %; `at` = (pm25, pm10) in hour 4."""
    wiggle = 1 + 0.02 * np.sin(np.arange(6))
    out = np.column_stack([pm25 * wiggle, pm10 * wiggle])
    if at is not None:
        out[4] = at
    return out


def humidity(at=90.0, base=60.0):
    rh = np.full(6, base)
    rh[4] = at
    return rh


def neighbours(k=3, at_share=1.0):
    """k neighbours like the station, their hour 4 multiplied by at_share."""
    out = np.stack([series(78.0 + 3 * i, 105.0 + 2 * i) for i in range(k)])
    out[:, 4] *= at_share
    return out


def test_a_sharp_drop_with_humidity_jumping_while_the_neighbours_hold_is_spray():
    found = spray(
        7, HOURS, series(at=(20.0, 30.0)), humidity(), neighbours(), np.full((3, 6), 62.0)
    )
    assert len(found) == 1
    f = found[0]
    assert (f.station_id, f.kind, f.start, f.end) == (7, "spray", HOURS[4], HOURS[4] + 3600)
    assert f.pollutants == ("pm25", "pm10")
    assert f.evidence["pm25"]["drop_pct"] >= 70 and f.evidence["pm25"]["neighbours"] == 3
    assert abs(f.evidence["pm25"]["neighbour_change_pct"]) < 5
    assert (f.evidence["rh_before"], f.evidence["rh_at"]) == (60.0, 90.0)


def test_saturated_air_beside_dry_neighbours_is_spray_without_a_jump():
    rh = np.full(6, 94.0)
    rh[4] = 96.0
    found = spray(7, HOURS, series(at=(20.0, 30.0)), rh, neighbours(), np.full((3, 6), 70.0))
    assert [f.kind for f in found] == ["spray"]
    wet_everywhere = np.full((3, 6), 90.0)
    assert spray(7, HOURS, series(at=(20.0, 30.0)), rh, neighbours(), wet_everywhere) == []


@pytest.mark.parametrize(
    "case",
    ["neighbours_drop", "humidity_flat", "one_neighbour", "small_drop", "half_hours"],
)
def test_near_misses_are_no_spray(case):
    own, rh, near = series(at=(20.0, 30.0)), humidity(), neighbours()
    near_rh = np.full((3, 6), 62.0)
    hours = HOURS
    if case == "neighbours_drop":  # rain or a front: everyone drops
        near = neighbours(at_share=0.4)
    elif case == "humidity_flat":
        rh = np.full(6, 60.0)
    elif case == "one_neighbour":
        near, near_rh = near[:1], near_rh[:1]
    elif case == "small_drop":  # 60 % but only 18 µg/m³ (and PM10 only 30 %)
        own = series(30.0, 60.0, at=(12.0, 42.0))
    elif case == "half_hours":  # too few hours: the drop's hour has no two before it
        hours, own, rh = HOURS[3:5], own[3:5], rh[3:5]
        near, near_rh = near[:, 3:5], near_rh[:, 3:5]
    assert spray(7, hours, own, rh, near, near_rh) == []


def test_thresholds_are_settings(settings):
    own = series(at=(36.0, 50.0))  # a 55 % drop
    args = (7, HOURS, own, humidity(), neighbours(), np.full((3, 6), 62.0))
    assert len(spray(*args)) == 1
    settings.GRIDGOV_TAMPER_THRESHOLDS = {"spray_drop": 0.6}
    assert spray(*args) == []


def day_values(level=50.0, spread=0.3, seed=1):
    rng = np.random.default_rng(seed)
    return level * (1 + spread * rng.standard_normal(24))


def test_a_day_far_smoother_than_its_neighbours_is_flat():
    own = 50 + 0.5 * np.sin(np.arange(24))  # cv ≈ 0.007
    near = np.stack([day_values(seed=s) for s in range(3)])
    why = flat_day(own, day_values(seed=9), near, floor=5.0)
    assert why is not None and why["rule"] == "cv" and why["cv"] < 0.03
    assert why["neighbour_cv"] >= 0.15 and why["neighbours"] == 3


def test_a_smooth_day_among_smooth_neighbours_is_not_flat():
    own = 50 + 0.5 * np.sin(np.arange(24))
    near = np.stack([50 + 0.8 * np.cos(np.arange(24) + s) for s in range(3)])
    assert flat_day(own, day_values(seed=9), near, floor=5.0) is None


def test_too_few_hours_or_one_value_all_day_is_not_flat():
    near = np.stack([day_values(seed=s) for s in range(3)])
    few = 50 + 0.5 * np.sin(np.arange(24))
    few[:7] = np.nan  # 17 hours
    assert flat_day(few, day_values(seed=9), near, floor=5.0) is None
    assert flat_day(np.full(24, 50.0), day_values(seed=9), near, floor=5.0) is None  # STUCK's


def test_a_day_copying_the_day_before_is_flat():
    before = day_values(seed=4)
    copy = before.copy()
    copy[:2] += 3.0  # 22 of 24 hours equal: 92 %
    near = np.stack([day_values(seed=s) for s in range(3)])
    assert flat_day(copy, before, near, floor=5.0) == {"rule": "repeat", "hours": 24, "equal": 22}
    copy[2] += 3.0  # 21 of 24: 87.5 %
    assert flat_day(copy, before, near, floor=5.0) is None
    # Clean air repeating at the detection limit is normal.
    low = np.where(np.arange(24) % 2, 3.0, 4.0)
    assert flat_day(low, low.copy(), near, floor=5.0) is None


def test_a_ramp_of_twelve_hours_is_flat_and_eleven_is_not():
    near = np.stack([day_values(seed=s) for s in range(3)])
    own = day_values(seed=5)
    own[6:18] = 20 + 2.5 * np.arange(12)
    assert flat_day(own, day_values(seed=9), near, floor=5.0) == {"rule": "ramp", "hours": 12}
    own[17] = 99.0
    assert longest_ramp(own) == 11
    assert flat_day(own, day_values(seed=9), near, floor=5.0) is None


def clock_day(packets=1440, millis=(0,), gaps=(60_000, 60_000)):
    return ClockDay("20261120", packets, millis, *gaps)


def test_a_clock_frozen_at_one_millisecond_or_ticking_exactly_is_suspect():
    frozen = tampering.clock(3, [clock_day(gaps=(59_000, 61_500))])
    assert len(frozen) == 1 and frozen[0].evidence["millis"] == [0]
    assert frozen[0].end - frozen[0].start == 86400
    exact = tampering.clock(3, [clock_day(millis=(12, 713))])
    assert len(exact) == 1 and exact[0].evidence["gap_ms"] == 60_000
    assert tampering.clock(3, [clock_day(millis=(12, 713), gaps=(59_990, 60_013))]) == []
    assert tampering.clock(3, [clock_day(packets=59)]) == []  # too few packets to tell
