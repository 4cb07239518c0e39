"""The compact monthly store of daily values (StationMonth): written from the daily statistics
at ingestion, read by every period computation (assessment, rankings, targets, reports)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import connection

from gridgov.air.aggregate import DAILY_KEYS_ORDER, day_date

# Columns: the seven daily values, then the station's daily AQI under the standard in force on
# that day (NaN where NA), so station-level good-day counts need no AQI computation.
NKEYS = len(DAILY_KEYS_ORDER) + 1
AQI_COLUMN = NKEYS - 1


def with_aqi(station_days: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Append the daily AQI (by each day's standard) to (k, 7) daily values."""
    from gridgov.air import aqi

    day_numbers = station_days & 0xFFFFFFFF
    data = {k: values[:, j] for j, k in enumerate(DAILY_KEYS_ORDER)}
    new = day_numbers >= (aqi.CHANGEOVER - dt.date(1970, 1, 1)).days
    out = np.full(len(values), np.nan)
    for standard, mask in ((aqi.Standard.HJ633_2026, new), (aqi.Standard.HJ633_2012, ~new)):
        if mask.any():
            report = aqi.daily_report({k: v[mask] for k, v in data.items()}, standard)
            out[mask] = np.where(report.aqi >= 0, report.aqi, np.nan)
    return np.column_stack([values, out])


def month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


def month_start(key: int) -> dt.date:
    return dt.date(key // 100, key % 100, 1)


def empty_month() -> np.ndarray:
    return np.full((31, NKEYS), np.nan)


def _lock_clause() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def fetch(
    station_ids: list[int], months: list[int], lock: bool = False
) -> dict[tuple[int, int], np.ndarray]:
    if not station_ids or not months:
        return {}
    ids = ",".join(["%s"] * len(station_ids))
    ms = ",".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT station_id, month, days FROM air_station_month "
            f"WHERE station_id IN ({ids}) AND month IN ({ms})" + (_lock_clause() if lock else ""),
            [*station_ids, *months],
        )
        rows = cursor.fetchall()
    return {
        (sid, month): np.frombuffer(bytes(blob), dtype=np.float64).reshape(31, NKEYS).copy()
        for sid, month, blob in rows
    }


UPSERT = (
    "INSERT INTO air_station_month (station_id, month, days) VALUES (%s, %s, %s) "
    "ON CONFLICT (station_id, month) DO UPDATE SET days = excluded.days"
)


CREATE_EMPTY = (
    "INSERT INTO air_station_month (station_id, month, days) VALUES (%s, %s, %s) "
    "ON CONFLICT (station_id, month) DO NOTHING"
)


BUMP = (
    "INSERT INTO air_month_revision (month, revision) VALUES (%s, 1) ON CONFLICT (month) "
    "DO UPDATE SET revision = air_month_revision.revision + 1"
)


def write(blocks: dict[tuple[int, int], np.ndarray]) -> None:
    if not blocks:
        return
    rows = [
        (sid, month, np.ascontiguousarray(block, dtype=np.float64).tobytes())
        for (sid, month), block in blocks.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(UPSERT, rows)
        cursor.executemany(BUMP, [(m,) for m in sorted({m for _, m in blocks})])


def months_between(start: dt.date, end: dt.date) -> list[int]:
    keys = []
    day = start.replace(day=1)
    while day <= end:
        keys.append(month_key(day))
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return keys


def revisions(start: dt.date, end: dt.date) -> tuple[int, ...]:
    """The revision of every month of the period (0 for a month never written)."""
    wanted = months_between(start, end)
    marks = ",".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT month, revision FROM air_month_revision WHERE month IN ({marks})", wanted
        )
        found = dict(cursor.fetchall())
    return tuple(int(found.get(m, 0)) for m in wanted)


def update(station_days: np.ndarray, values: np.ndarray) -> None:
    """Put freshly computed daily values into their months. station_days: (station << 32 | day
    number) keys; values: (k, NKEYS) in DAILY_KEYS_ORDER, NaN = not valid."""
    values = with_aqi(station_days, values)
    by_month: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, key in enumerate(station_days.tolist()):
        day = day_date(key & 0xFFFFFFFF)
        by_month[(key >> 32, month_key(day))].append((i, day.day - 1))
    ids = sorted({sid for sid, _ in by_month})
    months = sorted({m for _, m in by_month})
    blocks = fetch(ids, months, lock=True)
    missing = sorted(pair for pair in by_month if pair not in blocks)
    if missing and connection.features.has_select_for_update:
        # A month not stored yet has no row to lock: two processes writing different days of
        # it at once would each store its own days over the other's. Make the row first
        # (empty; one waits for the other's), then lock and read what is there.
        empty = empty_month().tobytes()
        with connection.cursor() as cursor:
            cursor.executemany(CREATE_EMPTY, [(sid, month, empty) for sid, month in missing])
        blocks.update(fetch([p[0] for p in missing], [p[1] for p in missing], lock=True))
    changed = {}
    for pair, slots in by_month.items():
        block = blocks.get(pair)
        if block is None:
            block = empty_month()
        for row, slot in slots:
            block[slot] = values[row]
        changed[pair] = block
    write(changed)


def read(station_ids: list[int], start: dt.date, end: dt.date) -> np.ndarray:
    """(stations, days, NKEYS) daily values for start..end, NaN where none."""
    days = (end - start).days + 1
    out = np.full((len(station_ids), days, NKEYS), np.nan)
    wanted = months_between(start, end)
    if not station_ids:
        return out
    ids = ",".join(["%s"] * len(station_ids))
    ms = ",".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT station_id, month, days FROM air_station_month "
            f"WHERE station_id IN ({ids}) AND month IN ({ms}) ORDER BY month",
            [*station_ids, *wanted],
        )
        rows = cursor.fetchall()
    if not rows:
        return out
    sids = np.array([r[0] for r in rows], dtype=np.int64)
    month_of = np.array([r[1] for r in rows], dtype=np.int64)
    blocks = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype=np.float64)
    blocks = blocks.reshape(len(rows), 31, NKEYS)
    order = np.argsort(np.array(station_ids, dtype=np.int64))
    rows_pos = order[np.searchsorted(np.array(station_ids, dtype=np.int64)[order], sids)]
    for month in np.unique(month_of).tolist():
        pick = month_of == month
        offset = (month_start(month) - start).days  # negative for the first month
        lo, hi = max(0, -offset), min(31, days - offset)
        if hi > lo:
            out[rows_pos[pick], offset + lo : offset + hi] = blocks[pick, lo:hi]
    return out


def rebuild(station_ids: list[int] | None = None) -> int:
    """Rewrite the monthly store from the daily rows (after loading daily rows by hand)."""
    from gridgov.air.models import DailyAggregate

    qs = DailyAggregate.objects.all()
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    rows = list(qs.values_list("station_id", "day", *DAILY_KEYS_ORDER))
    if not rows:
        return 0
    keys = np.array(
        [(sid << 32) | (day - dt.date(1970, 1, 1)).days for sid, day, *_ in rows], dtype=np.int64
    )
    values = np.array([[np.nan if v is None else v for v in r[2:]] for r in rows], dtype=float)
    full = with_aqi(keys, values)
    blocks: dict[tuple[int, int], np.ndarray] = {}
    for (sid, day, *_), row in zip(rows, full, strict=True):
        blocks.setdefault((sid, month_key(day)), empty_month())[day.day - 1] = row
    write(blocks)
    return len(blocks)
