"""Per-client limits that hold across processes: the count and the check are one atomic step in a
store every process shares (the database, or Redis with REDIS_URL)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from gridgov.web import ratelimit
from gridgov.web.models import ClientCounter

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/7"  # this suite's own db; only it is flushed


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=0.5).ping())
    except Exception:
        return False


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def hammer(key: str, limit: int, threads: int) -> list[bool]:
    """`threads` threads, released together, each counting one use of `key`."""
    barrier = threading.Barrier(threads)
    answers: list[bool] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            barrier.wait()
            ok = ratelimit.allow(key, limit, 3600)
            with lock:
                answers.append(ok)
        finally:
            connection.close()

    pool = [threading.Thread(target=one) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return answers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_on_the_database_get_exactly_the_limit():
    answers = hammer("test:db", limit=7, threads=24)
    assert len(answers) == 24 and answers.count(True) == 7
    assert ClientCounter.objects.get(key="test:db").count == 24


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_on_redis_get_exactly_the_limit(settings):
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    flush_redis()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    try:
        answers = hammer("test:redis", limit=7, threads=24)
        assert answers.count(True) == 7
        assert not ClientCounter.objects.exists()  # counted in Redis, not the database
    finally:
        flush_redis()


@pytest.mark.django_db
def test_a_window_ends_and_starts_again(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    assert [ratelimit.count("a", 60) for _ in range(3)] == [1, 2, 3]
    ratelimit.count("b", 10)
    clock[0] += 30
    assert ratelimit.count("a", 60) == 4  # the window is fixed from the first use
    clock[0] += 31
    assert ratelimit.count("a", 60) == 1  # a new window; "b"'s ended one is cleared
    assert set(ClientCounter.objects.values_list("key", flat=True)) == {"a"}


# ----------------------------------------------------------------- two server processes --

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from gridgov.territory.services import apply_plan
from tests.conftest import territory_specs
apply_plan(territory_specs())
"""


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A data dir with a migrated file SQLite database and the test territory."""
    path = tmp_path_factory.mktemp("two-servers")
    env = server_env(path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=REPO, timeout=120)
    return path


def server_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        GRIDGOV_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        GRIDGOV_CLIENT_IP_HEADER="X-Real-IP",
        GRIDGOV_PUBLIC_REPORTS_PER_HOUR="10",
        **extra,
    )
    return env


@contextlib.contextmanager
def two_servers(data: Path, **extra: str):
    ports = [free_port(), free_port()]
    gridgov = Path(sys.executable).with_name("gridgov")
    procs = [
        subprocess.Popen(
            [str(gridgov), "serve", "--port", str(p), "--workers", "1", "--threads", "16"],
            env=server_env(data, **extra),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(OSError):
                    status, _, _ = request(port, "GET", "/report/")
                    if status == 200:
                        break
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Set-Cookie") or "", r.read().decode()
    finally:
        conn.close()


def thirty_reports(ports: list[int], address: str) -> list[tuple[int, str]]:
    """30 simultaneous public reports from one address, alternating between the servers."""
    _, cookie, page = request(ports[0], "GET", "/report/")
    secret = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "category": "sanitation",
            "lat": "35.2",
            "lon": "113.05",
            "description": "垃圾堆积多日无人清运",
        }
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={secret}",
        "X-Real-IP": address,
    }
    barrier = threading.Barrier(30)

    def post(i: int) -> tuple[int, str]:
        barrier.wait()
        status, _, text = request(ports[i % 2], "POST", "/report/", body, headers)
        if "已收到您的反映" in text:
            return status, "accepted"
        if "提交过于频繁" in text:
            return status, "limited"
        return status, text[:300]

    with ThreadPoolExecutor(30) as pool:
        return list(pool.map(post, range(30)))


def events(data: Path) -> int:
    with contextlib.closing(sqlite3.connect(data / "gridgov.sqlite3")) as db:
        return db.execute("SELECT count(*) FROM workorders_event").fetchone()[0]


def check(results: list[tuple[int, str]]) -> None:
    accepted = [r for r in results if r == (200, "accepted")]
    limited = [r for r in results if r == (429, "limited")]
    assert (len(accepted), len(limited)) == (10, 20), results


@pytest.mark.servers
def test_two_server_processes_share_the_public_limit_in_the_database(data_dir):
    before = events(data_dir)
    with two_servers(data_dir) as ports:
        check(thirty_reports(ports, "198.51.100.20"))
    assert events(data_dir) - before == 10


@pytest.mark.servers
def test_two_server_processes_share_the_public_limit_in_redis(data_dir):
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    flush_redis()
    before = events(data_dir)
    try:
        with two_servers(data_dir, REDIS_URL=REDIS_URL) as ports:
            check(thirty_reports(ports, "198.51.100.21"))
    finally:
        flush_redis()
    assert events(data_dir) - before == 10
    with contextlib.closing(sqlite3.connect(data_dir / "gridgov.sqlite3")) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM web_clientcounter")]
    assert "public-report:198.51.100.21" not in keys  # counted in Redis
