"""Time is a fact, not a job: with no worker and no sweep, the overview's overdue figure equals
a direct count of the open orders past their deadline; the scheduled jobs run inside
`gridgov serve` unless told not to, and a banner says when they have stopped."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gridgov.centre.overview import overview
from gridgov.ops import heartbeat
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import OPEN_STATES
from tests.workorders.fixtures import G1_POINT, G3_POINT

pytestmark = pytest.mark.django_db


@pytest.mark.dates
def test_overdue_is_counted_from_the_clock_with_no_sweep(crew, report, clock, login):
    now = clock.now()
    orders = [report(G1_POINT, now=now - dt.timedelta(days=d)) for d in (0, 3, 40)]
    orders.append(report(G3_POINT, now=now - dt.timedelta(days=90)))
    # Nothing has swept: the sweep's own flag is untouched on every order.
    assert not WorkOrder.objects.filter(overdue_noticed=True).exists()
    direct = WorkOrder.objects.filter(
        state__in=[s.value for s in OPEN_STATES], due_at__lte=clock.now()
    ).count()
    assert direct == 3  # all but the order made just now
    o = overview(crew["command"], clock.today())
    assert o.orders.overdue == direct
    desk = login("command").get("/orders/?queue=overdue")
    assert dict((c, n) for c, _label, n in desk.context["queues"])["overdue"] == direct
    api = login("command").get("/api/v1/orders?overdue=true").json()
    assert api["count"] == direct


@pytest.mark.dates
def test_the_banner_shows_when_the_jobs_have_not_run(crew, login, clock):
    client = login("command")
    page = client.get("/overview/").content.decode()
    assert "定时任务尚未运行" in page  # a fresh database: no job has run yet
    heartbeat.beat("deadline-sweep", clock.now())
    assert "jobs-banner" not in client.get("/overview/").content.decode()
    assert "jobs-banner" not in client.get("/orders/").content.decode()
    heartbeat.beat("deadline-sweep", clock.now() - dt.timedelta(minutes=6))
    assert heartbeat.jobs_status(clock.now()).minutes_silent == 6
    page = client.get("/orders/").content.decode()
    assert "jobs-banner" in page and "定时任务已 6 分钟未运行" in page


@pytest.mark.dates
def test_the_deadline_job_beats(crew):
    from gridgov.workorders.tasks import deadline_sweep

    deadline_sweep.call_local()
    status = heartbeat.jobs_status()
    assert status.last_run is not None and not status.stalled


def test_a_worker_started_by_serve_ends_with_its_parent(tmp_path):
    """`gridgov worker --parent PID` (how `gridgov serve` runs the jobs) stops once PID ends."""
    # Its own data dir and database: the child must never sweep the suite's databases.
    env = {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
    }
    parent = subprocess.Popen(  # a stand-in for gunicorn: starts the worker, then waits
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time;"
            "subprocess.Popen([sys.executable, '-m', 'gridgov.cli', 'worker', '--parent',"
            " str(os.getpid())]); print('started', flush=True); time.sleep(600)",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None and parent.stdout.readline().strip() == "started"
    time.sleep(1.0)
    assert workers_of(parent.pid), "the worker did not start"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while workers_of(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not workers_of(parent.pid), "the worker outlived its parent"


def workers_of(pid: int) -> list[int]:
    """Processes running `gridgov worker --parent pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in argv and b"--parent" in argv and str(pid).encode() in argv:
            found.append(int(entry.name))
    return found


# Tables only (no data migrations: the sweep needs none), seconds instead of a full migrate.
SCHEMA_ONLY = """
import django
django.setup()
from django.apps import apps
from django.db import connection
with connection.schema_editor() as editor:
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            editor.create_model(model)
"""


def lock_holder(queue: Path, name: str) -> dict | None:
    """The holder recorded in the queue file for the job lock `name`, read as a worker would."""
    import json
    import sqlite3

    with sqlite3.connect(queue, timeout=20) as conn:
        row = conn.execute(
            "select value from kv where key = ?", (f"gridgov.lock.{name}",)
        ).fetchone()
    return None if row is None else json.loads(bytes(row[0]))


def beats(db: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(db, timeout=20) as conn:
        return {name for (name,) in conn.execute("select name from ops_jobbeat")}


def test_a_worker_killed_mid_sweep_does_not_stop_the_sweep(tmp_path):
    """kill -9 of a worker while its deadline sweep holds the lock: the next worker frees the
    lock at its start and the sweep runs at once (it used to be refused every minute, for ever)."""
    import sqlite3

    db, queue = tmp_path / "jobs.sqlite3", tmp_path / "queue.sqlite3"
    env = {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
    }
    subprocess.run([sys.executable, "-c", SCHEMA_ONLY], env=env, check=True, timeout=120)
    worker = [sys.executable, "-m", "gridgov.cli", "worker", "--workers", "4"]

    # Hold the database's write lock: the first worker's sweep blocks mid-run, lock held.
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("begin exclusive")
    first = subprocess.Popen(worker, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            held = queue.exists() and lock_holder(queue, "deadline-sweep")
            if held:
                break
            time.sleep(0.2)
        assert held and held["pid"] == first.pid, "the first worker never started the sweep"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
        blocker.rollback()
        blocker.close()
    assert lock_holder(queue, "deadline-sweep"), "the killed worker's lock is left behind"
    assert "deadline-sweep" not in beats(db)

    started = time.monotonic()
    second = subprocess.Popen(worker, env=env, stderr=subprocess.DEVNULL)
    try:
        while "deadline-sweep" not in beats(db) and time.monotonic() - started < 60:
            time.sleep(0.2)
        assert "deadline-sweep" in beats(db), "the sweep did not run within a minute"
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=30)
    assert lock_holder(queue, "deadline-sweep") is None  # released when the run ended


def test_a_job_lock_is_taken_over_only_after_its_ttl():
    """One run at a time; a lock older than its ttl (its holder hung, or gone on another host)
    is taken over; the run that lost it cannot release its successor's lock."""
    import uuid

    from gridgov.ops.locks import JobLock

    lock = JobLock(f"test-{uuid.uuid4().hex}", ttl=dt.timedelta(minutes=10))
    t0 = time.time()
    first = lock.acquire(now=t0)
    assert first is not None
    assert lock.acquire(now=t0 + 1) is None  # a second worker at once: refused
    assert lock.acquire(now=t0 + 599) is None  # still within the ttl
    second = lock.acquire(now=t0 + 601)  # past the ttl: taken over
    assert second is not None and second != first
    assert lock.release(first) is False  # the hung run ends late: the lock is not its own
    assert lock.holder() is not None and lock.acquire(now=t0 + 602) is None
    assert lock.release(second) is True
    assert lock.holder() is None and lock.acquire(now=t0 + 603) is not None


def test_a_starting_worker_frees_only_the_locks_of_dead_processes():
    import json
    import uuid

    from huey.contrib.djhuey import HUEY

    from gridgov.ops.locks import JobLock, clear_dead_holders

    dead_pid = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    live, dead, other_host = (
        JobLock(f"test-{uuid.uuid4().hex}", ttl=dt.timedelta(minutes=10)) for _ in range(3)
    )
    assert live.acquire() is not None  # this process: alive
    assert dead.acquire() is not None
    assert other_host.acquire() is not None
    for lock, holder in ((dead, {"pid": int(dead_pid)}), (other_host, {"host": "elsewhere"})):
        value = {**lock.holder(), **holder}  # as the killed worker (or another machine) wrote it
        HUEY.storage.put_data(lock.key, json.dumps(value).encode())
    cleared = clear_dead_holders()
    assert dead.name in cleared and live.name not in cleared and other_host.name not in cleared
    assert dead.holder() is None and live.holder() and other_host.holder()


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


REDIS_PROBE = """
import datetime as dt, json, os, socket, subprocess, sys, uuid
import django
django.setup()
from huey.contrib.djhuey import HUEY
from gridgov.ops.locks import JobLock, clear_dead_holders

conn = HUEY.storage.conn
lock = JobLock("test-" + uuid.uuid4().hex, ttl=dt.timedelta(seconds=30))
first = lock.acquire()
out = {"first": first is not None, "second": lock.acquire() is not None,
       "ttl": conn.ttl(lock.key), "foreign_release": lock.release("not-mine"),
       "own_release": lock.release(first), "after": lock.holder()}
dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                      capture_output=True, text=True).stdout.strip()
conn.set(lock.key, json.dumps({"host": socket.gethostname(), "pid": int(dead), "at": 0}), ex=30)
out["cleared"] = lock.name in clear_dead_holders()
out["left"] = conn.exists(lock.key)
print(json.dumps(out))
"""


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_job_locks_on_redis_expire_and_die_with_their_holder(tmp_path):
    import json

    env = {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", REDIS_PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["first"] and not out["second"]  # one holder at a time
    assert 0 < out["ttl"] <= 30  # Redis expires it (SET NX EX)
    assert out["foreign_release"] is False and out["own_release"] is True
    assert out["after"] is None
    assert out["cleared"] and out["left"] == 0  # a dead local holder's lock freed at start
