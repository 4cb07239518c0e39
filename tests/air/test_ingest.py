"""Readings in, without loss: duplicates, bad rows, flags, hourly and daily aggregates."""

import numpy as np
import pytest
from django.db import connection

from gridgov.air.models import DailyAggregate, Flag, HourlyAggregate, Reading
from tests.air.conftest import T0, make_batch


def wobble(n, base=40.0, amplitude=5.0):
    """Values that change every minute (a constant series would be a stuck sensor)."""
    return base + amplitude * np.sin(np.arange(n) / 3.0)


def hour(station, ts):
    return HourlyAggregate.objects.get(station=station, ts=ts)


def test_a_batch_is_stored_and_aggregated_and_resending_changes_nothing(stations, put):
    m = stations["micro"]
    values = wobble(60)
    result = put(make_batch(m, T0, 60, pm25=values, co=0.8))
    assert (result.stored, result.duplicates, result.errors) == (60, 0, [])
    h = hour(m, T0)
    assert h.pm25_n == 60 and h.pm25_sum == pytest.approx(values.sum())
    again = put(make_batch(m, T0, 60, pm25=values, co=0.8))
    assert (again.stored, again.duplicates) == (0, 60)
    assert hour(m, T0).pm25_sum == pytest.approx(values.sum())
    assert Reading.objects.filter(station=m).count() == 60


def test_overlapping_batches_store_only_the_new_rows(stations, put):
    m = stations["micro"]
    put(make_batch(m, T0, 30, pm25=wobble(30)))
    result = put(make_batch(m, T0 + 20 * 60, 30, pm25=wobble(30)))
    assert (result.stored, result.duplicates) == (20, 10)
    assert hour(m, T0).pm25_n == 50


def test_duplicate_rows_inside_one_batch_count_once(stations, put):
    m = stations["micro"]
    batch = make_batch(m, T0, 2, pm25=[10, 11])
    batch.ts[1] = batch.ts[0]
    result = put(batch)
    assert (result.stored, result.duplicates) == (1, 1)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        (lambda b: b.ts.__setitem__(3, b.ts[3] + 30), "time", "interval"),
        (lambda b: b.values.__setitem__((3, 4), 850.0), "co", "mg/m³"),
        (lambda b: b.ts.__setitem__(3, T0 + 50 * 86400), "time", "future"),
    ],
    ids=["off-interval", "co-in-micrograms", "future"],
)
def test_one_bad_row_rejects_the_whole_batch_naming_the_row(stations, put, change, field, text):
    batch = make_batch(stations["micro"], T0, 10, pm25=wobble(10), co=0.5)
    change(batch)
    result = put(batch)
    assert result.stored == 0 and result.rejected == 10
    assert [(e.row, e.field) for e in result.errors] == [(4, field)]
    assert text in result.errors[0].message
    assert not Reading.objects.exists() and not HourlyAggregate.objects.exists()


def test_file_mode_keeps_the_good_rows(stations, put):
    batch = make_batch(stations["micro"], T0, 10, pm25=wobble(10))
    batch.ts[3] += 30
    result = put(batch, reject_all_on_error=False)
    assert result.stored == 9 and result.rejected == 1 and result.errors[0].row == 4


def test_hourly_station_needs_values_on_the_hour(stations, put):
    n = stations["national"]
    ok = put(make_batch(n, T0, 3, step=3600, pm25=[30, 31, 32]))
    assert ok.stored == 3
    assert hour(n, T0 + 3600).pm25_n == 1 and hour(n, T0).need == 1


def test_flags_are_stored_and_invalid_values_enter_no_mean(stations, put):
    m = stations["micro"]
    values = wobble(60)
    values[5] = -3  # negative
    values[6] = 5000  # above the instrument's range
    batch = make_batch(m, T0, 60, pm25=values)
    batch.nan_given[7, 0] = True  # "NaN" sent
    put(batch)
    flags = dict(
        Reading.objects.filter(station=m, ts__in=[T0 + 300, T0 + 360, T0 + 420]).values_list(
            "ts", "pm25_flag"
        )
    )
    assert flags[T0 + 300] & Flag.NEGATIVE
    assert flags[T0 + 360] & Flag.ABOVE_RANGE
    assert flags[T0 + 420] & Flag.NOT_A_NUMBER
    h = hour(m, T0)
    good = np.delete(values, [5, 6, 7])
    assert h.pm25_n == 57  # the three invalid values are out, every other one is in
    assert h.pm25_sum / h.pm25_n == pytest.approx(np.mean(good))


def test_suspect_values_count_until_a_reviewer_decides(stations, put):
    """The official O3 of 450 µg/m³ after 120 is a jump: marked, and still in the mean."""
    m = stations["micro"]
    values = wobble(60, base=120)
    values[30] = 450 + 120  # a jump of more than MAX_JUMP
    put(make_batch(m, T0, 60, o3=values))
    flag = Reading.objects.get(station=m, ts=T0 + 30 * 60).o3_flag
    assert flag & Flag.JUMP
    h = hour(m, T0)
    assert h.o3_n == 60 and h.o3_sum == pytest.approx(values.sum())


def test_constant_low_values_near_the_detection_limit_are_not_stuck(stations, put):
    m = stations["micro"]
    put(make_batch(m, T0, 200, so2=3, no2=40))
    rows = Reading.objects.filter(station=m).order_by("ts")
    assert not any(r.so2_flag & Flag.STUCK for r in rows)  # 3 µg/m³: at the floor
    assert rows.last().no2_flag & Flag.STUCK  # 40 µg/m³ for 200 minutes: stuck


def test_the_stuck_floor_is_configurable(stations, put, settings):
    settings.GRIDGOV_STUCK_FLOORS = {"so2": 1.0}
    m = stations["micro"]
    put(make_batch(m, T0, 200, so2=3))
    assert Reading.objects.filter(station=m).order_by("ts").last().so2_flag & Flag.STUCK


def test_control_station_data_are_marked_never_left_out(stations, put):
    n = stations["national"]
    hourly = np.array([80.0, 85.0, 2500.0, 90.0])  # PM10 2,500 in a dust storm: above range
    put(make_batch(n, T0, 4, step=3600, pm10=hourly))
    flags = list(
        Reading.objects.filter(station=n).order_by("ts").values_list("pm10_flag", flat=True)
    )
    assert flags[2] & Flag.ABOVE_RANGE
    assert [hour(n, T0 + 3600 * i).pm10_n for i in range(4)] == [1, 1, 1, 1]
    assert hour(n, T0 + 7200).pm10_sum == 2500.0


def test_a_value_that_never_changes_is_flagged_stuck_across_batches(stations, put):
    m = stations["micro"]
    put(make_batch(m, T0, 100, pm10=77))
    put(make_batch(m, T0 + 100 * 60, 40, pm10=77))
    flags = list(
        Reading.objects.filter(station=m).order_by("ts").values_list("pm10_flag", flat=True)
    )
    assert not any(f & Flag.STUCK for f in flags[:119])
    assert all(f & Flag.STUCK for f in flags[119:])


def test_a_jump_no_atmosphere_makes_is_flagged(stations, put):
    m = stations["micro"]
    values = wobble(10)
    values[4] = 900
    put(make_batch(m, T0, 10, pm25=values))
    flag = Reading.objects.get(station=m, ts=T0 + 240).pm25_flag
    assert flag & Flag.JUMP


def hours_of_data(station, put, hours, start=T0, minutes=60, **extra):
    for h in hours:
        base = start + h * 3600
        values = wobble(minutes, base=40 + h)
        put(make_batch(station, base, minutes, pm25=values, o3=values * 2, **extra))


def test_an_hour_needs_45_minutes(stations, put):
    m = stations["micro"]
    put(make_batch(m, T0, 44, pm25=wobble(44)))
    put(make_batch(m, T0 + 3600, 45, pm25=wobble(45)))
    day = DailyAggregate.objects.get(station=m)
    assert day.pm25_n == 1  # only the second hour is valid


def test_a_day_with_19_valid_hours_has_no_daily_mean(stations, put):
    m = stations["micro"]
    hours_of_data(m, put, range(19))
    assert DailyAggregate.objects.get(station=m).pm25 is None
    hours_of_data(m, put, [19])
    day = DailyAggregate.objects.get(station=m)
    assert day.pm25_n == 20
    assert day.pm25 == pytest.approx(
        np.mean([40 + h + np.mean(np.sin(np.arange(60) / 3) * 5) for h in range(20)])
    )


def test_daily_rows_use_the_china_standard_time_day(stations, put):
    n = stations["national"]
    # 23:00 CST on the 19th and 00:00 CST on the 20th fall on different days.
    put(make_batch(n, T0 - 3600, 2, step=3600, pm25=[10, 20]))
    days = sorted(DailyAggregate.objects.filter(station=n).values_list("day", "pm25_n"))
    assert [(d.isoformat(), k) for d, k in days] == [("2026-11-19", 1), ("2026-11-20", 1)]


def test_aggregates_survive_a_crash_between_batches(stations, put):
    """Everything a batch acknowledged is committed; a crash inside the next one leaves no trace."""
    m = stations["micro"]
    put(make_batch(m, T0, 30, pm25=wobble(30)))
    from unittest import mock

    cut = mock.patch("gridgov.air.aggregate.recompute_days", side_effect=RuntimeError("power"))
    with cut, pytest.raises(RuntimeError):
        put(make_batch(m, T0 + 1800, 30, pm25=wobble(30)))
    assert Reading.objects.filter(station=m).count() == 30
    assert hour(m, T0).pm25_n == 30
    result = put(make_batch(m, T0 + 1800, 30, pm25=wobble(30)))  # resend after restart
    assert result.stored == 30 and hour(m, T0).pm25_n == 60


def test_rebuild_path_agrees_with_the_incremental_path(stations, put):
    from gridgov.air import aggregate
    from gridgov.air.ingest import station_infos

    m = stations["micro"]
    put(make_batch(m, T0, 60, pm25=wobble(60)))
    before = hour(m, T0)
    aggregate.rebuild_hours(np.array([m.pk]), np.array([T0]), station_infos())
    after = hour(m, T0)
    assert (after.pm25_n, after.pm25_sum) == (before.pm25_n, pytest.approx(before.pm25_sum))
    assert connection.vendor in {"sqlite", "postgresql"}


def test_the_monthly_store_matches_the_daily_rows(stations, put):
    """Ingestion writes the compact monthly store; rebuilding it from the daily rows gives the
    same arrays."""
    from gridgov.air import months

    m = stations["micro"]
    hours_of_data(m, put, range(24))
    hours_of_data(m, put, range(24), start=T0 + 86400)
    written = months.fetch([m.pk], [202611])[(m.pk, 202611)]
    months.rebuild([m.pk])
    rebuilt = months.fetch([m.pk], [202611])[(m.pk, 202611)]
    np.testing.assert_array_equal(written, rebuilt)
    assert written[19, 0] == pytest.approx(
        DailyAggregate.objects.get(station=m, day="2026-11-20").pm25
    )
    assert np.isnan(written[21]).all()


def test_cached_period_statistics_follow_new_data(stations, put):
    """Period statistics are cached until a month they cover is rewritten by ingestion."""
    import datetime as dt

    from gridgov.air.assessment import assess, station_units

    m = stations["micro"]
    hours_of_data(m, put, range(24))
    period = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    first = assess(station_units(["M1"]), *period, year_on_year=False)[0]
    assert first.valid_days == 0  # O3 and the others are missing: no complete day yet
    assert assess(station_units(["M1"]), *period, year_on_year=False)[0].pm25 == first.pm25
    for h in range(24):  # a dirtier second day
        put(make_batch(m, T0 + 86400 + h * 3600, 60, pm25=wobble(60, base=100)))
    second = assess(station_units(["M1"]), *period, year_on_year=False)[0]
    assert second.pm25 > first.pm25
