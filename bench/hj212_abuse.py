"""HJ 212 receiver under abuse: a good device's packet → answer time, quiet and with a crowd of
idle sockets and a flooder attacking at once (issue 22, item 9: a fair port).

Makes a fresh SQLite database (as bench/hj212_bench.py) with BENCH_ABUSE_DEVICES (200) good
micro-stations and one more station whose credentials the flooder has, starts `gridgov hj212`
as a subprocess with the default fairness settings, and runs:

1. quiet: the good devices (the device simulator, from 127.0.0.1) each send
   BENCH_ABUSE_RATE (1) minute packets a second, catching up, for BENCH_ABUSE_SECONDS (15) s:
   p50 and p99 of packet → answer;
2. under attack: the same devices and load (other minutes), while, from a separate process,
   BENCH_ABUSE_IDLE (300) sockets from 127.0.0.2 each connect, send only "##00" and connect again
   1 s after the receiver closes them, and one connection from 127.0.0.3 floods valid packets
   of its station as fast as the receiver reads them, reconnecting 0.2 s after each close.

Quiet and attacked phases alternate BENCH_ABUSE_ROUNDS (2) times, their latencies pooled, so
that a shared machine's changing load weighs on both alike. The good devices' address (127.0.0.1/32) is trusted (GRIDGOV_HJ212_TRUSTED_NETWORKS): it stands
for their many real addresses; the attackers' are not. The goal: under attack p99 within the
quiet p99 × GOAL_RATIO. Run with another PYTHONPATH (an older receiver) to compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

GOOD = int(os.environ.get("BENCH_ABUSE_DEVICES", "200"))
IDLE = int(os.environ.get("BENCH_ABUSE_IDLE", "300"))
SECONDS = float(os.environ.get("BENCH_ABUSE_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_ABUSE_ROUNDS", "2"))
RATE = float(os.environ.get("BENCH_ABUSE_RATE", "1"))
GOAL_RATIO = 1.5
IDLE_FROM, FLOOD_FROM = "127.0.0.2", "127.0.0.3"

os.environ.setdefault("BENCH_HJ212_DEVICES", str(GOOD))
os.environ.setdefault("BENCH_HJ212_PORT", "8713")
# The receiver's own defaults, not hj212_bench's raised ones: the policy is what is measured.
os.environ.setdefault("GRIDGOV_HJ212_RATE", "20")
os.environ.setdefault("GRIDGOV_HJ212_BURST", "120")
os.environ.setdefault("GRIDGOV_HJ212_TRUSTED_NETWORKS", "127.0.0.1/32")
sys.path.insert(0, str(Path(__file__).parent))

import hj212_bench as hb  # noqa: E402

FLOOD_MN = "FLOOD0000001"


def add_flood_station() -> None:
    from gridgov.air.hj212.devices import hash_password
    from gridgov.air.models import Station

    Station.objects.create(
        code="FLOOD",
        name="HJ212 flooder",
        kind="micro",
        lat=35.5,
        lon=113.5,
        interval_minutes=1,
        mn=FLOOD_MN,
        pw_hash=hash_password(hb.PW),
    )


def flood_blob(n: int = 2000) -> bytes:
    from gridgov.air.hj212 import codec
    from gridgov.air.models import CST

    base = dt.datetime.now(CST).replace(second=0, microsecond=0) - dt.timedelta(days=2)
    out = []
    for i in range(n):
        when = base + dt.timedelta(minutes=i)
        cp = f"DataTime={codec.stamp(when)};a34004-Avg=40,a34004-Flag=N"
        text = codec.segment_text(
            qn=codec.qn_now(), st="22", cn="2051", pw=hb.PW, mn=FLOOD_MN, flag=5, cp=cp
        )
        out.append(codec.frame(text))
    return b"".join(out)


def attack(port: int, blob: bytes, packets: int, stop, result) -> None:  # a separate process
    counts = {"idle_connects": 0, "flood_connects": 0, "flood_bytes": 0}

    async def idle_socket() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError, TimeoutError):
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", port, local_addr=(IDLE_FROM, 0)
                )
                counts["idle_connects"] += 1
                writer.write(b"##00")
                while not stop.is_set():  # until the receiver closes it
                    try:
                        data = await asyncio.wait_for(reader.read(4096), 1.0)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                writer.close()
            await asyncio.sleep(1.0)

    async def drain(reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError):
            while await reader.read(65536):
                pass

    async def flooder() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError, TimeoutError):
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", port, local_addr=(FLOOD_FROM, 0)
                )
                counts["flood_connects"] += 1
                answers = asyncio.create_task(drain(reader))  # it reads what it is sent
                while not stop.is_set():
                    writer.write(blob)
                    await asyncio.wait_for(writer.drain(), 10)
                    counts["flood_bytes"] += len(blob)
                writer.close()
                answers.cancel()
            await asyncio.sleep(0.2)

    async def main() -> None:
        tasks = [asyncio.create_task(idle_socket()) for _ in range(IDLE)]
        tasks.append(asyncio.create_task(flooder()))
        began = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        counts["seconds"] = time.monotonic() - began

    asyncio.run(main())
    counts["flood_packets"] = counts["flood_bytes"] * packets // len(blob)
    result.put(counts)


def good_devices(start: dt.datetime):
    from gridgov.air.hj212.simulator import run

    cfg = hb.config(start, rate=RATE, window=2, seconds=SECONDS, ramp=2.0, drain=30.0)
    return asyncio.run(run(cfg))


def summary_of(log: Path) -> dict:
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if '"hj212_stats"' in line:
            return json.loads(line)
    return {}


def main() -> None:
    hb.raise_open_files()
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-hj212-abuse-"))
    hb.prepare(tmp)
    add_flood_station()
    from gridgov.air.models import CST

    hour = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0)
    packets = 2000
    blob = flood_blob(packets)
    receiver = hb.receiver_of(tmp)
    receiver.start(wait_seconds=60)
    ctx = mp.get_context("fork")
    quiet, loud, counts = [], [], Counter()
    stop = ctx.Event()
    try:
        for r in range(ROUNDS):
            quiet.append(good_devices(hour - dt.timedelta(hours=20 - 4 * r)))
            stop, result = ctx.Event(), ctx.Queue()
            attacker = ctx.Process(target=attack, args=(hb.PORT, blob, packets, stop, result))
            attacker.start()
            time.sleep(3)  # the attack is under way before the devices start
            loud.append(good_devices(hour - dt.timedelta(hours=18 - 4 * r)))
            stop.set()
            counts.update(result.get(timeout=30))
            attacker.join(10)
    finally:
        stop.set()
        receiver.stop()
    stats = summary_of(tmp / f"receiver-{receiver.starts}.log")
    q_lat = [x for s in quiet for x in s.latencies]
    a_lat = [x for s in loud for x in s.latencies]
    q50, q99 = hb.ms(q_lat, 50), hb.ms(q_lat, 99)
    a50, a99 = hb.ms(a_lat, 50), hb.ms(a_lat, 99)
    policy = ", ".join(
        f"{k.removeprefix('GRIDGOV_HJ212_')}={v}"
        for k, v in sorted(os.environ.items())
        if k.startswith("GRIDGOV_HJ212_") and k != "GRIDGOV_HJ212_MAX_CONNECTIONS"
    )
    seconds = counts.get("seconds", 1) or 1
    print(
        f"HJ 212 receiver under abuse (`gridgov hj212`, SQLite; {policy}; other settings "
        f"default): {GOOD} good devices at {RATE:g} packet/s each (window 2), {ROUNDS} × "
        f"{SECONDS:.0f} s quiet and {ROUNDS} × {SECONDS:.0f} s under attack, alternating; "
        f"receiver, devices and attackers on the same 2 cores"
    )
    print(
        f"  quiet:        {sum(s.answered for s in quiet):,} answered, "
        f"{sum(s.resent for s in quiet):,} re-sent; packet → answer "
        f"p50 {q50:,.1f} ms, p99 {q99:,.1f} ms"
    )
    print(
        f"  under attack: {sum(s.answered for s in loud):,} answered, "
        f"{sum(s.resent for s in loud):,} re-sent; packet → answer "
        f"p50 {a50:,.1f} ms, p99 {a99:,.1f} ms; p99 ratio {a99 / q99:.2f} (goal ≤ "
        f"{GOAL_RATIO}: {'OK' if a99 <= GOAL_RATIO * q99 else 'MISSED'}); p50 under attack "
        f"{'within' if a50 <= q99 else 'beyond'} the quiet p99"
    )
    print(
        f"  attack: {IDLE} idle sockets from {IDLE_FROM} ({counts.get('idle_connects', 0):,} "
        f"connections in {seconds:.0f} s), one flooder from {FLOOD_FROM} "
        f"({counts.get('flood_packets', 0) / seconds:,.0f} packets/s offered, "
        f"{counts.get('flood_connects', 0)} connections)"
    )
    fair = stats.get("fair")
    rejected = stats.get("rejected", {})
    print(
        f"  receiver: refused {stats.get('refused', '?')}, rate-dropped "
        f"{rejected.get('rate', 0):,}, fairness {json.dumps(fair, ensure_ascii=False)}"
    )


if __name__ == "__main__":
    main()
