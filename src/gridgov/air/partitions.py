"""Monthly partitions of the time series on PostgreSQL (时序数据分区): air_reading (minute and
interval rows) and air_hourly are partitioned by RANGE on `ts`, one partition per month.

Bounds are China Standard Time month starts (YYYY-MM-01 00:00 +08:00 = the previous day 16:00
UTC), not UTC ones: every day and month the platform reports on (a CST day, a StationMonth) then
lies in exactly one partition, so a station's month chart, a day's recomputation and a month's
retention each touch one partition. `<table>_p202611` holds November 2026, China time.

Each table also has a DEFAULT partition (`<table>_default`): a row of a month whose partition is
missing is stored there, never refused. Creating a month's partition moves the default's rows of
that month into it, in one transaction (the new month's table is filled from the default's
DELETE … RETURNING, then attached; the default is locked meanwhile).

Partitions are made ahead by the worker (`ensure_ahead`, the daily `air_partitions` job) and
by every ingestion batch (`ensure_partitions` for the batch's range, remembered per process).
air_daily is not partitioned: it is kept for ever, 730 k rows a year for 2,000 stations, read
by (station, day) or by day through btree indexes, and retention never drops it.

On SQLite (the embedded default) nothing here does anything: the tables are plain.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connection, transaction

from gridgov.air.models import CST

PARTITIONED = ("air_reading", "air_hourly")
# pg_advisory_xact_lock key for partition changes ("gg-part" in ASCII): two processes never
# create (or drop) the same month at once.
LOCK_KEY = 0x67672D70617274
_known: set[tuple[str, int]] = set()  # (table, month) this process has seen created
_BOUND = re.compile(r"FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")


def month_key(ts: int) -> int:
    """YYYYMM of the China-time month an epoch second falls in."""
    moment = dt.datetime.fromtimestamp(int(ts), tz=CST)
    return moment.year * 100 + moment.month


def next_month(key: int) -> int:
    year, month = divmod(key, 100)
    return key + 1 if month < 12 else (year + 1) * 100 + 1


def month_bounds(key: int) -> tuple[int, int]:
    """[start, end) epoch seconds of a China-time month."""
    year, month = divmod(key, 100)
    start = dt.datetime(year, month, 1, tzinfo=CST)
    nyear, nmonth = divmod(next_month(key), 100)
    end = dt.datetime(nyear, nmonth, 1, tzinfo=CST)
    return int(start.timestamp()), int(end.timestamp())


def months_between(from_ts: int, to_ts: int) -> list[int]:
    """Month keys of every China-time month that [from_ts, to_ts] touches."""
    keys, key, last = [], month_key(from_ts), month_key(to_ts)
    while key <= last:
        keys.append(key)
        key = next_month(key)
    return keys


def partition_name(table: str, key: int) -> str:
    return f"{table}_p{key}"


def default_name(table: str) -> str:
    return f"{table}_default"


def is_partitioned(table: str) -> bool:
    """Whether `table` is a partitioned table here (PostgreSQL after migration 0019)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


@dataclass(frozen=True)
class Partition:
    name: str
    month: int | None  # None: the default partition
    start: int | None
    end: int | None
    bytes: int


def list_partitions(table: str) -> list[Partition]:
    """The table's partitions, months in order, then the default; [] when not partitioned."""
    if not is_partitioned(table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), pg_total_relation_size(c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [table],
        )
        rows = cursor.fetchall()
    out = []
    for name, bound, size in rows:
        found = _BOUND.search(bound or "")
        if found is None:
            out.append(Partition(name, None, None, None, int(size)))
            continue
        start, end = int(found.group(1)), int(found.group(2))
        out.append(Partition(name, month_key(start), start, end, int(size)))
    return sorted(out, key=lambda p: (p.month is None, p.month or 0))


def _lock(cursor: object) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])  # type: ignore[attr-defined]


def _create(cursor: object, table: str, key: int) -> None:
    """Create one month's partition, moving into it the default's rows of that month. The new
    table is filled and then attached (ATTACH takes a lighter lock on the parent than CREATE …
    PARTITION OF: readers of the parent are not blocked); the default is locked first so no row
    of the month lands there between the move and the attach."""
    name, default = partition_name(table, key), default_name(table)
    start, end = month_bounds(key)
    run = cursor.execute  # type: ignore[attr-defined]
    run(f"LOCK TABLE {default} IN SHARE ROW EXCLUSIVE MODE")
    run(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    moved = f"DELETE FROM {default} WHERE ts >= %s AND ts < %s RETURNING *"  # noqa: S608
    run(f"WITH moved AS ({moved}) INSERT INTO {name} SELECT * FROM moved", [start, end])  # noqa: S608
    run(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({start}) TO ({end})")


def ensure_partitions(from_ts: int, to_ts: int, tables: tuple[str, ...] = PARTITIONED) -> list[str]:
    """Create the missing monthly partitions covering [from_ts, to_ts]; returns the names
    created. Idempotent and safe from several processes at once (an advisory lock, then a look
    at what exists); cheap when this process has already seen the months."""
    if connection.vendor != "postgresql":
        return []
    wanted = [(t, k) for t in tables for k in months_between(from_ts, to_ts)]
    if all(w in _known for w in wanted):
        return []
    created: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        for table in tables:
            if not is_partitioned(table):
                continue
            have = {p.month for p in list_partitions(table)}
            for key in months_between(from_ts, to_ts):
                if key not in have:
                    _create(cursor, table, key)
                    created.append(partition_name(table, key))
    transaction.on_commit(lambda: _known.update(wanted))
    return created


def ensure_ahead(months: int, now: dt.datetime | None = None) -> list[str]:
    """Partitions from this month to `months` months ahead (the worker's daily job)."""
    moment = (now or dt.datetime.now(tz=CST)).astimezone(CST)
    key = moment.year * 100 + moment.month
    for _ in range(months):
        key = next_month(key)
    return ensure_partitions(int(moment.timestamp()), month_bounds(key)[0])


def adopt_default(tables: tuple[str, ...] = PARTITIONED) -> list[str]:
    """Make the partitions of the months whose rows wait in a default partition (rows written
    without `ensure_partitions`: by hand, or by a process that does not call it), moving the
    rows into them; returns the names created."""
    created: list[str] = []
    for table in tables:
        if not is_partitioned(table):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT min(ts), max(ts) FROM {default_name(table)}")  # noqa: S608
            first, last = cursor.fetchone()
        if first is not None:
            created += ensure_partitions(int(first), int(last), (table,))
    return created


def forget() -> None:
    """Forget which months this process has seen (after partitions were dropped)."""
    _known.clear()


def drop_month(table: str, key: int) -> int:
    """Drop a month of `table` (its partition, and its rows in the default); returns the rows
    dropped. The caller holds the partition lock (`locked`) in its transaction."""
    start, end = month_bounds(key)
    name = partition_name(table, key)
    dropped = 0
    with connection.cursor() as cursor:
        if name in {p.name for p in list_partitions(table)}:
            cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (a partition's name)
            dropped += int(cursor.fetchone()[0])
            # Deferred foreign-key checks of rows written earlier in this transaction must run
            # before the table goes (PostgreSQL refuses to drop a table with pending triggers).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        cursor.execute(
            f"DELETE FROM {default_name(table)} WHERE ts >= %s AND ts < %s",  # noqa: S608
            [start, end],
        )
        dropped += int(cursor.rowcount)
    _known.discard((table, key))
    return dropped


def locked() -> None:
    """Take the partition lock for the current transaction (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _lock(cursor)
