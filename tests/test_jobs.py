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
