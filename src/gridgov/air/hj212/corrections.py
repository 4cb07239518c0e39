"""Late real-time data: corrections of readings the receiver has already stored.

A real-time packet (CN=2011) that arrives after its interval was committed is never answered and
dropped. While the receiver still holds the committed interval's sums (GRIDGOV_HJ212_LATE_SECONDS)
the interval's mean is recomputed with the late values and the stored reading **replaced**; an
interval it no longer holds (older, or from before a restart) is **merged**: the stored reading
counts as one sample beside the late ones. Either way the touched hours are rebuilt from the
stored readings and the days marked pending (or recomputed), through the ordinary aggregation
path, in one transaction with the update; the packets are answered once it is committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection, transaction

from gridgov.air import aggregate
from gridgov.air.ingest import StationInfo
from gridgov.air.models import POLLUTANT_FIELDS, Flag

if TYPE_CHECKING:
    from gridgov.air.hj212.store import Row

REPLACE = "replace"
MERGE = "merge"
# Flag bits a correction recomputes (the device's letter and the value's sign); the others
# (stuck, jump, neighbours, a reviewer's decision) stay as they were.
RECOMPUTED = Flag.DEVICE | Flag.DEVICE_BITS | Flag.NEGATIVE | Flag.NOT_A_NUMBER

SELECT_SQL = (
    "SELECT "  # noqa: S608 (column names from POLLUTANT_FIELDS only)
    + ", ".join(f"{p}, {p}_flag" for p in POLLUTANT_FIELDS)
    + " FROM air_reading WHERE station_id = %s AND ts = %s"
)
UPDATE_SQL = (
    "UPDATE air_reading SET "  # noqa: S608
    + ", ".join(f"{p} = %s, {p}_flag = %s" for p in POLLUTANT_FIELDS)
    + " WHERE station_id = %s AND ts = %s"
)


def corrected(row: Row, stored: tuple[Any, ...]) -> tuple[list[float | None], list[int]]:
    """The reading's new values and flags: the row's mean (REPLACE), or the stored value as one
    sample beside the row's `count` late ones (MERGE); a pollutant the row lacks keeps its
    stored value and flags."""
    values: list[float | None] = []
    flags: list[int] = []
    for j in range(len(POLLUTANT_FIELDS)):
        old_value = stored[2 * j]
        old_flag = int(stored[2 * j + 1] or 0)
        new = float(row.values[j])
        if new != new:  # NaN: nothing late for this pollutant
            values.append(None if old_value is None else float(old_value))
            flags.append(old_flag)
            continue
        if row.mode == MERGE and old_value is not None:
            n = float(row.count[j]) if row.count is not None else 1.0
            new = (float(old_value) + new * n) / (1.0 + n)
        flag = (old_flag & ~RECOMPUTED) | int(row.device[j])
        if new < 0:
            flag |= Flag.NEGATIVE
        values.append(new)
        flags.append(flag)
    return values, flags


def apply(rows: list[Row], *, defer_days: bool) -> list[Row]:
    """Update the stored readings of late rows; returns the rows with no stored reading (to be
    inserted as ordinary rows)."""
    missing: list[Row] = []
    done: list[Row] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            cursor.execute(SELECT_SQL, [row.info.id, row.ts])
            stored = cursor.fetchone()
            if stored is None:
                missing.append(row)
                continue
            values, flags = corrected(row, stored)
            params: list[Any] = []
            for v, f in zip(values, flags, strict=True):
                params += [v, f]
            cursor.execute(UPDATE_SQL, [*params, row.info.id, row.ts])
            done.append(row)
        if done:
            station = np.array([r.info.id for r in done], dtype=np.int64)
            ts = np.array([r.ts for r in done], dtype=np.int64)
            infos: dict[int, StationInfo] = {r.info.id: r.info for r in done}
            aggregate.rebuild_hours(station, ts, infos)
            if defer_days:
                aggregate.mark_days_pending(station, ts)
            else:
                aggregate.recompute_days(station, ts)
    return missing
