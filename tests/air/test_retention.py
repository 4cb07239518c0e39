"""Minute-data retention (分钟数据保留期): whole China-time months of minute rows are dropped once
older than GRIDGOV_MINUTE_RETENTION_DAYS and final; hourly and daily rows stay. The same
behaviour on SQLite (DELETE in batches) and PostgreSQL (by partition)."""

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.air import aggregate, partitions, retention
from gridgov.air.ingest import station_infos
from gridgov.air.models import CST, DailyAggregate, HourlyAggregate, PendingDay, Reading
from gridgov.air.retention_models import RetiredMonth
from tests.air.conftest import make_batch

OCT = int(dt.datetime(2026, 10, 10, 0, 0, tzinfo=CST).timestamp())
NOV = int(dt.datetime(2026, 11, 20, 0, 0, tzinfo=CST).timestamp())
DEC = int(dt.datetime(2026, 12, 5, 0, 0, tzinfo=CST).timestamp())
NOW = dt.datetime(2027, 1, 15, 10, 0, tzinfo=CST)  # 30 days back: 2026-12-16


def wobble(n):
    return 40.0 + 5.0 * np.sin(np.arange(n) / 3.0)


@pytest.fixture
def data(stations, put, settings):
    """Two hours of minutes in October, November and December 2026 for one micro-station."""
    settings.GRIDGOV_MINUTE_RETENTION_DAYS = 30
    m = stations["micro"]
    for start in (OCT, NOV, DEC):
        result = put(make_batch(m, start, 120, pm25=wobble(120)), now=NOW.timestamp())
        assert result.stored == 120
    partitions.forget()
    return m


def minutes_in(start, end):
    return Reading.objects.filter(ts__gte=start, ts__lt=end).count()


def test_final_months_past_the_retention_are_dropped_and_hours_and_days_kept(data):
    hours, days = HourlyAggregate.objects.count(), DailyAggregate.objects.count()
    report = retention.run(now=NOW.timestamp())
    assert [m.month for m in report.retired] == [202610, 202611]
    assert [m.rows for m in report.retired] == [120, 120]
    assert report.blocked is None
    assert Reading.objects.count() == 120  # December's, younger than 30 days at the cutoff
    assert minutes_in(DEC, DEC + 7200) == 120
    assert (HourlyAggregate.objects.count(), DailyAggregate.objects.count()) == (hours, days)
    assert retention.horizon() == partitions.month_bounds(202612)[0]
    retired = RetiredMonth.objects.get(month=202611)
    assert retired.rows == 120 and retired.finished_at is not None
    assert retired.by_partition == (connection.vendor == "postgresql")
    again = retention.run(now=NOW.timestamp())  # idempotent: nothing left to drop
    assert again.retired == [] and Reading.objects.count() == 120


def test_a_month_with_days_pending_recomputation_is_kept_and_stops_the_run(data):
    PendingDay.objects.create(station=data, day=int(aggregate.cst_day(np.array([NOV]))[0]))
    report = retention.run(now=NOW.timestamp())
    assert [m.month for m in report.retired] == [202610]
    assert report.blocked.month == 202611 and "pending" in report.blocked.reason
    assert minutes_in(NOV, NOV + 7200) == 120


def test_a_month_whose_hours_were_not_all_built_is_kept(data):
    HourlyAggregate.objects.filter(station=data, ts=OCT + 3600).delete()
    report = retention.run(now=NOW.timestamp())
    assert report.retired == []
    assert report.blocked.month == 202610 and "no hourly row" in report.blocked.reason
    assert Reading.objects.count() == 360


def test_a_month_younger_than_the_retention_is_kept(data, settings):
    report = retention.run(now=dt.datetime(2026, 12, 20, tzinfo=CST).timestamp())
    assert [m.month for m in report.retired] == [202610]  # November ended 19 days before
    settings.GRIDGOV_MINUTE_RETENTION_DAYS = 10  # … but the history window is 30 days
    report = retention.run(now=dt.datetime(2026, 12, 20, tzinfo=CST).timestamp())
    assert report.retired == [] and Reading.objects.count() == 240


def test_retention_zero_keeps_everything(data, settings):
    settings.GRIDGOV_MINUTE_RETENTION_DAYS = 0
    report = retention.run(now=NOW.timestamp())
    assert report.cutoff is None and report.months == []
    assert Reading.objects.count() == 360


def test_a_dry_run_drops_nothing(data):
    report = retention.run(dry_run=True, now=NOW.timestamp())
    assert [m.month for m in report.retired] == [202610, 202611]
    assert Reading.objects.count() == 360 and not RetiredMonth.objects.exists()


def test_minutes_of_a_retired_month_are_refused_not_counted_twice(data, put):
    retention.run(now=NOW.timestamp())
    before = HourlyAggregate.objects.get(station=data, ts=NOV)
    again = put(make_batch(data, NOV, 60, pm25=wobble(60)), reject_all_on_error=False)
    assert again.stored == 0 and again.rejected == 60
    assert "retired" in again.errors[0].message
    assert HourlyAggregate.objects.get(station=data, ts=NOV).pm25_sum == before.pm25_sum
    later = put(make_batch(data, DEC + 7200, 10, pm25=wobble(10)), now=NOW.timestamp())
    assert later.stored == 10


def test_a_final_hour_is_never_rebuilt_from_its_dropped_minutes(data):
    retention.run(now=NOW.timestamp())
    kept = HourlyAggregate.objects.get(station=data, ts=NOV)
    ts = np.array([NOV, DEC], dtype=np.int64)
    aggregate.rebuild_hours(np.array([data.pk, data.pk]), ts, station_infos([data.pk]))
    assert HourlyAggregate.objects.get(station=data, ts=NOV).pm25_n == kept.pm25_n == 60
    assert HourlyAggregate.objects.get(station=data, ts=DEC).pm25_n == 60


def test_an_interrupted_delete_is_finished_by_the_next_run(data):
    start, end = partitions.month_bounds(202610)
    RetiredMonth.objects.create(
        month=202610, start_ts=start, end_ts=end, retired_at=NOW, finished_at=None
    )
    report = retention.run(dry_run=False, now=dt.datetime(2026, 11, 1, tzinfo=CST).timestamp())
    assert report.finished == [202610]
    assert minutes_in(start, end) == 0
    assert RetiredMonth.objects.get(month=202610).rows == 120


def test_the_command_reports_what_a_dry_run_would_drop(data, clock):
    clock.travel(NOW)
    out = io.StringIO()
    call_command("air", "retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "202610" in text and "202611" in text and "would drop 2 month(s)" in text
    assert Reading.objects.count() == 360
    call_command("air", "retention", stdout=out)
    assert "dropped 2 month(s), 240 minute row(s)" in out.getvalue()
    assert "hourly and daily rows kept" in out.getvalue()


def test_the_command_says_when_retention_is_off(db, settings):
    settings.GRIDGOV_MINUTE_RETENTION_DAYS = 0
    out = io.StringIO()
    call_command("air", "retention", stdout=out)
    assert "kept for ever" in out.getvalue()


def test_the_daily_job_retires_the_final_months(data, clock):
    from gridgov.workorders.tasks import air_partitions

    clock.travel(NOW)
    air_partitions.call_local()
    assert sorted(RetiredMonth.objects.values_list("month", flat=True)) == [202610, 202611]
    assert Reading.objects.count() == 120
