"""Deferred days (ingest's defer_days, used by the HJ 212 receiver): the batch marks its
station-days pending in its own transaction; refresh_pending_days recomputes them to exactly the
figures an immediate recomputation gives, and keeps a mark that a batch bumped meanwhile."""

from unittest import mock

import numpy as np
import pytest

from gridgov.air import aggregate, months
from gridgov.air.models import DailyAggregate, HourlyAggregate, PendingDay
from tests.air.conftest import T0, make_batch

DAILY_FIELDS = ["day", *aggregate.DAILY_COLUMNS]


def wobble(n, base=40.0):
    return base + 5.0 * np.sin(np.arange(n) / 3.0)


def put_minutes(station, put, hours, **kwargs):
    """Each minute of the hours as its own batch, as the receiver stores a device's minutes."""
    for h in hours:
        values = wobble(60, base=40 + h)
        for m in range(0, 60, 6):  # six-minute batches keep the test quick
            batch = make_batch(
                station, T0 + h * 3600 + m * 60, 6, pm25=values[m : m + 6], o3=values[m : m + 6] * 2
            )
            put(batch, **kwargs)


def daily(station):
    rows = DailyAggregate.objects.filter(station=station).order_by("day")
    return list(rows.values(*DAILY_FIELDS))


def test_deferred_days_are_the_immediate_ones_after_a_refresh(stations, put):
    deferred, immediate = stations["micro"], stations["micro2"]
    put_minutes(deferred, put, range(22), defer_days=True)
    put_minutes(immediate, put, range(22))
    # The hours are there at once, the day is pending.
    assert HourlyAggregate.objects.filter(station=deferred).count() == 22
    assert daily(deferred) == []
    assert PendingDay.objects.filter(station=deferred).count() == 1
    assert PendingDay.objects.get(station=deferred).seq == 22 * 10

    assert aggregate.refresh_pending_days() == 1
    assert not PendingDay.objects.exists()
    assert daily(deferred) == daily(immediate)
    assert daily(deferred)[0]["pm25_n"] == 22
    got = months.fetch([deferred.pk, immediate.pk], [202611])
    np.testing.assert_array_equal(got[(deferred.pk, 202611)], got[(immediate.pk, 202611)])
    assert aggregate.refresh_pending_days() == 0  # nothing left: one query


def test_a_mark_bumped_during_a_refresh_stays_for_the_next(stations, put):
    m = stations["micro"]
    put_minutes(m, put, [0], defer_days=True)
    recompute = aggregate.recompute_station_days

    def with_a_batch_meanwhile(keys):
        recompute(keys)
        # Another writer's batch on the same day, committed after the hours were read.
        put(make_batch(m, T0 + 3600, 45, pm25=wobble(45)), defer_days=True)

    with mock.patch.object(aggregate, "recompute_station_days", with_a_batch_meanwhile):
        assert aggregate.refresh_pending_days() == 1
    assert PendingDay.objects.filter(station=m).count() == 1  # not removed by the refresh
    assert DailyAggregate.objects.get(station=m).pm25_n == 1  # the hour it saw
    aggregate.refresh_pending_days()
    assert not PendingDay.objects.exists()
    assert DailyAggregate.objects.get(station=m).pm25_n == 2


def test_a_refresh_with_a_limit_and_in_chunks(stations, put, monkeypatch):
    monkeypatch.setattr(aggregate, "REFRESH_CHUNK", 2)
    for station in stations.values():
        if station.interval_minutes == 1:
            put(make_batch(station, T0, 45, pm25=wobble(45)), defer_days=True)
            put(make_batch(station, T0 + 86400, 45, pm25=wobble(45)), defer_days=True)
    assert PendingDay.objects.count() == 4
    assert aggregate.refresh_pending_days(limit=3) == 3
    assert PendingDay.objects.count() == 1
    assert aggregate.refresh_pending_days() == 1
    assert DailyAggregate.objects.filter(pm25_n=1).count() == 4


def test_a_refresh_of_given_stations_leaves_the_others(stations, put, monkeypatch):
    """A receiver refreshes the days its own batches marked: another receiver's marks are
    that one's to refresh (two receivers each refreshing every mark did the work twice)."""
    monkeypatch.setattr(aggregate, "REFRESH_CHUNK", 1)
    mine, theirs = stations["micro"], stations["micro2"]
    for station in (mine, theirs):
        put(make_batch(station, T0, 45, pm25=wobble(45)), defer_days=True)
        put(make_batch(station, T0 + 86400, 45, pm25=wobble(45)), defer_days=True)
    assert aggregate.refresh_pending_days(limit=10, stations=[mine.pk]) == 2
    assert not PendingDay.objects.filter(station=mine).exists()
    assert PendingDay.objects.filter(station=theirs).count() == 2
    assert DailyAggregate.objects.filter(station=mine, pm25_n=1).count() == 2
    assert not DailyAggregate.objects.filter(station=theirs).exists()
    assert aggregate.refresh_pending_days(stations=[]) == 0
    assert aggregate.refresh_pending_days() == 2


def test_a_failed_refresh_leaves_the_marks(stations, put):
    m = stations["micro"]
    put_minutes(m, put, [0], defer_days=True)
    boom = mock.patch.object(aggregate, "recompute_station_days", side_effect=RuntimeError)
    with boom, pytest.raises(RuntimeError):
        aggregate.refresh_pending_days()
    assert PendingDay.objects.filter(station=m).count() == 1
    assert aggregate.refresh_pending_days() == 1
    assert DailyAggregate.objects.get(station=m).pm25_n == 1


def test_the_worker_task_refreshes_pending_days(stations, put):
    from gridgov.workorders.tasks import air_pending_days

    m = stations["micro"]
    put_minutes(m, put, [0], defer_days=True)
    air_pending_days.call_local()
    assert not PendingDay.objects.exists()
    assert DailyAggregate.objects.get(station=m).pm25_n == 1
