"""The background worker: the periodic tasks exist and run; the queue is SQLite by default and
Redis when REDIS_URL is set (tried against this machine's Redis where there is one)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.django_db


def test_periodic_tasks_are_registered_and_run(crew, report, people):
    import datetime as dt

    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from gridgov.inbox.models import Notification
    from gridgov.workorders import tasks

    # Both are due at any minute: the worker runs them every minute.
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 11, 27, 9, 13))}
    assert {"deadline_sweep", "air_offline_sweep"} <= due

    report(code="straw_burning", now=timezone.now() - dt.timedelta(hours=1))
    tasks.deadline_sweep.call_local()  # what the worker runs every minute
    assert Notification.objects.filter(person=people["g1_leader"], kind="escalated").exists()
    tasks.air_offline_sweep.call_local()


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _settings_probe(env: dict[str, str], code: str) -> str:
    script = textwrap.dedent(
        """
        import django, os
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
        django.setup()
        from django.conf import settings
        from huey.contrib.djhuey import HUEY  # the queue built from settings.HUEY
        """
    ) + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_queue_is_sqlite_by_default(tmp_path):
    out = _settings_probe(
        {"GRIDGOV_DATA_DIR": str(tmp_path), "REDIS_URL": ""},
        "print(type(HUEY).__name__, HUEY.storage.filename)",
    )
    assert out == f"SqliteHuey {tmp_path / 'queue.sqlite3'}"


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_queue_is_redis_with_redis_url(tmp_path):
    out = _settings_probe(
        {"GRIDGOV_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/15"},
        """
        huey = HUEY
        huey.flush()
        @huey.task()
        def add(a, b):
            return a + b
        result = add(2, 3)            # enqueued in Redis
        task = huey.dequeue()         # what a worker on another machine would take
        huey.execute(task)
        print(type(huey).__name__, result.get())
        huey.flush()
        """,
    )
    assert out == "RedisHuey 5"


def test_gridgov_worker_starts_the_consumer_and_stops_cleanly(tmp_path):
    """`gridgov worker` runs Huey's consumer with the periodic tasks; SIGINT stops it."""
    import signal
    import threading
    import time
    from pathlib import Path

    gridgov = Path(sys.executable).with_name("gridgov")
    env = {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(tmp_path),
        "REDIS_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    subprocess.run([str(gridgov), "migrate", "-v0"], env=env, check=True, timeout=300)
    proc = subprocess.Popen(
        [str(gridgov), "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Wait for the consumer's start-up listing (slow on a loaded machine), not a fixed time.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and "daily_backup" not in "".join(lines):
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.2)
        assert proc.poll() is None, "".join(lines)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    out = "".join(lines)
    assert "deadline_sweep" in out  # the consumer lists the periodic tasks it runs
    assert "daily_backup" in out
    assert (tmp_path / "queue.sqlite3").exists()
