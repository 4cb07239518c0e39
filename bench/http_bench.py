"""HTTP ingestion: sustained single-reading posts from many stations, and the time from a
reading's arrival to its alarm.

Starts `gridgov serve` (gunicorn) on a temporary SQLite database with 400 stations, then drives
it from one asyncio process with keep-alive connections, each post a single reading for a
distinct (station, minute). Twenty "hot" stations post 50 minutes of one hour at PM2.5 200: the
post that completes the hour's 45 valid minutes must come back with its alarm, in the same
request. Everything runs on this machine's 2 cores (server and load generator together).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

STATIONS = 400
HOT = 20
CONNECTIONS = 64
SECONDS = 30
PORT = 8765
# BENCH_BATCH=N: every other post carries N minutes of one station (a station catching up, or a
# gateway): readings per second through the same pipeline when the per-request cost is shared.
BATCH = int(os.environ.get("BENCH_BATCH", "1"))
# BENCH_GATEWAY=N: every post comes from one data gateway and carries one minute of N stations.
GATEWAY = int(os.environ.get("BENCH_GATEWAY", "0"))
# After the readings, the same connections ask a bare endpoint (/healthz: Django, its middleware
# and one SELECT 1) for this long: the ratio says what share of the front's capacity a reading
# post keeps.
BARE_SECONDS = 10


def prepare(tmp: Path) -> list[str]:
    os.environ["GRIDGOV_DATA_DIR"] = str(tmp)
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:  # a fresh database beside the given one
        import psycopg

        admin = pg.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "gridgov_bench_http"')
            conn.execute('CREATE DATABASE "gridgov_bench_http"')
        os.environ["DATABASE_URL"] = pg.rsplit("/", 1)[0] + "/gridgov_bench_http"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from gridgov.air.models import AlarmRule, Station
    from gridgov.air.stations import issue_token
    from gridgov.territory.models import Region

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-serve", "--no-air")
    AlarmRule.objects.exclude(
        kind__in=os.environ.get("BENCH_RULES", "threshold,stuck").split(",")
    ).update(active=False)
    tokens = []
    for i, g in enumerate(Region.objects.active().grids().order_by("code")[:STATIONS]):
        s = Station.objects.create(
            code=f"H{i:04d}",
            name=f"H{i:04d}",
            kind="micro",
            lat=g.centroid_lat,
            lon=g.centroid_lon,
            grid=g,
        )
        tokens.append(issue_token(s))
    if GATEWAY:
        from gridgov.air.gateways import issue_gateway_token
        from gridgov.air.models import Gateway

        gateway = Gateway.objects.create(name="bench", region=Region.objects.get(level=1))
        tokens.append(issue_gateway_token(gateway))  # the last token: the gateway's
    return tokens


async def post(reader, writer, token: str, body: bytes) -> tuple[int, bytes]:
    writer.write(
        b"POST /api/v1/readings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    return await response(reader)


async def response(reader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 answer on a keep-alive connection."""
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    payload = await reader.readexactly(length) if length else b""
    return int(status_line.split()[1]), payload


async def drive(tokens: list[str]) -> dict:
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(second=0, microsecond=0)
    hot_hour = (now - dt.timedelta(hours=2)).replace(minute=0)
    jobs: asyncio.Queue = asyncio.Queue()
    # Hot stations: 50 minutes of one hour at PM2.5 200, in order.
    for k in range(50):
        for s in range(HOT):
            t = hot_hour + dt.timedelta(minutes=k)
            jobs.put_nowait((s, [{"time": t.isoformat(), "pm25": 200 + (k % 5), "pm10": 260}], k))
    # Everyone else: distinct past minutes, newest first, in a round-robin over stations.
    rng = np.random.default_rng(3)
    if GATEWAY:  # one minute of GATEWAY stations per post, all through the gateway's token
        jobs = asyncio.Queue()
        codes = [f"H{i:04d}" for i in range(STATIONS)]
        for k in range(3, 1440):
            t = (now - dt.timedelta(minutes=k)).isoformat()
            for first in range(0, STATIONS, GATEWAY):
                readings = [
                    {"station": c, "time": t, "pm25": float(rng.uniform(20, 90)), "pm10": 80.0}
                    for c in codes[first : first + GATEWAY]
                ]
                jobs.put_nowait((len(tokens) - 1, readings, None))
    for k in range(3 if not GATEWAY else 1440, 1440, BATCH):
        for s in range(HOT, STATIONS):
            readings = [
                {
                    "time": (now - dt.timedelta(minutes=m)).isoformat(),
                    "pm25": float(rng.uniform(20, 90)),
                    "pm10": 80.0,
                    "no2": 30.0,
                    "co": 0.8,
                }
                for m in range(k, min(k + BATCH, 1440))
            ]
            jobs.put_nowait((s, readings, None))
    latencies: list[float] = []
    alarm_latencies: list[float] = []
    alarm_posts: list[tuple[int, float]] = []  # (station index, wall-clock time the post began)
    errors = 0
    readings_sent = 0
    deadline = time.perf_counter() + SECONDS

    async def worker() -> None:
        nonlocal errors, readings_sent
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        while time.perf_counter() < deadline and not jobs.empty():
            s, readings, k = jobs.get_nowait()
            body = json.dumps({"readings": readings}).encode()
            readings_sent += len(readings)
            began = time.time()
            start = time.perf_counter()
            status, payload = await post(reader, writer, tokens[s], body)
            elapsed = time.perf_counter() - start
            latencies.append(elapsed)
            if status != 200:
                errors += 1
            elif k is not None and json.loads(payload)["alarms"]:
                alarm_latencies.append(elapsed)
                alarm_posts.append((s, began))
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    wall = time.perf_counter() - started
    return {
        "posts": len(latencies),
        "readings": readings_sent,
        "wall": wall,
        "latencies": latencies,
        "alarm_latencies": alarm_latencies,
        "alarm_posts": alarm_posts,
        "errors": errors,
    }


async def drive_bare() -> float:
    """Requests/s of GET /healthz over the same connections: the front's own limit."""
    done = 0
    deadline = time.perf_counter() + BARE_SECONDS

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        while time.perf_counter() < deadline:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            await response(reader)
            done += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return done / (time.perf_counter() - started)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-http-"))
    tokens = prepare(tmp)
    env = {**os.environ}
    gridgov = Path(sys.executable).with_name("gridgov")
    server = subprocess.Popen(
        [str(gridgov), "serve", "--port", str(PORT), "--workers", "2", "--threads", "32"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with contextlib.closing(
                    __import__("socket").create_connection(("127.0.0.1", PORT), timeout=0.2)
                ):
                    break
            except OSError:
                time.sleep(0.1)
        result = asyncio.run(drive(tokens))
        bare = asyncio.run(drive_bare())
    finally:
        server.terminate()
        server.wait(timeout=20)
    lat = np.array(result["latencies"]) * 1000
    print(
        f"{result['posts']:,} "
        + (f"gateway posts of {GATEWAY} readings" if GATEWAY else "single-reading posts")
        + f" from {STATIONS} stations over "
        f"{result['wall']:.1f} s with {CONNECTIONS} connections (gunicorn 2 workers × 32 threads, "
        f"{'PostgreSQL' if os.environ.get('BENCH_DATABASE_URL') else 'SQLite'}), "
        "load generator on the same 2 cores"
    )
    rate = result["posts"] / result["wall"]
    print(f"  sustained: {rate:,.0f} posts/s")
    print(
        f"  bare endpoint (GET /healthz, same connections): {bare:,.0f} requests/s; "
        f"reading posts keep {rate / bare:.0%} of it (goal ≥ 60% for single-reading posts)"
    )
    if GATEWAY:
        print(
            f"  gateway posts of {GATEWAY} stations' minutes: "
            f"{result['readings'] / result['wall']:,.0f} readings/s stored"
        )
    if BATCH > 1:
        print(
            f"  with {BATCH} readings per post: {result['readings'] / result['wall']:,.0f} "
            "readings/s stored through the same pipeline"
        )
    print(
        f"  latency: p50 {np.percentile(lat, 50):.1f} ms, p99 {np.percentile(lat, 99):.1f} ms; "
        f"{result['errors']} non-200 answers"
    )
    alarms = np.array(result["alarm_latencies"]) * 1000
    if len(alarms):
        print(
            f"  arrival → alarm ({len(alarms)} alarms, raised inside the post that completed the "
            f"hour): p50 {np.percentile(alarms, 50):.1f} ms, p99 {np.percentile(alarms, 99):.1f} ms "
            "(target p99 < 1 s)"
        )
    else:
        print("  no alarm was raised within the run")
    from gridgov.workorders.models import Notification

    inbox = []
    for s, began in result["alarm_posts"]:
        first = (
            Notification.objects.filter(
                kind="assigned", order__event__alarm__station__code=f"H{s:04d}"
            )
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if first is not None:
            inbox.append((first.timestamp() - began) * 1000)
    if inbox:
        print(
            f"  arrival → work order in the grid worker's inbox ({len(inbox)} of "
            f"{len(result['alarm_posts'])} alarm posts): p50 {np.percentile(inbox, 50):.1f} ms, "
            f"p99 {np.percentile(inbox, 99):.1f} ms (made by the dispatcher thread after the "
            "readings commit)"
        )


if __name__ == "__main__":
    main()
