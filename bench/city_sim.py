"""A simulated city on PostgreSQL and Redis: 10 districts, 8,000 grids, 20,000 stations reporting
each minute through two `gridgov hj212` receivers behind HAProxy, a kill -9 of one receiver
mid-run, then a 2-hour back-fill burst (补发).

    python bench/city_sim.py                 # the full run: 30 live minutes, then the burst
    python bench/city_sim.py --minutes 2     # a short run (`make bench`)

Steps:
1. a database of its own (`gg_citysim` on 127.0.0.1, dropped at the end unless --keep-db) and
   Redis db 7 (flushed); the city built through the project's write paths: the territory by
   `territory.services.apply_plan` (what `gridgov import-regions --commit` runs; 10 districts ›
   10 streets › 8 communities › 10 grids each), the stations from a CSV by
   `air.stations.read_stations_csv` + `apply_stations` (what `gridgov import-stations` runs:
   MN and password per station, each located into its grid);
2. HAProxy (tcp frontend, balance leastconn, health checks every second; the config is written
   into the run's directory) in front of two receivers;
3. the limit beside it: the same two receivers with `--no-store` for --limit-seconds under a
   saturating catch-up load (what parsing, checking and answering alone can take here), and
   the device simulator's own CPU per packet;
4. live: every station sends its minute once it is over (spread over --spread seconds) for
   --minutes minutes, from --sims simulator processes (bench/city_devices.py), --mux stations
   per TCP connection; --hot stations send PM2.5 over the 115 µg/m³ hourly line and have the
   hour before stored (with the rules off), so their first live packet raises the threshold
   alarm: packet → alarm = the Alarm row's raised_at − the device's send time. Halfway
   (--kill-at) one receiver is killed with SIGKILL; its devices reconnect through HAProxy to
   the other (the receiver asks each for what it missed, 补发); it is restarted
   --restart-after seconds later;
5. the burst: every station sends the 2 hours (--burst-minutes) before the live run as fast as
   its answers allow (window --burst-window), as loggers do after an outage; capped at
   --burst-seconds (the share sent is printed);
6. checks: every (station, minute) sent is stored once with the values sent, every answered one
   is stored, nothing else; each hour's counts (air_hourly.*_n) equal its readings; bytes per
   stored reading (pg_total_relation_size of air_reading, all partitions and indexes / rows).
CPU is read from /proc for the receivers, HAProxy and the database backends serving this
database (the machine's other users of PostgreSQL are not counted).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from processes import Process, cpu_seconds, receiver_args

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
DROPDB = shutil.which("dropdb") or "dropdb"
CREATEDB = shutil.which("createdb") or "createdb"
DB = "gg_citysim"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/7"
PREFIX = "CS"
PW = "city-212"
FRONT, BACK = 18300, (18301, 18302)
STATS = 18399
GOAL_STATIONS = 20_000

# The city: 10 districts (5 × 2) › 10 streets (5 × 2) › 8 communities (4 × 2) › 10 grids (2 × 5),
# each grid a cell of 0.005° × 0.004° (about 450 m square).
CELL_LON, CELL_LAT = 0.005, 0.004
LON0, LAT0 = 113.0, 34.0
DISTRICT_NAMES = ["中原", "二七", "管城", "金水", "上街", "惠济", "巩义", "荥阳", "新密", "新郑"]


def options() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--minutes", type=int, default=30, help="live minutes (default 30)")
    p.add_argument("--stations", type=int, default=20_000)
    p.add_argument("--sims", type=int, default=2, help="simulator processes")
    p.add_argument("--mux", type=int, default=4, help="stations per TCP connection")
    p.add_argument("--spread", type=float, default=20, help="live sends spread over s")
    p.add_argument("--timeout", type=float, default=10, help="device re-send timeout, s")
    p.add_argument(
        "--retries", type=int, default=3, help="re-sends before a device keeps a packet for 补发"
    )
    p.add_argument("--hot", type=int, default=40, help="stations over the PM2.5 line")
    p.add_argument("--kill-at", type=float, default=0.5, help="share of the live run")
    p.add_argument("--restart-after", type=float, default=60)
    p.add_argument("--burst-minutes", type=int, default=120)
    p.add_argument("--burst-window", type=int, default=1)
    p.add_argument("--burst-seconds", type=float, default=900)
    p.add_argument("--limit-seconds", type=float, default=60, help="0: no --no-store phase")
    p.add_argument(
        "--rules",
        default="threshold,stuck,offline",
        help="only these alarm rule kinds (all: every rule; the per-station jump and neighbour "
        "rules query the database once per station and batch)",
    )
    p.add_argument("--keep-db", action="store_true")
    p.add_argument(
        "--reuse-city",
        action="store_true",
        help="keep the last run's database (--keep-db) and its city; empty its time series",
    )
    p.add_argument("--report-from", help="reprint the report of a run's summary.pickle")
    return p.parse_args()


# --- processes ---------------------------------------------------------------------------------


def receiver(tmp: Path, port: int, store: bool) -> Process:
    """`gridgov hj212` on a back-end port."""
    kind = "store" if store else "bare"
    return Process(receiver_args(port, store), tmp, f"receiver-{port}-{kind}", port)


HAPROXY_CFG = """\
# HAProxy for the city simulation (bench/city_sim.py): devices' TCP port across two receivers.
global
    maxconn {maxconn}
    log stdout format raw local0 notice

defaults
    mode tcp
    timeout connect 3s
    timeout client 15m
    timeout server 15m
    retries 3
    option redispatch

frontend hj212
    bind 127.0.0.1:{front}
    default_backend receivers

backend receivers
    balance leastconn
    default-server inter 1s fall 2 rise 2
    server r1 127.0.0.1:{r1} check
    server r2 127.0.0.1:{r2} check

listen stats
    mode http
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /
"""


class HAProxy(Process):
    def __init__(self, tmp: Path, maxconn: int) -> None:
        cfg = tmp / "haproxy.cfg"
        cfg.write_text(
            HAPROXY_CFG.format(maxconn=maxconn, front=FRONT, r1=BACK[0], r2=BACK[1], stats=STATS)
        )
        check = subprocess.run(
            [HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True, check=False
        )
        if check.returncode:
            sys.exit(f"haproxy -c: {check.stdout}{check.stderr}")
        super().__init__([HAPROXY, "-db", "-f", str(cfg)], tmp, "haproxy", FRONT)

    def servers(self) -> dict[str, tuple[str, int]]:
        """Server → (status, current sessions), from the stats page's CSV."""
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{STATS}/;csv", timeout=2) as r:
            rows = list(csv.DictReader(io.StringIO(r.read().decode().lstrip("# "))))
        return {
            row["svname"]: (row["status"], int(row["scur"] or 0))
            for row in rows
            if row["pxname"] == "receivers" and row["svname"] in ("r1", "r2")
        }


def stored_rows() -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM air_reading")
        return int(c.fetchone()[0])


def backend_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB],
        )
        return [r[0] for r in c.fetchall()]


class Meter:
    """CPU seconds of the receivers, HAProxy, the simulators and this database's backends."""

    def __init__(self, receivers: list[Process], haproxy: HAProxy) -> None:
        self.receivers, self.haproxy = receivers, haproxy
        self.pg: dict[int, float] = {}

    def sample_pg(self) -> None:
        for pid in backend_pids():
            self.pg[pid] = max(self.pg.get(pid, 0.0), cpu_seconds(pid))

    def read(self) -> dict[str, float]:
        self.sample_pg()
        return {
            "receivers": sum(r.cpu() for r in self.receivers),
            "haproxy": self.haproxy.cpu(),
            "postgres": sum(self.pg.values()),
            "wall": time.monotonic(),
        }


def diff(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: b[k] - a[k] for k in a}


# --- the city ----------------------------------------------------------------------------------


# What a run writes, emptied by --reuse-city (the city itself is kept).
RUN_TABLES = (
    "air_reading",
    "air_hourly",
    "air_daily",
    "air_station_state",
    "air_station_month",
    "air_pending_day",
    "air_month_revision",
    "air_device_status",
    "air_device_command",
    "air_alarm",
    "air_packet_archive_day",
    "workorders_transition",
    "workorders_event",
    "workorders_workorder",
)


def database(tmp: Path, rules: str, reuse: bool) -> bool:
    """The run's database (made afresh, or the last run's city kept with its time series and
    alarms emptied); True when the city is already there."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
    exists = found is not None
    reuse = reuse and exists
    if not reuse:
        subprocess.run([DROPDB, "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
        subprocess.run([CREATEDB, "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    os.environ.update(
        DATABASE_URL=f"{PG}/{DB}",
        REDIS_URL=REDIS,
        GRIDGOV_DATA_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        GRIDGOV_HJ212_MAX_CONNECTIONS="12000",
        PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    import django

    django.setup()
    from django.core.management import call_command

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0)
    from django.db import connection

    from gridgov.air.models import AlarmRule

    if reuse:
        with connection.cursor() as c:
            c.execute(f"TRUNCATE {', '.join(RUN_TABLES)} CASCADE")
        AlarmRule.objects.update(active=True)
    if rules and rules != "all":
        AlarmRule.objects.exclude(kind__in=rules.split(",")).update(active=False)
    return reuse


def box(col: int, row: int, cols: int, rows: int) -> dict:
    x0, y0 = LON0 + col * CELL_LON, LAT0 + row * CELL_LAT
    x1, y1 = x0 + cols * CELL_LON, y0 + rows * CELL_LAT
    ring = [[round(x, 6), round(y, 6)] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def territory_specs() -> list:
    """10 districts of 40 × 20 cells; streets 8 × 10; communities 2 × 5; grids 1 × 1."""
    from gridgov.territory.models import Level
    from gridgov.territory.services import RegionSpec

    specs = []
    for d in range(10):
        dc, dr = (d % 5) * 40, (d // 5) * 20
        dcode = f"C{d + 1:02d}"
        specs.append(
            RegionSpec(dcode, f"{DISTRICT_NAMES[d]}区", Level.DISTRICT, None, box(dc, dr, 40, 20))
        )
        for s in range(10):
            sc, sr = dc + (s % 5) * 8, dr + (s // 5) * 10
            scode = f"{dcode}S{s + 1:02d}"
            specs.append(
                RegionSpec(
                    scode,
                    f"{DISTRICT_NAMES[d]}第{s + 1}街道",
                    Level.STREET,
                    dcode,
                    box(sc, sr, 8, 10),
                )
            )
            for c in range(8):
                cc, cr = sc + (c % 4) * 2, sr + (c // 4) * 5
                ccode = f"{scode}C{c + 1}"
                specs.append(
                    RegionSpec(
                        ccode, f"{scode}社区{c + 1}", Level.COMMUNITY, scode, box(cc, cr, 2, 5)
                    )
                )
                for g in range(10):
                    gc, gr = cc + g % 2, cr + g // 2
                    specs.append(
                        RegionSpec(
                            f"{ccode}G{g:02d}",
                            f"{ccode}网格{g + 1}",
                            Level.GRID,
                            ccode,
                            box(gc, gr, 1, 1),
                            kind="urban",
                        )
                    )
    return specs


def station_csv(path: Path, n: int) -> None:
    """n micro-stations (1-minute interval) spread over the 200 × 40 cells, with MN and PW."""
    cols, rows = 200, 40
    per_cell = -(-n // (cols * rows))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "kind", "lat", "lon", "interval_minutes", "mn", "pw"])
        for i in range(n):
            cell, k = divmod(i, per_cell)
            col, row = cell % cols, cell // cols
            fx, fy = (k + 0.5) / per_cell, 0.3 + 0.4 * (k % 2)
            lon = LON0 + (col + fx) * CELL_LON
            lat = LAT0 + (row + fy) * CELL_LAT
            number = i + 1
            w.writerow(
                [
                    f"CS{number:05d}",
                    f"城市微站{number}",
                    "micro",
                    f"{lat:.6f}",
                    f"{lon:.6f}",
                    1,
                    mn(number),
                    PW,
                ]
            )


def mn(number: int) -> str:
    return f"{PREFIX}{number:06d}"


def build_city(tmp: Path, n: int) -> dict:
    from gridgov.air.models import Station
    from gridgov.air.stations import apply_stations, read_stations_csv
    from gridgov.territory.models import Region
    from gridgov.territory.services import apply_plan

    out: dict = {}
    t = time.perf_counter()
    specs = territory_specs()
    apply_plan(specs, reason="city simulation")
    out["territory_s"] = time.perf_counter() - t
    out["regions"] = Region.objects.count()
    out["grids"] = Region.objects.filter(level=4).count()
    path = tmp / "stations.csv"
    station_csv(path, n)
    t = time.perf_counter()
    report = read_stations_csv(path)
    if report.problems:
        sys.exit(f"station import: {report.problems[:5]}")
    apply_stations(report)
    out["stations_s"] = time.perf_counter() - t
    out["stations"] = Station.objects.filter(mn__startswith=PREFIX).count()
    out["located"] = Station.objects.filter(mn__startswith=PREFIX, grid__isnull=False).count()
    save_build(out)
    return out


def save_build(figures: dict) -> None:
    """The city's build figures, kept in the database for a later --reuse-city run."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_city_build (figures jsonb NOT NULL)")
        c.execute("DELETE FROM bench_city_build")
        c.execute("INSERT INTO bench_city_build VALUES (%s)", [json.dumps(figures)])


def load_build() -> dict | None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT to_regclass('bench_city_build') IS NOT NULL")
        if not c.fetchone()[0]:
            return None
        c.execute("SELECT figures FROM bench_city_build")
        row = c.fetchone()
    if row is None:
        return None
    figures = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    return {**figures, "reused": True}


def station_ids() -> dict[str, int]:
    from gridgov.air.models import Station

    return dict(Station.objects.filter(mn__startswith=PREFIX).values_list("mn", "pk"))


def hot_numbers(n: int, hot: int) -> list[int]:
    step = max(n // max(hot, 1), 1)
    return [1 + i * step for i in range(hot)] if hot else []


def preload_hot(numbers: list[int], sid_of: dict[str, int], hour: dt.datetime) -> set:
    """The hour before the live run's hour, stored for the hot stations with the alarm rules off
    (so their first live packet is what raises the alarm). Returns the (MN, stamp) stored."""
    from gridgov.air.hj212 import codec
    from gridgov.air.hj212.simulator import CODES, minute_values
    from gridgov.air.ingest import Batch, ingest
    from gridgov.air.models import AlarmRule

    active = list(AlarmRule.objects.filter(active=True).values_list("pk", flat=True))
    AlarmRule.objects.filter(pk__in=active).update(active=False)
    station, ts, values, keys = [], [], [], set()
    for number in numbers:
        for m in range(60):
            minute = hour + dt.timedelta(minutes=m)
            v = minute_values(number, minute, hot=True)
            station.append(sid_of[mn(number)])
            ts.append(int(minute.timestamp()))
            values.append([v[c] for c in CODES])
            keys.add((mn(number), codec.stamp(minute)))
    try:
        if station:
            vals = np.array(values, dtype=float)
            order = np.lexsort((np.array(ts), np.array(station)))
            batch = Batch(
                np.array(station, np.int64)[order],
                np.array(ts, np.int64)[order],
                vals[order],
                np.zeros(vals.shape, bool),
                np.arange(len(ts), dtype=np.int64),
            )
            result = ingest(batch, reject_all_on_error=False)
            assert result.stored == len(ts), result
    finally:
        AlarmRule.objects.filter(pk__in=active).update(active=True)
    return keys


# --- the devices -------------------------------------------------------------------------------


def run_sims(tmp: Path, name: str, n: int, sims: int, hot: set[int], **spec) -> list:
    """Start `sims` simulator processes (bench/city_devices.py) over stations 1…n; returns
    their Popen handles with their output files."""
    procs = []
    per = -(-n // sims)
    for k in range(sims):
        first = 1 + k * per
        count = min(per, n - k * per)
        if count <= 0:
            break
        data = dict(
            port=FRONT,
            prefix=PREFIX,
            pw=PW,
            first=first,
            devices=count,
            hot=[num - first for num in hot if first <= num < first + count],
            **spec,
        )
        spec_path = tmp / f"{name}-{k}.json"
        spec_path.write_text(json.dumps(data))
        out = tmp / f"{name}-{k}.pickle"
        with open(tmp / f"{name}-{k}.log", "wb") as log:
            proc = subprocess.Popen(
                [PYTHON, str(HERE / "city_devices.py"), str(spec_path), str(out)],
                stdout=log,
                stderr=log,
            )
        procs.append((proc, out))
    return procs


def collect(procs: list) -> dict:
    """Wait for the simulators and merge what they saw."""
    merged: dict = {"first_sent": {}, "answered_at": {}, "latencies": [], "answer_clock": []}
    sums = (
        "sent",
        "resent",
        "given_up",
        "answered",
        "backfilled",
        "history_requests",
        "connections",
        "connect_failures",
        "drops",
        "late_answers",
        "frame_errors",
        "cpu",
    )
    for k in sums:
        merged[k] = 0
    starts, alls, stops, ends = [], [], [], []
    for proc, out in procs:
        if proc.wait() != 0:
            sys.exit(f"simulator {out} failed ({proc.returncode}): see its .log")
        with open(out, "rb") as fh:
            r = pickle.load(fh)  # noqa: S301 — our own file
        merged["first_sent"].update(r["first_sent"])
        merged["answered_at"].update(r["answered_at"])
        merged["latencies"].extend(r["latencies"])
        merged["answer_clock"].extend(r["answer_clock"])
        for k in sums:
            merged[k] += r[k]
        starts.append(r["started"])
        alls.append(r["all_started"])
        stops.append(r["stopped_sending"])
        ends.append(r["finished"])
    merged.update(
        started=min(starts), all_started=max(alls), stopped_sending=max(stops), finished=max(ends)
    )
    merged["answer_clock"].sort()
    return merged


def rate(s: dict, since: float | None = None, until: float | None = None) -> float:
    since = s["all_started"] if since is None else since
    until = s["stopped_sending"] if until is None else until
    clock = np.asarray(s["answer_clock"])
    n = int(((clock >= since) & (clock <= until)).sum())
    return n / max(until - since, 1e-9)


def peak(s: dict, width: float) -> float:
    """The most packets answered in any `width` seconds (per second)."""
    clock = np.asarray(s["answer_clock"])
    if not len(clock):
        return 0.0
    counts = np.histogram(clock, bins=np.arange(clock[0], clock[-1] + width, width))[0]
    return float(counts.max()) / width


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def watch_receivers(haproxy: HAProxy) -> str:
    try:
        return ", ".join(f"{k} {v[0]} {v[1]:,}" for k, v in sorted(haproxy.servers().items()))
    except OSError as exc:
        return f"(stats: {exc})"


# --- checks ------------------------------------------------------------------------------------


def table_bytes(cursor, table: str) -> tuple[int, int]:
    """(heap + indexes + TOAST, heap) of a table, summed over its partitions if it has any."""
    cursor.execute(
        "SELECT sum(pg_total_relation_size(relid)), sum(pg_relation_size(relid)) "
        "FROM pg_partition_tree(%s::regclass) WHERE isleaf",
        [table],
    )
    total, heap = cursor.fetchone()
    if total is None:  # not partitioned
        cursor.execute(
            "SELECT pg_total_relation_size(%s::regclass), pg_relation_size(%s::regclass)",
            [table, table],
        )
        total, heap = cursor.fetchone()
    return int(total), int(heap)


def check_store(sid_of: dict[str, int], sent: set, answered: set, preloaded: set) -> dict:
    """Rows against what the devices sent and saw answered; hours against rows; values."""
    from django.db import connection

    from gridgov.air.hj212 import codec
    from gridgov.air.hj212.simulator import minute_values

    connection.close()
    number_of = {sid: int(m.removeprefix(PREFIX)) for m, sid in sid_of.items()}

    def key(k: tuple[str, str]) -> tuple[int, int]:
        return sid_of[k[0]], int(codec.parse_stamp(k[1]).timestamp())

    expected = {key(k) for k in sent | preloaded}
    answered_ids = {key(k) for k in answered}
    with connection.cursor() as c:
        c.execute("SELECT station_id, ts, pm25 FROM air_reading")
        rows = c.fetchall()
    stored = {(sid, ts) for sid, ts, _ in rows}
    hot_sids = {sid_of[k[0]] for k in preloaded}
    changed = 0
    for sid, ts, pm25 in rows:
        v = minute_values(number_of[sid], dt.datetime.fromtimestamp(ts, dt.UTC), sid in hot_sids)
        if pm25 != v["a34004"]:
            changed += 1
    per_station_sent: dict[int, int] = {}
    for sid, _ in expected:
        per_station_sent[sid] = per_station_sent.get(sid, 0) + 1
    per_station_rows: dict[int, int] = {}
    for sid, _ in stored:
        per_station_rows[sid] = per_station_rows.get(sid, 0) + 1
    stations_off = sum(
        1
        for sid in set(per_station_sent) | set(per_station_rows)
        if per_station_sent.get(sid, 0) != per_station_rows.get(sid, 0)
    )
    with connection.cursor() as c:
        c.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE h.pm25_n IS DISTINCT FROM r.n
                                    OR h.pm10_n IS DISTINCT FROM r.n10
                                    OR h.o3_n IS DISTINCT FROM r.no3),
                   coalesce(sum(h.pm25_n), 0), coalesce(sum(r.n), 0)
            FROM air_hourly h
            FULL JOIN (
                SELECT station_id, ts - ts % 3600 AS hour, count(pm25) AS n, count(pm10) AS n10,
                       count(o3) AS no3
                FROM air_reading GROUP BY 1, 2
            ) r ON r.station_id = h.station_id AND r.hour = h.ts
            """
        )
        hours, hours_off, hourly_n, reading_n = c.fetchone()
        total_bytes, heap_bytes = table_bytes(c, "air_reading")
        hourly_bytes, _ = table_bytes(c, "air_hourly")
        c.execute("SELECT count(*) FROM air_hourly")
        hourly_rows = c.fetchone()[0]
        daily_bytes, _ = table_bytes(c, "air_daily")
        c.execute("SELECT count(*) FROM air_daily")
        daily_rows = c.fetchone()[0]
    return {
        "rows": len(rows),
        "distinct": len(stored),
        "expected": len(expected),
        "missing_sent": len(expected - stored),
        "missing_answered": len(answered_ids - stored),
        "extra": len(stored - expected),
        "changed": changed,
        "stations_off": stations_off,
        "hours": hours,
        "hours_off": hours_off,
        "hourly_n": hourly_n,
        "reading_n": reading_n,
        "bytes": total_bytes,
        "heap_bytes": heap_bytes,
        "hourly_bytes": hourly_bytes,
        "hourly_rows": hourly_rows,
        "daily_bytes": daily_bytes,
        "daily_rows": daily_rows,
    }


def alarm_latencies(hot: list[int], sid_of: dict[str, int], live: dict, t0: dt.datetime) -> tuple:
    """raised_at of each hot station's PM2.5 threshold alarm − the send time of its first live
    packet (the one that raised it)."""
    from gridgov.air.models import Alarm

    first: dict[int, float] = {}
    wanted = {mn(number) for number in hot}
    for (m, _), sent in live["first_sent"].items():
        if m in wanted:
            sid = sid_of[m]
            first[sid] = min(first.get(sid, sent), sent)
    out = []
    for sid, raised in Alarm.objects.filter(
        rule__kind="threshold", pollutant="pm25", station_id__in=list(first)
    ).values_list("station_id", "raised_at"):
        out.append(raised.timestamp() - first[sid])
    return out, len(first)


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    opts = options()
    if opts.report_from:
        with open(opts.report_from, "rb") as fh:
            saved, *rest = pickle.load(fh)  # noqa: S301 — our own file
        report(argparse.Namespace(**saved), *rest)
        return
    began = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-city-"))
    n = opts.stations

    def say(text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        print(f"[{stamp}] {text}", flush=True)

    say(f"run directory {tmp}; database {DB}, Redis {REDIS}")
    reused = database(tmp, opts.rules, opts.reuse_city)
    city = (load_build() if reused else None) or build_city(tmp, n)
    say(
        f"city: {city['regions']:,} regions ({city['grids']:,} grids) by apply_plan in "
        f"{city['territory_s']:.1f} s; {city['stations']:,} stations ({city['located']:,} in a "
        f"grid) by read_stations_csv + apply_stations in {city['stations_s']:.1f} s"
    )
    sid_of = station_ids()
    from gridgov.air.models import CST

    conns = -(-n // opts.mux)
    haproxy = HAProxy(tmp, maxconn=conns + 1000)
    haproxy.start()
    receivers = [receiver(tmp, port, store=True) for port in BACK]
    meter = Meter(receivers, haproxy)
    procs_cpu: dict[str, float] = {}
    result: dict = {"city": city}
    try:
        # ---- the limit beside it: --no-store ----
        limit = None
        if opts.limit_seconds > 0:
            bare = [receiver(tmp, port, store=False) for port in BACK]
            for r in bare:
                r.start()
            time.sleep(2.5)  # HAProxy's health checks see them up
            say(f"limit: two receivers with --no-store, {opts.limit_seconds:.0f} s saturated")
            c0 = sum(r.cpu() for r in bare), haproxy.cpu(), time.monotonic()
            start = dt.datetime.now(CST).replace(second=0, microsecond=0) - dt.timedelta(days=3)
            procs = run_sims(
                tmp,
                "limit",
                n,
                opts.sims,
                set(),
                start=start.isoformat(),
                minutes=None,
                seconds=opts.limit_seconds,
                window=1,
                drain=15,
                timeout=opts.timeout,
                retries=opts.retries,
                ramp=5,
                spread=0,
                mux=opts.mux,
            )
            limit = collect(procs)
            c1 = sum(r.cpu() for r in bare), haproxy.cpu(), time.monotonic()
            for r in bare:
                r.stop()
            limit["recv_cpu"], limit["haproxy_cpu"] = c1[0] - c0[0], c1[1] - c0[1]
            limit["wall"] = c1[2] - c0[2]
            say(
                f"limit: {rate(limit):,.0f} answered/s sustained; receivers {limit['recv_cpu']:.0f} "
                f"CPU-s, HAProxy {limit['haproxy_cpu']:.0f}, simulators {limit['cpu']:.0f} over "
                f"{limit['wall']:.0f} s"
            )
        result["limit"] = limit

        # ---- live ----
        for r in receivers:
            r.start()
        time.sleep(2.5)
        now = dt.datetime.now(CST)
        t0 = now.replace(second=0, microsecond=0)  # the simulators' first minute
        hot = hot_numbers(n, opts.hot)
        preloaded = preload_hot(hot, sid_of, t0.replace(minute=0) - dt.timedelta(hours=1))
        t0 = dt.datetime.now(CST).replace(second=0, microsecond=0)
        say(
            f"live: {n:,} stations, {opts.minutes} minutes from {t0:%H:%M} CST, {conns:,} "
            f"connections ({opts.mux} stations each) from {opts.sims} simulators; {len(hot)} hot"
        )
        m0 = meter.read()
        rows0 = stored_rows()
        procs = run_sims(
            tmp,
            "live",
            n,
            opts.sims,
            set(hot),
            start=None,
            minutes=opts.minutes,
            seconds=None,
            window=2,
            drain=120,
            timeout=opts.timeout,
            retries=opts.retries,
            ramp=20,
            spread=opts.spread,
            mux=opts.mux,
        )
        kill_at = time.monotonic() + 20 + opts.minutes * 60 * opts.kill_at
        killed = restarted = None
        sessions_before = sessions_after = ""
        while any(p.poll() is None for p, _ in procs):
            time.sleep(1)
            meter.sample_pg()
            now_m = time.monotonic()
            if killed is None and opts.kill_at > 0 and now_m >= kill_at:
                sessions_before = watch_receivers(haproxy)
                receivers[0].kill9()
                killed = time.monotonic()
                say(f"kill -9 receiver r1 (sessions before: {sessions_before})")
            if killed and restarted is None and now_m >= killed + opts.restart_after:
                sessions_after = watch_receivers(haproxy)
                receivers[0].start()
                restarted = time.monotonic()
                say(f"r1 restarted ({opts.restart_after:.0f} s after; sessions: {sessions_after})")
            if int(now_m - began) % 60 == 0:
                say(f"  receivers: {watch_receivers(haproxy)}")
        live = collect(procs)
        m1 = meter.read()
        live["stored"] = stored_rows() - rows0
        live_cpu = diff(m0, m1)
        live["meter"] = live_cpu
        live["killed"], live["restarted"] = killed, restarted
        live["sessions"] = (sessions_before, sessions_after)
        result["live"] = live
        say(f"live done: {live['answered']:,} answered of {live['sent']:,} sent")

        # ---- burst ----
        burst_start = t0 - dt.timedelta(minutes=opts.burst_minutes)
        say(
            f"burst: every station sends {opts.burst_minutes} minutes from {burst_start:%H:%M} "
            f"CST (window {opts.burst_window}), at most {opts.burst_seconds:.0f} s"
        )
        b0 = meter.read()
        rows0 = stored_rows()
        procs = run_sims(
            tmp,
            "burst",
            n,
            opts.sims,
            set(hot),
            start=burst_start.isoformat(),
            minutes=opts.burst_minutes,
            seconds=opts.burst_seconds,
            window=opts.burst_window,
            drain=120,
            timeout=opts.timeout,
            retries=opts.retries,
            ramp=5,
            spread=0,
            mux=opts.mux,
        )
        while any(p.poll() is None for p, _ in procs):
            time.sleep(1)
            meter.sample_pg()
        burst = collect(procs)
        b1 = meter.read()
        burst["stored"] = stored_rows() - rows0
        burst["meter"] = diff(b0, b1)
        result["burst"] = burst
        say(f"burst done: {burst['answered']:,} answered of {burst['sent']:,} sent")
        alarms, hot_sent = alarm_latencies(hot, sid_of, live, t0)
        for r in receivers:
            r.stop()  # each flushes its daily rows
        procs_cpu["receivers"] = sum(r.cpu() for r in receivers)
    finally:
        for r in receivers:
            r.stop()
        haproxy.stop()

    sent = set(live["first_sent"]) | set(burst["first_sent"])
    answered = set(live["answered_at"]) | set(burst["answered_at"])
    checks = check_store(sid_of, sent, answered, preloaded)
    for part in (live, burst, result["limit"]):
        if part:
            part.pop("first_sent", None)
            part.pop("answered_at", None)
    saved = tmp / "summary.pickle"
    with open(saved, "wb") as fh:
        pickle.dump(
            (vars(opts), result, checks, alarms, hot_sent, len(hot), time.monotonic() - began), fh
        )
    say(f"figures saved in {saved} (--report-from reprints them)")
    report(opts, result, checks, alarms, hot_sent, len(hot), time.monotonic() - began)
    ok = exactly_once(checks)
    if not opts.keep_db:
        from django.db import connections

        connections.close_all()
        subprocess.run([DROPDB, "-h", "127.0.0.1", "-U", "postgres", DB], check=False)
    if not ok:
        sys.exit(1)


def exactly_once(c: dict) -> bool:
    """Nothing answered is missing, nothing is stored twice or unsent or changed, and every
    hour counts its readings once. (A packet never answered — its device gave up after its
    re-sends and keeps it for 补发 — may be missing: the device was never told it was stored.)"""
    return (
        c["missing_answered"] == 0
        and c["extra"] == 0
        and c["changed"] == 0
        and c["hours_off"] == 0
        and c["rows"] == c["distinct"]
    )


def report(opts, result, checks, alarms, hot_sent, hot, elapsed) -> None:
    live, burst, limit, city = result["live"], result["burst"], result["limit"], result["city"]
    n = opts.stations
    goal = n / 60
    print()
    print(
        f"City simulation (bench/city_sim.py): {n:,} stations in {city['grids']:,} grids of 10 "
        f"districts, PostgreSQL 15 + Redis, HAProxy (leastconn) → 2 × `gridgov hj212`, "
        f"{opts.sims} simulator processes, {opts.mux} stations per connection; all on this "
        f"machine's {os.cpu_count()} cores (shared); total {elapsed / 60:.1f} min"
    )
    print(
        ("  (city reused from an earlier run)" if city.get("reused") else "")
        + f"  city built by the write paths: territory {city['regions']:,} regions by apply_plan "
        f"in {city['territory_s']:.1f} s; {city['stations']:,} stations by the CSV import in "
        f"{city['stations_s']:.1f} s ({city['stations'] / city['stations_s']:,.0f}/s)"
    )
    dur = live["stopped_sending"] - live["all_started"]
    r_live = rate(live)
    lm = live["meter"]
    print(
        f"  live, {opts.minutes} min (goal {n:,} stations/min = {goal:,.0f} packets/s): "
        f"{live['sent']:,} minute packets sent, {live['answered']:,} answered "
        f"({live['resent']:,} re-sent, {live['backfilled']:,} back-filled on the receivers' "
        f"request after the kill); answered/s sustained {r_live:,.0f} over {dur:,.0f} s "
        f"({r_live / goal:.2f} of the goal), peak {peak(live, 1):,.0f}/s (1 s), "
        f"{peak(live, 10):,.0f}/s (10 s)"
    )
    stored = live.get("stored", 0)
    print(
        f"    stored readings: {stored:,} during the live run = {stored / max(lm['wall'], 1e-9):,.0f}"
        f'/s ({stored / max(lm["wall"], 1e-9) / goal:.2f} of the goal; "answered" above counts '
        f"only the answers a device was still waiting for, not those after it gave up)"
    )
    print(
        f"    packet → answer (first send → 9014, all packets incl. the kill): p50 "
        f"{pct(live['latencies'], 50) * 1000:,.0f} ms, p99 {pct(live['latencies'], 99) * 1000:,.0f}"
        f" ms, max {max(live['latencies'], default=float('nan')) * 1000:,.0f} ms"
    )
    if live["killed"]:
        k = live["killed"]
        print(
            f"    kill -9 of r1 at {k - live['started']:.0f} s (sessions before: "
            f"{live['sessions'][0]}; {opts.restart_after:.0f} s later: {live['sessions'][1]}); "
            f"devices: {live['drops']:,} connections dropped, {live['connect_failures']:,} "
            f"refused, {live['connections']:,} opened in all"
        )
    if alarms:
        print(
            f"    packet → alarm ({len(alarms)} PM2.5 hourly-threshold alarms of {hot} hot "
            f"stations, {hot_sent} sent their first minute): p50 {pct(alarms, 50) * 1000:,.0f} ms,"
            f" p99 {pct(alarms, 99) * 1000:,.0f} ms"
        )
    else:
        print(f"    packet → alarm: no alarm raised ({hot_sent} of {hot} hot stations sent)")
    cpu_total = lm["receivers"] + lm["postgres"] + lm["haproxy"]
    print(
        f"    CPU over the live run ({lm['wall']:,.0f} s): receivers {lm['receivers']:,.0f} s, "
        f"PostgreSQL backends {lm['postgres']:,.0f} s, HAProxy {lm['haproxy']:,.0f} s, "
        f"simulators {live['cpu']:,.0f} s → {live['answered'] / max(cpu_total, 1e-9):,.0f} "
        f"answered packets per CPU-second of receivers + database + HAProxy "
        f"({live['answered'] / max(lm['receivers'], 1e-9):,.0f} per receiver CPU-second)"
    )
    bdur = burst["stopped_sending"] - burst["all_started"]
    r_burst = rate(burst)
    share = burst["sent"] / (n * opts.burst_minutes)
    bm = burst["meter"]
    print(
        f"  burst ({opts.burst_minutes} min of back-fill per station, window "
        f"{opts.burst_window}): {burst['sent']:,} sent ({share:.0%} of {n * opts.burst_minutes:,}"
        f"), {burst['answered']:,} answered, {burst['resent']:,} re-sent; answered/s "
        f"{r_burst:,.0f} over {bdur:,.0f} s (peak {peak(burst, 10):,.0f}/s over 10 s); p50 "
        f"{pct(burst['latencies'], 50) * 1000:,.0f} ms, p99 "
        f"{pct(burst['latencies'], 99) * 1000:,.0f} ms; the whole 2 h of {n:,} stations at this "
        f"rate: {n * opts.burst_minutes / max(r_burst, 1e-9) / 60:,.1f} min"
    )
    bstored = burst.get("stored", 0)
    print(
        f"    stored readings: {bstored:,} during the burst = "
        f"{bstored / max(bm['wall'], 1e-9):,.0f}/s"
    )
    bcpu = bm["receivers"] + bm["postgres"] + bm["haproxy"]
    print(
        f"    CPU over the burst ({bm['wall']:,.0f} s): receivers {bm['receivers']:,.0f} s, "
        f"PostgreSQL backends {bm['postgres']:,.0f} s, HAProxy {bm['haproxy']:,.0f} s, "
        f"simulators {burst['cpu']:,.0f} s → {burst['answered'] / max(bcpu, 1e-9):,.0f} answered "
        f"per CPU-second of receivers + database + HAProxy"
    )
    if limit:
        r_lim = rate(limit)
        print(
            f"  limit beside it: the receivers with --no-store, saturated {opts.limit_seconds:.0f} "
            f"s: {r_lim:,.0f} answered/s (receivers {limit['recv_cpu']:,.0f} CPU-s, HAProxy "
            f"{limit['haproxy_cpu']:,.0f}, simulators {limit['cpu']:,.0f} over "
            f"{limit['wall']:,.0f} s); storing keeps {r_burst / r_lim:.2f} of it (burst / "
            f"no-store); the simulators alone cost {limit['cpu'] / max(limit['sent'] + limit['resent'], 1) * 1e6:,.0f} µs "
            f"per packet ({(limit['sent'] + limit['resent']) / max(limit['cpu'], 1e-9):,.0f} "
            f"packets per simulator CPU-second)"
        )
    c = checks
    ok = exactly_once(c)
    print(
        f"  exactly once: rows {c['rows']:,} ({c['distinct']:,} distinct) for {c['expected']:,} "
        f"(station, minute) sent (incl. {hot * 60:,} preloaded); sent but not stored "
        f"{c['missing_sent']:,} (never answered: their devices gave up "
        f"{live['given_up'] + burst['given_up']:,} packets after {opts.retries} re-sends), answered but not stored {c['missing_answered']:,}, stored but "
        f"never sent {c['extra']:,}, values differing {c['changed']:,}, stations whose row count "
        f"≠ sent {c['stations_off']:,}; hours {c['hours']:,}, hours whose counts ≠ their readings "
        f"{c['hours_off']:,} (Σ pm25_n {c['hourly_n']:,} = Σ readings {c['reading_n']:,}) — "
        f"{'OK' if ok else 'FAILED'}"
    )
    print(
        f"  disk: air_reading {c['bytes'] / 1e6:,.1f} MB with indexes for {c['rows']:,} rows = "
        f"{c['bytes'] / max(c['rows'], 1):,.0f} bytes per reading (heap alone "
        f"{c['heap_bytes'] / max(c['rows'], 1):,.0f}); air_hourly "
        f"{c['hourly_bytes'] / max(c['hourly_rows'], 1):,.0f} bytes per row ({c['hourly_rows']:,}"
        f" rows); air_daily {c['daily_bytes'] / max(c['daily_rows'], 1):,.0f} bytes per row "
        f"({c['daily_rows']:,} rows)"
    )


if __name__ == "__main__":
    main()
