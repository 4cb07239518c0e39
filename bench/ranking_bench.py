"""Month-to-date rankings of 819 stations and of the streets/towns: p50/p95 latency, with the
current month rewritten before every run as live ingestion would (no stale cache hits).

Builds the demo territory (no air data) in a temporary SQLite database, puts a micro-station in
every grid, fills this month's (and last year's same month's) daily aggregates for all of them,
then times assessment + ranking the way the API does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import tempfile
import time
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="gridgov-rank-"))
os.environ["GRIDGOV_DATA_DIR"] = str(TMP)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402

from gridgov.air import months  # noqa: E402
from gridgov.air.assessment import assess, level_units, rank, station_units  # noqa: E402
from gridgov.air.models import DailyAggregate, Station  # noqa: E402
from gridgov.territory.models import Region  # noqa: E402

TODAY = dt.date(2026, 11, 27)
RUNS = 100


def fill() -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-serve", "--no-air")
    grids = list(Region.objects.active().grids().only("id", "code", "centroid_lat", "centroid_lon"))
    Station.objects.bulk_create(
        [
            Station(
                code=f"B{g.code}",
                name=f"微站{g.code[-6:]}",
                kind="micro",
                lat=g.centroid_lat,
                lon=g.centroid_lon,
                grid_id=g.pk,
                interval_minutes=1,
            )
            for g in grids
        ]
    )
    rng = np.random.default_rng(5)
    rows = []
    for station in Station.objects.all():
        for start in (TODAY.replace(day=1), TODAY.replace(year=TODAY.year - 1, day=1)):
            for d in range(TODAY.day):
                pm25 = float(rng.lognormal(np.log(55), 0.4))
                rows.append(
                    DailyAggregate(
                        station=station,
                        day=start + dt.timedelta(days=d),
                        pm25=pm25,
                        pm10=pm25 * 1.4,
                        so2=9.0,
                        no2=33.0,
                        co=0.9,
                        o3_1h_max=90.0,
                        o3_8h_max=float(rng.uniform(50, 110)),
                        pm25_n=24,
                        pm10_n=24,
                        so2_n=24,
                        no2_n=24,
                        co_n=24,
                        o3_n=24,
                        o3_8h_n=17,
                    )
                )
    DailyAggregate.objects.bulk_create(rows, batch_size=5000)
    months.rebuild()


def live_write() -> None:
    """What ingestion does every minute: rewrite a station's current month (so the current
    period's statistics must be recomputed; last year's stay cached)."""
    block = months.fetch([1], [months.month_key(TODAY)])
    months.write(block or {(1, months.month_key(TODAY)): months.empty_month()})


def timed(label: str, make_units) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        live_write()
        start = time.perf_counter()
        units = make_units()
        ranked, apart = rank(assess(units, TODAY.replace(day=1), TODAY), "pm25")
        times.append((time.perf_counter() - start) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    print(
        f"{label:<42} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
        f"({len(ranked)} ranked, {len(apart)} apart; target p95 < 50 ms)"
    )


def main() -> None:
    fill()
    print(
        f"{Station.objects.count()} stations, {DailyAggregate.objects.count():,} daily rows "
        f"({os.environ['DATABASE_URL'].split(':')[0]})"
    )
    timed("month-to-date ranking of stations", lambda: station_units())
    timed("month-to-date ranking of streets/towns", lambda: level_units(2))
    timed("month-to-date ranking of communities", lambda: level_units(3))


if __name__ == "__main__":
    main()
