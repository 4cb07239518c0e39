"""HJ 212 stations as the receiver knows them, their status rows, and the store thread."""

from __future__ import annotations

import datetime as dt
import logging
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone as dj_timezone

from gridgov.air import aggregate, factor_hooks, factor_store, wind
from gridgov.air.factors import Factors
from gridgov.air.hj212 import codec, corrections
from gridgov.air.hj212.clock import ClockCounter
from gridgov.air.hj212.clock import merge as merge_clock
from gridgov.air.hj212.devices import STANDARD_CODES
from gridgov.air.ingest import EARLIEST_TS, FUTURE_SLACK_SECONDS, Batch, StationInfo, ingest
from gridgov.air.models import POLLUTANT_FIELDS, DeviceStatus, Station

if TYPE_CHECKING:
    from gridgov.air.hj212.connection import Connection

log = logging.getLogger("gridgov.hj212")

NCOL = len(POLLUTANT_FIELDS)
STORE_GROUP = 5000  # rows per ingestion at most
# After a group's first row the store thread sleeps this long once, then takes whatever is
# queued without waiting: a timed get per row cost a GIL hand-over from the loop thread per row
# (up to the 5 ms switch interval each), so gathering 300 rows took longer than storing them.
STORE_WAIT_SECONDS = 0.005
# Pending days recomputed between two groups at most, so a refresh never holds up the answers
# for long (a flush or stop recomputes all of them).
DAY_REFRESH_STEP = 500


# --- stations as the receiver knows them ------------------------------------------------------


@dataclass
class Device:
    """A station with an MN, as cached in memory (refreshed from the database)."""

    info: StationInfo
    mn: str
    pw_hash: str
    codes: dict[str, int]  # lower-case code → column of POLLUTANT_FIELDS
    factors: np.ndarray  # (6,) multipliers
    last_ts: int | None  # newest stored reading (start of its interval)
    crc: str = codec.CRC_STANDARD  # the CRC variant accepted from it


def device_of(station: Station, last_ts: int | None) -> Device:
    column = {p: j for j, p in enumerate(POLLUTANT_FIELDS)}
    codes = {code.lower(): column[p] for code, p in STANDARD_CODES.items()}
    for code, pollutant in (station.device_codes or {}).items():
        if pollutant in column:
            codes[str(code).lower()] = column[pollutant]
    factors = np.ones(NCOL)
    for pollutant, factor in (station.device_factors or {}).items():
        if pollutant in column and isinstance(factor, int | float) and math.isfinite(factor):
            factors[column[pollutant]] = float(factor)
    crc = station.crc_variant if station.crc_variant in codec.CRC_VARIANTS else "hj212"
    return Device(
        StationInfo.of(station), str(station.mn), station.pw_hash, codes, factors, last_ts, crc
    )


def load_devices() -> dict[str, Device]:
    """Every active station with an MN (runs in a thread, never on the loop)."""
    close_old_connections()
    try:
        stations = Station.objects.filter(active=True, mn__isnull=False).exclude(mn="")
        last = dict(stations.filter(state__isnull=False).values_list("pk", "state__last_ts"))
        devices = {str(s.mn): device_of(s, last.get(s.pk)) for s in stations}
        factor_hooks.refresh()  # the MNs the apps above watch (sources' monitors)
        return devices
    finally:
        connection.close()


# Refused packets kept per device (the newest), each's raw bytes up to codec.RAW_KEEP.
KEEP_FAULTS = 5


# --- device status ----------------------------------------------------------------------------


@dataclass
class DeviceStats:
    """What the loop knows of a station's device since the last status write (deltas)."""

    connections: int = 0
    peer: str = ""
    connected_at: dt.datetime | None = None
    disconnected_at: dt.datetime | None = None
    last_packet_at: dt.datetime | None = None
    packets: int = 0
    answered: int = 0
    rejections: Counter[str] = field(default_factory=Counter)
    variants: Counter[str] = field(default_factory=Counter)
    untracked: Counter[str] = field(default_factory=Counter)
    faults: list[dict[str, str]] = field(default_factory=list)
    clock: ClockCounter = field(default_factory=ClockCounter)  # QN regularity (hj212/clock.py)
    dirty: bool = False

    def snapshot(self) -> dict[str, Any]:
        snap = {
            "connected": self.connections > 0,
            "peer": self.peer,
            "connected_at": self.connected_at,
            "disconnected_at": self.disconnected_at,
            "last_packet_at": self.last_packet_at,
            "packets": self.packets,
            "answered": self.answered,
            "rejections": dict(self.rejections),
            "variants": dict(self.variants),
            "untracked": dict(self.untracked),
            "faults": self.faults,
            "clock": self.clock.take(),
        }
        self.packets = self.answered = 0
        self.rejections = Counter()
        self.variants = Counter()
        self.untracked = Counter()
        self.faults = []
        self.dirty = False
        return snap


STATUS_FIELDS = (
    "connected",
    "peer",
    "connected_at",
    "disconnected_at",
    "last_packet_at",
    "packets",
    "answered",
    "rejections",
    "variants",
    "untracked",
    "faults",
    "clock",
    "updated_at",
)
STATUS_UPDATE = (  # the field names are ours
    'UPDATE "air_device_status" SET '  # noqa: S608
    + ", ".join(f'"{name}" = %s' for name in STATUS_FIELDS)
    + ' WHERE "station_id" = %s'
)


def _add_counts(stored: dict[str, int] | None, delta: dict[str, int]) -> dict[str, int]:
    merged = dict(stored or {})
    for key, n in delta.items():
        merged[key] = merged.get(key, 0) + n
    return merged


def _status_values(row: DeviceStatus, snap: dict[str, Any], now: dt.datetime) -> list[Any]:
    """The row's fields (STATUS_FIELDS) with the loop's delta added, in database form."""
    row.connected = snap["connected"]
    row.peer = snap["peer"][:64] or row.peer
    for name in ("connected_at", "disconnected_at", "last_packet_at"):
        if snap[name] is not None:
            setattr(row, name, snap[name])
    row.packets += snap["packets"]
    row.answered += snap["answered"]
    row.rejections = _add_counts(row.rejections, snap["rejections"])
    for name in ("variants", "untracked"):
        setattr(row, name, _add_counts(getattr(row, name), snap.get(name, {})))
    if snap.get("faults"):
        row.faults = [*(row.faults or []), *snap["faults"]][-KEEP_FAULTS:]
    if snap.get("clock"):
        row.clock = merge_clock(row.clock, snap["clock"])
    row.updated_at = now
    fields = {f.name: f for f in DeviceStatus._meta.concrete_fields}
    return [fields[name].get_db_prep_save(getattr(row, name), connection) for name in STATUS_FIELDS]


def write_status(snapshots: dict[int, dict[str, Any]]) -> None:
    """Add the loop's deltas to the DeviceStatus rows (runs in a thread). Every receiver adds
    to the same rows: the missing ones are made first (a row another receiver makes at the
    same moment is kept) and all are locked in station order while added to, so no receiver's
    delta is lost to another's write. The rows are written with one UPDATE run for all
    stations (a save() per station cost a receiver of 2,000 devices a sixth of its time)."""
    close_old_connections()
    try:
        with transaction.atomic():
            ids = set(Station.objects.filter(pk__in=list(snapshots)).values_list("pk", flat=True))
            have = set(
                DeviceStatus.objects.filter(station_id__in=ids).values_list("station_id", flat=True)
            )
            DeviceStatus.objects.bulk_create(
                [DeviceStatus(station_id=sid) for sid in sorted(ids - have)], ignore_conflicts=True
            )
            locked = DeviceStatus.objects.select_for_update().filter(station_id__in=ids)
            rows = {d.station_id: d for d in locked.order_by("station_id")}
            now = dj_timezone.now()
            params = [
                [*_status_values(rows[sid], snapshots[sid], now), sid]
                for sid in sorted(ids)
                if sid in rows
            ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    STATUS_UPDATE,
                    params,
                )
    finally:
        connection.close()


def close_thread_connection() -> None:
    """Close the calling thread's database connection (`connection` is per thread: the
    attribute must be looked up in the thread that owns it)."""
    connection.close()


def mark_disconnected(stale_after: float | None = None) -> int:
    """Devices shown connected that are not: all of them (`stale_after` None: no receiver
    runs but this one, at its start or stop), or those whose last packet is older than
    `stale_after` seconds — a receiver closes a connection idle for GRIDGOV_HJ212_IDLE_SECONDS
    and writes a packet's time within GRIDGOV_HJ212_STATUS_SECONDS, so an older one was left
    by a receiver that was killed (another receiver, still running, keeps its own)."""
    now = dt.datetime.now(dt.UTC)
    close_old_connections()
    try:
        rows = DeviceStatus.objects.filter(connected=True)
        if stale_after is not None:
            cutoff = now - dt.timedelta(seconds=stale_after)
            rows = rows.filter(Q(last_packet_at__lt=cutoff) | Q(last_packet_at__isnull=True))
        return rows.update(connected=False, disconnected_at=now)
    finally:
        connection.close()


# --- the store thread -------------------------------------------------------------------------


@dataclass
class Row:
    """One reading to store, and the packets to answer once it is committed."""

    station: Device
    ts: int
    values: np.ndarray  # (6,)
    device: np.ndarray  # (6,) flag bits
    waiters: list[tuple[Connection, codec.Packet]]
    wind: np.ndarray = field(default_factory=lambda: np.full(2, np.nan))  # (wd, ws)
    # "" a new reading; "replace"/"merge" a late interval's correction (hj212/corrections.py),
    # `count` its late values per pollutant.
    mode: str = ""
    count: np.ndarray | None = None
    # The factors beside the six (code → (value, flag letter)): air/factors.py, stored by
    # factor_store.save in the row's transaction. A row with no pollutant value is stored
    # that way only (no reading).
    factors: Factors | None = None

    @property
    def info(self) -> StationInfo:
        return self.station.info

    @property
    def factors_only(self) -> bool:
        return bool(np.isnan(self.values).all())


_STOP = object()


class _Refresh:
    """A request to the store thread: recompute the pending days now (Receiver.flush)."""

    def __init__(self) -> None:
        self.done = threading.Event()


class Store:
    """One committer thread: rows merged into one Batch per ingestion; outcomes back to the
    loop through `deliver` (row, None when stored or already stored, else the reason).

    With `day_refresh` seconds > 0 (GRIDGOV_DAY_REFRESH_SECONDS) the batches defer their days
    (ingest's defer_days) and this thread runs `aggregate.refresh_pending_days` when it starts,
    at most that many seconds after a batch (between batches, or while idle), on request
    (`refresh_days`) and when it stops. The thread keeps its database connection from batch to
    batch (reconnecting cost a batch 2–6 ms on SQLite, whose CONN_MAX_AGE is 0); a connection
    that failed is closed where it failed."""

    def __init__(
        self,
        deliver: Callable[[list[tuple[Row, str | None]]], None],
        day_refresh: float | None = None,
    ) -> None:
        self.deliver = deliver
        self.queue: queue.Queue[Any] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.day_refresh = (
            settings.GRIDGOV_DAY_REFRESH_SECONDS if day_refresh is None else day_refresh
        )
        self._next_days = 0.0  # time.monotonic() of the next refresh of pending days
        self._dirty = True  # batches stored since the last refresh (or not yet refreshed)
        # Stations of this thread's batches since its last refresh: the periodic refresh takes
        # their marks only (another receiver refreshes its own); start, stop and requests take all.
        self._stations: set[int] = set()

    @property
    def defer_days(self) -> bool:
        return self.day_refresh > 0

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="gridgov-hj212-store", daemon=True)
        self.thread.start()

    def put(self, row: Row) -> None:
        self.queue.put(row)

    def refresh_days(self, timeout: float = 60) -> None:
        """Have the thread recompute every pending day now; returns when it has (or timeout)."""
        if not self.defer_days or self.thread is None or not self.thread.is_alive():
            return
        request = _Refresh()
        self.queue.put(request)
        request.done.wait(timeout)

    def stop(self, timeout: float = 30) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.queue.put(_STOP)
            self.thread.join(timeout)
        self.thread = None

    def _run(self) -> None:
        try:
            self._refresh_days()  # what a receiver killed before its refresh left pending
            while True:
                try:
                    first = self.queue.get(timeout=self._until_refresh())
                except queue.Empty:
                    self._refresh_days(DAY_REFRESH_STEP)
                    continue
                if first is _STOP:
                    return
                requests = []
                group: list[Row] = []
                if isinstance(first, _Refresh):
                    requests.append(first)
                else:
                    group.append(first)
                stopping = False
                if group:
                    time.sleep(STORE_WAIT_SECONDS)
                while group and len(group) < STORE_GROUP:
                    try:
                        nxt = self.queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP:
                        stopping = True
                        break
                    if isinstance(nxt, _Refresh):
                        requests.append(nxt)
                    else:
                        group.append(nxt)
                if group:
                    self._stations.update(r.info.id for r in group)
                    self.deliver(self._store(group))
                    self._dirty = True
                if requests:
                    self._refresh_days()
                elif self.defer_days and time.monotonic() >= self._next_days:
                    self._refresh_days(DAY_REFRESH_STEP)
                for request in requests:
                    request.done.set()
                if stopping:
                    return
        finally:
            self._refresh_days()
            connection.close()

    def _until_refresh(self) -> float | None:
        """How long the idle thread may wait for rows before pending days are due."""
        if not self.defer_days or not self._dirty:
            return None
        return max(self._next_days - time.monotonic(), 0.0)

    def _refresh_days(self, step: int | None = None) -> None:
        """Recompute pending days: all of them, or — periodically — `step` at most of this
        thread's stations (then, if that many were pending, the rest follows after the next
        group, the refresh staying due)."""
        if not self.defer_days:
            return
        try:
            if step is None:
                done = aggregate.refresh_pending_days()
            else:
                done = aggregate.refresh_pending_days(step, sorted(self._stations))
        except Exception:
            log.exception("recomputing pending days failed; they stay pending")
            connection.close()
            self._next_days = time.monotonic() + self.day_refresh
            return
        if step is None or done < step:
            self._next_days = time.monotonic() + self.day_refresh
            self._dirty = False
            self._stations.clear()

    def _store(self, group: list[Row]) -> list[tuple[Row, str | None]]:
        try:
            return commit_rows(group, defer_days=self.defer_days)
        except Exception:
            log.exception("storing %d rows failed; storing them one by one", len(group))
            connection.close()
        outcomes: list[tuple[Row, str | None]] = []
        for row in group:
            close_old_connections()
            try:
                outcomes.extend(commit_rows([row], defer_days=self.defer_days))
            except Exception:
                log.exception("storing the reading of station %s failed", row.info.code)
                connection.close()
                outcomes.append((row, "store_error"))
        return outcomes


def _wind_of(group: list[Row]) -> np.ndarray | None:
    """The rows' (wd, ws), or None when no row has wind (the ingestion skips the upsert)."""
    winds = np.array([r.wind for r in group], dtype=float).reshape(len(group), 2)
    return winds if np.isfinite(winds).any() else None


def commit_rows(group: list[Row], *, defer_days: bool = False) -> list[tuple[Row, str | None]]:
    """One ingestion for the rows, and their other factors, in one transaction; each row's
    outcome (None: stored now or before). With defer_days their days are left pending (the
    store thread's refresh recomputes them). A row with other factors only is checked for its
    time (on the station's interval, not in the future) and stored as factors, with its wind
    as the station's latest."""
    with transaction.atomic():
        only = [r for r in group if r.factors_only]
        outcomes = _commit_readings([r for r in group if not r.factors_only], defer_days)
        outcomes += [(r, _time_refused(r)) for r in only]
        factor_store.save(
            (r.info.id, r.ts, r.info.interval, r.factors)
            for r, reason in outcomes
            if reason is None and r.factors
        )
        _save_wind([r for r, reason in outcomes if reason is None and r.factors_only])
    return outcomes


def _time_refused(row: Row, now: float | None = None) -> str | None:
    now = time.time() if now is None else now
    off = row.ts % (max(row.info.interval, 1) * 60) != 0
    if off or row.ts > now + FUTURE_SLACK_SECONDS or row.ts < EARLIEST_TS:
        return "refused_time"
    return None


def _save_wind(rows: list[Row]) -> None:
    """The latest wind of factor-only rows (those with pollutants: ingest's)."""
    rows = sorted((r for r in rows if np.isfinite(r.wind).any()), key=lambda r: (r.info.id, r.ts))
    if rows:
        wind.save_latest(
            np.array([r.info.id for r in rows], dtype=np.int64),
            np.array([r.ts for r in rows], dtype=np.int64),
            np.array([r.wind for r in rows], dtype=float).reshape(len(rows), 2),
        )


def _commit_readings(group: list[Row], defer_days: bool) -> list[tuple[Row, str | None]]:
    """Corrections of late real-time intervals update their stored readings after the group's
    new rows are stored (a correction may follow its reading in the same group)."""
    if not group:
        return []
    late = [r for r in group if r.mode]
    if late:
        fresh = [r for r in group if not r.mode]
        outcomes = _commit_readings(fresh, defer_days) if fresh else []
        missing = corrections.apply(late, defer_days=defer_days)
        if missing:  # nothing stored for these intervals yet: ordinary new readings
            for row in missing:
                row.mode = ""
            outcomes += _commit_readings(missing, defer_days)
        missing_ids = {id(r) for r in missing}
        return outcomes + [(r, None) for r in late if id(r) not in missing_ids]
    n = len(group)
    batch = Batch(
        np.array([r.info.id for r in group], dtype=np.int64),
        np.array([r.ts for r in group], dtype=np.int64),
        np.array([r.values for r in group], dtype=float).reshape(n, NCOL),
        np.zeros((n, NCOL), bool),
        np.arange(n, dtype=np.int64),
        np.array([r.device for r in group], dtype=np.int16).reshape(n, NCOL),
        _wind_of(group),
    )
    infos = {r.info.id: r.info for r in group}
    result = ingest(batch, infos, reject_all_on_error=False, defer_days=defer_days)
    refused: dict[int, str] = {}
    for error in result.errors:
        refused.setdefault(error.row, "refused_time" if error.field == "time" else "refused_value")
    return [(row, refused.get(i)) for i, row in enumerate(group)]
