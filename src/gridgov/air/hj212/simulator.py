"""An HJ 212-2017 device simulator: many data loggers, each on its own TCP connection.

Each simulated device (MN = prefix + number, one shared PW) opens a connection to the platform
and uploads minute data (``ST=22;CN=2051``, DataTime = the start of the minute, ``Flag=5``: answer
wanted), either in real time (each minute once it is over) or, from a given time, faster than
real time like a logger catching up after an outage: at ``rate`` packets/s, or as fast as the
answers allow with at most ``window`` unanswered packets. It behaves like a device:

* an unanswered packet is sent again, same QN and data, after ``timeout`` seconds (补发);
* a dropped or refused connection is reopened with exponential back-off (with jitter, so that a
  restarted platform is not hit by every device in the same millisecond), and what was
  unanswered is sent again first;
* a platform's history request (``CN=2051`` with BeginTime/EndTime) is answered the 2017 way:
  ``CN=9011`` (request answer), the minutes asked for, then ``CN=9012`` (execution result);
* the platform's commands are answered the same way (hj212/sim_control.py): its time (1011) and
  setting it (1012), its upload intervals (1061–1064); its clock may start off and drift;
* optionally real-time ``CN=2011`` packets (no answer wanted) and a few vendor quirks.

Values are a deterministic function of (device, minute): a re-sent or back-filled minute carries
exactly what was sent the first time. Every minute packet is recorded with the wall-clock time
it was first sent and when its answer came, so `Stats` can tell answered packets/s, the
packet → answer latency, the re-sends and which (MN, DataTime) the platform acknowledged.
Nothing here touches the database.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gridgov.air.hj212 import codec, sim_control
from gridgov.air.hj212.sim_config import Stats
from gridgov.air.models import CST

if TYPE_CHECKING:
    from gridgov.air.hj212.sim_config import Config

MINUTE = dt.timedelta(minutes=1)

# 2017 codes of the minute packet, in the order they are sent, and their 2005-era names.
CODES = ("a34004", "a34002", "a21026", "a21004", "a21005", "a05024")
CODES_2005 = {
    "a34004": "PM25",
    "a34002": "PM10",
    "a21026": "SO2",
    "a21004": "NO2",
    "a21005": "CO",
    "a05024": "O3",
}
# Quirks of real loggers, each optional (Config.quirks):
QUIRKS = {
    "codes2005": "2005-era code names (PM25, PM10, SO2, NO2, CO, O3) instead of a34004…",
    "ng": "particulates (PM2.5, PM10) in ng/m³ instead of µg/m³",
    "lowercrc": "the CRC in lower-case hexadecimal",
    "garbage": "a few bytes of modem noise before some packets",
    "chunked": "each packet written in two pieces, a moment apart",
    "split": "the data area split over two packets (Flag D, PNUM=2, PNO=1/2, same QN)",
    "header2005": "HJ/T 212-2005 headers: no QN and no Flag (answers matched oldest first)",
    "noflag": "a QN but no Flag in the header",
    "lengthcrc": "the length field counts the CRC and CR LF too (6 more)",
    "modbus": "the Modbus CRC instead of the standard's",
    "swapped": "the standard CRC with its two bytes swapped",
    "untracked": "factors the platform does not track beside the six (TSP, noise, VOCs)",
    "regularclock": "a faked clock: QNs exactly 60.000 s apart, every one at millisecond 000",
}
# Untracked factors the "untracked" quirk adds: TSP, noise (dB(A)), VOCs.
UNTRACKED = ("a34001", "LA", "a24088")
GARBAGE = b"\x00\xffAT+OK\r\n"


def minute_values(number: int, minute: dt.datetime, hot: bool = False) -> dict[str, float]:
    """The values device `number` measured in `minute` (µg/m³; CO mg/m³), always the same for
    the same device and minute. A hot device's PM2.5 is 150–250 (over every hourly threshold)."""
    seed = hashlib.blake2b(f"{number}:{int(minute.timestamp())}".encode(), digest_size=8).digest()
    r = [b / 255 for b in seed]
    pm25 = round((150 + 100 * r[0]) if hot else (20 + 70 * r[0]), 1)
    return {
        "a34004": pm25,
        "a34002": round(pm25 * 1.4 + 20 * r[1], 1),
        "a21026": round(5 + 15 * r[2], 1),
        "a21004": round(15 + 40 * r[3], 1),
        "a21005": round(0.4 + 1.2 * r[4], 3),
        "a05024": round(30 + 120 * r[5], 1),
    }


@dataclass
class _Pending:
    key: tuple[str, str]
    data: bytes
    first: float  # monotonic
    last: float  # monotonic
    tries: int = 1


class _Lost(Exception):
    """The connection is gone."""


class Device:
    def __init__(self, sim: Simulator, index: int) -> None:
        self.sim = sim
        self.cfg = sim.cfg
        self.stats = sim.stats
        self.index = index
        self.number = self.cfg.first + index
        self.mn = self.cfg.mn(index)
        self.hot = self.cfg.hot(index)
        self.quirks = self.cfg.quirks_of(index) if self.cfg.quirks_of else self.cfg.quirks
        start = self.cfg.start_of(index)
        self.catching_up = start is not None
        if start is None:  # real time: the minute now under way is sent once it is over
            start = dt.datetime.now(CST).replace(second=0, microsecond=0)
        self.first_minute = start  # the logger holds the minutes it made in this run
        self.next_minute: dt.datetime = start
        self.made = 0  # minute packets made from the schedule
        self.pending: collections.OrderedDict[str, _Pending] = collections.OrderedDict()
        # Minutes a history request asked for, then the QN of its 9012 (execution result).
        self.backfill: collections.deque[dt.datetime | str] = collections.deque()
        self.control: collections.deque[bytes] = collections.deque()  # 9011 answers
        self.wake = asyncio.Event()
        self.writer: asyncio.StreamWriter | None = None
        self.lost = False
        self.last_qn_ms = 0
        self.next_paced = 0.0
        self.next_rtd = time.monotonic()
        self.settings = sim_control.DeviceSettings(self.cfg)  # its clock and intervals
        self.rtd_seconds = self.cfg.rtd_seconds
        self.random = random.Random(self.number)  # noqa: S311 — timing jitter, not secrets

    # -------------------------------------------------------------------------- packets --

    def qn(self) -> str:
        """A QN (time to the ms) distinct from this device's previous one: the device's clock
        when it makes the packet (its milliseconds and spacing wander as a real logger's do),
        or with the "regularclock" quirk a script's: the device's clock at the first packet to
        the whole second, then 60.000 s more each time."""
        if "regularclock" in self.quirks:
            first = int(self.settings.clock.now()) * 1000
            ms = first if not self.last_qn_ms else self.last_qn_ms + 60_000
            self.last_qn_ms = ms
            return codec.qn_now(dt.datetime.fromtimestamp(ms / 1000, CST))
        ms = max(int(self.settings.clock.now() * 1000), self.last_qn_ms + 1)
        self.last_qn_ms = ms
        moment = dt.datetime.fromtimestamp(ms / 1000, CST)
        return codec.qn_now(moment)

    def data_area(self, minute: dt.datetime) -> list[str]:
        values = minute_values(self.number, minute, self.hot)
        quirks = self.quirks
        groups = []
        for code in CODES:
            value = values[code]
            if "ng" in quirks and code in ("a34004", "a34002"):
                value = round(value * 1000, 1)
            name = CODES_2005[code] if "codes2005" in quirks else code
            groups.append(f"{name}-Avg={value},{name}-Flag=N")
        if "untracked" in quirks:
            for k, code in enumerate(UNTRACKED):
                groups.append(f"{code}-Avg={values['a34002'] + 10 * k},{code}-Flag=N")
        return groups

    def _frame(self, segment: str) -> bytes:
        quirks = self.quirks
        crc = codec.CRC_STANDARD
        if "modbus" in quirks:
            crc = codec.CRC_MODBUS
        elif "swapped" in quirks:
            crc = codec.CRC_SWAPPED
        length = codec.LENGTH_WITH_CRC if "lengthcrc" in quirks else codec.LENGTH_STANDARD
        data = codec.frame(segment, crc=crc, length=length)
        if "lowercrc" in self.quirks:
            data = data[:-6] + data[-6:-2].lower() + data[-2:]
        return data

    def minute_packet(self, minute: dt.datetime, qn: str) -> bytes:
        stamp = codec.stamp(minute)
        groups = self.data_area(minute)
        cfg = self.cfg
        flag = codec.FLAG_V2017 | codec.FLAG_ANSWER
        if "split" in self.quirks:
            half = len(groups) // 2
            parts = [groups[:half], groups[half:]]
            return b"".join(
                self._frame(
                    codec.segment_text(
                        qn=qn,
                        st="22",
                        cn="2051",
                        pw=cfg.pw,
                        mn=self.mn,
                        flag=flag | codec.FLAG_SPLIT,
                        cp=";".join([f"DataTime={stamp}", *part]),
                        pnum=len(parts),
                        pno=k + 1,
                    )
                )
                for k, part in enumerate(parts)
            )
        cp = ";".join([f"DataTime={stamp}", *groups])
        v2005 = "header2005" in self.quirks
        return self._frame(
            codec.segment_text(
                qn=None if v2005 else qn,
                st="22",
                cn="2051",
                pw=cfg.pw,
                mn=self.mn,
                flag=None if v2005 or "noflag" in self.quirks else flag,
                cp=cp,
            )
        )

    def rtd_packet(self) -> bytes:
        now = dt.datetime.fromtimestamp(self.settings.clock.now(), CST).replace(microsecond=0)
        values = minute_values(self.number, now, self.hot)
        groups = [f"{c}-Rtd={values[c]},{c}-Flag=N" for c in CODES]
        cp = ";".join([f"DataTime={codec.stamp(now)}", *groups])
        return self._frame(
            codec.segment_text(
                qn=self.qn(), st="22", cn="2011", pw=self.cfg.pw, mn=self.mn, flag=4, cp=cp
            )
        )

    def reply(self, qn: str, cn: str, cp: str) -> bytes:
        return self._frame(
            codec.segment_text(qn=qn, st="91", cn=cn, pw=self.cfg.pw, mn=self.mn, flag=4, cp=cp)
        )

    def upload(self, qn: str, cn: str, cp: str) -> bytes:
        """The value a command asked for (CN=1011, 1061, 1063), with the command's QN."""
        return self._frame(
            codec.segment_text(qn=qn, st="22", cn=cn, pw=self.cfg.pw, mn=self.mn, flag=4, cp=cp)
        )

    async def write(self, data: bytes) -> None:
        writer = self.writer
        if writer is None or self.lost:
            raise _Lost
        quirks = self.quirks
        try:
            if "garbage" in quirks and self.random.random() < 0.2:
                writer.write(GARBAGE)
            if "chunked" in quirks and len(data) > 20:
                cut = self.random.randrange(1, len(data) - 1)
                writer.write(data[:cut])
                await writer.drain()
                await asyncio.sleep(0.01)
                writer.write(data[cut:])
            else:
                writer.write(data)
            await writer.drain()
        except (OSError, RuntimeError) as exc:
            raise _Lost from exc

    # --------------------------------------------------------------------- the schedule --

    def schedule_done(self) -> bool:
        cfg = self.cfg
        if cfg.minutes is not None and self.made >= cfg.minutes:
            return True
        return self.sim.stop_sending

    def next_ready_at(self, now: float) -> float | None:
        """Monotonic time when the next scheduled minute may go (None: nothing scheduled)."""
        if self.schedule_done():
            return None
        over = (self.next_minute + MINUTE).timestamp() - time.time()  # the minute must be over
        if over > 0:  # live: send it shortly after the minute ends (spread over 2 s)
            return now + over + (self.index % 200) / 100
        if self.cfg.rate:
            return max(now, self.next_paced)
        return now

    async def send_minute(self, minute: dt.datetime, backfill: bool) -> None:
        stats = self.stats
        key = (self.mn, codec.stamp(minute))
        qn = self.qn()
        data = self.minute_packet(minute, qn)
        now = time.monotonic()
        self.pending[qn] = _Pending(key, data, now, now)
        if key not in stats.first_sent:  # (a back-filled minute may have been sent before)
            stats.first_sent[key] = time.time()
            stats.sent += 1
        if backfill:
            stats.backfilled += 1
        await self.write(data)

    async def resend(self, qn: str, p: _Pending) -> None:
        cfg = self.cfg
        if cfg.retries is not None and p.tries > cfg.retries:
            del self.pending[qn]
            self.stats.given_up += 1
            return
        p.tries += 1
        p.last = time.monotonic()
        self.pending.move_to_end(qn)
        self.stats.resent += 1
        await self.write(p.data)

    # ---------------------------------------------------------------------- connection --

    async def run(self) -> None:
        cfg = self.cfg
        stats = self.stats
        delay = cfg.backoff
        if cfg.ramp and cfg.devices > 1:
            await asyncio.sleep(cfg.ramp * self.index / cfg.devices)
        self.next_paced = time.monotonic()
        while True:
            if self.finished():
                return
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(cfg.host, cfg.port), timeout=max(cfg.timeout, 5)
                )
            except (OSError, TimeoutError):
                stats.connect_failures += 1
                if self.sim.past_drain():
                    return
                await asyncio.sleep(delay * (0.5 + self.random.random()))
                delay = min(delay * 2, cfg.backoff_max)
                continue
            stats.connections += 1
            stats.connected += 1
            self.writer, self.lost = writer, False
            answered_before = stats.answered
            reading = asyncio.create_task(self.read(reader))
            try:
                await self.talk()
                return
            except _Lost:
                stats.drops += 1
            finally:
                stats.connected -= 1
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reading
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
                self.writer = None
            if self.finished() or self.sim.past_drain():
                return
            if stats.answered > answered_before:  # it worked for a while: start over
                delay = cfg.backoff
            await asyncio.sleep(delay * (0.5 + self.random.random()))
            delay = min(delay * 2, cfg.backoff_max)

    def finished(self) -> bool:
        return self.schedule_done() and not (self.pending or self.backfill or self.control)

    async def talk(self) -> None:
        """Send on one connection until the device is done; _Lost when the connection goes."""
        cfg = self.cfg
        for qn, p in list(self.pending.items()):  # what was unanswered, first
            await self.resend(qn, p)
        while True:
            if self.lost:
                raise _Lost
            now = time.monotonic()
            await self._resend_due(now)
            if self.rtd_seconds and now >= self.next_rtd and not self.schedule_done():
                self.next_rtd = now + self.rtd_seconds
                self.stats.rtd_sent += 1
                await self.write(self.rtd_packet())
            while self.control:
                await self.write(self.control.popleft())
            if len(self.pending) < cfg.window and await self._send_next(now):
                continue
            if self.finished():
                return
            if self.sim.past_drain():
                return
            await self._sleep(now)

    async def _resend_due(self, now: float) -> None:
        """Re-send what has waited past the timeout, oldest first."""
        while self.pending:
            qn, p = next(iter(self.pending.items()))
            if p.last + self.cfg.timeout > now:
                break
            await self.resend(qn, p)

    async def _send_next(self, now: float) -> bool:
        """A backfill item, else the next minute when it is due: True when one was sent."""
        cfg = self.cfg
        if self.backfill:
            item = self.backfill.popleft()
            if isinstance(item, str):  # the end of a history request: 9012
                await self.write(self.reply(item, "9012", "ExeRtn=1"))
            else:
                await self.send_minute(item, backfill=True)
            return True
        ready = self.next_ready_at(now)
        if ready is not None and ready <= now:
            minute = self.next_minute
            self.next_minute += MINUTE
            self.made += 1
            self.next_paced = max(self.next_paced + 1 / cfg.rate, now) if cfg.rate else 0
            await self.send_minute(minute, backfill=False)
            return True
        return False

    async def _sleep(self, now: float) -> None:
        """Sleep until an answer or request comes, a re-send falls due, or the next minute."""
        cfg = self.cfg
        wake_at = [now + 1.0]
        if self.pending:
            wake_at.append(next(iter(self.pending.values())).last + cfg.timeout)
        if len(self.pending) < cfg.window:
            ready = self.next_ready_at(now)
            if ready is not None:
                wake_at.append(ready)
        if self.rtd_seconds and not self.schedule_done():
            wake_at.append(self.next_rtd)
        wait = min(wake_at) - now
        if wait > 0:
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), wait)

    async def read(self, reader: asyncio.StreamReader) -> None:
        frames = codec.FrameReader()
        stats = self.stats
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for segment in frames.feed(data):
                    if isinstance(segment, codec.FrameError):
                        stats.frame_errors += 1
                        continue
                    try:
                        packet = codec.parse_segment(segment)
                    except codec.FrameError:
                        stats.frame_errors += 1
                        continue
                    if packet.cn == "9014":
                        self.answer(packet.qn)
                    elif packet.cn == "2051":
                        self.history(packet)
                    elif packet.cn in sim_control.COMMAND_CN:
                        self.control.extend(sim_control.handle(self, packet))
                        self.wake.set()
        except OSError:
            pass
        finally:
            self.lost = True
            self.wake.set()

    def answer(self, qn: str) -> None:
        stats = self.stats
        if not qn and self.pending:  # a 2005 answer (no QN): the oldest unanswered packet
            qn = next(iter(self.pending))
        p = self.pending.pop(qn, None)
        if p is None:
            stats.late_answers += 1
            return
        now = time.monotonic()
        if p.key in stats.answered_at:
            stats.late_answers += 1
        else:
            stats.answered_at[p.key] = time.time()
            stats.answered += 1
            stats.latencies.append(now - p.first)
            stats.last_try_latencies.append(now - p.last)
            stats.answer_clock.append(now)
        self.wake.set()

    def history(self, packet: codec.Packet) -> None:
        """A history request: 9011 now, the minutes it asks for (those this device holds: made
        in this run, up to the minute it is at), then 9012."""
        self.stats.history_requests += 1
        try:
            items = packet.items()
            begin = codec.parse_stamp(items.get("BeginTime", ""))
            end = codec.parse_stamp(items.get("EndTime", ""))
        except codec.FrameError:
            self.control.append(self.reply(packet.qn, "9011", "QnRtn=3"))  # bad request
            self.wake.set()
            return
        self.control.append(self.reply(packet.qn, "9011", "QnRtn=1"))
        minute = begin.replace(second=0) if begin.second == 0 else begin.replace(second=0) + MINUTE
        minute = max(minute, self.first_minute)
        while minute <= end and minute < self.next_minute:
            self.backfill.append(minute)
            minute += MINUTE
        self.backfill.append(packet.qn)
        self.wake.set()


class Simulator:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.stats = Stats(devices=cfg.devices)
        self.stop_sending = False
        self.drain_deadline: float | None = None
        self.devices = [Device(self, i) for i in range(cfg.devices)]

    def past_drain(self) -> bool:
        return self.drain_deadline is not None and time.monotonic() >= self.drain_deadline

    def stop(self) -> None:
        """No new minutes from now on; answers to what is out are awaited for `drain` s."""
        if not self.stop_sending:
            self.stop_sending = True
            self.stats.stopped_sending = time.monotonic()
            self.drain_deadline = time.monotonic() + self.cfg.drain
            for d in self.devices:
                d.wake.set()

    async def run(self, progress: Callable[[Stats], None] | None = None) -> Stats:
        cfg, stats = self.cfg, self.stats
        stats.started = time.monotonic()
        stats.all_started = stats.started + cfg.ramp
        tasks = [asyncio.create_task(d.run()) for d in self.devices]
        everything = asyncio.gather(*tasks)
        try:
            while not everything.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(everything), 1.0)
                now = time.monotonic()
                if cfg.seconds is not None and now - stats.started >= cfg.seconds:
                    self.stop()
                if all(d.schedule_done() for d in self.devices) and self.drain_deadline is None:
                    # Every device made its minutes: bound the wait for the rest.
                    stats.stopped_sending = stats.stopped_sending or now
                    self.drain_deadline = now + cfg.drain
                if progress is not None:
                    progress(stats)
            await everything
        finally:
            for t in tasks:
                t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.gather(*tasks, return_exceptions=True)
            stats.finished = time.monotonic()
            if not stats.stopped_sending:
                stats.stopped_sending = stats.finished
        return stats


async def run(config: Config, progress: Callable[[Stats], None] | None = None) -> Stats:
    """Run the devices until each has sent its minutes (or `seconds` are up) and had its
    answers (or `drain` seconds more are up)."""
    return await Simulator(config).run(progress)


def parse_quirks(text: str | Iterable[str]) -> frozenset[str]:
    names = text.split(",") if isinstance(text, str) else list(text)
    names = [n.strip() for n in names if n.strip()]
    unknown = [n for n in names if n not in QUIRKS]
    if unknown:
        raise ValueError(f"unknown quirk(s) {', '.join(unknown)}; known: {', '.join(QUIRKS)}")
    return frozenset(names)
