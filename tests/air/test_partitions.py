"""Monthly partitions of air_reading and air_hourly on PostgreSQL (air/partitions.py, migration
0019): made ahead and on demand, idempotent, safe from two connections at once, the default
partition's rows moved into their month, and an existing unpartitioned database converted."""

import datetime as dt
import importlib
import threading

import numpy as np
import pytest
from django.db import connection, connections

from gridgov.air import partitions
from gridgov.air.models import CST, HourlyAggregate, Reading
from tests.air.conftest import make_batch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="native partitioning is PostgreSQL's (SQLite keeps plain tables: test_retention.py)",
)
migration = importlib.import_module("gridgov.air.migrations.0019_partition_time_series")

MAR_2031 = int(dt.datetime(2031, 3, 10, tzinfo=CST).timestamp())
OCT = int(dt.datetime(2026, 10, 10, 0, 0, tzinfo=CST).timestamp())


@pytest.fixture(autouse=True)
def forget_months():
    partitions.forget()
    yield
    partitions.forget()


def where(table, **filters):
    """{partition name: rows} of `table`'s rows matching a ts range."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, count(*) FROM {table} "  # noqa: S608
            "WHERE ts >= %s AND ts < %s GROUP BY 1",
            [filters["start"], filters["end"]],
        )
        return dict(cursor.fetchall())


def test_bounds_are_china_time_month_starts():
    start, end = partitions.month_bounds(202611)
    assert dt.datetime.fromtimestamp(start, tz=CST) == dt.datetime(2026, 11, 1, tzinfo=CST)
    assert dt.datetime.fromtimestamp(end, tz=CST) == dt.datetime(2026, 12, 1, tzinfo=CST)
    assert partitions.months_between(start - 1, end) == [202610, 202611, 202612]
    assert partitions.month_bounds(202612)[1] == partitions.month_bounds(202701)[0]


def test_migrated_tables_are_partitioned_with_a_default(db):
    for table in partitions.PARTITIONED:
        assert partitions.is_partitioned(table)
        names = [p.name for p in partitions.list_partitions(table)]
        assert names[-1] == f"{table}_default"
    assert not partitions.is_partitioned("air_daily")


def test_ensure_partitions_is_idempotent(db):
    made = partitions.ensure_partitions(MAR_2031, MAR_2031 + 40 * 86400)
    assert made == [
        "air_reading_p203103",
        "air_reading_p203104",
        "air_hourly_p203103",
        "air_hourly_p203104",
    ]
    partitions.forget()  # not the process's memory: the database says they exist
    assert partitions.ensure_partitions(MAR_2031, MAR_2031 + 40 * 86400) == []
    months = [p.month for p in partitions.list_partitions("air_hourly")]
    assert months.count(203103) == 1


def test_rows_in_the_default_move_into_their_new_month(stations, put):
    m = stations["micro"]
    put(make_batch(m, OCT, 90, pm25=40.0 + np.arange(90) % 7))
    # Rows that reached the default (a partition made after they were written) …
    start, end = partitions.month_bounds(202610)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in partitions.PARTITIONED:
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {table}_p202610")
            cursor.execute(f"INSERT INTO {table}_default SELECT * FROM {table}_p202610")  # noqa: S608
            cursor.execute(f"DROP TABLE {table}_p202610")
    partitions.forget()
    assert where("air_reading", start=start, end=end) == {"air_reading_default": 90}
    # … are moved when the month is made, in one transaction, and none is lost or doubled.
    made = partitions.ensure_partitions(OCT, OCT)
    assert made == ["air_reading_p202610", "air_hourly_p202610"]
    assert where("air_reading", start=start, end=end) == {"air_reading_p202610": 90}
    assert where("air_hourly", start=start, end=end) == {"air_hourly_p202610": 2}
    again = put(make_batch(m, OCT, 90, pm25=40.0 + np.arange(90) % 7))
    assert (again.stored, again.duplicates) == (0, 90)  # the key still holds across the move


def test_a_row_of_a_month_without_partition_goes_to_the_default_never_refused(stations):
    m = stations["micro"]
    ts = MAR_2031 + 600
    Reading.objects.create(station=m, ts=ts, pm25=12.0)  # the ORM on the parent, unchanged
    assert where("air_reading", start=ts, end=ts + 1) == {"air_reading_default": 1}
    assert Reading.objects.get(station=m, ts=ts).pm25 == 12.0


def test_ingestion_makes_the_partitions_of_its_batch(stations, put):
    m = stations["micro"]
    put(make_batch(m, OCT, 60, pm25=40.0 + np.arange(60) % 5))
    start, end = partitions.month_bounds(202610)
    assert where("air_reading", start=start, end=end) == {"air_reading_p202610": 60}
    assert where("air_hourly", start=start, end=end) == {"air_hourly_p202610": 1}


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # as every transactional test: the flush must not re-run post_migrate under the next one
def test_two_connections_making_the_same_months_at_once(territory):
    """Both callers succeed; the months exist once; one of them made them."""
    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            barrier.wait()
            results.append(partitions.ensure_partitions(MAR_2031, MAR_2031 + 70 * 86400))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=make) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        made = sorted(name for r in results for name in r)
        assert len(made) == 6 and len(set(made)) == 6  # 3 months × 2 tables, made once
        assert sorted(len(r) for r in results) == [0, 6]
    finally:
        with connection.cursor() as cursor:
            for table in partitions.PARTITIONED:
                for key in (203103, 203104, 203105):
                    cursor.execute(f"DROP TABLE IF EXISTS {table}_p{key}")


def _old_layout(cursor):
    """air_reading and air_hourly as migrations 0001-0018 made them (plain tables)."""
    cursor.execute("DROP TABLE air_reading")
    cursor.execute("DROP TABLE air_hourly")
    with connection.schema_editor(atomic=False) as editor:
        editor.create_model(Reading)
        editor.create_model(HourlyAggregate)


def test_an_existing_unpartitioned_database_is_converted(stations):
    m, n = stations["micro"], stations["micro2"]
    months = [int(dt.datetime(2026, k, 15, tzinfo=CST).timestamp()) for k in (8, 9, 10)]
    with connection.cursor() as cursor:
        _old_layout(cursor)
        assert not partitions.is_partitioned("air_reading")
        for ts in months:
            for station in (m, n):
                cursor.executemany(
                    "INSERT INTO air_reading (station_id, ts, pm25, pm25_flag, pm10_flag, "
                    "so2_flag, no2_flag, co_flag, o3_flag) VALUES (%s, %s, 30, 0, 0, 0, 0, 0, 0)",
                    [(station.pk, ts + 60 * i) for i in range(50)],
                )
                cursor.execute(
                    "INSERT INTO air_hourly (station_id, ts, need, pm25_sum, pm25_n, pm10_sum, "
                    "pm10_n, so2_sum, so2_n, no2_sum, no2_n, co_sum, co_n, o3_sum, o3_n) "
                    "VALUES (%s, %s, 45, 1500, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
                    [station.pk, ts],
                )
        for table in migration.TABLES:
            migration.rebuild(cursor, table, partitioned=True)
    assert partitions.is_partitioned("air_reading") and partitions.is_partitioned("air_hourly")
    assert Reading.objects.count() == 300 and HourlyAggregate.objects.count() == 6
    for k in (8, 9, 10):
        start, end = partitions.month_bounds(202600 + k)
        assert where("air_reading", start=start, end=end) == {f"air_reading_p2026{k:02d}": 100}
        assert where("air_hourly", start=start, end=end) == {f"air_hourly_p2026{k:02d}": 2}
    with connection.cursor() as cursor:
        # The primary key holds through the parent: ON CONFLICT still finds the row …
        cursor.execute(
            "INSERT INTO air_reading (station_id, ts, pm25_flag, pm10_flag, so2_flag, "
            "no2_flag, co_flag, o3_flag) VALUES (%s, %s, 0, 0, 0, 0, 0, 0) "
            "ON CONFLICT (station_id, ts) DO NOTHING",
            [m.pk, months[0]],
        )
        assert cursor.rowcount == 0
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'air_reading'::regclass "
            "AND contype IN ('p', 'f') ORDER BY contype"
        )
        kinds = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'air_hourly'")
        hourly_indexes = {r[0] for r in cursor.fetchall()}
    assert kinds[0].startswith("air_reading_station_id") and kinds[1] == "air_reading_pkey"
    assert "air_hourly_ts" in hourly_indexes
    # … and new rows go to their month's partition (the ORM writes through the parent).
    Reading.objects.create(station=m, ts=months[2] + 86400, pm25=5.0)
    start, end = partitions.month_bounds(202610)
    assert where("air_reading", start=start, end=end) == {"air_reading_p202610": 101}
    # The reverse makes plain tables again, rows kept; and forward once more.
    with connection.cursor() as cursor:
        for table in migration.TABLES:
            migration.rebuild(cursor, table, partitioned=False)
        assert not partitions.is_partitioned("air_reading")
        assert Reading.objects.count() == 301
        for table in migration.TABLES:
            migration.rebuild(cursor, table, partitioned=True)
    assert Reading.objects.count() == 301 and partitions.is_partitioned("air_reading")


def test_the_daily_job_makes_months_ahead_and_adopts_the_default_rows(stations, clock, settings):
    from gridgov.workorders.tasks import air_partitions

    clock.travel(dt.datetime(2031, 1, 20, 10, 0, tzinfo=CST))
    settings.GRIDGOV_PARTITION_MONTHS_AHEAD = 2
    ts = MAR_2031 + 30 * 86400 * 6  # September 2031: beyond the months made ahead
    Reading.objects.create(station=stations["micro"], ts=ts, pm25=12.0)
    air_partitions.call_local()
    months = {p.month for p in partitions.list_partitions("air_reading")}
    assert {203101, 203102, 203103, 203109} <= months
    assert 203104 not in months
    assert where("air_reading", start=ts, end=ts + 1) == {"air_reading_p203109": 1}
    assert {p.month for p in partitions.list_partitions("air_hourly")} >= {203101, 203103}
