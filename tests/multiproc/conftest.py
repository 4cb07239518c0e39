"""Several processes, one truth: a cluster of two `gridgov serve` (no jobs), two `gridgov hj212`
receivers and two `gridgov worker` on one PostgreSQL database and one Redis db, started once per
test session (`cluster`), killed (their process groups) at the end, even on failure.

The database is a real, committed one made for the session (gg_multiproc_<pid>), migrated once
by `gridgov migrate`, seeded by tests/multiproc/scenario.py and dropped at the end. The tests
read it with plain SQL (psycopg), never through the test process's Django connection: what they
check is what the processes committed.

Only where DATABASE_URL is PostgreSQL and Redis answers (CI's PostgreSQL pass); elsewhere every
test here is skipped with that reason."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIP = "needs PostgreSQL and Redis: CI's PostgreSQL pass runs these"
REDIS_URL = os.environ.get("GRIDGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
MAX_CONN_PER_ADDRESS = 4  # the HJ 212 per-address limit the cluster runs with
SERVE_OPTIONS = ("--workers", "1", "--threads", "8", "--no-jobs")
HJ212_OPTIONS = ("--stats-every", "0")


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=0.5).ping())
    except Exception:
        return False


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    port: int = 0

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


class Agent:
    """A gridgov process running tests.multiproc.scenario's calls sent to it, one per line
    (scenario.agent): the test acts inside the platform without a Django start-up per act."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "ab") as err:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "gridgov.cli", "shell", "-c", AGENT],
                env=env,
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                start_new_session=True,
            )
        self.answers: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            if line.startswith("{"):
                self.answers.put(line)

    def send(self, call: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(call + "\n")
        self.popen.stdin.flush()

    def answer(self, timeout: float = 120) -> Any:
        try:
            got = json.loads(self.answers.get(timeout=timeout))
        except queue.Empty:
            pytest.fail(f"no answer from the agent in {timeout:g} s:\n{self.tail()}")
        if isinstance(got, dict) and "error" in got:
            pytest.fail(f"the agent's call failed:\n{got['error']}")
        return got

    def call(self, call: str, timeout: float = 120) -> Any:
        self.send(call)
        return self.answer(timeout)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            assert self.popen.stdin is not None
            self.popen.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


AGENT = "from tests.multiproc import scenario; scenario.agent()"


@dataclass
class Cluster:
    database_url: str
    data_dir: Path
    env: dict[str, str]
    seeded: dict[str, Any]
    procs: dict[str, Proc] = field(default_factory=dict)
    agents: list[Agent] = field(default_factory=list)

    # --- the processes ---

    @property
    def web_ports(self) -> list[int]:
        return [self.procs["serve1"].port, self.procs["serve2"].port]

    @property
    def hj212_ports(self) -> list[int]:
        return [self.procs["hj212-1"].port, self.procs["hj212-2"].port]

    def start(self, proc: Proc) -> None:
        with open(proc.log, "ab") as log:
            proc.popen = subprocess.Popen(
                proc.argv,
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: gunicorn's workers die with it
            )
        self.procs[proc.name] = proc

    def stop(self, proc: Proc, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        popen = proc.popen
        if popen is None or popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, sig)
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait(timeout=10)

    def wait_ready(self, proc: Proc, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.popen is not None
            if proc.popen.poll() is not None:
                pytest.fail(f"{proc.name} ended at start:\n{proc.tail()}")
            if _ready(proc):
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{proc.name} not ready in {timeout:g} s:\n{proc.tail()}")
            time.sleep(0.1)

    def restart(self, name: str) -> None:
        proc = self.procs[name]
        self.stop(proc)
        self.start(proc)
        self.wait_ready(proc)

    # --- acting inside a gridgov process ---

    def gridgov(self, code: str, timeout: float = 120) -> subprocess.Popen[str]:
        """Start `python -m gridgov.cli shell -c code` (returns at once)."""
        return subprocess.Popen(
            [sys.executable, "-m", "gridgov.cli", "shell", "-c", code],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def scenario(self, call: str, timeout: float = 120) -> Any:
        """Run `tests.multiproc.scenario.<call>` in a gridgov process (the first agent); its
        JSON answer."""
        return self.agents[0].call(call, timeout)

    def at_once(self, function: str, task: str) -> list[Any]:
        """scenario.`function` run by both agents at the same moment, the first also putting
        the scheduled job `task` on the workers' queue 4 times at that moment; their answers."""
        moment = time.time() + 0.5
        self.agents[0].send(f"{function}({moment}, {task!r})")
        self.agents[1].send(f"{function}({moment})")
        return [agent.answer() for agent in self.agents]

    # --- reading what was committed ---

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as db:
            return db.execute(query, params).fetchall()

    def one(self, query: str, params: Any = None) -> Any:
        return self.sql(query, params)[0][0]


def finish(popen: subprocess.Popen[str], timeout: float = 120) -> Any:
    """Wait for a `Cluster.gridgov` process; its last stdout line as JSON."""
    try:
        out, err = popen.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        out, err = popen.communicate()
        pytest.fail(f"a gridgov process did not finish in {timeout:g} s:\n{err[-3000:]}")
    if popen.returncode != 0:
        pytest.fail(f"a gridgov process failed ({popen.returncode}):\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"no answer from the gridgov process:\n{out[-2000:]}\n{err[-2000:]}"
    return json.loads(lines[-1])


def _ready(proc: Proc) -> bool:
    if proc.name.startswith("serve"):
        with contextlib.suppress(OSError):
            status, _ = http_get(proc.port, "/healthz", timeout=5)
            return status == 200
        return False
    if proc.name.startswith("hj212"):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", proc.port), 0.2):
            return True
        return False
    return "consumer started" in proc.tail(20000).lower()  # a Huey worker


def http_get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30):
    return http_request(port, "GET", path, headers=headers, timeout=timeout)


def http_request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(base: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_database_url(base, "postgres"), autocommit=True) as db:
        db.execute(statement)


def _clone_run_template(base: str, name: str) -> bool:
    """Under pytest-xdist, the run's migrated template database (tests/dbtemplate.py) copied
    as `name` (CREATE DATABASE … TEMPLATE: a second or so instead of migrating); False when
    there is none (then the caller migrates)."""
    from tests import dbtemplate

    xdist = dbtemplate.xdist_run()
    if xdist is None:
        return False
    state = dbtemplate._state(xdist[0])
    with dbtemplate._locked(state / "lock"):  # no worker clones or drops it meanwhile
        ready = state / "ready"
        if not ready.exists():
            return False
        try:
            _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{ready.read_text()}"')
        except Exception:
            return False
    return True


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    base = _postgres_url()
    if base is None or not _redis_answers():
        pytest.skip(SKIP)
    name = f"gg_multiproc_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    data = tmp_path_factory.mktemp("multiproc")
    url = _database_url(base, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "PYTEST_"))}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        GRIDGOV_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        GRIDGOV_JOBS_IN_SERVE="0",
        GRIDGOV_CLIENT_IP_HEADER="X-Real-IP",
        GRIDGOV_PUBLIC_REPORTS_PER_HOUR="10",
        GRIDGOV_TOKEN_CACHE_SECONDS="1",
        GRIDGOV_LOCATE_REFRESH_SECONDS="0.5",
        # Long: a station changed elsewhere must reach the receivers through Redis at once.
        GRIDGOV_HJ212_REFRESH_SECONDS="120",
        GRIDGOV_HJ212_STATUS_SECONDS="0.5",
        GRIDGOV_HJ212_COMMAND_SECONDS="0.3",
        GRIDGOV_HJ212_RATE="1000",
        GRIDGOV_HJ212_BURST="1000",
        GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS=str(MAX_CONN_PER_ADDRESS),
        GRIDGOV_HJ212_TRUSTED_NETWORKS="192.0.2.0/24",  # not loopback: the tests' devices count
        GRIDGOV_DAY_REFRESH_SECONDS="1",
        GRIDGOV_BULLETIN_HOUR="-1",  # the schedules run when a test says, not by the clock
    )
    _flush_redis()
    t0 = time.monotonic()
    cloned = _clone_run_template(base, name)
    if not cloned:
        _admin(base, f'CREATE DATABASE "{name}"')
    cluster = Cluster(url, data, env, {})
    try:
        # Migrated (unless cloned) and seeded in one process (one Django start-up).
        migrate = "" if cloned else "call_command('migrate', verbosity=0); "
        cluster.seeded = finish(
            cluster.gridgov(
                f"from django.core.management import call_command; {migrate}"
                "from tests.multiproc import scenario; scenario.seed()"
            ),
            timeout=300,
        )
        t1 = time.monotonic()
        py = [sys.executable, "-m", "gridgov.cli"]
        for n in (1, 2):
            port = free_port()
            cluster.start(
                Proc(
                    f"serve{n}",
                    [*py, "serve", "--host", "127.0.0.1", "--port", str(port), *SERVE_OPTIONS],
                    data / f"serve{n}.log",
                    port=port,
                )
            )
            port = free_port()
            cluster.start(
                Proc(
                    f"hj212-{n}",
                    [*py, "hj212", "--host", "127.0.0.1", "--port", str(port), *HJ212_OPTIONS],
                    data / f"hj212-{n}.log",
                    port=port,
                )
            )
            cluster.start(Proc(f"worker{n}", [*py, "worker"], data / f"worker{n}.log"))
            cluster.agents.append(Agent(env, data / f"agent{n}.log"))
        for proc in list(cluster.procs.values()):
            cluster.wait_ready(proc)
        for agent in cluster.agents:
            agent.call("say({'ready': True})")
        sys.stderr.write(
            f"\nmultiproc cluster: {'cloned' if cloned else 'migrated'} and seeded in "
            f"{t1 - t0:.1f} s, "
            f"6 processes ready in {time.monotonic() - t1:.1f} s\n"
        )
        yield cluster
    finally:
        for agent in cluster.agents:
            agent.stop()
        for proc in list(cluster.procs.values()):  # what they would still write is not tested
            cluster.stop(proc, signal.SIGKILL)
        with contextlib.suppress(Exception):
            _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        with contextlib.suppress(Exception):
            _flush_redis()
