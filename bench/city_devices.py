"""The city simulation's devices: the project's HJ 212 simulator with several MNs per connection.

One TCP connection per device would need 20,000 descriptors in a simulator, 40,000 in HAProxy
(client and server side) and 20,000 in the receiver left after a kill -9 — over this machine's
hard limit of 20,000 open files per process (RLIMIT_NOFILE, not raisable without privileges).
So each connection (`Link`) carries `mux` devices' MNs, as a data logger with several analysers
or a DTU concentrating a few stations does; the receiver keeps its checks, answers, history
requests and per-connection limits per MN on a shared connection (hj212/connection.py keeps a
set of verified MNs and of MNs asked for their missed data).

Each device is the simulator's own (`gridgov.air.hj212.simulator.Device`): its packets, values
(a deterministic function of device and minute, so a re-sent minute is byte-for-byte the same
data), QNs, re-sends after `timeout`, answers to history requests (补发) and commands. Two
things differ: live minutes go `offset` seconds after the minute ends, spread evenly over
`spread` seconds across the devices (the simulator spreads over 2 s), and an idle device sleeps
up to 10 s (not 1 s) between checks — 20,000 devices waking every second cost a core here.

Run as `python bench/city_devices.py SPEC.json OUT.pickle` (city_sim.py starts these processes):
it runs the devices of SPEC and writes what they saw to OUT.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import pickle
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django

django.setup()

from gridgov.air.hj212 import codec, sim_control  # noqa: E402
from gridgov.air.hj212.sim_config import Config  # noqa: E402
from gridgov.air.hj212.simulator import MINUTE, Device, Simulator, _Lost  # noqa: E402

IDLE_MAX = 10.0


class CityDevice(Device):
    """A simulator device whose live minutes go `offset` s after the minute ends."""

    offset = 0.0

    def next_ready_at(self, now: float) -> float | None:
        if self.schedule_done():
            return None
        due = (self.next_minute + MINUTE).timestamp() + self.offset - time.time()
        if due > 0:
            return now + due
        if self.cfg.rate:
            return max(now, self.next_paced)
        return now

    async def _sleep(self, now: float) -> None:
        cfg = self.cfg
        wake_at = [now + IDLE_MAX]
        if self.pending:
            wake_at.append(next(iter(self.pending.values())).last + cfg.timeout)
        if len(self.pending) < cfg.window:
            ready = self.next_ready_at(now)
            if ready is not None:
                wake_at.append(ready)
        wait = min(wake_at) - now
        if wait > 0:
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), wait)


class Link:
    """One TCP connection carrying several devices' packets (reconnected with back-off)."""

    def __init__(self, sim: Simulator, devices: list[CityDevice], number: int, links: int) -> None:
        self.sim = sim
        self.devices = devices
        self.by_mn = {d.mn: d for d in devices}
        self.number = number
        self.links = links

    def lose(self) -> None:
        for d in self.devices:
            d.lost = True
            d.wake.set()

    def finished(self) -> bool:
        return all(d.finished() for d in self.devices)

    async def run(self) -> None:
        sim, cfg, stats = self.sim, self.sim.cfg, self.sim.stats
        rng = self.devices[0].random
        delay = cfg.backoff
        if cfg.ramp:
            await asyncio.sleep(cfg.ramp * self.number / self.links)
        while not self.finished():
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(cfg.host, cfg.port), timeout=max(cfg.timeout, 5)
                )
            except (OSError, TimeoutError):
                stats.connect_failures += 1
                if sim.past_drain():
                    return
                await asyncio.sleep(delay * (0.5 + rng.random()))
                delay = min(delay * 2, cfg.backoff_max)
                continue
            stats.connections += 1
            stats.connected += 1
            for d in self.devices:
                d.writer, d.lost = writer, False
            answered_before = stats.answered
            reading = asyncio.create_task(self.read(reader))
            results = await asyncio.gather(
                *(self.talk(d) for d in self.devices), return_exceptions=True
            )
            stats.connected -= 1
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            for d in self.devices:
                d.writer = None
            for r in results:
                if isinstance(r, BaseException) and not isinstance(r, _Lost):
                    raise r
            if not any(isinstance(r, _Lost) for r in results):
                return  # every device done (or the drain is over)
            stats.drops += 1
            if self.finished() or sim.past_drain():
                return
            if stats.answered > answered_before:
                delay = cfg.backoff
            await asyncio.sleep(delay * (0.5 + rng.random()))
            delay = min(delay * 2, cfg.backoff_max)

    async def talk(self, device: CityDevice) -> None:
        try:
            await device.talk()
        except _Lost:
            self.lose()
            raise

    async def read(self, reader: asyncio.StreamReader) -> None:
        frames = codec.FrameReader()
        stats = self.sim.stats
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
                    device = self.by_mn.get(packet.mn)
                    if device is None:
                        stats.frame_errors += 1
                    elif packet.cn == "9014":
                        device.answer(packet.qn)
                    elif packet.cn == "2051":
                        device.history(packet)
                    elif packet.cn in sim_control.COMMAND_CN:
                        device.control.extend(sim_control.handle(device, packet))
                        device.wake.set()
        except OSError:
            pass
        finally:
            self.lose()


async def run_links(sim: Simulator, mux: int) -> None:
    """Simulator.run with the devices grouped `mux` to a connection."""
    cfg, stats = sim.cfg, sim.stats
    stats.started = time.monotonic()
    stats.all_started = stats.started + cfg.ramp
    groups = [sim.devices[i : i + mux] for i in range(0, len(sim.devices), mux)]
    links = [Link(sim, g, n, len(groups)) for n, g in enumerate(groups)]  # type: ignore[arg-type]
    tasks = [asyncio.create_task(link.run()) for link in links]
    everything = asyncio.gather(*tasks)
    try:
        while not everything.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(everything), 1.0)
            now = time.monotonic()
            if cfg.seconds is not None and now - stats.started >= cfg.seconds:
                sim.stop()
            if sim.drain_deadline is None and all(d.schedule_done() for d in sim.devices):
                stats.stopped_sending = stats.stopped_sending or now
                sim.drain_deadline = now + cfg.drain
            if sim.past_drain():
                for d in sim.devices:
                    d.wake.set()
        await everything
    finally:
        for t in tasks:
            t.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.gather(*tasks, return_exceptions=True)
        stats.finished = time.monotonic()
        if not stats.stopped_sending:
            stats.stopped_sending = stats.finished


def main() -> None:
    spec = json.loads(open(sys.argv[1]).read())  # noqa: SIM115
    out = sys.argv[2]
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    hot = set(spec["hot"])
    start = dt.datetime.fromisoformat(spec["start"]) if spec["start"] else None
    cfg = Config(
        host="127.0.0.1",
        port=spec["port"],
        devices=spec["devices"],
        prefix=spec["prefix"],
        first=spec["first"],
        pw=spec["pw"],
        start=start,
        window=spec["window"],
        minutes=spec["minutes"],
        seconds=spec["seconds"],
        drain=spec["drain"],
        timeout=spec["timeout"],
        retries=spec.get("retries"),
        backoff=0.5,
        backoff_max=8.0,
        ramp=spec["ramp"],
        hot=lambda i: i in hot,
    )
    sim = Simulator(cfg)
    spread = spec["spread"]
    n = len(sim.devices)
    devices = []
    for i in range(n):
        d = CityDevice(sim, i)
        d.offset = spread * ((i * 7919) % n) / n
        devices.append(d)
    sim.devices = devices  # type: ignore[assignment]
    try:
        import uvloop  # type: ignore[import-not-found]

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    cpu = time.process_time()
    runner(run_links(sim, spec["mux"]))
    s = sim.stats
    result = {
        "first_sent": s.first_sent,
        "answered_at": s.answered_at,
        "latencies": s.latencies,
        "answer_clock": s.answer_clock,
        "sent": s.sent,
        "resent": s.resent,
        "given_up": s.given_up,
        "answered": s.answered,
        "backfilled": s.backfilled,
        "history_requests": s.history_requests,
        "connections": s.connections,
        "connect_failures": s.connect_failures,
        "drops": s.drops,
        "late_answers": s.late_answers,
        "frame_errors": s.frame_errors,
        "started": s.started,
        "all_started": s.all_started,
        "stopped_sending": s.stopped_sending,
        "finished": s.finished,
        "cpu": time.process_time() - cpu,
    }
    with open(out, "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
