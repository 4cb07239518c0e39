"""Device control, the receiver's loop side (a mixin of Receiver): which connection each device
is on, the commands sent and awaiting answers, the devices' clocks.

- Every packet of a known device with its right password links the device to its connection,
  with the PW and system code (ST) it uses: a command goes out on that connection, with them.
- Every GRIDGOV_HJ212_COMMAND_SECONDS the database thread polls (hj212/commands.py): the
  answers and notices gathered since are written, and the queued commands of linked devices
  come back claimed, to be written here (CN=1012 …, Flag=5) and remembered by (station, QN).
- A device's answers are matched by station and QN: 9011 (QnRtn), an upload of the value asked
  for (CN=1011 SystemTime, 1061 RtdInterval, 1063 MinInterval) and 9012 (ExeRtn). While a
  history request is open, the station's data packets within its range are counted.
- A device's clock: the QN of its data packets (when it made them), or without a QN a
  real-time packet's DataTime, against the receiver's. Off by more than
  GRIDGOV_HJ212_CLOCK_TOLERANCE in CLOCK_STRIKES packets running → an automatic time sync is
  queued (logged like any command), at most once per GRIDGOV_HJ212_CLOCK_SYNC_MINUTES per
  device (also checked in the database, so a restarted receiver does not ask again). A re-sent
  packet keeps its old QN, so one late QN alone says little; two in a row from a device whose
  clock is right are rare (a logger emptying its buffer after an outage), and harmless: it is
  set to the time it already has.
- Restart notices (CN=2081, answered 9013 by the receiver) are logged on the device.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from gridgov.air.device_models import CommandKind, CommandState
from gridgov.air.hj212 import codec, commands
from gridgov.air.hj212.store import log
from gridgov.air.models import CST, StationKind

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import ThreadPoolExecutor

    from gridgov.air.hj212.connection import Connection
    from gridgov.air.hj212.store import Device

UPLOAD_CN = {"1011": "SystemTime", "1061": "RtdInterval", "1063": "MinInterval"}
CLOCK_STRIKES = 2  # packets running with the clock off before a sync is queued
MAX_OPS = 50_000  # kept for the next poll when one fails


@dataclass
class Link:
    conn: Connection
    mn: str
    pw: str
    st: str


@dataclass
class Inflight:
    kind: str
    deadline: float  # monotonic
    begin: int | None = None
    end: int | None = None
    received: int = 0


class Control:
    """The receiver's device control (see the module's docstring)."""

    counters: Counter[str]
    clock: Callable[[], float]
    store_enabled: bool
    _loop: asyncio.AbstractEventLoop | None
    _db: ThreadPoolExecutor

    def init_control(self) -> None:
        s = settings
        self.command_seconds = float(s.GRIDGOV_HJ212_COMMAND_SECONDS)
        self.clock_tolerance = float(s.GRIDGOV_HJ212_CLOCK_TOLERANCE)
        self.clock_sync_seconds = float(s.GRIDGOV_HJ212_CLOCK_SYNC_MINUTES) * 60
        self.links: dict[int, Link] = {}
        self.inflight: dict[tuple[int, str], Inflight] = {}
        self.histories: dict[int, Inflight] = {}  # station → its open history request
        self.command_ops: list[commands.Op] = []
        self.clock_strikes: dict[int, int] = {}
        self.clock_synced: dict[int, float] = {}  # station → when a sync was last queued
        self._polling = False
        self._next_poll = 0.0

    # --- links ---

    def link(self, conn: Connection, device: Device, packet: codec.Packet) -> None:
        sid = device.info.id
        old = self.links.get(sid)
        st = packet.st if packet.st in ("22", "31") else None
        if old is not None and old.conn is conn and old.pw == packet.pw and st in (None, old.st):
            return
        if st is None:
            st = old.st if old else ("31" if device.info.kind == StationKind.EMISSION else "22")
        self.links[sid] = Link(conn, device.mn, packet.pw, st)

    def unlink(self, conn: Connection) -> None:
        for sid in conn.stations:
            link = self.links.get(sid)
            if link is not None and link.conn is conn:
                del self.links[sid]

    # --- what devices send ---

    def device_answer(self, device: Device, packet: codec.Packet) -> None:
        """A device's 9011 or 9012 (ST=91) to a command of ours (others are ignored)."""
        key = (device.info.id, packet.qn)
        flight = self.inflight.get(key)
        if flight is None or packet.cn not in ("9011", "9012"):
            return
        self.counters["command_answers"] += 1
        items = _items(packet)
        if packet.cn == "9011":
            rtn = _number(items.get("QnRtn"))
            self._op("answer", device, qn=packet.qn, qn_rtn=rtn)
            if rtn is not None and rtn != 1:  # refused: no 9012 follows
                self._done(key, flight)
            return
        answer = {"received": flight.received} if flight.kind == CommandKind.HISTORY else None
        self._op(
            "answer", device, qn=packet.qn, exe_rtn=_number(items.get("ExeRtn")), answer=answer
        )
        self._done(key, flight)

    def device_upload(self, conn: Connection, device: Device, packet: codec.Packet) -> None:
        """A device's upload of what a command asked for (CN=1011, 1061, 1063)."""
        if packet.wants_answer:
            conn.write(codec.answer_9014(packet))
        if (device.info.id, packet.qn) not in self.inflight:
            return
        self.counters["command_answers"] += 1
        items = _items(packet)
        name = UPLOAD_CN[packet.cn]
        answer: dict[str, Any] = {name: items.get(name, "")}
        if name == "SystemTime":
            try:
                device_time = codec.parse_stamp(items.get(name, "")).timestamp()
                answer["offset_seconds"] = round(device_time - self.clock(), 1)
            except codec.FrameError:
                pass
        elif answer[name].isdigit():
            answer[name] = int(answer[name])
        self._op("answer", device, qn=packet.qn, answer=answer)

    def notice(self, device: Device, packet: codec.Packet) -> None:
        """A restart notice (CN=2081): logged on the device (the receiver answers it)."""
        if not self.store_enabled:
            return
        items = _items(packet)
        self._op(
            "log",
            device,
            kind=CommandKind.RESTART,
            cn=packet.cn,
            qn=packet.qn,
            state=CommandState.DONE,
            answer={"RestartTime": items.get("RestartTime", "")[:14]},
        )

    def data_seen(self, device: Device, packet: codec.Packet, ts: int) -> None:
        """A data packet: counted for an open history request, and its clock checked."""
        sid = device.info.id
        flight = self.histories.get(sid)
        if flight is not None and flight.begin is not None and flight.end is not None:
            flight.received += flight.begin <= ts <= flight.end
        if not self.store_enabled:
            return
        if packet.qn:
            device_time = codec.qn_time(packet.qn)
        else:  # a 2005-era header: only a real-time packet's DataTime tells the time
            device_time = float(ts) if packet.cn == "2011" else None
        if device_time is None:
            return
        now = self.clock()
        offset = device_time - now
        if abs(offset) <= self.clock_tolerance:
            self.clock_strikes.pop(sid, None)
            return
        strikes = self.clock_strikes[sid] = self.clock_strikes.get(sid, 0) + 1
        last = self.clock_synced.get(sid)
        if strikes < CLOCK_STRIKES or (last is not None and now - last < self.clock_sync_seconds):
            return
        self.clock_synced[sid] = now
        del self.clock_strikes[sid]
        self.counters["clock_syncs"] += 1
        self._op("auto_sync", device, offset=round(offset, 1))

    def history_asked(
        self, device: Device, cn: str, qn: str, begin: dt.datetime, end: dt.datetime
    ) -> None:
        """The receiver asked a reconnected device for what it missed: logged like a command."""
        if not self.store_enabled:
            return
        params = {
            "begin": begin.astimezone(CST).isoformat(),
            "end": end.astimezone(CST).isoformat(),
        }
        seconds = float(settings.GRIDGOV_HJ212_COMMAND_ANSWER_SECONDS)
        seconds += (end - begin).total_seconds() / (60 * max(device.info.interval, 1)) / 10
        flight = Inflight(
            CommandKind.HISTORY,
            time.monotonic() + seconds,
            int(begin.timestamp()),
            int(end.timestamp()),
        )
        self.inflight[(device.info.id, qn)] = self.histories[device.info.id] = flight
        at = dt.datetime.now(dt.UTC)
        self._op(
            "log",
            device,
            kind=CommandKind.HISTORY,
            params=params,
            cn=cn,
            qn=qn,
            state=CommandState.SENT,
            answer_by=at + dt.timedelta(seconds=seconds),
            note="asked after a reconnection",
        )

    # --- polling and sending ---

    def control_tick(self, mono: float) -> None:
        if not self.store_enabled or self._polling or mono < self._next_poll:
            return
        self._next_poll = mono + self.command_seconds
        for key, flight in list(self.inflight.items()):
            if mono > flight.deadline:
                self._done(key, flight)
        ops, self.command_ops = self.command_ops, []
        online = {sid for sid, link in self.links.items() if link.conn.open}
        loop = self._loop
        assert loop is not None
        self._polling = True
        loop.run_in_executor(self._db, commands.poll, online, ops).add_done_callback(
            lambda f: loop.call_soon_threadsafe(self._polled, f, ops)
        )

    def _polled(self, future: Any, ops: list[commands.Op]) -> None:
        self._polling = False
        try:
            claimed: list[commands.Outgoing] = future.result()
        except Exception:
            log.exception("device control: polling the commands failed")
            if len(self.command_ops) + len(ops) <= MAX_OPS:
                self.command_ops[:0] = ops
            return
        for out in claimed:
            self._send(out)

    def _send(self, out: commands.Outgoing) -> None:
        link = self.links.get(out.station_id)
        if link is None or not link.conn.open:
            self.command_ops.append({"op": "requeue", "id": out.id})
            return
        link.conn.write(codec.request(link.mn, link.pw, out.cn, out.cp, st=link.st, qn=out.qn))
        flight = Inflight(out.kind, time.monotonic() + out.answer_seconds, out.begin, out.end)
        self.inflight[(out.station_id, out.qn)] = flight
        if out.kind == CommandKind.HISTORY:
            self.histories[out.station_id] = flight
        self.counters["commands_sent"] += 1

    async def flush_commands(self) -> None:
        """Write what the devices answered (tests, and when the receiver stops)."""
        if not self.store_enabled:
            return
        deadline = time.monotonic() + 10
        while self._polling and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        ops, self.command_ops = self.command_ops, []
        if ops:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._db, commands.poll, (), ops, False)

    # --- helpers ---

    def _op(self, op: str, device: Device, **fields: Any) -> None:
        self.command_ops.append(
            {"op": op, "station": device.info.id, "at": dt.datetime.now(dt.UTC), **fields}
        )

    def _done(self, key: tuple[int, str], flight: Inflight) -> None:
        self.inflight.pop(key, None)
        if self.histories.get(key[0]) is flight:
            del self.histories[key[0]]


def _items(packet: codec.Packet) -> dict[str, str]:
    try:
        return packet.items()
    except codec.FrameError:
        return {}


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) <= 5 else None
