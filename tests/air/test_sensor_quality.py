"""Sensor quality: online, data capture and QC pass rates on a hand-built day, and the
calibrations applied on read with the raw values kept."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from gridgov.air import calibration
from gridgov.air.models import CST, Flag, Reading
from gridgov.air.sensor_quality import Counts, by_operator, default_months, rates
from gridgov.air.upkeep_models import Calibration, StationOperator
from tests.air.conftest import T0

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)  # T0's day
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=CST)


@pytest.fixture
def now(clock):
    clock.travel(NOW, tick=False)
    return NOW


def hand_built_day(station):
    """1,200 of 1,440 minutes (minutes 1,200–1,439 missing), PM2.5 and PM10 monitored:
    PM2.5 negative (invalid) at minutes 0–99, of which 0–19 a reviewer confirmed; PM10 stuck
    (suspect, still valid) at 100–149 and not sent at 150–179."""
    station.pollutants = ["pm25", "pm10"]
    station.save()
    rows = []
    for m in range(1200):
        pm25, pm25_flag = 30.0, 0
        pm10, pm10_flag = 60.0, 0
        if m < 100:
            pm25, pm25_flag = -1.0, Flag.NEGATIVE | (Flag.CONFIRMED if m < 20 else 0)
        if 100 <= m < 150:
            pm10_flag = Flag.STUCK
        if 150 <= m < 180:
            pm10 = None
        rows.append(
            Reading(
                station=station,
                ts=T0 + 60 * m,
                pm25=pm25,
                pm25_flag=pm25_flag,
                pm10=pm10,
                pm10_flag=pm10_flag,
            )
        )
    Reading.objects.bulk_create(rows)


def test_rates_of_a_hand_built_day(stations, now):
    micro = stations["micro"]
    hand_built_day(micro)
    [r] = rates([micro], DAY, DAY + dt.timedelta(days=2), now)
    day = r.days[DAY]
    assert (day.expected, day.present) == (1440, 1200)
    assert day.expected_values == 2 * 1440
    # PM2.5: 1,100 unflagged + 20 confirmed count; PM10: 1,170 sent, the stuck ones count.
    assert day.valid == 1120 + 1170
    assert day.received == 1200 + 1170
    assert day.passed == 1100 + 1120  # confirmed values still carried an automatic flag
    assert day.online_rate == 83.33
    assert day.capture_rate == round(100 * 2290 / 2880, 2) == 79.51
    assert day.qc_pass_rate == round(100 * 2220 / 2370, 2) == 93.67
    # Today counts only the 720 minutes elapsed, tomorrow nothing (rates unknown, not 0).
    today = r.days[DAY + dt.timedelta(days=1)]
    assert (today.expected, today.present, today.online_rate) == (720, 0, 0.0)
    tomorrow = r.days[DAY + dt.timedelta(days=2)]
    assert tomorrow.expected == 0 and tomorrow.online_rate is None
    assert tomorrow.qc_pass_rate is None
    assert r.total.expected == 1440 + 720 and r.total.present == 1200


def test_an_hourly_station_expects_24_a_day(stations, now):
    national = stations["national"]
    Reading.objects.bulk_create(
        [Reading(station=national, ts=T0 + 3600 * h, pm25=20.0) for h in range(18)]
    )
    [r] = rates([national], DAY, DAY, now)
    assert (r.total.expected, r.total.present) == (24, 18)
    assert r.total.online_rate == 75.0
    # Six pollutants monitored, only PM2.5 sent: 18 of 144 values.
    assert r.total.capture_rate == round(100 * 18 / 144, 2)
    assert r.total.qc_pass_rate == 100.0


def test_operators_add_up_their_stations(stations, now):
    micro, micro2 = stations["micro"], stations["micro2"]
    StationOperator.objects.create(station=micro, name="蓝天运维")
    hand_built_day(micro)
    found = rates(
        [type(micro).objects.select_related("operator").get(pk=s.pk) for s in (micro, micro2)],
        DAY,
        DAY,
        now,
    )
    ranking = by_operator(found)
    assert [o.name for o in ranking] == ["蓝天运维", "未登记运维单位"]
    assert ranking[0].total.present == 1200 and ranking[1].total.present == 0
    assert ranking[1].total.online_rate == 0.0


def test_counts_never_exceed_the_whole():
    assert Counts(expected=10, present=12).online_rate == 100.0


def test_the_page_shows_last_month_too_on_the_first():
    assert default_months(dt.date(2026, 12, 1)) == [dt.date(2026, 12, 1), dt.date(2026, 11, 1)]
    assert default_months(dt.date(2026, 12, 2)) == [dt.date(2026, 12, 1)]


def test_calibration_applies_on_read_and_keeps_the_raw(stations, users):
    micro = stations["micro"]
    raw = 40.0 + np.arange(60, dtype=float)
    Reading.objects.bulk_create(
        [Reading(station=micro, ts=T0 + 60 * m, pm25=float(raw[m])) for m in range(60)]
    )
    at = dt.datetime.fromtimestamp(T0 + 30 * 60, tz=CST)
    first = Calibration.objects.create(
        station=micro,
        pollutant="pm25",
        slope=0.8,
        intercept=-2.0,
        valid_from=at,
        by=users["command"],
        note="与市监测站比对",
    )
    # A later calibration wins from its start, and ends at its valid_to.
    later = Calibration.objects.create(
        station=micro,
        pollutant="pm25",
        slope=0.5,
        intercept=0.0,
        valid_from=at + dt.timedelta(minutes=20),
        valid_to=at + dt.timedelta(minutes=25),
    )
    series = calibration.minute_series(micro, "pm25", T0, T0 + 3600)
    assert series.raw.tolist() == raw.tolist()
    expected = raw.copy()
    expected[30:] = 0.8 * raw[30:] - 2.0
    expected[50:55] = 0.5 * raw[50:55]
    np.testing.assert_allclose(series.calibrated, expected)
    assert series.calibration[:30].tolist() == [0] * 30
    assert set(series.calibration[30:50].tolist()) == {first.pk}
    assert set(series.calibration[50:55].tolist()) == {later.pk}
    assert set(series.calibration[55:].tolist()) == {first.pk}
    # The stored readings are the device's values, untouched.
    stored = list(
        Reading.objects.filter(station=micro).order_by("ts").values_list("pm25", flat=True)
    )
    assert stored == raw.tolist()
    # The calibration in force at a moment.
    current = calibration.current([micro.pk], at + dt.timedelta(minutes=22))
    assert current[(micro.pk, "pm25")].pk == later.pk
    assert (
        calibration.current([micro.pk], at + dt.timedelta(minutes=40))[(micro.pk, "pm25")].pk
        == first.pk
    )
