"""Forwarding to upper platforms (数据转发): `gridgov hj212-forward`.

Each enabled ForwardTarget gets one TCP connection (a `Channel`, forward_channel.py) carrying
the minute (CN=2051) and/or hourly (CN=2061) data of its stations as HJ 212-2017 packets under
the upper platform's own MN and PW, `Flag=5` (answer wanted). At least once, with the database
as the buffer:

- a cursor per (station link, kind) says up to which interval everything has been acknowledged
  (CN=9014 with the packet's QN); readings after it are read in order, at most `window` packets
  of a target (and `link_window` of a station) unanswered at a time;
- the cursor moves only over answered (or empty) intervals, and is written with the log of sent
  packets (QN, sent_at, acked_at, retries) in one transaction, so a kill -9 re-sends only what
  was on its way: after a restart, intervals the log holds as acknowledged are skipped;
- an unanswered packet is re-sent with the same QN after `timeout` seconds (doubling per try, at
  most 5 minutes); a lost connection is reopened with exponential back-off (with jitter) and
  everything unanswered is re-sent first; a platform that answers nothing for 3 × `timeout`
  while packets wait is treated as gone;
- late data: every `sweep` seconds the intervals within `lookback` behind each cursor are
  compared with the log (a CRC-32 of the data area sent); one stored late or corrected since
  is sent again (without moving the cursor). Older corrections are not seen: Reading has no
  insert/update sequence to follow.

The loop never touches the database: one thread does (forward_store.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gridgov.air.hj212 import forward_store as store
from gridgov.air.hj212 import service
from gridgov.air.hj212.forward_channel import Channel, Stream
from gridgov.air.hj212.forward_store import Item, Target

log = logging.getLogger("gridgov.hj212.forward")


class Forwarder:
    """Every enabled target's channel. `await start()`, then `await stop()`."""

    def __init__(
        self,
        *,
        targets: list[str] | None = None,
        window: int = 64,
        link_window: int = 16,
        timeout: float = 10.0,
        batch: int = 500,
        poll: float = 2.0,
        backoff: float = 0.5,
        backoff_max: float = 60.0,
        lookback_hours: float = 24.0,
        sweep_seconds: float = 300.0,
        hour_grace: float = 600.0,
        refresh_seconds: float = 30.0,
        stats_every: float = 0.0,
        tick: float = 0.05,
        emit: Callable[[str], None] | None = None,
    ) -> None:
        self.names = targets
        self.window = window
        self.link_window = link_window
        self.timeout = timeout
        self.batch = batch
        self.poll = poll
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.lookback = lookback_hours * 3600
        self.sweep_seconds = sweep_seconds
        self.hour_grace = hour_grace
        self.refresh_seconds = refresh_seconds
        self.stats_every = stats_every
        self.tick = tick
        self.emit = emit or _print_line
        self.channels: dict[int, Channel] = {}
        self.stopping = False
        self.draining = False
        self.answered_total = 0
        self.started = time.monotonic()
        self._db = ThreadPoolExecutor(1, thread_name_prefix="gridgov-forward-db")
        self._tasks: list[asyncio.Task[None]] = []
        self._changed: dict[tuple[int, str, int], Item] = {}
        self._cursors: dict[tuple[int, str], int] = {}
        self._flush_wake: asyncio.Event | None = None
        self._stop_event: asyncio.Event | None = None
        self._last_stats = (time.monotonic(), 0)

    # --- life cycle ---

    async def _db_call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    async def start(self) -> None:
        self._flush_wake = asyncio.Event()
        self._stop_event = asyncio.Event()
        await self._load()
        self._tasks.append(asyncio.create_task(self._flusher()))
        self._tasks.append(asyncio.create_task(self._periodic()))

    async def _load(self) -> None:
        targets: dict[int, Target] = await self._db_call(store.load_targets, self.names)
        links = [lid for t in targets.values() for lid in t.links]
        cursors: dict[tuple[int, str], int] = await self._db_call(store.load_cursors, links)
        for tid, old in self.channels.items():
            if tid not in targets:
                old.retired = True
                old.streams.clear()  # nothing new; what is on its way still counts
        for tid, target in targets.items():
            found = self.channels.get(tid)
            if found is None or found.retired:
                channel = self.channels[tid] = Channel(self, target)
                self._tasks.append(asyncio.create_task(channel.run()))
            else:
                channel = found
            channel.target = target  # a new address or rate applies from the next connection
            keys = set()
            for link in target.links.values():
                for kind in link.kinds:
                    keys.add((link.id, kind))
                    stream = channel.streams.get((link.id, kind))
                    if stream is None:
                        cursor = cursors.get((link.id, kind), link.since - 1)
                        channel.streams[(link.id, kind)] = Stream(link, kind, cursor)
                    else:
                        stream.link = link  # a new MN or PW applies to the next packets
            for key in set(channel.streams) - keys:  # a link disabled or removed
                del channel.streams[key]

    async def stop(self, drain: float = 5.0, *, clean: bool = True) -> None:
        """Stop sending; wait up to `drain` seconds for answers to what is on its way; write
        the log and cursors; close. `clean=False` stops at once without writing (what a crash
        leaves; the tests' stand-in for kill -9)."""
        if clean:
            deadline = time.monotonic() + drain
            self.draining = True
            while any(c.in_flight for c in self.channels.values()) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        self.stopping = True
        assert self._stop_event is not None
        self._stop_event.set()
        for channel in self.channels.values():
            channel.wake.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for channel in self.channels.values():
            channel.drop()
            for extra in (channel.reader_task, channel.refilling):
                if extra is not None:
                    extra.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await extra
        if clean:
            await self._flush()
        await self._db_call(store.close_thread_connection)
        self._db.shutdown(wait=True)

    async def sleep(self, seconds: float) -> None:
        assert self._stop_event is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_event.wait(), seconds)

    # --- the database side ---

    def changed(self, item: Item) -> None:
        self._changed[(item.link.id, item.kind, item.ts)] = item
        if self._flush_wake is not None:
            self._flush_wake.set()

    def cursor_moved(self, stream: Stream) -> None:
        self._cursors[stream.key] = stream.cursor
        if self._flush_wake is not None:
            self._flush_wake.set()

    async def _flush(self) -> None:
        if not self._changed and not self._cursors:
            return
        items = dict(self._changed)
        cursors = dict(self._cursors)
        self._changed.clear()
        self._cursors.clear()
        logs: list[store.LogRow] = [
            (
                i.link.id,
                i.kind,
                i.ts,
                i.qn,
                i.digest,
                i.sent_at or dt.datetime.now(dt.UTC),
                i.acked_at,
                i.retries,
            )
            for i in items.values()
        ]
        acked = {i for i in items.values() if i.acked_at is not None}  # as of this snapshot
        try:
            # Shielded: a stop that cancels the flusher must not cancel a write not yet begun.
            await asyncio.shield(self._db_call(store.record, logs, cursors))
        except Exception:
            for ikey, item in items.items():  # written with the next flush
                self._changed.setdefault(ikey, item)
            for ckey, ts in cursors.items():
                self._cursors.setdefault(ckey, ts)
            raise
        for channel in self.channels.values():
            channel.written(acked)

    async def _flusher(self) -> None:
        assert self._flush_wake is not None
        while True:
            await self._flush_wake.wait()
            self._flush_wake.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("writing the forwarding log failed; retrying")
                await asyncio.sleep(1)

    async def refill(self, channel: Channel) -> None:
        """Reads the next intervals of the channel's streams that have run dry."""
        if self.draining:
            return
        now = time.monotonic()
        want = [
            s
            for s in channel.streams.values()
            if not s.queue and not s.fetching and now >= s.next_fetch
        ]
        if not want:
            return
        for s in want:
            s.fetching = True
        try:
            got: dict[tuple[int, str], list[Item]] = await self._db_call(
                store.fetch,
                [(s.link, s.kind, s.read_after) for s in want],
                self.batch,
                time.time(),
                self.hour_grace,
            )
        finally:
            for s in want:
                s.fetching = False
        for s in want:
            items = got.get(s.key, [])
            s.queue.extend(items)
            if items:
                s.read_after = items[-1].ts
            s.next_fetch = now + (0 if len(items) >= self.batch else self.poll)
        channel.wake.set()

    async def _periodic(self) -> None:
        next_sweep = time.monotonic()  # at once: what a stop left unacknowledged behind a cursor
        next_refresh = time.monotonic() + self.refresh_seconds
        next_stats = time.monotonic() + self.stats_every if self.stats_every else float("inf")
        while True:
            await asyncio.sleep(self.tick * 4)
            now = time.monotonic()
            try:
                if now >= next_sweep:
                    next_sweep = now + self.sweep_seconds
                    await self.sweep()
                if now >= next_refresh:
                    next_refresh = now + self.refresh_seconds
                    await self._load()
            except Exception:
                log.exception("forwarding: the sweep or the refresh failed")
            if now >= next_stats:
                next_stats = now + self.stats_every
                self.emit(json.dumps(self.summary(), ensure_ascii=False))

    async def sweep(self) -> int:
        """Queues the late and corrected intervals behind the cursors (see the module's doc)."""
        pairs = [(c, s) for c in self.channels.values() for s in c.streams.values()]
        requests = [(s.link, s.kind, s.cursor, s.busy(c.in_flight)) for c, s in pairs]
        # Everything behind these cursors is acknowledged in memory: written first, so the
        # sweep does not take an answer not yet written for a missing one.
        await self._flush()
        late: list[Item] = await self._db_call(
            store.sweep, requests, self.lookback, time.time(), self.hour_grace
        )
        busy = {s.key: s.busy(c.in_flight) for c, s in pairs}  # again: it may have changed
        by_key = {s.key: s for _, s in pairs}
        queued = 0
        for item in late:
            key = (item.link.id, item.kind)
            stream = by_key.get(key)
            if stream is not None and item.ts not in busy[key]:
                stream.late.append(item)
                busy[key].add(item.ts)
                queued += 1
        for channel in self.channels.values():
            channel.wake.set()
        return queued

    def summary(self) -> dict[str, Any]:
        now = time.monotonic()
        since, before = self._last_stats
        self._last_stats = (now, self.answered_total)
        rate = (self.answered_total - before) / (now - since) if now > since else 0.0
        return {
            "event": "hj212_forward",
            "uptime_s": round(now - self.started, 1),
            "answered": self.answered_total,
            "answered_per_s": round(rate, 1),
            "targets": {c.target.name: c.summary() for c in self.channels.values()},
        }


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(forwarder: Forwarder, drain: float = 5.0) -> None:
    """Run until SIGINT/SIGTERM (then a clean stop), on uvloop when it is installed."""

    def started(_loop: asyncio.AbstractEventLoop) -> None:
        forwarder.emit(
            json.dumps(
                {
                    "event": "hj212_forward_started",
                    "targets": {c.target.name: len(c.streams) for c in forwarder.channels.values()},
                },
                ensure_ascii=False,
            )
        )

    async def stop() -> None:
        await forwarder.stop(drain)
        forwarder.emit(json.dumps(forwarder.summary(), ensure_ascii=False))

    service.run_until_signalled(forwarder.start, started, stop)
