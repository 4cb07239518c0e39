"""HJ 212 ingestion through 2 receivers against 1, on one PostgreSQL database, with the limit
beside it: the same receivers with `--no-store` (parse, check, answer; nothing stored).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/receivers_bench.py

A fresh database beside BENCH_DATABASE_URL's (named after it, `…_receivers`) gets
BENCH_RECEIVERS_DEVICES (2,000) one-minute micro-stations. Each measurement starts its
receivers (`gridgov hj212`, one port each) and drives them from this process with the device
simulator (gridgov.air.hj212.simulator), the devices split evenly across the receivers as
HAProxy would spread them: every device catching up on its own minutes with one unanswered
packet at most (a closed loop, so the offered load is whatever the receivers take) for
BENCH_RECEIVERS_SECONDS (20) after a ramp. The four set-ups — 1 receiver storing, 1 with
--no-store, 2 storing, 2 with --no-store — run back to back, BENCH_RECEIVERS_ROUNDS (3) times,
and the best answered packets/s of each is kept. Receivers, simulator and PostgreSQL share
this machine's cores; the raw packet archive is off (it is no part of the store measured),
and so is the receivers' request for missed minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from processes import Process, cpu_seconds, receiver_args

DEVICES = int(os.environ.get("BENCH_RECEIVERS_DEVICES", "2000"))
SECONDS = float(os.environ.get("BENCH_RECEIVERS_SECONDS", "20"))
ROUNDS = int(os.environ.get("BENCH_RECEIVERS_ROUNDS", "3"))
PORT = int(os.environ.get("BENCH_RECEIVERS_PORT", "8722"))
PW = "bench-212"
PREFIX = "RECV"


def database(url: str) -> str:
    """A new empty database beside the given URL's (dropped first)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_receivers"')
        conn.execute(f'CREATE DATABASE "{name}_receivers"')
    return f"{base}/{name}_receivers"


def drop(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def prepare(url: str, tmp: Path) -> None:
    """Migrated, with the stations; this process set up on the same database."""
    os.environ.update(
        DATABASE_URL=url,
        GRIDGOV_DATA_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        GRIDGOV_PACKET_ARCHIVE_DIR="",
        GRIDGOV_HJ212_MAX_CONNECTIONS=str(DEVICES + 500),
        # Each measurement sends minutes of its own, later than the last one's: no receiver
        # asks for the minutes in between (with --no-store none could).
        GRIDGOV_HJ212_BACKFILL_HOURS="0",
    )
    # The per-connection packet limit (20/s) is not what is measured.
    os.environ.setdefault("GRIDGOV_HJ212_RATE", "1000")
    os.environ.setdefault("GRIDGOV_HJ212_BURST", "1000")
    import django

    django.setup()
    from django.core.management import call_command

    from gridgov.air.hj212.devices import hash_password
    from gridgov.air.hj212.sim_config import Config
    from gridgov.air.models import AlarmRule, Station

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0)
    AlarmRule.objects.exclude(kind__in=["threshold", "stuck"]).update(active=False)
    names = Config(devices=DEVICES, prefix=PREFIX)
    Station.objects.bulk_create(
        [
            Station(
                code=f"R{i:05d}",
                name=f"HJ212 微站 {i}",
                kind="micro",
                lat=35.0 + (i // 50) * 0.004,
                lon=113.0 + (i % 50) * 0.005,
                interval_minutes=1,
                mn=names.mn(i),
                pw_hash=hash_password(PW),
            )
            for i in range(DEVICES)
        ],
        batch_size=500,
    )
    from django.db import connection

    connection.close()


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


def measure(
    receivers: int, store: bool, base: dt.datetime, tmp: Path
) -> tuple[float, float, float]:
    """Answered packets/s of all devices through `receivers` receivers, and the CPU
    milliseconds per answered packet of the receivers and of PostgreSQL (its backends that
    lived through the run: a receiver's connections end with it, so they are read before)."""
    from gridgov.air.hj212.sim_config import Config
    from gridgov.air.hj212.simulator import Simulator

    share = DEVICES // receivers
    procs = [
        Process(receiver_args(PORT + k, store), tmp, f"receiver-{PORT + k}", PORT + k)
        for k in range(receivers)
    ]
    for proc in procs:
        proc.start(wait_seconds=60)
    configs = [
        Config(
            port=PORT + k,
            devices=share if k < receivers - 1 else DEVICES - share * k,
            first=1 + share * k,
            prefix=PREFIX,
            pw=PW,
            start=base,
            window=1,
            seconds=SECONDS,
            ramp=DEVICES / 500,
            timeout=5.0,
            drain=10.0,
            backoff=0.5,
            backoff_max=4.0,
        )
        for k in range(receivers)
    ]

    async def main() -> list:
        return await asyncio.gather(*(Simulator(cfg).run() for cfg in configs))

    pg_before = {pid: cpu_seconds(pid) for pid in postgres_pids()}
    try:
        stats = asyncio.run(main())
        receiver_cpu = sum(p.cpu() for p in procs)
        pg_cpu = sum(cpu_seconds(pid) - pg_before.get(pid, 0.0) for pid in postgres_pids())
    finally:
        for proc in procs:
            proc.stop()
    answered = max(sum(s.answered for s in stats), 1)
    return (
        sum(s.rate() for s in stats),
        receiver_cpu * 1000 / answered,
        pg_cpu * 1000 / answered,
    )


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        print("receivers bench: skipped (set BENCH_DATABASE_URL to a PostgreSQL server)")
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = DEVICES * 2 + 512
    if soft < wanted:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else hard, hard)
        )
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-receivers-"))
    bench_url = database(url)
    prepare(bench_url, tmp)
    from gridgov.air.models import CST

    hour = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0)
    setups = [(1, True), (1, False), (2, True), (2, False)]
    best: dict[tuple[int, bool], float] = {}
    cpu: dict[tuple[int, bool], tuple[float, float]] = {}
    try:
        step = 0
        for round_ in range(1, ROUNDS + 1):
            line = []
            for receivers, store in setups:
                # Minutes of their own for every measurement, all in the past: 90 per device
                # at most (a device takes about DEVICES / rate seconds per minute).
                base = hour - dt.timedelta(hours=48) + dt.timedelta(minutes=90 * step)
                step += 1
                rate, receiver_ms, pg_ms = measure(receivers, store, base, tmp)
                if rate > best.get((receivers, store), 0.0):
                    best[receivers, store] = rate
                    cpu[receivers, store] = (receiver_ms, pg_ms)
                line.append(f"{receivers}{'' if store else ' --no-store'} {rate:,.0f}")
            print(f"  round {round_}: " + ", ".join(line) + " packets/s")
    finally:
        from django.db import connection

        connection.close()
        drop(bench_url)
    one, two = best[1, True], best[2, True]
    one_bare, two_bare = best[1, False], best[2, False]
    print(
        f"HJ 212 receivers on one PostgreSQL database: {DEVICES:,} devices split across the "
        f"receivers, {SECONDS:.0f} s each, best of {ROUNDS}; receivers, simulator and "
        f"PostgreSQL on this machine's {os.cpu_count()} cores"
    )
    print(
        f"  1 receiver:  {one:,.0f} answered packets/s stored, {one_bare:,.0f} with --no-store "
        f"(storing keeps {one / one_bare:.2f} of it)"
    )
    print(
        f"  2 receivers: {two:,.0f} answered packets/s stored, {two_bare:,.0f} with --no-store "
        f"(storing keeps {two / two_bare:.2f} of it)"
    )
    print(
        f"  2 vs 1 receivers: stored {two / one:.2f}x, --no-store (the limit) {two_bare / one_bare:.2f}x"
    )
    (rec, pg), (rec_bare, pg_bare) = cpu[1, True], cpu[1, False]
    print(
        f"  CPU per answered packet, 1 receiver: receiver {rec:.3f} ms stored vs "
        f"{rec_bare:.3f} ms --no-store, PostgreSQL {pg:.3f} ms vs {pg_bare:.3f} ms; storing "
        f"costs {(rec + pg - rec_bare - pg_bare) / max(rec_bare + pg_bare, 1e-9):.1f}x the CPU of "
        "parsing and answering"
    )


if __name__ == "__main__":
    main()
