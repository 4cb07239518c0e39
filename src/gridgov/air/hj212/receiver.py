"""The HJ 212-2017 receiver: devices' TCP connections in, readings into the batch pipeline.

One asyncio loop (uvloop where it is installed) holds every connection. Each connection cuts its
byte stream into packets (codec.FrameReader), checks the device (MN known, PW right: verified
once per connection and password), turns the data area into one row of the six pollutants
(the station's code aliases and unit factors applied, the device's `-Flag` letters kept as flag
bits) and hands the row to the store thread. The loop itself never touches the database:

- the **store thread** merges every row that arrived meanwhile into one Batch and runs the
  ordinary ingestion path once (`ingest(…, reject_all_on_error=False)`: validation, hourly
  aggregates, station state, alarms → work orders), then hands each row's outcome back to
  the loop, which answers the packets of stored rows (CN=9014, same QN). An answer therefore
  means "committed"; a re-sent packet is a duplicate that changes nothing and is answered again;
  a row that ingestion refuses (off the interval, in the future …) is counted and not answered.
  The daily rows and months of the touched station-days are marked pending in the batch's
  transaction and recomputed by the same thread every GRIDGOV_DAY_REFRESH_SECONDS (10), when it
  starts (what a receiver killed before its refresh left) and when it stops or is flushed:
  recomputing a station's whole day on each of its one-minute batches was most of a batch's
  cost. Daily figures therefore lag the readings by at most that long; hourly ones and alarms
  do not.
- a **database thread** re-reads the stations (MN, password hash, codes, factors, newest stored
  reading) every GRIDGOV_HJ212_REFRESH_SECONDS and writes the devices' status (DeviceStatus)
  every GRIDGOV_HJ212_STATUS_SECONDS.

Real-time data (CN=2011) are averaged per station and interval and stored when the interval has
ended (plus a grace period); minute (2051) and hourly (2061) data are stored as they come, at the
station's interval only (hourly data for hourly stations, minute data for the others). Faulty
packets (length, CRC, unknown MN, wrong PW, malformed) are dropped unanswered and counted by
reason; GRIDGOV_HJ212_MAX_FAULTS of them in a row close the connection. After a device
(re)connects it is asked once (CN=2051, or 2061 for an hourly station) for the intervals it
missed since its newest stored reading, up to GRIDGOV_HJ212_BACKFILL_HOURS back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from gridgov.air import aggregate, wind
from gridgov.air.hj212 import codec
from gridgov.air.hj212.devices import STANDARD_CODES, check_password
from gridgov.air.ingest import FUTURE_SLACK_SECONDS, Batch, StationInfo, ingest
from gridgov.air.models import CST, POLLUTANT_FIELDS, DeviceStatus, Flag, Station, StationKind

log = logging.getLogger("gridgov.hj212")

NCOL = len(POLLUTANT_FIELDS)
# System codes (ST): 22 ambient air (空气质量监测), 31 air pollution sources (大气环境污染源);
# a station's packets must carry its own: 31 from emission monitors, 22 from the others.
DATA_ST = ("22", "31")
EMISSION_ST = "31"
# HJ 212-2017 meteorological codes: wind direction (°, where it comes from) and speed (m/s).
WIND_CODES = {"a01008": wind.WD, "a01007": wind.WS}
DATA_CN = ("2011", "2051", "2061")
ANSWER_CN = ("9011", "9012", "9013", "9014")  # a device's answers to our requests
MAX_SPLIT_PARTS = 100
MAX_OPEN_SPLITS = 10_000
MAX_ITEM_KEY = 40
MAX_ITEM_VALUE = 32
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
    return Device(
        StationInfo.of(station), str(station.mn), station.pw_hash, codes, factors, last_ts
    )


def load_devices() -> dict[str, Device]:
    """Every active station with an MN (runs in a thread, never on the loop)."""
    close_old_connections()
    try:
        stations = Station.objects.filter(active=True, mn__isnull=False).exclude(mn="")
        last = dict(stations.filter(state__isnull=False).values_list("pk", "state__last_ts"))
        return {str(s.mn): device_of(s, last.get(s.pk)) for s in stations}
    finally:
        connection.close()


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
    rejections: Counter = field(default_factory=Counter)
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
        }
        self.packets = self.answered = 0
        self.rejections = Counter()
        self.dirty = False
        return snap


def write_status(snapshots: dict[int, dict[str, Any]]) -> None:
    """Add the loop's deltas to the DeviceStatus rows (runs in a thread)."""
    close_old_connections()
    try:
        with transaction.atomic():
            ids = set(Station.objects.filter(pk__in=list(snapshots)).values_list("pk", flat=True))
            rows = {d.station_id: d for d in DeviceStatus.objects.filter(station_id__in=ids)}
            for sid, snap in snapshots.items():
                if sid not in ids:
                    continue
                row = rows.get(sid) or DeviceStatus(station_id=sid)
                row.connected = snap["connected"]
                row.peer = snap["peer"][:64] or row.peer
                for name in ("connected_at", "disconnected_at", "last_packet_at"):
                    if snap[name] is not None:
                        setattr(row, name, snap[name])
                row.packets += snap["packets"]
                row.answered += snap["answered"]
                rejections = dict(row.rejections or {})
                for reason, n in snap["rejections"].items():
                    rejections[reason] = rejections.get(reason, 0) + n
                row.rejections = rejections
                row.save()
    finally:
        connection.close()


def close_thread_connection() -> None:
    """Close the calling thread's database connection (`connection` is per thread: the
    attribute must be looked up in the thread that owns it)."""
    connection.close()


def mark_all_disconnected() -> None:
    """At start and stop: no device is connected to a receiver that is not running."""
    close_old_connections()
    try:
        DeviceStatus.objects.filter(connected=True).update(
            connected=False, disconnected_at=dt.datetime.now(dt.UTC)
        )
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

    @property
    def info(self) -> StationInfo:
        return self.station.info


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
        """Recompute pending days: all of them, or `step` at most (then, if that many were
        pending, the rest follows after the next group, the refresh staying due)."""
        if not self.defer_days:
            return
        try:
            done = aggregate.refresh_pending_days(step)
        except Exception:
            log.exception("recomputing pending days failed; they stay pending")
            connection.close()
            self._next_days = time.monotonic() + self.day_refresh
            return
        if step is None or done < step:
            self._next_days = time.monotonic() + self.day_refresh
            self._dirty = False

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
    """One ingestion for the rows; each row's outcome (None: stored now or before). With
    defer_days their days are left pending (the store thread's refresh recomputes them)."""
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


# --- connections ------------------------------------------------------------------------------


class Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.transport: asyncio.Transport | None = None
        self.reader = codec.FrameReader(receiver.max_packet)
        self.peer = ""
        self.open = False
        self.faults = 0
        self.tokens = float(receiver.burst)
        self.refilled = time.monotonic()
        self.last_activity = self.refilled
        self.verified: set[tuple[str, str, str]] = set()  # (MN, PW, stored hash)
        self.stations: set[int] = set()
        self.asked: set[str] = set()  # MNs asked for their missed data on this connection

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or "")
        self.receiver.connection_made(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.receiver.connection_lost(self)

    def data_received(self, data: bytes) -> None:
        self.last_activity = time.monotonic()
        receiver = self.receiver
        transport = self.transport
        for item in self.reader.feed(data):
            if not self.open or transport is None or transport.is_closing():
                return
            if isinstance(item, codec.FrameError):
                receiver.fault(self, item.reason)
                continue
            if not self._take_token():
                receiver.count_rejection("rate")
                continue
            receiver.handle(self, item)
        if len(self.reader.buffer) > receiver.read_buffer:
            receiver.count_rejection("buffer")
            self.close()

    def eof_received(self) -> bool | None:
        return None  # close our side too

    # helpers
    def _take_token(self) -> bool:
        now = time.monotonic()
        rate = self.receiver.rate
        self.tokens = min(self.receiver.burst, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing() or not self.open:
            return
        transport.write(data)
        if transport.get_write_buffer_size() > self.receiver.read_buffer:
            self.receiver.count_rejection("slow_reader")
            transport.abort()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


# --- real-time accumulation and split packets ------------------------------------------------


@dataclass
class Interval:
    """Real-time values of one station and interval: valid values and flagged ones apart."""

    device: Device
    ts: int
    closes_at: float
    ok_sum: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    ok_n: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    bad_sum: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    bad_n: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    bad_flag: np.ndarray = field(default_factory=lambda: np.zeros(NCOL, np.int64))
    waiters: list[tuple[Connection, codec.Packet]] = field(default_factory=list)
    wind: np.ndarray = field(default_factory=lambda: np.full(2, np.nan))

    def add(
        self, values: np.ndarray, flags: np.ndarray, wind_now: np.ndarray | None = None
    ) -> None:
        if wind_now is not None and np.isfinite(wind_now[wind.WD]):
            self.wind = wind_now  # the interval's latest direction (and its speed)
        present = ~np.isnan(values)
        ok = present & (flags == 0)
        bad = present & (flags != 0)
        self.ok_sum[ok] += values[ok]
        self.ok_n[ok] += 1
        self.bad_sum[bad] += values[bad]
        self.bad_n[bad] += 1
        self.bad_flag[bad] = flags[bad]

    def row(self) -> Row:
        """The interval's mean: of the valid values where there are any, else of the flagged
        ones (keeping the device's flag)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            ok_mean = self.ok_sum / self.ok_n
            bad_mean = self.bad_sum / self.bad_n
        use_ok = self.ok_n > 0
        values = np.where(use_ok, ok_mean, np.where(self.bad_n > 0, bad_mean, np.nan))
        flags = np.where(use_ok, 0, np.where(self.bad_n > 0, self.bad_flag, 0))
        return Row(self.device, self.ts, values, flags.astype(np.int16), self.waiters, self.wind)


@dataclass
class Split:
    pnum: int
    started: float
    parts: dict[int, codec.Packet] = field(default_factory=dict)


# --- the receiver -----------------------------------------------------------------------------


class Receiver:
    """The HJ 212 TCP service. `await start()`, then `await stop()` (or `serve_forever()`)."""

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        *,
        store: bool = True,
        stats_every: float = 0,
        emit: Callable[[str], None] | None = None,
        tick: float = 0.5,
    ) -> None:
        s = settings
        self.host = s.GRIDGOV_HJ212_HOST if host is None else host
        self.requested_port = s.GRIDGOV_HJ212_PORT if port is None else port
        self.store_enabled = store
        self.stats_every = stats_every
        self.emit = emit or _print_line
        self.tick = tick
        self.max_packet = s.GRIDGOV_HJ212_MAX_PACKET
        self.max_connections = s.GRIDGOV_HJ212_MAX_CONNECTIONS
        self.rate = s.GRIDGOV_HJ212_RATE
        self.burst = s.GRIDGOV_HJ212_BURST
        self.idle_seconds = s.GRIDGOV_HJ212_IDLE_SECONDS
        self.read_buffer = s.GRIDGOV_HJ212_READ_BUFFER
        self.max_faults = s.GRIDGOV_HJ212_MAX_FAULTS
        self.grace = s.GRIDGOV_HJ212_GRACE_SECONDS
        self.split_seconds = s.GRIDGOV_HJ212_SPLIT_SECONDS
        self.refresh_seconds = s.GRIDGOV_HJ212_REFRESH_SECONDS
        self.status_seconds = s.GRIDGOV_HJ212_STATUS_SECONDS
        self.backfill_seconds = s.GRIDGOV_HJ212_BACKFILL_HOURS * 3600
        self.clock: Callable[[], float] = time.time  # wall clock (epoch seconds)

        self.devices: dict[str, Device] = {}
        self.connections: set[Connection] = set()
        self.counters: Counter = Counter()
        self.rejections: Counter = Counter()
        self.stats: dict[int, DeviceStats] = {}
        self.intervals: dict[tuple[int, int], Interval] = {}
        self.splits: dict[tuple[str, str], Split] = {}
        self.started = time.monotonic()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task | None = None
        self._db = ThreadPoolExecutor(1, thread_name_prefix="gridgov-hj212-db")
        self._store = Store(self._deliver)
        self._pending_rows = 0
        self._bound_port = 0
        self._refreshing = False
        self._writing_status = False
        self._next_refresh = 0.0
        self._next_status = 0.0
        self._next_stats = 0.0

    # --- life cycle ---

    @property
    def port(self) -> int:
        return self._bound_port or self.requested_port

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.devices = await self._loop.run_in_executor(self._db, load_devices)
        # Listen first: a second receiver that cannot bind must not touch the first's status.
        self._server = await self._loop.create_server(
            lambda: Connection(self), self.host, self.requested_port, backlog=1024
        )
        if self.store_enabled:
            self._store.start()
            await self._loop.run_in_executor(self._db, mark_all_disconnected)
        self._bound_port = int(self._server.sockets[0].getsockname()[1])
        now = time.monotonic()
        self._next_refresh = now + self.refresh_seconds
        self._next_status = now + self.status_seconds
        self._next_stats = now + self.stats_every if self.stats_every else math.inf
        self._ticker = asyncio.create_task(self._tick_loop())
        log.info("HJ 212 receiver on %s:%s (%d devices)", self.host, self.port, len(self.devices))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn.close()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        loop = asyncio.get_running_loop()
        if self.store_enabled:
            # Intervals still open are stored (unanswered: their connections are gone).
            for key in list(self.intervals):
                self._submit(self.intervals.pop(key).row())
            await loop.run_in_executor(None, self._store.stop)
            snapshots = self._status_snapshots()
            if snapshots:
                await loop.run_in_executor(self._db, write_status, snapshots)
            await loop.run_in_executor(self._db, mark_all_disconnected)
        # The database thread's connection must not outlive the receiver (a test database, a
        # PostgreSQL session left open by a stopped service).
        await loop.run_in_executor(self._db, close_thread_connection)
        self._db.shutdown(wait=True)

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    # --- counters ---

    def count_rejection(self, reason: str, device: Device | None = None) -> None:
        self.rejections[reason] += 1
        if device is not None:
            stats = self._stats(device.info.id)
            stats.rejections[reason] += 1
            stats.dirty = True

    def summary(self) -> dict[str, Any]:
        return {
            "event": "hj212_stats",
            "time": dt.datetime.now(CST).isoformat(timespec="seconds"),
            "uptime": round(time.monotonic() - self.started, 1),
            "port": self.port,
            "store": self.store_enabled,
            "open": len(self.connections),
            "devices": len(self.devices),
            **{k: self.counters[k] for k in COUNTER_NAMES},
            "pending": self._pending_rows,
            "rejected": dict(sorted(self.rejections.items())),
        }

    def _stats(self, sid: int) -> DeviceStats:
        stats = self.stats.get(sid)
        if stats is None:
            stats = self.stats[sid] = DeviceStats()
        return stats

    # --- connections ---

    def connection_made(self, conn: Connection) -> None:
        if len(self.connections) >= self.max_connections:
            self.counters["refused"] += 1
            assert conn.transport is not None
            conn.transport.abort()
            return
        conn.open = True
        self.connections.add(conn)
        self.counters["connections"] += 1

    def connection_lost(self, conn: Connection) -> None:
        if not conn.open:
            return
        conn.open = False
        self.connections.discard(conn)
        now = dt.datetime.now(dt.UTC)
        for sid in conn.stations:
            stats = self._stats(sid)
            stats.connections = max(0, stats.connections - 1)
            if stats.connections == 0:
                stats.disconnected_at = now
            stats.dirty = True

    def fault(self, conn: Connection, reason: str, device: Device | None = None) -> None:
        """A packet that is dropped unanswered; too many in a row close the connection."""
        self.count_rejection(reason, device)
        conn.faults += 1
        if conn.faults >= self.max_faults:
            self.counters["closed_faults"] += 1
            conn.close()

    # --- packets ---

    def handle(self, conn: Connection, segment: bytes) -> None:
        self.counters["packets"] += 1
        try:
            packet = codec.parse_segment(segment)
        except codec.FrameError as exc:
            self.fault(conn, exc.reason)
            return
        device = self.devices.get(packet.mn)
        if device is None:
            self.fault(conn, "unknown_mn")
            return
        key = (packet.mn, packet.pw, device.pw_hash)
        if key not in conn.verified:
            if not check_password(packet.pw, device.pw_hash):
                self.fault(conn, "wrong_pw", device)
                return
            conn.verified.add(key)
        self._seen(conn, device)
        if packet.st == "91" and packet.cn in ANSWER_CN:
            conn.faults = 0
            self.counters["device_answers"] += 1
            return
        if packet.st not in DATA_ST or packet.cn not in DATA_CN:
            self.count_rejection("unsupported", device)
            return
        if (packet.st == EMISSION_ST) != (device.info.kind == StationKind.EMISSION):
            self.count_rejection("wrong_st", device)
            return
        if packet.flag & codec.FLAG_SPLIT:
            if packet.pnum is None or packet.pno is None or packet.pnum > MAX_SPLIT_PARTS:
                self.fault(conn, "malformed", device)
                return
            whole = self._reassemble(packet)
            if whole is None:
                conn.faults = 0
                return
            packet = whole
        try:
            ts, values, flags, wind_now = read_data(packet, device)
        except codec.FrameError as exc:
            if exc.reason == "no_values":
                self.count_rejection("no_values", device)
            else:
                self.fault(conn, exc.reason, device)
            return
        conn.faults = 0
        hourly = device.info.interval >= 60
        if (packet.cn == "2061") != hourly:
            self.count_rejection("not_interval", device)
            return
        if not self.store_enabled:
            self._answer([(conn, packet)], device)
            return
        if device.mn not in conn.asked:
            conn.asked.add(device.mn)
            self._ask_missed(conn, device, packet)
        if packet.cn == "2011":
            if ts > self.clock() + FUTURE_SLACK_SECONDS:  # never held open in memory
                self.count_rejection("refused_time", device)
                return
            step = device.info.interval * 60
            start = ts - ts % step
            acc = self.intervals.get((device.info.id, start))
            if acc is None:
                acc = Interval(device, start, start + step + self.grace)
                self.intervals[(device.info.id, start)] = acc
            acc.add(values, flags, wind_now)
            acc.waiters.append((conn, packet))
        else:
            self._submit(Row(device, ts, values, flags, [(conn, packet)], wind_now))

    def _seen(self, conn: Connection, device: Device) -> None:
        stats = self._stats(device.info.id)
        now = dt.datetime.now(dt.UTC)
        if device.info.id not in conn.stations:
            conn.stations.add(device.info.id)
            stats.connections += 1
            stats.connected_at = now
            stats.peer = conn.peer
        stats.last_packet_at = now
        stats.packets += 1
        stats.dirty = True

    def _reassemble(self, packet: codec.Packet) -> codec.Packet | None:
        key = (packet.mn, packet.qn)
        split = self.splits.get(key)
        if split is None:
            if len(self.splits) >= MAX_OPEN_SPLITS:
                self.count_rejection("split_overflow")
                return None
            split = self.splits[key] = Split(int(packet.pnum or 0), time.monotonic())
        split.parts[int(packet.pno or 0)] = packet
        if len(split.parts) < split.pnum:
            return None
        del self.splits[key]
        parts = [split.parts[i] for i in sorted(split.parts)]
        first = parts[0]
        return codec.Packet(
            qn=first.qn,
            st=first.st,
            cn=first.cn,
            pw=first.pw,
            mn=first.mn,
            flag=(first.flag & ~codec.FLAG_SPLIT)
            | (codec.FLAG_ANSWER if any(p.wants_answer for p in parts) else 0),
            cp=";".join(p.cp for p in parts if p.cp),
            fields=first.fields,
        )

    def _ask_missed(self, conn: Connection, device: Device, packet: codec.Packet) -> None:
        """Ask a device that has just (re)connected for the intervals it missed."""
        last = device.last_ts
        if last is None:
            return
        step = device.info.interval * 60
        now = self.clock()
        begin = last + step
        end = int(now - now % step) - step  # the newest interval that has ended
        gap = now - last
        if gap <= step or gap > self.backfill_seconds or end < begin:
            return
        cn = "2061" if device.info.interval >= 60 else "2051"
        conn.write(
            codec.history_request(
                device.mn,
                packet.pw,
                dt.datetime.fromtimestamp(begin, CST),
                dt.datetime.fromtimestamp(end, CST),
                st=packet.st,
                cn=cn,
            )
        )
        self.counters["backfill_requests"] += 1

    def _submit(self, row: Row) -> None:
        self._pending_rows += 1
        self._store.put(row)

    def _answer(self, waiters: list[tuple[Connection, codec.Packet]], device: Device) -> None:
        stats = self._stats(device.info.id)
        for conn, packet in waiters:
            if packet.wants_answer and conn.open:
                conn.write(codec.answer_9014(packet))
                self.counters["answered"] += 1
                stats.answered += 1
                stats.dirty = True

    # --- from the store thread ---

    def _deliver(self, outcomes: list[tuple[Row, str | None]]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop has just closed
            loop.call_soon_threadsafe(self._committed, outcomes)

    def _committed(self, outcomes: list[tuple[Row, str | None]]) -> None:
        self._pending_rows -= len(outcomes)
        for row, reason in outcomes:
            device = self.devices.get(row.station.mn) or row.station
            if reason is None:
                self.counters["rows_stored"] += 1
                if device.last_ts is None or row.ts > device.last_ts:
                    device.last_ts = row.ts
                self._answer(row.waiters, device)
            else:
                for _ in row.waiters:
                    self.count_rejection(reason, device)

    # --- periodic work ---

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            try:
                self._tick()
            except Exception:
                log.exception("HJ 212 receiver tick failed")

    def _tick(self) -> None:
        now = self.clock()
        mono = time.monotonic()
        for key, acc in list(self.intervals.items()):
            if now >= acc.closes_at:
                del self.intervals[key]
                self._submit(acc.row())
        for split_key, split in list(self.splits.items()):
            if mono - split.started > self.split_seconds:
                del self.splits[split_key]
                device = self.devices.get(split_key[0])
                self.count_rejection("split_timeout", device)
        for conn in list(self.connections):
            if mono - conn.last_activity > self.idle_seconds:
                self.counters["closed_idle"] += 1
                conn.close()
        assert self._loop is not None
        if mono >= self._next_refresh and not self._refreshing:
            self._next_refresh = mono + self.refresh_seconds
            self._refreshing = True
            self._loop.run_in_executor(self._db, load_devices).add_done_callback(
                lambda f: self._loop.call_soon_threadsafe(self._refreshed, f)  # type: ignore[union-attr]
            )
        if self.store_enabled and mono >= self._next_status and not self._writing_status:
            self._next_status = mono + self.status_seconds
            snapshots = self._status_snapshots()
            if snapshots:
                self._writing_status = True
                self._loop.run_in_executor(self._db, write_status, snapshots).add_done_callback(
                    lambda f: self._loop.call_soon_threadsafe(self._status_written, f)  # type: ignore[union-attr]
                )
        if mono >= self._next_stats:
            self._next_stats = mono + self.stats_every
            self.emit(json.dumps(self.summary(), ensure_ascii=False))

    def _refreshed(self, future: Any) -> None:
        self._refreshing = False
        try:
            fresh: dict[str, Device] = future.result()
        except Exception:
            log.exception("re-reading the stations failed; keeping the old list")
            return
        for mn, device in fresh.items():
            old = self.devices.get(mn)
            if (
                old is not None
                and old.last_ts is not None
                and (device.last_ts is None or old.last_ts > device.last_ts)
            ):
                device.last_ts = old.last_ts
        self.devices = fresh

    def _status_written(self, future: Any) -> None:
        self._writing_status = False
        try:
            future.result()
        except Exception:
            log.exception("writing device status failed")

    def _status_snapshots(self) -> dict[int, dict[str, Any]]:
        return {sid: s.snapshot() for sid, s in self.stats.items() if s.dirty}

    async def flush(self, timeout: float = 10) -> None:
        """Tests and the command's shutdown: wait until every queued row has been answered, its
        days recomputed and the device status written."""
        deadline = time.monotonic() + timeout
        while self._pending_rows and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self.store_enabled:  # the daily rows catch up with what was answered
            await asyncio.get_running_loop().run_in_executor(None, self._store.refresh_days)
        snapshots = self._status_snapshots() if self.store_enabled else {}
        if snapshots:
            assert self._loop is not None
            await self._loop.run_in_executor(self._db, write_status, snapshots)


COUNTER_NAMES = (
    "connections",
    "refused",
    "packets",
    "answered",
    "rows_stored",
    "device_answers",
    "backfill_requests",
    "closed_faults",
    "closed_idle",
)


def read_data(
    packet: codec.Packet, device: Device
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The data area → (ts, values, device flag bits, wind) in POLLUTANT_FIELDS order, with the
    station's codes and unit factors; FrameError("data_area") or ("no_values"). Wind (a01008
    direction, a01007 speed) is (wd, ws), NaN where absent or out of range (never an error)."""
    items = packet.items()
    stamp = items.get("DataTime")
    if stamp is None:
        raise codec.FrameError("data_area", "no DataTime")
    ts = int(codec.parse_stamp(stamp).timestamp())
    suffix = "Rtd" if packet.cn == "2011" else "Avg"
    values = np.full(NCOL, np.nan)
    flags = np.zeros(NCOL, np.int16)
    wind_now = np.full(2, np.nan)
    for key, text in items.items():
        if len(key) > MAX_ITEM_KEY or len(text) > MAX_ITEM_VALUE:
            raise codec.FrameError("data_area", f"item {key[:MAX_ITEM_KEY]!r} too long")
        code, dash, kind = key.rpartition("-")
        if not dash:
            continue
        j = device.codes.get(code.lower())
        if j is None:
            w = WIND_CODES.get(code.lower())
            if w is not None and kind == suffix:
                try:
                    number = float(text)
                except ValueError:
                    continue  # a wind value that is no number is not used
                cleaned = wind.clean_direction if w == wind.WD else wind.clean_speed
                wind_now[w] = cleaned(number)
            continue
        if kind == suffix:
            try:
                number = float(text)
            except ValueError:
                raise codec.FrameError("data_area", f"{key}={text!r} is not a number") from None
            if not math.isfinite(number):
                raise codec.FrameError("data_area", f"{key} is not a finite number")
            values[j] = number * device.factors[j]
        elif kind == "Flag":
            if len(text) > 1:
                raise codec.FrameError("data_area", f"{key}={text!r} is not a flag letter")
            flags[j] = Flag.device_code(text)
    present = ~np.isnan(values)
    if not present.any():
        raise codec.FrameError("no_values", "none of the six pollutants")
    flags[~present] = 0
    return ts, values, flags, wind_now


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(receiver: Receiver) -> None:
    """Run until SIGINT/SIGTERM, on uvloop when it is installed."""
    import signal

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await receiver.start()
        receiver.emit(
            json.dumps(
                {
                    "event": "hj212_listening",
                    "host": receiver.host,
                    "port": receiver.port,
                    "store": receiver.store_enabled,
                    "loop": type(loop).__module__,
                }
            )
        )
        try:
            await stop.wait()
        finally:
            await receiver.stop()
            receiver.emit(json.dumps(receiver.summary(), ensure_ascii=False))

    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
