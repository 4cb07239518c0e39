"""Hourly and daily aggregates, kept up to date at ingestion (GB 3095 Table 4, HJ 663).

Hourly rows hold sums and counts of valid values, so a batch adds to them without reading
minutes back. Days are recomputed from their 24 hourly rows whenever a batch touches them — in
the batch's own transaction, or, for a caller that defers them (the HJ 212 receiver, whose
one-minute batches would otherwise recompute the same station-days hundreds of times), marked
pending in that transaction and recomputed by `refresh_pending_days` at most
GRIDGOV_DAY_REFRESH_SECONDS later. Hourly rows, and so alarms, are never deferred.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection

from gridgov.air import quality
from gridgov.air.models import POLLUTANT_FIELDS

if TYPE_CHECKING:
    from gridgov.air.ingest import Batch, StationInfo

HOUR = 3600
DAY = 86400
CST_OFFSET = 8 * HOUR
VALID_MINUTES = 45  # a 1-hour mean needs 45 minutes of data
VALID_HOURS = 20  # a 24-hour mean needs 20 hourly means
O3_WINDOW_HOURS = 6  # an 8-hour mean needs 6 hourly means
O3_VALID_WINDOWS = 14  # the daily max 8-h needs 14 of the 17 windows …
O3_8H_GRADE2 = 160.0  # … unless it exceeds the grade-II limit anyway
NCOL = len(POLLUTANT_FIELDS)
# The daily values a period computation needs, in the order the monthly store keeps them.
DAILY_KEYS_ORDER = ("pm25", "pm10", "so2", "no2", "co", "o3_8h_max", "o3_1h_max")


def need_for(interval_minutes: np.ndarray) -> np.ndarray:
    """Readings an hour needs: 45 one-minute values, 9 five-minute values, 1 hourly value."""
    interval = np.maximum(np.asarray(interval_minutes, dtype=np.int64), 1)
    need: np.ndarray = np.maximum(-(-VALID_MINUTES // interval), 1)
    return need


HOURLY_UPSERT = (
    "INSERT INTO air_hourly (station_id, ts, need, "
    + ", ".join(f"{p}_sum, {p}_n" for p in POLLUTANT_FIELDS)
    + ") VALUES ("
    + ", ".join(["%s"] * (3 + 2 * NCOL))
    + ") "
    "ON CONFLICT (station_id, ts) DO UPDATE SET "
    + ", ".join(
        f"{p}_{x} = air_hourly.{p}_{x} + excluded.{p}_{x}"
        for p in POLLUTANT_FIELDS
        for x in ("sum", "n")
    )
)

# PostgreSQL: the same upsert for all of a batch's hours in one statement (a statement per hour,
# even pipelined, cost a 200,000-row import batch's 3,400 hours a third of its merge time).
# The keys are unique and sorted, so no row is hit twice and writers lock rows in one order.
HOURLY_UPSERT_ARRAYS = HOURLY_UPSERT.replace(
    "VALUES (" + ", ".join(["%s"] * (3 + 2 * NCOL)) + ")",
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], "
    + ", ".join(["%s::double precision[], %s::smallint[]"] * NCOL)
    + ")",
)


def add_to_hours(
    batch: Batch, flags: np.ndarray, interval: np.ndarray, exclude: np.ndarray
) -> None:
    """Add a batch's values to the sums and counts of the hours they fall in: every finite
    value but those with a flag in its row's `exclude` mask (quality.exclusion_mask)."""
    hour = batch.ts - batch.ts % HOUR
    keys = (batch.station << 32) | hour
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    valid = np.isfinite(batch.values) & quality.counted(flags, exclude[:, None])
    columns: list[list[Any]] = [
        (uniq >> 32).tolist(),
        (uniq & 0xFFFFFFFF).tolist(),
        need_for(interval[first]).tolist(),
    ]
    for j in range(NCOL):
        ok = valid[:, j]
        sums = np.bincount(
            inverse, weights=np.where(ok, batch.values[:, j], 0.0), minlength=len(uniq)
        )
        counts = np.bincount(inverse, weights=ok, minlength=len(uniq)).astype(np.int64)
        columns.append(sums.tolist())
        columns.append(counts.tolist())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement: the rows as 15 arrays
            cursor.execute(HOURLY_UPSERT_ARRAYS, columns)
        else:
            cursor.executemany(HOURLY_UPSERT, list(zip(*columns, strict=True)))


def rebuild_hours(station: np.ndarray, ts: np.ndarray, stations: dict[int, StationInfo]) -> None:
    """Recompute touched hours from the stored readings (the slow, always-right path). Hours
    before the retention horizon are final and kept: their minute rows are gone."""
    from gridgov.air import retention

    hours = np.unique((station << 32) | (ts - ts % HOUR))
    if len(hours):
        hours = hours[(hours & 0xFFFFFFFF) >= retention.horizon(int((ts - ts % HOUR).min()))]
    with connection.cursor() as cursor:
        for key in hours.tolist():
            sid, start = key >> 32, key & 0xFFFFFFFF
            cursor.execute("DELETE FROM air_hourly WHERE station_id = %s AND ts = %s", [sid, start])
            mask = quality.exclusion_mask(stations[sid].kind)
            sums = ", ".join(
                f"COALESCE(SUM(CASE WHEN {quality.counted_sql(p + '_flag', mask)} THEN {p} END), "
                f"0), COUNT(CASE WHEN {quality.counted_sql(p + '_flag', mask)} THEN {p} END)"
                for p in POLLUTANT_FIELDS
            )
            cursor.execute(
                f"SELECT {sums} FROM air_reading WHERE station_id = %s AND ts >= %s AND ts < %s",
                [sid, start, start + HOUR],
            )
            row = cursor.fetchone()
            need = int(need_for(np.array([stations[sid].interval]))[0])
            cursor.execute(HOURLY_UPSERT, [sid, start, need, *row])


def cst_day(ts: np.ndarray) -> np.ndarray:
    """Day number (days since 1970-01-01 in China Standard Time) of epoch seconds."""
    return (np.asarray(ts, dtype=np.int64) + CST_OFFSET) // DAY


def day_start_utc(day_number: int) -> int:
    return int(day_number) * DAY - CST_OFFSET


def day_date(day_number: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day_number))


def date_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def hourly_means(rows: np.ndarray) -> np.ndarray:
    """(k, 6) hourly means from (k, 3 + 12) rows [station, ts, need, sum, n, …]; NaN if invalid."""
    need = rows[:, 2:3]
    sums = rows[:, 3::2]
    counts = rows[:, 4::2]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= need, sums / np.maximum(counts, 1), np.nan)


def fetch_hours(station_ids: list[int], start: int, end: int) -> np.ndarray:
    """Hourly rows [station, ts, need, pm25_sum, pm25_n, …] with start ≤ ts < end."""
    placeholders = ",".join(["%s"] * len(station_ids))
    cols = ", ".join(f"{p}_sum, {p}_n" for p in POLLUTANT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT station_id, ts, need, {cols} FROM air_hourly "
            f"WHERE station_id IN ({placeholders}) AND ts >= %s AND ts < %s",
            [*station_ids, start, end],
        )
        found = cursor.fetchall()
    return np.array(found, dtype=float).reshape(-1, 3 + 2 * NCOL)


def day_grid(rows: np.ndarray, station_days: np.ndarray) -> np.ndarray:
    """(k, 24, 6) hourly means for the given (station << 32 | day) keys; NaN where missing."""
    out = np.full((len(station_days), 24, NCOL), np.nan)
    if len(rows) == 0:
        return out
    ts = rows[:, 1].astype(np.int64)
    keys = (rows[:, 0].astype(np.int64) << 32) | cst_day(ts)
    pos = np.searchsorted(station_days, keys)
    pos_c = np.clip(pos, 0, len(station_days) - 1)
    hit = station_days[pos_c] == keys
    hour_of_day = ((ts + CST_OFFSET) % DAY) // HOUR
    out[pos_c[hit], hour_of_day[hit]] = hourly_means(rows[hit])
    return out


def daily_values(grid: np.ndarray) -> dict[str, np.ndarray]:
    """Daily statistics from (k, 24, 6) hourly means, with validity applied (NaN = invalid)."""
    counts = np.isfinite(grid).sum(axis=1)  # (k, 6)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nansum(grid, axis=1) / counts
    out: dict[str, np.ndarray] = {}
    for j, p in enumerate(POLLUTANT_FIELDS):
        out[p] = np.where(counts[:, j] >= VALID_HOURS, means[:, j], np.nan)
        out[f"{p}_n"] = counts[:, j]
    o3 = grid[:, :, POLLUTANT_FIELDS.index("o3")]
    o3_n = counts[:, POLLUTANT_FIELDS.index("o3")]
    o3_max = np.max(np.where(np.isfinite(o3), o3, -np.inf), axis=1)
    out["o3_1h_max"] = np.where(o3_n >= VALID_HOURS, o3_max, np.nan)
    mda8, windows = o3_daily_max_8h(o3)
    out["o3_8h_max"] = mda8
    out["o3_8h_n"] = windows
    return out


def o3_8h_windows(o3_hours: np.ndarray) -> np.ndarray:
    """(k, 17) 8-h means ending at 08:00 … 24:00 inside the day; NaN with fewer than 6 hours."""
    windows = np.lib.stride_tricks.sliding_window_view(o3_hours, 8, axis=1)  # (k, 17, 8)
    counts = np.isfinite(windows).sum(axis=2)
    sums = np.nansum(windows, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= O3_WINDOW_HOURS, sums / np.maximum(counts, 1), np.nan)


def o3_daily_max_8h(o3_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HJ 663 daily max 8-h O3 and the number of valid windows. With fewer than 14 valid windows
    the day's value counts only if it exceeds the grade-II limit."""
    means = o3_8h_windows(o3_hours)
    valid = np.isfinite(means).sum(axis=1)
    best = np.max(np.where(np.isfinite(means), means, -np.inf), axis=1)
    ok = (valid >= O3_VALID_WINDOWS) | ((valid > 0) & (best > O3_8H_GRADE2))
    return np.where(ok, best, np.nan), valid


DAILY_COLUMNS = [c for p in POLLUTANT_FIELDS if p != "o3" for c in (p, f"{p}_n")] + [
    "o3_1h_max",
    "o3_n",
    "o3_8h_max",
    "o3_8h_n",
]
DAILY_UPSERT = (
    "INSERT INTO air_daily (station_id, day, "
    + ", ".join(DAILY_COLUMNS)
    + ") VALUES ("
    + ", ".join(["%s"] * (2 + len(DAILY_COLUMNS)))
    + ") ON CONFLICT (station_id, day) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in DAILY_COLUMNS)
)


def recompute_days(station: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Recompute the daily rows of every (station, day) the batch touched; returns their keys."""
    station_days = np.unique((station << 32) | cst_day(ts))
    recompute_station_days(station_days)
    return station_days


def recompute_station_days(station_days: np.ndarray) -> None:
    """Recompute the daily rows and monthly slots of sorted, unique (station << 32 | day) keys."""
    if len(station_days) == 0:
        return
    ids = np.unique(station_days >> 32).tolist()
    days = station_days & 0xFFFFFFFF
    rows = fetch_hours(ids, day_start_utc(int(days.min())), day_start_utc(int(days.max()) + 1))
    stats = daily_values(day_grid(rows, station_days))
    adapt = connection.ops.adapt_datefield_value
    out_rows = []
    for i, key in enumerate(station_days.tolist()):
        row: list[Any] = [key >> 32, adapt(day_date(key & 0xFFFFFFFF))]
        for column in DAILY_COLUMNS:
            value = stats["o3_n" if column == "o3_n" else column][i]
            if column.endswith("_n"):
                row.append(int(value))
            else:
                row.append(None if not np.isfinite(value) else float(value))
        out_rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(DAILY_UPSERT, out_rows)
    from gridgov.air import months

    months.update(station_days, np.column_stack([stats[k] for k in DAILY_KEYS_ORDER]))


PENDING_UPSERT = (
    "INSERT INTO air_pending_day (station_id, day, seq) VALUES (%s, %s, 1) "
    "ON CONFLICT (station_id, day) DO UPDATE SET seq = air_pending_day.seq + 1"
)
REFRESH_CHUNK = 2000  # station-days per refresh transaction


def mark_days_pending(station: np.ndarray, ts: np.ndarray) -> None:
    """Instead of recompute_days, inside the batch's transaction: the touched station-days are
    left for refresh_pending_days (sorted keys, so concurrent writers lock rows in one order)."""
    station_days = np.unique((station << 32) | cst_day(ts))
    rows = list(
        zip((station_days >> 32).tolist(), (station_days & 0xFFFFFFFF).tolist(), strict=True)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement (the keys are unique, sorted)
            cursor.execute(
                PENDING_UPSERT.replace(
                    "VALUES (%s, %s, 1)", "SELECT *, 1 FROM unnest(%s::bigint[], %s::integer[])"
                ),
                [[sid for sid, _ in rows], [day for _, day in rows]],
            )
        else:
            cursor.executemany(PENDING_UPSERT, rows)


def refresh_pending_days(limit: int | None = None, stations: list[int] | None = None) -> int:
    """Recompute the daily rows and months of pending station-days (all of them, or at most
    `limit`; of the given stations only, when given); returns how many. Each chunk is one
    transaction that removes only the marks it saw: a mark bumped meanwhile by a batch (its `seq`
    moved on) stays for the next refresh. A receiver passes the stations its own batches marked:
    two receivers refreshing every mark recomputed each other's days twice and each one's DELETE
    waited on the marks the other's open batch had locked."""
    from django.db import transaction

    if stations is not None and not stations:
        return 0
    only = ""
    only_params: list[Any] = []
    if stations is not None:
        if connection.vendor == "postgresql":
            only, only_params = "station_id = ANY(%s) AND ", [sorted(stations)]
        elif len(stations) <= 30_000:  # SQLite's bound parameters (32,766)
            only = f"station_id IN ({','.join(['%s'] * len(stations))}) AND "
            only_params = sorted(stations)
    done = 0
    after = (-1, 0)  # keyset pagination: a mark left in place is not read twice in one refresh
    while limit is None or done < limit:
        size = REFRESH_CHUNK if limit is None else min(REFRESH_CHUNK, limit - done)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT station_id, day, seq FROM air_pending_day "
                    f"WHERE {only}(station_id > %s OR (station_id = %s AND day > %s)) "
                    "ORDER BY station_id, day LIMIT %s",
                    [*only_params, after[0], after[0], after[1], size],
                )
                marks = cursor.fetchall()
            if not marks:
                break
            keys = np.array([(sid << 32) | day for sid, day, _ in marks], dtype=np.int64)
            recompute_station_days(np.unique(keys))
            with connection.cursor() as cursor:
                cursor.executemany(
                    "DELETE FROM air_pending_day WHERE station_id = %s AND day = %s AND seq = %s",
                    marks,
                )
        done += len(marks)
        after = (marks[-1][0], marks[-1][1])
        if len(marks) < size:
            break
    return done
