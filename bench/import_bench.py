"""Bulk import of ≥ 10 million minute readings (819 stations × 8.5 days) through
`gridgov import-readings`, against the limit of the store: a plain executemany of the same rows
into the same table with no validation or aggregation on SQLite, COPY on PostgreSQL.

    python bench/import_bench.py                       # SQLite (a temporary file)
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/import_bench.py

The database with the stations is built once and copied for each run (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL, the databases named after BENCH_DATABASE_URL's).
The import and its limit run back to back BENCH_IMPORT_ROUNDS (3) times and the best of each
is compared — on a shared machine a single pair says more about the neighbours than about the
import; each round's own ratio is printed too, and their median. BENCH_IMPORT_DAYS (8.5) shortens the file for a quick look.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
STATIONS = 819
DAYS = float(os.environ.get("BENCH_IMPORT_DAYS", "8.5"))
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", "3"))
T0 = 1_794_672_000  # 2026-11-13 00:00 CST: the 8.5 days end before the benchmark's today


def settings_env(tmp: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp)}
    env["DATABASE_URL"] = url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    return env


def make_file(path: Path) -> int:
    """Write the readings once (cached in bench/out): day by day, station by station."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return pq.ParquetFile(path).metadata.num_rows
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(1)
    minutes = int(DAYS * 1440)
    codes = [f"B{i:04d}" for i in range(STATIONS)]
    schema = pa.schema(
        [
            ("station", pa.string()),
            ("time", pa.timestamp("s", tz="UTC")),
            *[(p, pa.float64()) for p in ("pm25", "pm10", "so2", "no2", "co", "o3")],
        ]
    )
    rows = 0
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for day_start in range(0, minutes, 1440):
            n_min = min(1440, minutes - day_start)
            ts = T0 + 60 * (day_start + np.arange(n_min))
            base = 45 + 20 * np.sin(np.arange(n_min) / 229.0)
            for chunk in range(0, STATIONS, 64):
                ids = range(chunk, min(STATIONS, chunk + 64))
                k = len(ids)
                pm25 = (
                    base[None, :] * rng.uniform(0.8, 1.2, (k, 1)) + rng.normal(0, 3, (k, n_min))
                ).ravel()
                table = pa.table(
                    {
                        "station": np.repeat([codes[i] for i in ids], n_min),
                        "time": pa.array(np.tile(ts, k), pa.timestamp("s", tz="UTC")),
                        "pm25": np.round(pm25, 1),
                        "pm10": np.round(pm25 * 1.4 + 10, 1),
                        "so2": np.round(rng.uniform(5, 15, k * n_min), 1),
                        "no2": np.round(rng.uniform(20, 50, k * n_min), 1),
                        "co": np.round(rng.uniform(0.4, 1.4, k * n_min), 2),
                        "o3": np.round(rng.uniform(20, 120, k * n_min), 1),
                    },
                    schema=schema,
                )
                writer.write_table(table)
                rows += table.num_rows
    tmp.rename(path)
    return rows


def setup_database(env: dict[str, str]) -> None:
    code = (
        "import contextlib, io, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    call_command('demo', '--no-serve', '--no-air')\n"
        "from gridgov.air.models import Station\n"
        "from gridgov.territory.models import Region\n"
        f"grids = list(Region.objects.active().grids().order_by('code')[:{STATIONS}])\n"
        "Station.objects.bulk_create([Station(code=f'B{i:04d}', name=f'B{i:04d}', kind='micro',"
        " lat=g.centroid_lat, lon=g.centroid_lon, grid=g, interval_minutes=1)"
        " for i, g in enumerate(grids)])\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"},
        check=True,
    )


def run_import(env: dict[str, str], path: Path) -> tuple[float, float]:
    gridgov = Path(sys.executable).with_name("gridgov")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(
        [str(gridgov), "import-readings", str(path), "--no-alarms"],
        env={**env, "COLUMNS": "200"},  # the summary on one line
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:])
        raise SystemExit("import failed")
    print("  " + result.stdout.strip().splitlines()[-1])
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return elapsed, peak


BASELINE = r"""
import os, sys, time, django
django.setup()
import numpy as np, pyarrow.parquet as pq
from django.db import connection, transaction
from gridgov.air.models import Station
ids = dict(Station.objects.values_list("code", "pk"))
cols = ["pm25", "pm10", "so2", "no2", "co", "o3"]
sql = ("INSERT INTO air_reading (station_id, ts, " + ", ".join(f"{p}, {p}_flag" for p in cols)
       + ") VALUES (" + ", ".join(["%s"] * 14) + ")")
use_copy = sys.argv[2] == "copy"
start = time.perf_counter()
n = 0
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=200_000):
    codes = batch.column("station").to_pylist()
    station = [ids[c] for c in codes]
    ts = batch.column("time").cast("int64").to_numpy().tolist()
    columns = [station, ts]
    for p in cols:
        columns.append(batch.column(p).to_numpy().tolist())
        columns.append([0] * batch.num_rows)
    rows = list(zip(*columns))
    with transaction.atomic(), connection.cursor() as cursor:
        if use_copy:
            with cursor.cursor.copy("COPY air_reading (station_id, ts, " + ", ".join(
                    f"{p}, {p}_flag" for p in cols) + ") FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, rows)
    n += len(rows)
print(n, time.perf_counter() - start)
"""


def run_baseline(env: dict[str, str], path: Path, mode: str) -> float:
    """Seconds of the whole process, measured like the import's: its start (Python, Django)
    counts on both sides — on a loaded machine it took up to 20 s."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", BASELINE, str(path), mode],
        env={**env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start


def fresh_postgres(url: str, name: str, template: str | None = None) -> str:
    """A new database beside the given URL's (dropped first): empty, or a copy of `template`."""
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


class Databases:
    """The stations' database built once; a fresh copy of it per run."""

    def __init__(self, pg: str | None) -> None:
        self.pg = pg
        self.tmp = Path(tempfile.mkdtemp(prefix="gridgov-import-"))
        self.prefix = pg.rsplit("/", 1)[1] if pg else ""
        self.template = f"{self.prefix}_template"
        url = fresh_postgres(pg, self.template) if pg else None
        with contextlib.redirect_stdout(io.StringIO()):
            setup_database(settings_env(self.tmp, url))
        if pg is None:
            shutil.copy(self.tmp / "bench.sqlite3", self.tmp / "template.sqlite3")

    def fresh(self) -> dict[str, str]:
        if self.pg:
            return settings_env(
                self.tmp, fresh_postgres(self.pg, f"{self.prefix}_run", self.template)
            )
        for suffix in ("", "-wal", "-shm"):
            (self.tmp / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copy(self.tmp / "template.sqlite3", self.tmp / "bench.sqlite3")
        return settings_env(self.tmp, None)

    def close(self) -> None:
        if self.pg:
            drop_postgres(self.pg, f"{self.prefix}_run")
            drop_postgres(self.pg, self.template)
        shutil.rmtree(self.tmp, ignore_errors=True)


def main() -> None:
    path = OUT / f"readings-{STATIONS}x{DAYS:g}d.parquet"
    start = time.perf_counter()
    rows = make_file(path)
    print(
        f"{rows:,} minute readings of {STATIONS} stations × {DAYS:g} days "
        f"({path.stat().st_size / 2**20:.0f} MiB Parquet, ready in {time.perf_counter() - start:.0f} s)"
    )
    pg = os.environ.get("BENCH_DATABASE_URL") or None  # empty (make bench) = SQLite
    # A statement per row is not PostgreSQL's bulk path; COPY is the limit there.
    limit, label = (
        ("copy", "PostgreSQL COPY into the same table, no checks, no aggregates")
        if pg
        else ("executemany", "plain executemany into the same table, no checks, no aggregates")
    )
    databases = Databases(pg)
    times: dict[str, list[float]] = {"pipeline": [], limit: []}
    peak = 0.0
    try:
        for round_ in range(1, ROUNDS + 1):
            elapsed, peak_rss = run_import(databases.fresh(), path)
            peak = max(peak, peak_rss)
            times["pipeline"].append(elapsed)
            times[limit].append(run_baseline(databases.fresh(), path, limit))
            print(
                f"  round {round_}: import {times['pipeline'][-1]:.1f} s, "
                f"{limit} {times[limit][-1]:.1f} s, "
                f"ratio {times[limit][-1] / times['pipeline'][-1]:.2f}"
            )
    finally:
        databases.close()
    best = {mode: min(values) for mode, values in times.items()}
    print(
        "gridgov import-readings (check, flag, insert, hourly+daily+monthly aggregates):\n"
        f"  {best['pipeline']:.1f} s, {rows / best['pipeline']:,.0f} readings/s (best of "
        f"{ROUNDS}), peak RSS {peak:.0f} MiB"
    )
    print(
        f"{label}:\n  {best[limit]:.1f} s, {rows / best[limit]:,.0f} readings/s (best of {ROUNDS})"
    )
    ratio = best[limit] / best["pipeline"]
    target = "target ≥ 0.8"
    print(f"ratio to {'COPY' if pg else 'executemany'}: {ratio:.2f} ({target})")
    # On a loaded machine one side of the best-of pair can come from a quiet moment and the
    # other not (the same import took 9.8 s and 18.0 s in two rounds): the rounds' own ratios,
    # each of an import and its limit run back to back, say how far to trust the one above.
    per_round = sorted(b / a for a, b in zip(times["pipeline"], times[limit], strict=True))
    print(
        "ratio per round (import and limit back to back): "
        + ", ".join(f"{r:.2f}" for r in per_round)
        + f"; median {per_round[len(per_round) // 2]:.2f}"
    )
    print(f"database: {'PostgreSQL' if pg else 'SQLite'}")


if __name__ == "__main__":
    main()
