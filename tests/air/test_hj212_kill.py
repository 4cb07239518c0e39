"""kill -9 of the HJ 212 receiver under load loses nothing it answered: a few simulated devices
send a few hundred minute packets to `gridgov hj212` (a subprocess on a file SQLite database);
the receiver is killed with SIGKILL part-way and restarted; the devices reconnect and re-send.
Then every (MN, DataTime) they saw answered has its row, and so has every minute they sent,
once, with the values sent."""

import asyncio
import contextlib
import datetime as dt
import importlib.util
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gridgov.air.hj212 import codec
from gridgov.air.hj212.sim_config import Config
from gridgov.air.hj212.simulator import Simulator, minute_values
from gridgov.air.models import CST

REPO = Path(__file__).resolve().parents[2]
DEVICES = 4
MINUTES = 80  # per device: 320 packets
PW = "kill-9"

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(
        importlib.util.find_spec("gridgov.air.management.commands.hj212") is None
        or importlib.util.find_spec("gridgov.air.hj212.receiver") is None,
        reason="the HJ 212 receiver (`gridgov hj212`, air/hj212/receiver.py) is not there yet",
    ),
]

SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from gridgov.air.hj212.devices import hash_password
from gridgov.air.models import Station
for i in range({DEVICES}):
    Station.objects.create(
        code=f"K{{i}}", name=f"K{{i}}", kind="micro", lat=35.2, lon=113.05 + i / 100,
        interval_minutes=1, mn=f"KILL{{i + 1:06d}}", pw_hash=hash_password({PW!r}),
    )
"""


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        GRIDGOV_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        GRIDGOV_HJ212_RATE="1000",
        GRIDGOV_HJ212_BURST="1000",
    )
    return env


def start_receiver(data: Path, port: int, n: int) -> subprocess.Popen:
    gridgov = Path(sys.executable).with_name("gridgov")
    log = open(data / f"receiver-{n}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(gridgov), "hj212", "--host", "127.0.0.1", "--port", str(port)],
        env=env_for(data),
        cwd=REPO,
        stdout=log,
        stderr=log,
    )
    log.close()
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, (data / f"receiver-{n}.log").read_text()[-2000:]
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc
        assert time.monotonic() < deadline, "the receiver did not listen within 60 s"
        time.sleep(0.05)


def test_kill_9_loses_no_answered_packet(tmp_path):
    subprocess.run(
        [sys.executable, "-c", SETUP], env=env_for(tmp_path), check=True, cwd=REPO, timeout=120
    )
    port = free_port()
    start = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=6)
    cfg = Config(
        port=port,
        devices=DEVICES,
        prefix="KILL",
        pw=PW,
        start=start,
        minutes=MINUTES,
        rate=40,  # two seconds of packets per device
        window=4,
        timeout=1.0,
        backoff=0.2,
        backoff_max=1.0,
        drain=60,
        seconds=120,  # a bound on the whole run
    )
    procs = [start_receiver(tmp_path, port, 1)]
    killed_at = {}

    async def main():
        sim = Simulator(cfg)
        running = asyncio.create_task(sim.run())
        deadline = time.monotonic() + 60
        while sim.stats.answered < DEVICES * MINUTES // 3 and not running.done():
            if time.monotonic() > deadline:
                sim.stop()
                await running
                pytest.fail(f"a third of the packets not answered in 60 s: {sim.stats.summary()}")
            await asyncio.sleep(0.01)
        killed_at["answered"] = sim.stats.answered
        killed_at["sent"] = sim.stats.sent
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait()
        await asyncio.sleep(0.3)
        procs.append(await asyncio.to_thread(start_receiver, tmp_path, port, 2))
        return await running

    try:
        stats = asyncio.run(main())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)

    total = DEVICES * MINUTES
    assert 0 < killed_at["answered"] < total  # killed under load, not before or after
    assert killed_at["sent"] < total
    assert stats.sent == total
    assert stats.answered == total, stats.summary()  # every minute answered in the end
    assert stats.drops + stats.connect_failures >= DEVICES  # they saw the receiver die

    with contextlib.closing(sqlite3.connect(tmp_path / "gridgov.sqlite3")) as db:
        sid = dict(db.execute("SELECT mn, id FROM air_station WHERE mn LIKE 'KILL%'"))
        rows = db.execute(
            "SELECT r.station_id, r.ts, r.pm25 FROM air_reading r "
            "JOIN air_station s ON s.id = r.station_id WHERE s.mn LIKE 'KILL%'"
        ).fetchall()
    stored = {(s, ts): pm25 for s, ts, pm25 in rows}
    assert len(stored) == len(rows)  # once each

    def key(k):
        return sid[k[0]], int(codec.parse_stamp(k[1]).timestamp())

    answered = {key(k) for k in stats.answered_keys}
    sent = {key(k) for k in stats.sent_keys}
    assert answered - set(stored) == set()  # nothing answered is missing
    assert set(stored) == sent  # re-sends filled the rest, and nothing else is there
    number = {s: int(mn.removeprefix("KILL")) for mn, s in sid.items()}
    for (s, ts), pm25 in stored.items():  # what was stored is what was sent
        minute = dt.datetime.fromtimestamp(ts, CST)
        assert pm25 == minute_values(number[s], minute)["a34004"]
