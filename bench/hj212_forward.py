"""HJ 212 forwarding (`gridgov hj212-forward`): readings/s to an upper platform, and none lost
across a kill -9 of the forwarder and an outage of the upper platform.

Makes a fresh SQLite database with BENCH_FORWARD_STATIONS (100) one-minute micro-stations, each
bound to one upper platform under its own MN and PW. The upper platform is the minimal HJ 212
platform of tests/air/hj212_upper.py, in this process: it records every data packet it gets and
answers each with CN=9014 at once. The forwarder is a subprocess (`gridgov hj212-forward`,
window BENCH_FORWARD_WINDOW (256) unanswered packets, no rate limit), on the same 2 cores.

1. throughput: BENCH_FORWARD_MINUTES (120) stored minutes per station are forwarded; readings/s
   from the first packet the platform got to the last reading's answer (the process start-up
   apart); then SIGTERM (a clean stop: its exit status and time).
2. loss: as many minutes again; the forwarder is killed with SIGKILL once a quarter of them have
   arrived and restarted at once; at 60 % the upper platform goes away (server and connections
   closed) for BENCH_FORWARD_OUTAGE (3) seconds. Then: readings lost (stored here, never
   received there: must be 0), duplicates (received more than once: the unanswered window at
   the kill, what was on its way at the outage), and the cursors in the database (all at the
   last minute).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from processes import GRIDGOV, Process

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/air/hj212_upper.py

STATIONS = int(os.environ.get("BENCH_FORWARD_STATIONS", "100"))
MINUTES = int(os.environ.get("BENCH_FORWARD_MINUTES", "120"))
WINDOW = int(os.environ.get("BENCH_FORWARD_WINDOW", "256"))
OUTAGE = float(os.environ.get("BENCH_FORWARD_OUTAGE", "3"))


def prepare(tmp: Path) -> tuple[int, int]:
    """A migrated database with the stations and their links; returns (first minute, target)."""
    os.environ["GRIDGOV_DATA_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from gridgov.air.forward_models import ForwardStation, ForwardTarget
    from gridgov.air.models import AlarmRule, Station

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0)
    AlarmRule.objects.update(active=False)
    Station.objects.bulk_create(
        [
            Station(
                code=f"F{i:04d}",
                name=f"转发微站 {i}",
                kind="micro",
                lat=35.0 + (i // 50) * 0.004,
                lon=113.0 + (i % 50) * 0.005,
                interval_minutes=1,
            )
            for i in range(STATIONS)
        ]
    )
    now = int(time.time())
    first = now - now % 3600 - 2 * MINUTES * 60 - 3600
    target = ForwardTarget.objects.create(name="bench", host="127.0.0.1", port=1, rate=0)
    ForwardStation.objects.bulk_create(
        [
            ForwardStation(target=target, station=s, mn=f"UP{s.code}", pw="up-pw", since=first)
            for s in Station.objects.order_by("code")
        ]
    )
    return first, target.pk


def store_minutes(start: int, minutes: int) -> None:
    from gridgov.air.ingest import Batch, ingest, station_infos
    from gridgov.air.models import Station

    ids = np.array(Station.objects.order_by("code").values_list("pk", flat=True), np.int64)
    n = len(ids) * minutes
    station = np.repeat(ids, minutes)
    ts = np.tile(start + 60 * np.arange(minutes, dtype=np.int64), len(ids))
    rng = np.random.default_rng(start)
    values = np.round(rng.uniform(5, 150, (n, 6)), 1)
    values[:, 4] = np.round(values[:, 4] / 100, 3)  # CO, mg/m³
    batch = Batch(station, ts, values, np.zeros(values.shape, bool), np.arange(1, n + 1))
    result = ingest(batch, station_infos(), now=float(time.time()), reject_all_on_error=False)
    assert result.stored == n, result


def expected(start: int, minutes: int) -> set[tuple[str, str, str]]:
    import datetime as dt

    from gridgov.air.hj212 import codec
    from gridgov.air.models import CST, Station

    stamps = [codec.stamp(dt.datetime.fromtimestamp(start + 60 * k, CST)) for k in range(minutes)]
    codes = Station.objects.values_list("code", flat=True)
    return {(f"UP{code}", "2051", s) for code in codes for s in stamps}


def forwarder_of(tmp: Path) -> Process:
    """`gridgov hj212-forward` as a subprocess."""
    args = [
        GRIDGOV,
        "hj212-forward",
        "--window",
        str(WINDOW),
        "--link-window",
        "16",
        "--timeout",
        "5",
        "--poll",
        "0.5",
        "--backoff-max",
        "1",
        "--stats-every",
        "5",
    ]
    return Process(args, tmp, "forward")


def terminate(forwarder: Process) -> tuple[int | None, float]:
    """Its exit code after SIGTERM, and the seconds it took to stop."""
    began = time.perf_counter()
    code = forwarder.stop()
    return code, time.perf_counter() - began


async def wait_for(condition, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("the forwarding did not finish in time")
        await asyncio.sleep(0.01)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-forward-"))
    began = time.perf_counter()
    first, target_id = prepare(tmp)
    from gridgov.air.forward_models import ForwardCursor, ForwardTarget
    from tests.air.hj212_upper import Upper

    store_minutes(first, MINUTES)
    want1 = expected(first, MINUTES)
    second = first + MINUTES * 60
    setup_s = time.perf_counter() - began
    forwarder = forwarder_of(tmp)
    result: dict = {}

    async def run() -> None:
        upper = Upper()
        await upper.start()
        port = upper.port
        await asyncio.to_thread(ForwardTarget.objects.filter(pk=target_id).update, port=port)
        # 1. throughput
        t0 = time.perf_counter()
        forwarder.start()
        await wait_for(lambda: len(upper.counts) > 0)
        t1 = time.perf_counter()
        await wait_for(lambda: want1 <= upper.received())
        t2 = time.perf_counter()
        result["rate"] = len(want1) / (t2 - t1)
        result["wall"] = t2 - t0
        code, stop_s = await asyncio.to_thread(terminate, forwarder)
        result["exit"], result["stop_s"] = code, stop_s
        result["dup1"] = sum(n - 1 for n in upper.duplicates().values())
        # 2. kill -9 and an outage
        await asyncio.to_thread(store_minutes, second, MINUTES)
        want2 = await asyncio.to_thread(expected, second, MINUTES)
        before = {k: n for k, n in upper.counts.items() if k in want2}
        assert not before
        forwarder.start()
        got = lambda: len(want2 & upper.received())  # noqa: E731
        await wait_for(lambda: got() >= len(want2) // 4)
        forwarder.kill9()
        result["killed_at"] = got()
        forwarder.start()
        await wait_for(lambda: got() >= len(want2) * 6 // 10)
        await upper.stop()
        result["outage_at"] = got()
        await asyncio.sleep(OUTAGE)
        result["during_outage"] = got() - result["outage_at"]
        await upper.start(port)
        t3 = time.perf_counter()
        await wait_for(lambda: got() == len(want2))
        result["recovered_s"] = time.perf_counter() - t3
        await asyncio.sleep(1.0)  # the last acknowledgements are written
        code, _ = await asyncio.to_thread(terminate, forwarder)
        result["exit2"] = code
        counts = [upper.counts[k] for k in want2]
        result["lost"] = sum(1 for n in counts if n == 0)
        result["dup2"] = sum(n - 1 for n in counts if n > 1)
        result["dup2_keys"] = sum(1 for n in counts if n > 1)
        result["total2"] = len(want2)
        await upper.stop()

    asyncio.run(run())
    cursors = set(ForwardCursor.objects.values_list("acked_ts", flat=True))
    last = second + (MINUTES - 1) * 60
    print(
        f"HJ 212 forwarding (`gridgov hj212-forward`, SQLite): {STATIONS} stations × {MINUTES} "
        f"minutes to a local upper platform (answers 9014 at once), window {WINDOW}, "
        f"forwarder and platform on the same 2 cores; setup {setup_s:.0f} s"
    )
    print(
        f"  forwarded readings/s: {result['rate']:,.0f} ({len(want1):,} readings, first packet → "
        f"last answer; {result['wall']:.1f} s with the process start-up); "
        f"{result['dup1']} duplicates; SIGTERM → exit {result['exit']} in "
        f"{result['stop_s']:.1f} s"
    )
    print(
        f"  kill -9 at {result['killed_at']:,} of {result['total2']:,} readings, restarted; upper "
        f"platform down at {result['outage_at']:,} for {OUTAGE:.0f} s "
        f"({result['during_outage']} received meanwhile); all received {result['recovered_s']:.1f} s "
        f"after it came back"
    )
    print(
        f"  lost: {result['lost']} (must be 0); duplicates: {result['dup2']} extra packets for "
        f"{result['dup2_keys']} readings (the unanswered window at the kill and at the outage); "
        f"cursors at the last minute: {cursors == {last}}; exit {result['exit2']}"
    )
    if result["lost"] or cursors != {last}:
        sys.exit(1)


if __name__ == "__main__":
    main()
