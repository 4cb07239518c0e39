"""Scratch PostgreSQL clusters for tests (Debian's postgresql-common: pg_createcluster,
pg_ctlcluster, pg_dropcluster), each on a free port, dropped at the end even when the test fails."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    @property
    def data_dir(self) -> Path:
        return Path(f"/var/lib/postgresql/{self.version}/{self.name}")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [
                tool("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-XAtqc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout.strip()


def require_debian_postgresql() -> str:
    """The PostgreSQL version whose tools are installed; skips the test when they are not."""
    if shutil.which("pg_createcluster") is None or shutil.which("pg_basebackup") is None:
        pytest.skip("needs Debian's postgresql-common (pg_createcluster) and pg_basebackup")
    if os.geteuid() != 0:
        pytest.skip("pg_createcluster needs root (it creates the cluster's folders as postgres)")
    versions = sorted(
        (p.parent.parent.name for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")),
        key=int,
    )
    if not versions:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    return versions[-1]


def tool(name: str) -> str:
    """The full path of a PostgreSQL client or postgresql-common command."""
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, timeout: float = 60) -> str:
    out = subprocess.run(
        [tool(args[0]), *args[1:]], capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def wait_ready(cluster: Cluster, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run(
            [tool("pg_isready"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"],
            capture_output=True,
        )
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"cluster {cluster.name} did not accept connections in {timeout} s")


@contextmanager
def scratch_clusters(prefix: str) -> Iterator[list[Cluster]]:
    """Yields a list to which `create_cluster` appends; drops every one of them at the end."""
    made: list[Cluster] = []
    try:
        yield made
    finally:
        for cluster in reversed(made):
            # A scratch cluster's data is thrown away: stop it at once, then drop it.
            subprocess.run(
                [tool("pg_ctlcluster"), cluster.version, cluster.name, "stop", "-m", "immediate"],
                capture_output=True,
                timeout=60,
            )
            subprocess.run(
                [tool("pg_dropcluster"), cluster.version, cluster.name, "--stop"],
                capture_output=True,
                timeout=60,
            )


def create_cluster(made: list[Cluster], version: str, name: str, *settings: str) -> Cluster:
    """A new cluster (trust authentication on 127.0.0.1), not started; `settings` are
    postgresql.conf lines name=value."""
    cluster = Cluster(version, name, free_port())
    made.append(cluster)
    options = [arg for setting in settings for arg in ("-o", setting)]
    run(
        "pg_createcluster",
        version,
        name,
        "-p",
        str(cluster.port),
        *options,
        "--",
        "--auth=trust",
        "--no-sync",
    )
    return cluster


def start(cluster: Cluster) -> None:
    run("pg_ctlcluster", cluster.version, cluster.name, "start")
    wait_ready(cluster)
