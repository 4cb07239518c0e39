"""One upper platform's connection for the forwarder (forwarder.py): its streams (a station's
data of one kind), the packets on their way, re-sends, the rate limit, answers and the cursor.
Never touches the database: the `Hub` (the Forwarder) does."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import random
import time
from collections import Counter
from typing import Any, Protocol

from gridgov.air.hj212 import codec
from gridgov.air.hj212.forward_store import Item, Link, Target
from gridgov.air.models import CST

MAX_RESEND_SECONDS = 300.0


class Hub(Protocol):
    """What a channel needs of the forwarder that runs it."""

    window: int
    link_window: int
    timeout: float
    batch: int
    backoff: float
    backoff_max: float
    tick: float
    stopping: bool
    draining: bool
    answered_total: int

    def changed(self, item: Item) -> None: ...

    def cursor_moved(self, stream: Stream) -> None: ...

    async def refill(self, channel: Channel) -> None: ...

    async def sleep(self, seconds: float) -> None: ...


class Stream:
    """One link's data of one kind: fetched items not yet sent, and the items between the
    cursor and the newest one sent (in interval order)."""

    def __init__(self, link: Link, kind: str, cursor: int) -> None:
        self.link = link
        self.kind = kind
        self.cursor = cursor
        self.read_after = cursor
        self.queue: collections.deque[Item] = collections.deque()
        self.window: collections.deque[Item] = collections.deque()
        self.late: collections.deque[Item] = collections.deque()
        self.in_flight = 0
        self.next_fetch = 0.0  # monotonic
        self.fetching = False

    @property
    def key(self) -> tuple[int, str]:
        return (self.link.id, self.kind)

    def busy(self, in_flight: dict[tuple[str, str], Item]) -> set[int]:
        """Intervals behind the cursor already queued or on their way again."""
        mine = (
            i.ts
            for i in in_flight.values()
            if i.late and i.link.id == self.link.id and i.kind == self.kind
        )
        return {i.ts for i in self.late} | set(mine)


class Channel:
    """One target: its connection, its streams, what is on its way."""

    def __init__(self, fwd: Hub, target: Target) -> None:
        self.fwd = fwd
        self.target = target
        self.streams: dict[tuple[int, str], Stream] = {}
        self.in_flight: dict[tuple[str, str], Item] = {}
        # Answered, the answer not yet written: still part of the window, so that a kill re-sends
        # at most `window` packets (what is on its way or answered and not yet written).
        self.unwritten: set[Item] = set()
        self.counters: Counter[str] = Counter()
        self.writer: asyncio.StreamWriter | None = None
        self.reader_task: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()
        self.backoff = fwd.backoff
        self.tokens = max(1.0, target.rate)
        self.refilled = time.monotonic()
        self.last_answer = time.monotonic()
        self.last_qn_ms: dict[str, int] = {}
        self.rr = 0  # round-robin start among the streams
        self.retired = False  # disabled or deleted: stops once what is on its way is answered
        self.refilling: asyncio.Task[None] | None = None
        self.next_resend_check = 0.0
        self.random = random.Random(target.id)  # noqa: S311 — back-off jitter, not secrets

    # --- sending ---

    def _qn(self, mn: str) -> str:
        ms = max(int(time.time() * 1000), self.last_qn_ms.get(mn, 0) + 1)
        self.last_qn_ms[mn] = ms
        return codec.qn_now(dt.datetime.fromtimestamp(ms / 1000, CST))

    def _take_token(self, now: float) -> bool:
        rate = self.target.rate
        if rate <= 0:
            return True
        self.tokens = min(max(1.0, rate), self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def _write(self, item: Item, now: float) -> None:
        assert self.writer is not None
        item.last_sent = now
        item.sent_at = dt.datetime.now(dt.UTC)
        self.writer.write(item.packet(self.target.st))
        self.fwd.changed(item)

    def _send(self, stream: Stream, item: Item, now: float) -> None:
        item.qn = self._qn(item.link.mn)
        item.retries = 0
        self.in_flight[(item.link.mn, item.qn)] = item
        stream.in_flight += 1
        self._write(item, now)
        self.counters["late_sent" if item.late else "sent"] += 1

    def unanswered(self) -> int:
        """Packets in the window: on their way, or answered with the answer not yet written."""
        return len(self.in_flight) + len(self.unwritten)

    def written(self, items: set[Item]) -> None:
        if self.unwritten and items:
            self.unwritten -= items
            self.wake.set()

    def resend_all(self) -> None:
        """After a reconnection: everything unanswered, first, with its QN."""
        now = time.monotonic()
        for item in list(self.in_flight.values()):
            item.retries += 1
            self.counters["resent"] += 1
            self._write(item, now)

    def resend_due(self, now: float) -> None:
        if now < self.next_resend_check:
            return
        self.next_resend_check = now + min(0.1, self.fwd.timeout / 4)
        timeout = self.fwd.timeout
        for item in self.in_flight.values():
            wait = min(timeout * 2 ** min(item.retries, 8), MAX_RESEND_SECONDS)
            if now - item.last_sent >= wait and self._take_token(now):
                item.retries += 1
                self.counters["resent"] += 1
                self._write(item, now)

    def send_new(self, now: float) -> None:
        fwd = self.fwd
        streams = list(self.streams.values())
        if not streams or fwd.draining:
            return
        self.rr = (self.rr + 1) % len(streams)
        progress = True
        while progress and self.unanswered() < fwd.window:
            progress = False
            for k in range(len(streams)):
                stream = streams[(self.rr + k) % len(streams)]
                self._skip_done(stream)
                if stream.in_flight >= fwd.link_window or self.unanswered() >= fwd.window:
                    continue
                if stream.late:
                    item = stream.late.popleft()
                elif stream.queue and len(stream.window) < 4 * fwd.batch:
                    # (an unanswered packet holds the cursor: this many answered ones after it
                    # are kept in memory at most, then the station waits for it)
                    item = stream.queue.popleft()
                    stream.window.append(item)
                else:
                    continue
                if not self._take_token(now):
                    (stream.late if item.late else stream.queue).appendleft(item)
                    if not item.late:
                        stream.window.pop()
                    return
                self._send(stream, item, now)
                progress = True

    def _skip_done(self, stream: Stream) -> None:
        """Items with nothing to send (or already acknowledged) join the window as answered."""
        while stream.queue and stream.queue[0].done:
            item = stream.queue.popleft()
            stream.window.append(item)
            self.counters["skipped"] += 1
        self._advance(stream)

    def _advance(self, stream: Stream) -> None:
        moved = False
        while stream.window and (stream.window[0].done or stream.window[0].acked_at is not None):
            stream.cursor = stream.window.popleft().ts
            moved = True
        if moved:
            self.fwd.cursor_moved(stream)

    # --- answers ---

    def answered(self, packet: codec.Packet) -> None:
        item = self.in_flight.pop((packet.mn, packet.qn), None)
        if item is None:
            self.counters["unmatched_answers"] += 1
            return
        now = time.monotonic()
        self.last_answer = now
        self.backoff = self.fwd.backoff
        item.acked_at = dt.datetime.now(dt.UTC)
        self.counters["answered"] += 1
        self.fwd.answered_total += 1
        self.unwritten.add(item)
        self.fwd.changed(item)
        stream = self.streams.get((item.link.id, item.kind))
        if stream is not None:
            stream.in_flight -= 1
            if not item.late:
                self._advance(stream)
        self.wake.set()

    async def read_answers(self, reader: asyncio.StreamReader) -> None:
        frames = codec.FrameReader()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for segment in frames.feed(data):
                    if isinstance(segment, codec.FrameError):
                        self.counters["bad_frames"] += 1
                        continue
                    try:
                        packet = codec.parse_segment(segment)
                    except codec.FrameError:
                        self.counters["bad_frames"] += 1
                        continue
                    if packet.cn == "9014":
                        self.answered(packet)
                    else:  # the platform's own requests (time, history …): not served here
                        self.counters["ignored"] += 1
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self.drop()

    # --- the connection ---

    def drop(self) -> None:
        if self.writer is not None:
            self.counters["disconnects"] += 1
            with contextlib.suppress(Exception):
                self.writer.close()
            self.writer = None
        self.wake.set()

    async def connect(self) -> bool:
        t = self.target
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(t.host, t.port), 5)
        except (OSError, TimeoutError):
            self.counters["connect_failures"] += 1
            return False
        self.writer = writer
        self.counters["connects"] += 1
        self.last_answer = time.monotonic()
        self.reader_task = asyncio.create_task(self.read_answers(reader))
        self.resend_all()
        return True

    async def run(self) -> None:
        fwd = self.fwd
        while not fwd.stopping and not (self.retired and not self.in_flight):
            if self.writer is None:
                if self.reader_task is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await self.reader_task
                    self.reader_task = None
                if not await self.connect():
                    delay = self.backoff * (0.5 + self.random.random() / 2)
                    self.backoff = min(self.backoff * 2, fwd.backoff_max)
                    await fwd.sleep(delay)
                    continue
            self.wake.clear()  # what wakes it from here on is seen in the next round
            now = time.monotonic()
            if self.in_flight and now - self.last_answer > 3 * fwd.timeout:
                self.counters["silent_peer"] += 1
                self.drop()
                continue
            if (self.refilling is None or self.refilling.done()) and any(
                not s.queue and not s.fetching and now >= s.next_fetch
                for s in self.streams.values()
            ):
                self.refilling = asyncio.create_task(fwd.refill(self))
            self.resend_due(now)
            self.send_new(now)
            writer = self.writer
            if writer is not None:
                try:
                    await writer.drain()
                except (OSError, RuntimeError):
                    self.drop()
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), fwd.tick)

    def summary(self) -> dict[str, Any]:
        queued = sum(len(s.queue) + len(s.late) for s in self.streams.values())
        return {
            "connected": self.writer is not None,
            "stations": len({s.link.id for s in self.streams.values()}),
            "in_flight": len(self.in_flight),
            "queued": queued,
            **dict(sorted(self.counters.items())),
        }
