"""The minute-data retention policy (分钟数据保留期): minute (interval) rows older than
GRIDGOV_MINUTE_RETENTION_DAYS are dropped a whole China-time month at a time, oldest first,
and only once the month's hours are final. Hourly and daily rows are kept for ever.

A month is final when
- it ended more than GRIDGOV_MINUTE_RETENTION_DAYS ago, and more than
  GRIDGOV_HJ212_HISTORY_MAX_AGE_DAYS ago (a device may still be asked for history until then);
- none of its days waits for recomputation (no PendingDay: the daily rows and StationMonth
  agree with the hours);
- every station-hour that has minute rows has its hourly row (the hours were built).

Months are retired in order and the first that is not final stops the run, so what is retired
is always everything before one moment, the horizon (the end of the last RetiredMonth). From
the moment a month is retired, ingestion refuses minute rows before the horizon (a re-sent
minute would otherwise be counted into a final hour twice, its twin being gone) and no hour
before it is rebuilt from minute rows (review, corrections and the tampering scan would
otherwise rebuild it from nothing).

PostgreSQL drops the month's partition (and its rows in the default partition) in one
transaction; SQLite deletes the month's rows station by station, committing as it goes, after
recording the month (a run cut short is finished by the next).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from gridgov.air import partitions
from gridgov.air.retention_models import RetiredMonth

DAY = 86400
Progress = Callable[[str, int, int], None]  # (what, done, total)


def horizon(oldest_ts: int | None = None, now: float | None = None) -> int:
    """Minute rows before this epoch second are retired (0: none is). Given the oldest ts of a
    batch, a batch of the last day asks nothing of the database: no month ends within a day of
    now can be retired (the history age is at least a day)."""
    now = time.time() if now is None else now
    if oldest_ts is not None and oldest_ts >= now - DAY:
        return 0
    found = RetiredMonth.objects.aggregate(end=Max("end_ts"))["end"]
    return int(found or 0)


def cutoff(now: float | None = None) -> int | None:
    """Months ending at or before this epoch second may be retired; None: retention is off."""
    days = settings.GRIDGOV_MINUTE_RETENTION_DAYS
    if days <= 0:
        return None
    now = time.time() if now is None else now
    return int(now - max(days, settings.GRIDGOV_HJ212_HISTORY_MAX_AGE_DAYS) * DAY)


@dataclass
class MonthCheck:
    month: int
    start: int
    end: int
    reason: str = ""  # why it is not final; "" when it is
    rows: int = 0  # minute rows dropped

    @property
    def final(self) -> bool:
        return not self.reason


@dataclass
class Report:
    cutoff: int | None
    method: str  # "partition" | "delete"
    dry_run: bool
    months: list[MonthCheck] = field(default_factory=list)  # checked, oldest first
    finished: list[int] = field(default_factory=list)  # months an earlier run left unfinished

    @property
    def retired(self) -> list[MonthCheck]:
        return [m for m in self.months if m.final]

    @property
    def blocked(self) -> MonthCheck | None:
        return next((m for m in self.months if not m.final), None)


def _day_numbers(start: int, end: int) -> tuple[int, int]:
    offset = 8 * 3600  # days are China-time days (aggregate.cst_day)
    return (start + offset) // DAY, (end + offset) // DAY


def check_month(key: int) -> MonthCheck:
    """Whether a month's hours are final (everything but its age: the caller checks that)."""
    start, end = partitions.month_bounds(key)
    check = MonthCheck(key, start, end)
    first_day, end_day = _day_numbers(start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM air_pending_day WHERE day >= %s AND day < %s",
            [first_day, end_day],
        )
        pending = int(cursor.fetchone()[0])
        if pending:
            check.reason = f"{pending} station-day(s) pending recomputation"
            return check
        cursor.execute(
            "SELECT count(*) FROM (SELECT DISTINCT station_id, ts - ts %% 3600 AS hour "
            "FROM air_reading WHERE ts >= %s AND ts < %s) r WHERE NOT EXISTS (SELECT 1 FROM "
            "air_hourly h WHERE h.station_id = r.station_id AND h.ts = r.hour)",
            [start, end],
        )
        missing = int(cursor.fetchone()[0])
    if missing:
        check.reason = f"{missing} station-hour(s) with minute rows but no hourly row"
    return check


def _first_month(after: int) -> int | None:
    """The first month at or after `after` holding data (hourly rows exist for every minute
    row, and air_hourly has an index on ts)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(ts) FROM air_hourly WHERE ts >= %s", [after])
        found = cursor.fetchone()[0]
    return None if found is None else partitions.month_key(int(found))


def _by_partition() -> bool:
    return partitions.is_partitioned("air_reading")


def _delete_rows(month: RetiredMonth, progress: Progress | None, chunk: int = 200) -> int:
    """Delete a retired month's minute rows station by station (the primary key's order),
    committing every `chunk` stations; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM air_station ORDER BY id")
        ids = [r[0] for r in cursor.fetchall()]
    total = 0
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            marks = ",".join(["%s"] * len(part))
            cursor.execute(
                f"DELETE FROM air_reading WHERE station_id IN ({marks}) "  # noqa: S608
                "AND ts >= %s AND ts < %s",
                [*part, month.start_ts, month.end_ts],
            )
            total += cursor.rowcount
        if progress:
            progress(f"{month.month}", min(i + chunk, len(ids)), len(ids))
    return total


def _retire(check: MonthCheck, progress: Progress | None) -> None:
    now = timezone.now()
    if _by_partition():
        with transaction.atomic():
            partitions.locked()
            month = RetiredMonth.objects.create(
                month=check.month, start_ts=check.start, end_ts=check.end, retired_at=now
            )
            check.rows = partitions.drop_month("air_reading", check.month)
            month.rows, month.by_partition, month.finished_at = check.rows, True, timezone.now()
            month.save()
        if progress:
            progress(f"{check.month}", 1, 1)
        return
    month = RetiredMonth.objects.create(
        month=check.month, start_ts=check.start, end_ts=check.end, retired_at=now
    )
    check.rows = _delete_rows(month, progress)
    RetiredMonth.objects.filter(pk=month.pk).update(rows=check.rows, finished_at=timezone.now())


def run(
    *, dry_run: bool = False, now: float | None = None, progress: Progress | None = None
) -> Report:
    """Retire every final month before the cutoff, oldest first (see the module's text)."""
    limit = cutoff(now)
    report = Report(limit, "partition" if _by_partition() else "delete", dry_run)
    if not dry_run:
        for month in RetiredMonth.objects.filter(finished_at__isnull=True).order_by("month"):
            rows = _delete_rows(month, progress)
            RetiredMonth.objects.filter(pk=month.pk).update(
                rows=month.rows + rows, finished_at=timezone.now()
            )
            report.finished.append(month.month)
    if limit is None:
        return report
    key = _first_month(horizon())
    while key is not None and partitions.month_bounds(key)[1] <= limit:
        check = check_month(key)
        report.months.append(check)
        if not check.final:
            break
        if not dry_run:
            _retire(check, progress)
        key = _first_month(partitions.month_bounds(key)[1])
    return report
