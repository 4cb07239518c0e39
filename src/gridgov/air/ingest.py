"""The one ingestion path for readings (HTTP, file import, demo generator):

    check rows → flag values → insert new rows → add them to the hourly aggregates →
    recompute the touched days → update station state → evaluate alarm rules on touched stations

all on numpy arrays, one database transaction per batch. What a batch acknowledges is committed.
With `defer_days` (the HJ 212 receiver) the touched days are marked pending in that transaction
instead and recomputed by `aggregate.refresh_pending_days` within GRIDGOV_DAY_REFRESH_SECONDS.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction

from gridgov.air import aggregate, factor_store, partitions, pgcopy, quality, retention, wind
from gridgov.air.factors import Factors
from gridgov.air.models import POLLUTANT_FIELDS, Station
from gridgov.inputs import READING_EARLIEST

NCOL = len(POLLUTANT_FIELDS)
CO = POLLUTANT_FIELDS.index("co")
FUTURE_SLACK_SECONDS = 300
EARLIEST_TS = int(READING_EARLIEST.timestamp())


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class Batch:
    """Readings as columns. values: (n, 6) in POLLUTANT_FIELDS order, NaN = missing."""

    station: np.ndarray
    ts: np.ndarray
    values: np.ndarray
    nan_given: np.ndarray
    row: np.ndarray
    # (n, 6) flag bits the device itself set (Flag.device_code of HJ 212 `-Flag` letters);
    # None when the source has no device flags (HTTP, files, the demo).
    device: np.ndarray | None = None
    # (n, 2) wind direction (°, from) and speed (m/s), NaN where not given or out of range
    # (air/wind.py); None when the source sends no wind.
    wind: np.ndarray | None = None
    # Per row, the factors beside the six (air/factors.py), None where a row has none; None
    # when no row has any. Stored with the row when it is new (factor_store.save).
    factors: list[Factors | None] | None = None

    @classmethod
    def empty(cls) -> Batch:
        return cls(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros((0, NCOL)),
            np.zeros((0, NCOL), bool),
            np.zeros(0, np.int64),
        )

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, mask_or_index: np.ndarray) -> Batch:
        return Batch(
            self.station[mask_or_index],
            self.ts[mask_or_index],
            self.values[mask_or_index],
            self.nan_given[mask_or_index],
            self.row[mask_or_index],
            None if self.device is None else self.device[mask_or_index],
            None if self.wind is None else self.wind[mask_or_index],
            None
            if self.factors is None
            else [self.factors[i] for i in np.arange(len(self.ts))[mask_or_index].tolist()],
        )


MAX_KEPT_ERRORS = 10_000


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    flagged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0  # all errors; `errors` keeps the first MAX_KEPT_ERRORS
    alarms: list[Any] = field(default_factory=list)
    # Row ids (Batch.row) of the rows stored and of those with a flagged value: lets a caller
    # that merged several requests into one batch answer each of them.
    stored_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    flagged_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def add(self, other: IngestResult) -> None:
        """Fold another batch's result in; memory stays bounded however many rows are bad."""
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.flagged += other.flagged
        self.error_count += max(other.error_count, len(other.errors))
        room = MAX_KEPT_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(other.errors[:room])
        self.alarms.extend(other.alarms)


@dataclass(frozen=True)
class StationInfo:
    id: int
    code: str
    kind: str
    interval: int
    grid_id: int | None
    lat: float
    lon: float

    @classmethod
    def of(cls, s: Station) -> StationInfo:
        return cls(s.pk, s.code, s.kind, s.interval_minutes, s.grid_id, s.lat, s.lon)


def station_infos(ids: list[int] | None = None) -> dict[int, StationInfo]:
    qs = Station.objects.all() if ids is None else Station.objects.filter(pk__in=ids)
    return {s.pk: StationInfo.of(s) for s in qs}


def check_rows(
    batch: Batch, stations: dict[int, StationInfo], now: float | None = None
) -> tuple[np.ndarray, list[RowError]]:
    """Rows that are errors (not flags): off the station's interval, in the future or before
    2000, CO in µg/m³, a value no instrument measures."""
    now = time.time() if now is None else now
    interval = np.array([stations[int(s)].interval for s in batch.station], dtype=np.int64)
    bad = np.zeros(len(batch), dtype=bool)
    errors: list[RowError] = []
    off = batch.ts % (np.maximum(interval, 1) * 60) != 0
    future = (batch.ts > now + FUTURE_SLACK_SECONDS) | (batch.ts < EARLIEST_TS)
    kept_from = retention.horizon(int(batch.ts.min()), now) if len(batch) else 0
    retired = batch.ts < kept_from  # minute rows of months the retention policy dropped
    with np.errstate(invalid="ignore"):
        co_unit = batch.values[:, CO] > quality.CO_UNIT_LIMIT
        unreal = np.abs(batch.values) > quality.PHYSICAL_MAX
    for i in np.flatnonzero(off | future | retired | co_unit | unreal.any(axis=1)):
        row = int(batch.row[i])
        if off[i]:
            errors.append(
                RowError(row, "time", f"not on the station's {interval[i]}-minute interval")
            )
        if future[i]:
            if batch.ts[i] < EARLIEST_TS:
                errors.append(RowError(row, "time", "before 2000-01-01"))
            else:
                errors.append(RowError(row, "time", "more than 5 minutes in the future"))
        if retired[i] and not future[i]:
            errors.append(
                RowError(row, "time", "minute data of that month were retired: its hours are final")
            )
        if co_unit[i]:
            errors.append(
                RowError(
                    row,
                    "co",
                    f"{batch.values[i, CO]:g} is above {quality.CO_UNIT_LIMIT:g} "
                    "mg/m³: CO must be sent in mg/m³, not µg/m³",
                )
            )
        for j in np.flatnonzero(unreal[i]):
            errors.append(
                RowError(
                    row,
                    POLLUTANT_FIELDS[j],
                    f"{batch.values[i, j]:g} is not a physical concentration",
                )
            )
    bad[off | future | retired | co_unit | unreal.any(axis=1)] = True
    return bad, errors


def _existing_keys(station_ids: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Keys (station << 32 | ts) already stored for these stations in the batch's time range."""
    ids = np.unique(station_ids).tolist()
    placeholders = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT station_id, ts FROM air_reading WHERE station_id IN ({placeholders}) "
            "AND ts >= %s AND ts <= %s",
            [*ids, int(ts.min()), int(ts.max())],
        )
        found = cursor.fetchall()
    if not found:
        return np.zeros(0, dtype=np.int64)
    arr = np.array(found, dtype=np.int64)
    return (arr[:, 0] << 32) | arr[:, 1]


def _json(value: Any) -> Any:
    """A JSON column as read by a raw cursor: text on SQLite, maybe decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _state_arrays(batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(batch)
    prev_ts = np.full(n, -(10**12), dtype=np.int64)
    prev_values = np.full((n, NCOL), np.nan)
    prev_runs = np.zeros((n, NCOL), dtype=np.int64)
    ids = np.unique(batch.station).tolist()
    with connection.cursor() as cursor:  # raw SQL: the ORM cost 25 µs per station
        cursor.execute(
            "SELECT station_id, last_ts, last_values, runs FROM air_station_state "
            f"WHERE station_id IN ({','.join(['%s'] * len(ids))})",
            ids,
        )
        states = {sid: (last_ts, values, runs) for sid, last_ts, values, runs in cursor}
    if not states:
        return prev_ts, prev_values, prev_runs
    for i in np.flatnonzero(np.r_[True, batch.station[1:] != batch.station[:-1]]):
        state = states.get(int(batch.station[i]))
        # Only a batch that continues the stream picks up the stream's state.
        if state is not None and batch.ts[i] > state[0]:
            prev_ts[i] = state[0]
            prev_values[i] = [np.nan if v is None else v for v in _json(state[1])]
            prev_runs[i] = _json(state[2])
    return prev_ts, prev_values, prev_runs


INSERT_SQL = (
    "INSERT INTO air_reading (station_id, ts, "
    + ", ".join(f"{p}, {p}_flag" for p in POLLUTANT_FIELDS)
    + ") VALUES ("
    + ", ".join(["%s"] * (2 + 2 * NCOL))
    + ") ON CONFLICT (station_id, ts) DO NOTHING"
)


READING_COLUMNS = "station_id, ts, " + ", ".join(f"{p}, {p}_flag" for p in POLLUTANT_FIELDS)
COPY_READINGS = f"COPY air_reading ({READING_COLUMNS}) FROM STDIN (FORMAT BINARY)"
STAGE_CREATE = (
    "CREATE TEMP TABLE IF NOT EXISTS air_reading_stage "
    "(LIKE air_reading INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
STAGE_MERGE = (
    f"INSERT INTO air_reading ({READING_COLUMNS}) SELECT {READING_COLUMNS} "
    "FROM air_reading_stage ON CONFLICT (station_id, ts) DO NOTHING"
)


def _insert(batch: Batch, flags: np.ndarray) -> int:
    """Insert rows not yet stored (the caller has left out those it found stored); returns how
    many were. On PostgreSQL, COPY (binary, pgcopy.payload); elsewhere executemany."""
    if connection.vendor == "postgresql":
        return _copy_readings(batch, flags)
    with connection.cursor() as cursor:
        cursor.executemany(INSERT_SQL, _reading_rows(batch, flags))
        return int(cursor.rowcount)


def _reading_columns(batch: Batch, flags: np.ndarray) -> list[np.ndarray]:
    """The COPY's columns (READING_COLUMNS order) in their PostgreSQL types; NaN is NULL."""
    columns = [batch.station.astype(np.int64), batch.ts.astype(np.int64)]
    for j in range(NCOL):
        columns.append(np.ascontiguousarray(batch.values[:, j], dtype=np.float64))
        columns.append(flags[:, j].astype(np.int16))
    return columns


def _reading_rows(batch: Batch, flags: np.ndarray) -> list[tuple[Any, ...]]:
    """The rows as Python tuples for executemany (NaN → NULL)."""
    columns: list[list[Any]] = [batch.station.tolist(), batch.ts.tolist()]
    for j in range(NCOL):
        v = batch.values[:, j]
        columns.append([None if x != x else x for x in v.tolist()])
        columns.append(flags[:, j].tolist())
    return list(zip(*columns, strict=True))


def _copy_readings(batch: Batch, flags: np.ndarray) -> int:
    """COPY the rows straight into air_reading, in a savepoint: the caller read the stored
    keys in this transaction, so a row can only collide with one another writer committed (or
    is committing) since. Then — rarely — the savepoint is rolled back and the rows go through
    a session-local staging table and one INSERT … ON CONFLICT DO NOTHING, which skips them.
    The direct COPY costs what a bare COPY into the table costs; the staging path half as much
    again (1M rows: 10 s of client and server CPU against 17 s)."""
    data = pgcopy.payload(_reading_columns(batch, flags))
    with connection.cursor() as cursor:
        try:
            with (
                transaction.atomic(),
                connection.wrap_database_errors,
                cursor.cursor.copy(COPY_READINGS) as copy,
            ):
                copy.write(data)
        except IntegrityError:
            pass  # (station, ts) stored meanwhile by another writer
        else:
            return len(batch)
        cursor.execute(STAGE_CREATE)
        cursor.execute("TRUNCATE air_reading_stage")
        stage = COPY_READINGS.replace("COPY air_reading ", "COPY air_reading_stage ", 1)
        with cursor.cursor.copy(stage) as copy:
            copy.write(data)
        cursor.execute(STAGE_MERGE)
        return int(cursor.rowcount)


# Rows of this transaction (its savepoints included) among those it can see: their inserting
# transaction is still in progress. xmin is widened to a full transaction id against the
# snapshot's next id, above every visible row's (as PostgreSQL widens ids itself). Widening it
# against the current top-level id took a savepoint's id — above that one — for the previous
# epoch: a negative id ("transaction ID … is in the future") whenever ingest ran in a savepoint,
# as under the receiver's commit_rows, after a race.
_INSERTED_HERE = """
SELECT r.station_id, r.ts FROM air_reading r
JOIN unnest(%s::bigint[], %s::bigint[]) AS k(station_id, ts)
  ON r.station_id = k.station_id AND r.ts = k.ts
CROSS JOIN LATERAL (
  SELECT nx.next - nx.next %% 4294967296 + r.xmin::text::bigint AS wide, nx.next
  FROM (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next) nx
) x
WHERE pg_xact_status((
  x.wide - CASE WHEN x.wide >= x.next THEN 4294967296 ELSE 0 END
)::text::xid8) = 'in progress'
"""


def _inserted_here(batch: Batch) -> np.ndarray | None:
    """PostgreSQL, after a race (another transaction stored some of these rows between our
    check and our insert): which of the batch's rows this transaction inserted, so each
    process answers for its own rows only. None elsewhere (SQLite writes one at a time)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_INSERTED_HERE, [batch.station.tolist(), batch.ts.tolist()])
        mine = np.array([(sid << 32) | ts for sid, ts in cursor.fetchall()], dtype=np.int64)
    return np.isin((batch.station << 32) | batch.ts, mine)


# An older batch (a back-fill) does not move the stream's state: the WHERE of the upsert.
STATE_UPSERT = (
    "INSERT INTO air_station_state (station_id, last_ts, last_values, runs) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT (station_id) DO UPDATE SET "
    "last_ts = excluded.last_ts, last_values = excluded.last_values, runs = excluded.runs "
    "WHERE excluded.last_ts > air_station_state.last_ts"
)

STATE_UPSERT_ARRAYS = STATE_UPSERT.replace(
    "VALUES (%s, %s, %s, %s)",
    "SELECT s, t, v::jsonb, r::jsonb FROM unnest(%s::bigint[], %s::bigint[], %s::text[], "
    "%s::text[]) AS u(s, t, v, r)",
)


def _save_state(batch: Batch, runs: np.ndarray) -> None:
    """Each station's newest row becomes its state, unless the stored state is newer."""
    last = np.flatnonzero(np.r_[batch.station[1:] != batch.station[:-1], True])
    values = batch.values[last]
    adapt = (
        (lambda value, _encoder: json.dumps(value))  # text[] → jsonb in STATE_UPSERT_ARRAYS
        if connection.vendor == "postgresql"
        else connection.ops.adapt_json_value
    )
    rows = [
        (sid, ts, adapt([None if v != v else v for v in vals], None), adapt(r, None))
        for sid, ts, vals, r in zip(
            batch.station[last].tolist(),
            batch.ts[last].tolist(),
            values.tolist(),
            runs[last].tolist(),
            strict=True,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement (the stations are unique)
            sid, ts, vals, r = zip(*rows, strict=True)
            cursor.execute(STATE_UPSERT_ARRAYS, [list(sid), list(ts), list(vals), list(r)])
        else:
            cursor.executemany(STATE_UPSERT, rows)


def ingest(
    batch: Batch,
    stations: dict[int, StationInfo] | None = None,
    *,
    reject_all_on_error: bool = True,
    now: float | None = None,
    evaluate_alarms: bool = True,
    defer_days: bool = False,
) -> IngestResult:
    """Store a batch. With reject_all_on_error (the HTTP rule), one bad row rejects the batch.
    With defer_days the daily rows and months of the touched days are left pending for
    `aggregate.refresh_pending_days`, which the caller must run (the HJ 212 store thread does,
    every GRIDGOV_DAY_REFRESH_SECONDS and when it stops)."""
    result = IngestResult(received=len(batch))
    if len(batch) == 0:
        return result
    if stations is None:
        stations = station_infos(np.unique(batch.station).tolist())
    bad, errors = check_rows(batch, stations, now)
    result.errors = errors
    if errors and reject_all_on_error:
        result.rejected = len(batch)
        return result
    result.rejected = int(bad.sum())
    batch = batch.take(~bad)
    if len(batch) == 0:
        return result
    partitions.ensure_partitions(int(batch.ts.min()), int(batch.ts.max()))
    order = np.lexsort((batch.ts, batch.station))
    batch = batch.take(order)
    keys = (batch.station << 32) | batch.ts
    unique_in_batch = np.r_[True, keys[1:] != keys[:-1]]
    with transaction.atomic():
        existing = _existing_keys(batch.station, batch.ts)
        new = unique_in_batch & ~np.isin(keys, existing)
        fresh = batch.take(new)
        result.duplicates = len(batch) - len(fresh)
        if len(fresh) == 0:
            return result
        interval = np.array([stations[int(s)].interval for s in fresh.station], dtype=np.int64)
        prev_ts, prev_values, prev_runs = _state_arrays(fresh)
        flags, runs = quality.flag_values(
            fresh.station,
            fresh.ts,
            fresh.values,
            fresh.nan_given,
            interval,
            prev_ts,
            prev_values,
            prev_runs,
        )
        if fresh.device is not None:
            flags |= fresh.device.astype(flags.dtype)
        stored = _insert(fresh, flags)
        result.stored = stored
        result.duplicates += len(fresh) - stored
        flagged = (flags != 0).any(axis=1)
        result.flagged = int(flagged.sum())
        result.stored_rows = fresh.row
        result.flagged_rows = fresh.row[flagged]
        if stored == len(fresh):
            ids, which = np.unique(fresh.station, return_inverse=True)
            masks = [quality.exclusion_mask(stations[int(s)].kind) for s in ids]
            exclude = np.array(masks, dtype=np.int16)[which]
            aggregate.add_to_hours(fresh, flags, interval, exclude)
        else:  # another writer raced us on some rows: rebuild those hours from what is stored
            aggregate.rebuild_hours(fresh.station, fresh.ts, stations)
            ours = _inserted_here(fresh)  # and answer for our own rows only
            if ours is not None:
                result.stored_rows = fresh.row[ours]
                result.flagged_rows = fresh.row[ours & flagged]
                result.flagged = int((ours & flagged).sum())
        if defer_days:
            aggregate.mark_days_pending(fresh.station, fresh.ts)
        else:
            aggregate.recompute_days(fresh.station, fresh.ts)
        _save_state(fresh, runs)
        if fresh.wind is not None:
            wind.save_latest(fresh.station, fresh.ts, fresh.wind)
        if fresh.factors is not None:
            factor_store.save(
                (sid, t, minutes, f)
                for sid, t, minutes, f in zip(
                    fresh.station.tolist(),
                    fresh.ts.tolist(),
                    interval.tolist(),
                    fresh.factors,
                    strict=True,
                )
                if f
            )
        if evaluate_alarms:
            from gridgov.air import alarms

            result.alarms = alarms.evaluate(fresh, flags, stations, now=now)
    return result
