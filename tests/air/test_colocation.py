"""Co-location of a micro-station with the nearest control station: the regression matches
numpy's on synthetic data with a known line, and humid hours are marked, never corrected."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.air.colocation import HUMID, colocate, compare, nearest_control
from gridgov.air.factor_models import FactorHour
from gridgov.air.models import CST, HourlyAggregate, Station
from gridgov.air.upkeep_models import Calibration
from tests.air.conftest import T0

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def synthetic(hours=48, slope=1.3, intercept=5.0, seed=7):
    rng = np.random.default_rng(seed)
    control = rng.uniform(20, 150, hours)
    micro = slope * control + intercept + rng.normal(0, 4, hours)
    return control, micro


def test_the_fit_is_numpys_and_finds_the_known_line():
    control, micro = synthetic()
    hours = T0 + 3600 * np.arange(len(control))
    fit = compare("pm25", hours, micro, control)
    slope, intercept = np.polyfit(control, micro, 1)
    assert fit.n == 48
    assert fit.slope == pytest.approx(slope, rel=1e-9)
    assert fit.intercept == pytest.approx(intercept, rel=1e-9)
    assert fit.r == pytest.approx(np.corrcoef(control, micro)[0, 1], rel=1e-9)
    assert fit.slope == pytest.approx(1.3, abs=0.03) and fit.intercept == pytest.approx(5, abs=3)
    assert fit.bias == pytest.approx(np.mean(micro - control))


def test_hours_missing_on_either_side_are_left_out():
    control, micro = synthetic(10)
    control[2], micro[5] = np.nan, np.nan
    fit = compare("pm10", T0 + 3600 * np.arange(10), micro, control)
    keep = np.isfinite(control) & np.isfinite(micro)
    assert fit.n == 8
    assert fit.slope == pytest.approx(np.polyfit(control[keep], micro[keep], 1)[0])


def test_too_few_hours_give_no_line():
    fit = compare("pm25", np.array([T0, T0 + 3600]), np.array([10.0, 20.0]), np.array([8, 9.0]))
    assert fit.n == 2 and fit.slope is None and fit.r is None and fit.bias == 6.5


HUMIDITY = [30, 40, 55, 70, 71, 95, 20, 65, 80, 45, 50, 60]


def test_humid_hours_are_marked_and_kept_in_the_fit():
    control, micro = synthetic(12)
    hours = T0 + 3600 * np.arange(12)
    rh = {int(h): v for h, v in zip(hours, HUMIDITY, strict=True)}
    del rh[int(hours[11])]  # one hour without humidity
    fit = compare("pm25", hours, micro, control, rh)
    # Every paired hour is in the fit, humid ones included: nothing dropped, nothing corrected.
    assert fit.n == 12
    assert fit.slope == pytest.approx(np.polyfit(control, micro, 1)[0])
    marked = [(h.ts, h.rh, h.micro, h.control) for h in fit.humid_hours]
    assert marked == [
        (int(hours[k]), float(rh[int(hours[k])]), micro[k], control[k]) for k in (4, 5, 8)
    ]
    assert all(h.rh > HUMID for h in fit.humid_hours)  # 70 % itself is not above 70
    bands = {b.name: b for b in fit.bands}
    assert {k: b.n for k, b in bands.items()} == {"<50": 4, "50–70": 4, ">70": 3, "unknown": 1}
    diff = micro - control
    assert bands[">70"].bias == pytest.approx(np.mean(diff[[4, 5, 8]]))
    assert bands["50–70"].bias == pytest.approx(np.mean(diff[[2, 3, 7, 10]]))
    assert bands["unknown"].bias == pytest.approx(diff[11])


def hourly(station, start, values, need):
    HourlyAggregate.objects.bulk_create(
        [
            HourlyAggregate(
                station=station,
                ts=start + 3600 * k,
                need=need,
                pm25_sum=v * need,
                pm25_n=need,
                pm10_sum=2 * v * need,
                pm10_n=need,
            )
            for k, v in enumerate(values)
        ]
    )


def test_colocate_reads_the_hours_and_pairs_the_nearest_control(stations):
    micro, national = stations["micro"], stations["national"]
    far = Station.objects.create(
        code="P9", name="远处省控站", kind="provincial", lat=38.0, lon=116.0, interval_minutes=60
    )
    assert nearest_control(micro, [far, national])[0] == national
    control, values = synthetic(24)
    hourly(national, T0, control, need=1)
    hourly(micro, T0, values, need=45)
    hourly(far, T0, control + 50, need=1)
    # An hour with too few minutes is no hourly mean at all.
    HourlyAggregate.objects.filter(station=micro, ts=T0).update(pm25_n=10, pm10_n=10)
    Calibration.objects.create(
        station=micro,
        pollutant="pm25",
        slope=1 / 1.3,
        intercept=-5 / 1.3,
        valid_from=dt.datetime.fromtimestamp(T0 + 12 * 3600, tz=CST),
    )
    rh = {T0 + 3600 * k: 90.0 for k in range(3)}
    [c] = colocate(
        [micro], [far, national], DAY, DAY, humidity_of=lambda ids, lo, hi: {micro.pk: rh}
    )
    assert c.control == national and c.distance_km == pytest.approx(90.0, abs=1)
    pm25, pm10 = c.fits
    assert pm25.n == 23
    assert pm25.slope == pytest.approx(np.polyfit(control[1:], values[1:], 1)[0])
    assert pm10.slope == pytest.approx(np.polyfit(2 * control[1:], 2 * values[1:], 1)[0])
    assert [h.ts for h in pm25.humid_hours] == [T0 + 3600, T0 + 7200]
    # After the calibration (hours 12–23), the bias is near 0 where the raw bias was not.
    after = (values[12:] - 5) / 1.3 - control[12:]
    assert pm25.calibrated_n == 12
    assert pm25.calibrated_bias == pytest.approx(np.mean(after))
    assert abs(pm25.calibrated_bias) < 3 < abs(pm25.bias)


def _colocate_counted(micros, controls):
    with CaptureQueriesContext(connection) as q:
        found = colocate(micros, controls, DAY, DAY)
    return found, len(q.captured_queries)


def test_colocate_reads_humidity_means_and_calibrations_once_for_all_micro_stations(stations):
    """The stations' own humidity (the registered a01002 source), the hourly means and the
    calibrations: one query each, for 1 micro-station or 5 (no query per micro-station)."""
    micro, national = stations["micro"], stations["national"]
    control, values = synthetic(24)
    hourly(national, T0, control, need=1)
    hourly(micro, T0, values, need=1)
    FactorHour.objects.create(station=national, ts=T0 + 3600, code="a01002", n=2, total=180.0)
    micros = [micro]
    for k in range(4):
        m = Station.objects.create(
            code=f"MX{k}", name=f"微站{k}", kind="micro", lat=micro.lat, lon=micro.lon,
            interval_minutes=1,
        )  # fmt: skip
        hourly(m, T0, values + k, need=1)
        FactorHour.objects.create(station=m, ts=T0 + 7200, code="a01002", n=1, total=75.0 + k)
        micros.append(m)
    [one], few = _colocate_counted(micros[:1], [national])
    five, many = _colocate_counted(micros, [national])
    assert many == few
    # Each micro's own humidity first, then the control's: hour 1 from the control (90 %), hour
    # 2 from the micro itself (75 % + k); the original micro knows only the control's hour.
    assert [(h.ts, h.rh) for h in one.fits[0].humid_hours] == [(T0 + 3600, 90.0)]
    for k, c in enumerate(five[1:]):
        humid = [(h.ts, h.rh) for h in c.fits[0].humid_hours]
        assert humid == [(T0 + 3600, 90.0), (T0 + 7200, 75.0 + k)]
