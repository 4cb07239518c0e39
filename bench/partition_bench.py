"""Query latency over a year of hourly data, air_hourly partitioned by month vs one plain table.

Builds two PostgreSQL databases (gg_pbench_partitioned, then gg_pbench_plain as a copy of the
migrated one with migration 0019's reverse applied to the empty tables), fills each with the
same data generated server-side (INSERT … SELECT over generate_series, in hour order as live
ingestion writes it; faster than COPY from Python): --stations stations × --days days of hourly
rows, their daily rows and monthly store (months.rebuild). Then times, with the project's own
functions against each database (warm cache, the same random picks for both):

  (a) a month ranking      assessment.rank(assess(station_units(), month)) — reads StationMonth
  (b) a station's month    reports.hourly_rows(one station, one China-time month) — air_hourly
  (c) a daily report       reports.daily_rows(every station, one day) — reads StationMonth
  (d) a day's recompute    aggregate.fetch_hours(every station, one day) — air_hourly

and prints p50/p95 per layout, the ratios, load time and bytes per hourly row on disk (table +
indexes); then what retention costs: a whole month of air_hourly dropped (DETACH + DROP of its
partition vs DELETE of its rows). The databases are dropped at the end (--keep keeps them).

    PYTHONPATH=src python bench/partition_bench.py [--stations 2000] [--days 365] [--runs 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
LAYOUTS = ("partitioned", "plain")
END = "2026-12-01"  # the period ends at this China-time midnight (exclusive)


def db_name(layout: str) -> str:
    return f"gg_pbench_{layout}"


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def child_env(layout: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"{PG}/{db_name(layout)}"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    env.setdefault("GRIDGOV_DATA_DIR", str(Path(tempfile.gettempdir()) / "gg-pbench-data"))
    return env


# --- in the child: one database -------------------------------------------------------------


def fill(stations: int, days: int) -> dict[str, float]:
    import datetime as dt

    from django.db import connection

    from gridgov.air import months, partitions
    from gridgov.air.models import CST, Station

    end = dt.datetime.fromisoformat(END).replace(tzinfo=CST)
    start = end - dt.timedelta(days=days)
    start_ts, end_ts = int(start.timestamp()), int(end.timestamp())
    Station.objects.bulk_create(
        [
            Station(
                code=f"P{i:05d}",
                name=f"微站{i}",
                kind="micro",
                lat=35 + i / 10000,
                lon=113,
                interval_minutes=60,
            )
            for i in range(stations)
        ]
    )
    partitions.ensure_partitions(start_ts, end_ts - 1)
    values = ", ".join(
        f"{lo} + {hi - lo} * random(), 1"
        for lo, hi in ((15, 120), (30, 180), (3, 20), (10, 60), (0.3, 1.5), (20, 200))
    )
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        step = 7 * 86400  # a week per statement
        for lo in range(start_ts, end_ts, step):
            hi = min(lo + step, end_ts)
            cursor.execute(
                "INSERT INTO air_hourly (station_id, ts, need, pm25_sum, pm25_n, "  # noqa: S608
                "pm10_sum, "
                "pm10_n, so2_sum, so2_n, no2_sum, no2_n, co_sum, co_n, o3_sum, o3_n) "
                f"SELECT s.id, h, 1, {values} FROM generate_series(%s, %s, 3600) h "
                "CROSS JOIN (SELECT id FROM air_station ORDER BY id) s ORDER BY h, s.id",
                [lo, hi - 3600],
            )
            print(
                f"  hourly rows to {dt.datetime.fromtimestamp(hi, tz=CST):%Y-%m-%d}",
                file=sys.stderr,
            )
        hourly_seconds = time.perf_counter() - t0
        daily = ", ".join(f"{lo} + {hi - lo} * random(), 24" for lo, hi in ((15, 120),) * 5)
        cursor.execute(
            "INSERT INTO air_daily (station_id, day, pm25, pm25_n, pm10, pm10_n, "  # noqa: S608
            "so2, so2_n, "
            "no2, no2_n, co, co_n, o3_1h_max, o3_n, o3_8h_max, o3_8h_n) "
            f"SELECT s.id, d::date, {daily}, 90 + 60 * random(), 24, 60 + 60 * random(), 17 "
            "FROM generate_series(%s::date, %s::date, '1 day') d CROSS JOIN air_station s",
            [start.date(), (end - dt.timedelta(days=1)).date()],
        )
    t1 = time.perf_counter()
    months.rebuild()
    rebuild_seconds = time.perf_counter() - t1
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM air_hourly")
        rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM "
            "pg_partition_tree('air_hourly')), pg_total_relation_size('air_hourly'))"
        )
        size = int(cursor.fetchone()[0])
    return {
        "rows": rows,
        "bytes": size,
        "hourly_load_s": hourly_seconds,
        "months_rebuild_s": rebuild_seconds,
        "start_ts": start_ts,
        "end_ts": end_ts,
    }


def measure(runs: int, start_ts: int, end_ts: int, seed: int) -> dict[str, list[float]]:
    import datetime as dt

    import numpy as np

    from gridgov.air import assessment, partitions
    from gridgov.air.aggregate import fetch_hours
    from gridgov.air.models import CST, Station
    from gridgov.air.reports import daily_rows, hourly_rows

    rng = np.random.default_rng(seed)
    stations = list(Station.objects.order_by("id").values_list("id", "code"))
    ids = [sid for sid, _ in stations]
    first_day = dt.datetime.fromtimestamp(start_ts, tz=CST).date()
    n_days = (end_ts - start_ts) // 86400
    month_keys = partitions.months_between(start_ts, end_ts - 1)
    times: dict[str, list[float]] = {"ranking": [], "chart": [], "daily": [], "recompute": []}

    def timed(name: str, call) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        call()
        times[name].append((time.perf_counter() - t0) * 1000)

    for _ in range(runs):
        key = int(rng.choice(month_keys))
        m_start, m_end = partitions.month_bounds(key)
        m_start, m_end = max(m_start, start_ts), min(m_end, end_ts)
        first = dt.datetime.fromtimestamp(m_start, tz=CST).date()
        last = dt.datetime.fromtimestamp(m_end - 1, tz=CST).date()
        day = first_day + dt.timedelta(days=int(rng.integers(n_days)))
        sid, code = stations[int(rng.integers(len(stations)))]
        assessment.clear_cache()
        timed(
            "ranking",
            lambda f=first, la=last: assessment.rank(
                assessment.assess(assessment.station_units(), f, la), "pm25"
            ),
        )
        timed("chart", lambda s=sid, c=code, a=m_start, b=m_end: hourly_rows(s, c, a, b))
        timed("daily", lambda d=day: daily_rows(assessment.station_units(), d, d))
        day_ts = int(dt.datetime.combine(day, dt.time(), tzinfo=CST).timestamp())
        timed("recompute", lambda a=day_ts: fetch_hours(ids, a, a + 86400))
    return times


def child(layout: str, stations: int, days: int, runs: int, seed: int) -> None:
    """--child LAYOUT: fill the database (runs == 0) or measure it (runs > 0)."""
    import django

    django.setup()
    from django.db import connection

    from gridgov.air import partitions

    if runs == 0:
        if layout == "plain":
            import importlib

            migration = importlib.import_module("gridgov.air.migrations.0019_partition_time_series")
            with connection.cursor() as cursor:
                for table in migration.TABLES:
                    migration.rebuild(cursor, table, partitioned=False)
        assert partitions.is_partitioned("air_hourly") == (layout == "partitioned")
        print("RESULT " + json.dumps(fill(stations, days)))
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(ts), max(ts) FROM air_hourly")
        start_ts, last_ts = cursor.fetchone()
    measure(1, start_ts, last_ts + 3600, 999)  # warm-up: imports, connection (not counted)
    print("RESULT " + json.dumps(measure(runs, start_ts, last_ts + 3600, seed)))


def drop_oldest_month() -> None:
    """--child LAYOUT --runs -1: what retention costs, a whole month of air_hourly dropped: the
    partition detached and dropped, or the month's rows deleted (destructive: done last)."""
    import django

    django.setup()
    from django.db import connection, transaction

    from gridgov.air import partitions

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(ts) FROM air_hourly")
        key = partitions.next_month(partitions.month_key(cursor.fetchone()[0]))  # a whole one
    start, end = partitions.month_bounds(key)
    t0 = time.perf_counter()
    with transaction.atomic():
        if partitions.is_partitioned("air_hourly"):
            rows = partitions.drop_month("air_hourly", key)
        else:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM air_hourly WHERE ts >= %s AND ts < %s", [start, end])
                rows = cursor.rowcount
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"month": key, "rows": rows, "seconds": seconds}))


# --- the parent -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    parser.add_argument("--child", choices=LAYOUTS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.runs < 0:
        drop_oldest_month()
        return
    if args.child:
        child(args.child, args.stations, args.days, args.runs, args.seed)
        return
    import numpy as np
    import psycopg

    try:
        admin("SELECT 1")
    except psycopg.OperationalError as exc:
        print(f"partition bench skipped: no PostgreSQL at {PG} ({exc})")
        return
    print(
        f"partition bench: {args.stations:,} stations × {args.days} days of hourly rows "
        f"({args.stations * args.days * 24:,} rows per database), {args.runs} runs per query"
    )
    facts: dict[str, dict] = {}
    times: dict[str, dict[str, list[float]]] = {x: {} for x in LAYOUTS}

    def run_child(layout: str, runs: int, seed: int = 0) -> dict:  # type: ignore[type-arg]
        done = subprocess.run(
            [
                *(sys.executable, __file__, "--child", layout, "--seed", str(seed)),
                *("--stations", str(args.stations), "--days", str(args.days), "--runs", str(runs)),
            ],
            env=child_env(layout),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]

    try:
        for layout in LAYOUTS:
            admin(f"DROP DATABASE IF EXISTS {db_name(layout)}")
        admin(f"CREATE DATABASE {db_name('partitioned')}")
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "-v0"],
            env=child_env("partitioned"),
            check=True,
        )
        print(f"migrated in {time.perf_counter() - t0:.0f} s")
        admin(f"CREATE DATABASE {db_name('plain')} TEMPLATE {db_name('partitioned')}")
        for layout in LAYOUTS:
            t0 = time.perf_counter()
            facts[layout] = run_child(layout, 0)
            print(f"{layout}: filled in {time.perf_counter() - t0:.0f} s")
        # The two layouts measured in alternating rounds, so a neighbour's load on this shared
        # machine falls on both alike.
        rounds = 4
        for k in range(rounds):
            for layout in LAYOUTS:
                for key, values in run_child(layout, -(-args.runs // rounds), k).items():
                    times[layout].setdefault(key, []).extend(values)
        drops = {layout: run_child(layout, -1) for layout in LAYOUTS}
    finally:
        if not args.keep:
            for layout in LAYOUTS:
                admin(f"DROP DATABASE IF EXISTS {db_name(layout)}")

    labels = {
        "ranking": "(a) month ranking, all stations",
        "chart": "(b) a station's month chart (hourly)",
        "daily": "(c) daily report, one day, all stations",
        "recompute": "(d) a day's hours, all stations",
    }
    print()
    print(f"{'query':<42}{'partitioned p50/p95 ms':>24}{'plain p50/p95 ms':>20}{'p95 ratio':>11}")
    for key, label in labels.items():
        cells = []
        for layout in LAYOUTS:
            p50, p95 = np.percentile(times[layout][key], [50, 95])
            cells.append((p50, p95))
        ratio = cells[0][1] / cells[1][1]
        print(
            f"{label:<42}{cells[0][0]:>12.1f} / {cells[0][1]:<9.1f}"
            f"{cells[1][0]:>10.1f} / {cells[1][1]:<7.1f}{ratio:>9.2f}"
        )
    print()
    for layout in LAYOUTS:
        f = facts[layout]
        print(
            f"{layout:<12} air_hourly {f['rows']:,} rows, {f['bytes'] / 1e9:.2f} GB "
            f"= {f['bytes'] / f['rows']:.0f} bytes/row (table + indexes); "
            f"loaded in {f['hourly_load_s']:.0f} s ({f['rows'] / f['hourly_load_s']:,.0f} rows/s)"
        )
    print("(p95 ratio < 1: partitioned faster)")
    print()
    for layout, how in zip(LAYOUTS, ("DETACH + DROP partition", "DELETE"), strict=True):
        d = drops[layout]
        print(
            f"retention of a month ({d['month']}, {d['rows']:,} rows), {layout}: "
            f"{how} in {d['seconds'] * 1000:,.0f} ms"
        )


if __name__ == "__main__":
    main()
