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
ended (plus a grace period); a late one corrects its stored interval (hj212/realtime.py). Minute
(2051) and hourly (2061) data are stored as they come, at the station's interval only (hourly
data for hourly stations, minute data for the others). Every factor beside the six pollutants
(meteorology, TSP, noise, VOCs, unknown codes) is stored with its flag as a series of its own
(air/factors.py, factor_store.py) in the batch's transaction; a packet with only such factors
is stored that way and answered once committed (its codes still counted on the device as not
tracked by a rule); a notice (CN=2081) gets its notice answer (CN=9013). Tolerant in what it
accepts: HJ/T 212-2005 headers (no QN, no Flag; a packet without QN is answered the 2005 way),
both length conventions, data segments up to GRIDGOV_HJ212_MAX_PACKET (9,999) bytes, and per
station a CRC variant (Modbus, byte-swapped) and an empty password — each counted on the
device. Faulty packets (length, CRC, unknown MN, wrong
PW, malformed) are dropped unanswered and counted by reason, on the device whose MN they carry
with their raw bytes (hj212/accounting.py); GRIDGOV_HJ212_MAX_FAULTS of them in a row close the
connection. Every packet read, whatever its outcome, is also appended with its exact bytes to
the day's raw packet archive by a thread of its own (hj212/archive.py, GRIDGOV_PACKET_ARCHIVE_DIR).
After a device (re)connects it is asked once (CN=2051, or 2061 for an hourly
station) for the intervals it missed since its newest stored reading, up to
GRIDGOV_HJ212_BACKFILL_HOURS back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import math
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings

from gridgov.air import factor_hooks, packet_archive
from gridgov.air.hj212 import codec, commands, service
from gridgov.air.hj212.accounting import Accounting
from gridgov.air.hj212.archive import ArchiveWriter
from gridgov.air.hj212.connection import Connection, Interval, Split
from gridgov.air.hj212.control import UPLOAD_CN, Control
from gridgov.air.hj212.devices import check_password
from gridgov.air.hj212.fairness import Fairness, parse_networks
from gridgov.air.hj212.packets import read_data
from gridgov.air.hj212.peers import Elsewhere, others_alive, peers_from_settings, safely
from gridgov.air.hj212.realtime import RealTime
from gridgov.air.hj212.store import (
    DeviceStats,
    Row,
    Store,
    close_thread_connection,
    load_devices,
    log,
    mark_disconnected,
    write_status,
)
from gridgov.air.models import CST, StationKind

if TYPE_CHECKING:
    from gridgov.air.factors import Factors
    from gridgov.air.hj212.store import Device

# System codes (ST): 22 ambient air (空气质量监测), 31 air pollution sources (大气环境污染源);
# a station's packets must carry its own: 31 from emission monitors, 22 from the others.
DATA_ST = ("22", "31")
EMISSION_ST = "31"
DATA_CN = ("2011", "2051", "2061")
NOTICE_CN = ("2081",)  # notices (restart time…), answered with the notice answer CN=9013
ANSWER_CN = ("9011", "9012", "9013", "9014")  # a device's answers to our requests
MAX_SPLIT_PARTS = 100
MAX_OPEN_SPLITS = 10_000


# --- the receiver -----------------------------------------------------------------------------


class Receiver(Accounting, RealTime, Control):
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
        self.late_seconds = s.GRIDGOV_HJ212_LATE_SECONDS
        self.split_seconds = s.GRIDGOV_HJ212_SPLIT_SECONDS
        self.refresh_seconds = s.GRIDGOV_HJ212_REFRESH_SECONDS
        self.status_seconds = s.GRIDGOV_HJ212_STATUS_SECONDS
        self.backfill_seconds = s.GRIDGOV_HJ212_BACKFILL_HOURS * 3600
        self.clock: Callable[[], float] = time.time  # wall clock (epoch seconds)

        self.devices: dict[str, Device] = {}
        self.connections: set[Connection] = set()
        self.counters: Counter[str] = Counter()
        self.rejections: Counter[str] = Counter()
        self.stats: dict[int, DeviceStats] = {}
        self.intervals: dict[tuple[int, int], Interval] = {}
        self.committed: dict[tuple[int, int], Interval] = {}  # stored, kept for late packets
        self.splits: dict[tuple[str, str], Split] = {}
        self.started = time.monotonic()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._db = ThreadPoolExecutor(1, thread_name_prefix="gridgov-hj212-db")
        # The other receivers (REDIS_URL): their connections per address, whether any runs.
        self.peers = peers_from_settings()
        self._peer_thread = ThreadPoolExecutor(1, thread_name_prefix="gridgov-hj212-peers")
        self._publishing = False
        self._stations_revision: int | None = None  # peers.STATIONS_REVISION last seen
        # A device shown connected whose last packet is older is not (a killed receiver's).
        self.stale_after = self.idle_seconds + 2 * self.status_seconds
        self._store = Store(self._deliver)
        self._pending_rows = 0
        self._bound_port = 0
        self._refreshing = False
        self._writing_status = False
        self._next_refresh = 0.0
        self._next_status = 0.0
        self._next_stats = 0.0
        self.fairness = Fairness(self)  # connections per address, first packet, rate, store share
        # PROXY protocol (connection.py): the trusted proxies, the connections awaiting their
        # header, the headers read and refused by kind.
        self.proxy_from = parse_networks(list(s.GRIDGOV_HJ212_PROXY_PROTOCOL_FROM))
        self.proxy_seconds: float = s.GRIDGOV_HJ212_PROXY_PROTOCOL_SECONDS
        self.handshakes: set[Connection] = set()
        self.proxy_counts: Counter[str] = Counter()
        directory = s.GRIDGOV_PACKET_ARCHIVE_DIR
        name = s.GRIDGOV_HJ212_ARCHIVE_NAME
        self.archive = ArchiveWriter(directory, name) if directory is not None else None
        # The packet being handled: its outcome for the archive (set where it is decided).
        self.outcome: tuple[str, str] = ("accepted", "")
        self.outcome_mn: str | None = None
        self.init_control()  # device control: links, commands in flight, clocks (control.py)

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
        if self.archive is not None:
            if not self.archive.name:  # the host name and the port listened on: host-9212
                bound = int(self._server.sockets[0].getsockname()[1])
                self.archive.name = packet_archive.default_name(socket.gethostname(), bound)
            try:
                self.archive.start()  # refused when another live receiver has the same name
            except Exception:
                self._server.close()
                raise
        if self.store_enabled:
            self._store.start()
            # Alone: nothing is connected yet. With other receivers running: only what a
            # killed one left (theirs stay connected).
            others = await self._loop.run_in_executor(self._peer_thread, others_alive, self.peers)
            stale = self.stale_after if others else None
            await self._loop.run_in_executor(self._db, mark_disconnected, stale)
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
        for conn in [*self.connections, *self.handshakes]:
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
        others = False
        if self.peers is not None:  # the others stop counting this one's connections
            await loop.run_in_executor(self._peer_thread, safely, self.peers.leave)
            others = await loop.run_in_executor(self._peer_thread, others_alive, self.peers)
        self._peer_thread.shutdown(wait=False)
        if self.store_enabled:
            # Intervals still open are stored (unanswered: their connections are gone).
            for key in list(self.intervals):
                self._submit(self.intervals.pop(key).row())
            await loop.run_in_executor(None, self._store.stop)
            await self.flush_commands()
            snapshots = self._status_snapshots()
            if snapshots:
                await loop.run_in_executor(self._db, write_status, snapshots)
            if not others:  # its own devices were written disconnected with the snapshots
                await loop.run_in_executor(self._db, mark_disconnected, None)
        if self.archive is not None:
            await loop.run_in_executor(None, self.archive.stop)
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

    # --- connections ---

    def connection_made(self, conn: Connection) -> None:  # admitted by self.fairness
        conn.open = True
        self.connections.add(conn)
        self.counters["connections"] += 1

    def connection_lost(self, conn: Connection) -> None:
        if not conn.open:
            return
        conn.open = False
        self.connections.discard(conn)
        self.unlink(conn)
        now = dt.datetime.now(dt.UTC)
        for sid in conn.stations:
            stats = self._stats(sid)
            stats.connections = max(0, stats.connections - 1)
            if stats.connections == 0:
                stats.disconnected_at = now
            stats.dirty = True

    def is_proxy(self, address: str) -> bool:
        """Whether `address` is a trusted proxy's (GRIDGOV_HJ212_PROXY_PROTOCOL_FROM)."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.proxy_from)

    def proxy_refused(self, conn: Connection, reason: str, detail: str) -> None:
        """A trusted proxy's connection closed without a valid PROXY header: counted by reason,
        logged at the 1st, 10th, 100th … of each."""
        self.proxy_counts[f"refused_{reason}"] += 1
        n = self.proxy_counts[f"refused_{reason}"]
        if n == 10 ** (len(str(n)) - 1):
            log.warning(
                "HJ 212 port: connection from proxy %s closed: PROXY header %s (%s; %d so far)",
                conn.peer,
                reason,
                detail,
                n,
            )

    # --- packets ---

    def handle(self, conn: Connection, segment: bytes) -> None:
        self.counters["packets"] += 1
        archive = self.archive
        if archive is None:
            self._handle(conn, segment)
            return
        self.outcome, self.outcome_mn = ("accepted", ""), None
        try:
            self._handle(conn, segment)
        finally:
            outcome, reason = self.outcome
            archive.add(
                self.clock(), conn.peer, conn.reader.frame, self.outcome_mn, outcome, reason
            )

    def _handle(self, conn: Connection, segment: bytes) -> None:
        admitted = self._admit(conn, segment)
        if admitted is None:
            return
        packet, device = admitted
        factors: Factors = {}
        try:
            ts, values, flags, wind_now, untracked = read_data(packet, device, factors)
        except codec.FrameError as exc:
            if exc.reason == "no_values":
                self.count_rejection("no_values", device)
            else:
                reader = conn.reader
                self.fault(
                    conn, exc.reason, device, codec.reframe(segment, reader.crc, reader.length)
                )
            return
        conn.faults = 0
        self.data_seen(device, packet, ts)
        hourly = device.info.interval >= 60
        if (packet.cn == "2061") != hourly:
            self.count_rejection("not_interval", device)
            return
        if untracked:
            self.count_untracked(device, untracked)
        if np.isnan(values).all():  # only other factors (or wind): stored as factors only
            self.counters["untracked_only"] += 1
            if not factors:  # nothing storable (status texts): answered, as before
                self._answer([(conn, packet)], device)
                if factor_hooks.wanted(device.mn):
                    factor_hooks.publish(device.mn, packet.cn, packet.items())
                return
        if not self.store_enabled:
            self._answer([(conn, packet)], device)
            return
        if device.mn not in conn.asked:
            conn.asked.add(device.mn)
            self._ask_missed(conn, device, packet)
        if packet.cn == "2011":
            self._accumulate(conn, device, packet, ts, values, flags, wind_now, factors or None)
        else:
            self._submit(
                Row(device, ts, values, flags, [(conn, packet)], wind_now, factors=factors or None)
            )

    def _admit(self, conn: Connection, segment: bytes) -> tuple[codec.Packet, Device] | None:
        """A segment's data packet and its device: the frame parsed, the device known, its
        password right, the system and command codes ours, a split packet whole. Else None,
        with the fault or the rejection counted (a device's answer is counted too)."""
        reader = conn.reader
        crc, length = reader.crc, reader.length
        try:
            packet = codec.parse_segment(segment)
        except codec.FrameError as exc:
            self.fault(conn, exc.reason, raw=codec.reframe(segment, crc, length))
            return None
        self.outcome_mn = packet.mn
        device = self.devices.get(packet.mn)
        if device is None:
            self.fault(conn, "unknown_mn")
            return None
        if crc is not codec.CRC_STANDARD and crc != device.crc:
            # A CRC variant the station is not set for.
            self.fault(conn, "crc", device, codec.reframe(segment, crc, length))
            return None
        key = (packet.mn, packet.pw, device.pw_hash)
        if key not in conn.verified:
            if not check_password(packet.pw, device.pw_hash):
                self.fault(conn, "wrong_pw", device, codec.reframe(segment, crc, length))
                return None
            conn.verified.add(key)
        self._seen(conn, device)
        self.link(conn, device, packet)
        if (
            crc is not codec.CRC_STANDARD
            or length is not codec.LENGTH_STANDARD
            or not packet.qn
            or not packet.pw
            or "Flag" not in packet.fields
        ):
            self.count_variants(device, packet, crc, length)
        if packet.st == "91" and packet.cn in ANSWER_CN:
            conn.faults = 0
            self.counters["device_answers"] += 1
            self.outcome = ("device_answer", "")
            self.device_answer(device, packet)
            return None
        if packet.cn in NOTICE_CN:
            conn.faults = 0
            self.counters["notices"] += 1
            self.outcome = ("notice", "")
            if packet.wants_answer:
                conn.write(codec.answer_9014(packet, cn="9013"))
            self.notice(device, packet)
            return None
        if packet.cn in UPLOAD_CN:  # a device uploads a value a command asked for
            conn.faults = 0
            self.outcome = ("upload", "")
            self.device_upload(conn, device, packet)
            return None
        if packet.st not in DATA_ST or packet.cn not in DATA_CN:
            self.count_rejection("unsupported", device)
            return None
        if (packet.st == EMISSION_ST) != (device.info.kind == StationKind.EMISSION):
            self.count_rejection("wrong_st", device)
            return None
        if packet.flag & codec.FLAG_SPLIT:
            if packet.pnum is None or packet.pno is None or packet.pnum > MAX_SPLIT_PARTS:
                self.fault(conn, "malformed", device)
                return None
            whole = self._reassemble(packet)
            if whole is None:
                conn.faults = 0
                if self.outcome[0] == "accepted":
                    self.outcome = ("split_part", "")
                return None
            packet = whole
        self.count_clock(device, packet.qn)
        return packet, device

    def _seen(self, conn: Connection, device: Device) -> None:
        self.fairness.identified(conn)
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
        return split.whole()

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
        since, until = dt.datetime.fromtimestamp(begin, CST), dt.datetime.fromtimestamp(end, CST)
        qn = commands.next_qn()
        conn.write(codec.history_request(device.mn, packet.pw, since, until, packet.st, cn, qn))
        self.history_asked(device, cn, qn, since, until)  # logged like a command
        self.counters["backfill_requests"] += 1

    def _submit(self, row: Row) -> None:
        self._pending_rows += 1
        self.fairness.submitted(row)
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
            self.fairness.committed(row)
            device = self.devices.get(row.station.mn) or row.station
            if reason is None:
                self.counters["rows_stored"] += 1
                if row.factors_only:
                    self.counters["factor_rows_stored"] += 1
                elif device.last_ts is None or row.ts > device.last_ts:
                    device.last_ts = row.ts
                self._answer(row.waiters, device)
                if factor_hooks.wanted(device.mn):  # the sources' monitors, …
                    for _conn, packet in row.waiters:
                        factor_hooks.publish(device.mn, packet.cn, packet.items())
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
        self._close_intervals(now)
        for split_key, split in list(self.splits.items()):
            if mono - split.started > self.split_seconds:
                del self.splits[split_key]
                device = self.devices.get(split_key[0])
                self.count_rejection("split_timeout", device)
        for conn in list(self.connections):
            if mono - conn.last_activity > self.idle_seconds:
                self.counters["closed_idle"] += 1
                conn.close()
        self.fairness.tick(mono)
        self.control_tick(mono)
        if self.archive is not None:
            self.archive.tick()
        assert self._loop is not None
        if self.peers is not None and not self._publishing:
            self._publish(mono)
        if mono >= self._next_refresh and not self._refreshing:
            self._next_refresh = mono + self.refresh_seconds
            self._refreshing = True
            if self.store_enabled:
                self._loop.run_in_executor(self._db, mark_disconnected, self.stale_after)
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

    def _publish(self, mono: float) -> None:
        """Tell the other receivers this one's connections per address and cooling addresses;
        take theirs (hj212/peers.py), off the loop."""
        assert self._loop is not None and self.peers is not None
        wall = time.time()
        cooling = {a: wall + (u - mono) for a, u in self.fairness.cooling.items() if u > mono}
        self._publishing = True
        loop = self._loop
        loop.run_in_executor(
            self._peer_thread,
            safely,
            self.peers.publish,
            dict(self.fairness.open_by_address),
            cooling,
        ).add_done_callback(lambda f: _call_soon(loop, self._published, f))

    def _published(self, future: Any) -> None:
        self._publishing = False
        seen = None if future.cancelled() else future.result()
        self.fairness.elsewhere = seen if isinstance(seen, Elsewhere) else Elsewhere()
        if isinstance(seen, Elsewhere):
            if self._stations_revision not in (None, seen.stations_revision):
                self._next_refresh = 0.0  # a station changed somewhere: re-read them now
            self._stations_revision = seen.stations_revision

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
        elif self._writing_status:  # a periodic write took the deltas: wait behind it (one thread)
            assert self._loop is not None
            await self._loop.run_in_executor(self._db, time.sleep, 0)
        await self.flush_commands()
        if self.archive is not None:  # the packets read so far are on disk and checkpointed
            await asyncio.get_running_loop().run_in_executor(None, self.archive.flush)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile
        loop.call_soon_threadsafe(callback, *args)


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(receiver: Receiver) -> None:
    """Run until SIGINT/SIGTERM, on uvloop when it is installed."""

    def started(loop: asyncio.AbstractEventLoop) -> None:
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

    async def stop() -> None:
        await receiver.stop()
        receiver.emit(json.dumps(receiver.summary(), ensure_ascii=False))

    service.run_until_signalled(receiver.start, started, stop)
