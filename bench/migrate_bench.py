"""`migrate` on an empty database (issue 21, item 11: ≤ 5 s): `gridgov migrate --no-input` into
a fresh temporary data directory (SQLite), three times; each run's wall time, its CPU time (user
+ sys: what it costs when other work shares the cores) and the part spent in the migrate command
itself (Django set up, system checks not counted). With BENCH_PG_URL (a PostgreSQL server URL,
e.g. postgres://postgres@127.0.0.1:5432/) also on a new PostgreSQL database, made and dropped
here."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TARGET_SECONDS = 5.0
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
# The migrate command alone, timed inside the process.
INNER = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
django.setup()
from django.core.management import call_command
wall, cpu = time.perf_counter(), time.process_time()
call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
print(f"{time.perf_counter() - wall:.2f} {time.process_time() - cpu:.2f}")
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(database_url: str | None) -> tuple[float, float, str]:
    """(wall s, CPU s) of `gridgov migrate`, and 'wall cpu' of the command alone (a second
    empty database)."""
    results = []
    for command in ("cli", "inner"):
        tmp = Path(tempfile.mkdtemp(prefix="gridgov-migrate-bench-"))
        env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp)}
        env.pop("DATABASE_URL", None)
        dbname = None
        if database_url:
            dbname = f"gridgov_bench_{uuid.uuid4().hex[:8]}"
            subprocess.run(_psql(database_url, f"CREATE DATABASE {dbname}"), check=True)
            env["DATABASE_URL"] = database_url.rstrip("/") + "/" + dbname
        if command == "cli":
            argv = [str(Path(sys.executable).with_name("gridgov")), "migrate", "--no-input"]
        else:
            argv = [sys.executable, "-c", INNER]
        cpu0, start = _children_cpu(), time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        results.append((time.perf_counter() - start, _children_cpu() - cpu0, done.stdout))
        if dbname:
            subprocess.run(_psql(database_url, f"DROP DATABASE {dbname}"), check=True)
        shutil.rmtree(tmp, ignore_errors=True)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-4000:])
            raise SystemExit(f"migrate failed ({command})")
    (wall, cpu, _), (_, _, inner) = results
    return wall, cpu, inner.strip().splitlines()[-1]


def _psql(url: str, sql: str) -> list[str]:
    return ["psql", url.rstrip("/") + "/postgres", "-q", "-c", sql]


def report(label: str, database_url: str | None) -> None:
    runs = [run_once(database_url) for _ in range(RUNS)]
    best = min(runs)
    for wall, cpu, inner in runs:
        inner_wall, inner_cpu = inner.split()
        print(
            f"{label}: gridgov migrate {wall:.2f} s wall, {cpu:.2f} s CPU; "
            f"the command alone {inner_wall} s wall, {inner_cpu} s CPU"
        )
    print(f"  best wall / {TARGET_SECONDS:.0f} s target: {best[0] / TARGET_SECONDS:.2f}")


def main() -> None:
    report("SQLite", None)
    pg = os.environ.get("BENCH_PG_URL")
    if pg:
        report("PostgreSQL", pg)


if __name__ == "__main__":
    main()
