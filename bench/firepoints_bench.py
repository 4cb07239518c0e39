"""Fire-point import benchmark: 1,000 made-up satellite fire points (about 70 % inside the demo
district's box, a third of those repeats of an earlier point within 600 m and a few hours, the
rest outside the district) in a CSV with the ecology department's Chinese headers, imported by
`gridgov import-firepoints`. Target: under 5 s for the import (the demo territory's build is
not counted). SQLite in a temporary directory, or PostgreSQL with BENCH_DATABASE_URL."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="gridgov-firepoints-"))
os.environ["GRIDGOV_DATA_DIR"] = str(TMP)
if os.environ.get("BENCH_DATABASE_URL"):
    import psycopg

    base = os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "gridgov_bench_firepoints"')
        conn.execute('CREATE DATABASE "gridgov_bench_firepoints"')
    os.environ["DATABASE_URL"] = base + "/gridgov_bench_firepoints"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()
logging.disable(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from gridgov.intake.models import ExternalEvent  # noqa: E402
from gridgov.territory import extent  # noqa: E402

DB = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
POINTS = 1000
TARGET_SECONDS = 5.0
CST = dt.timezone(dt.timedelta(hours=8))


def make_file(path: Path, rng: random.Random) -> dict[str, int]:
    box = extent.district_box()
    assert box is not None
    m = extent.MARGIN_DEGREES
    now = timezone.now().astimezone(CST).replace(microsecond=0)
    rows, planned = [], {"inside": 0, "repeat": 0, "outside": 0}
    inside: list[tuple[float, float, dt.datetime]] = []
    for i in range(POINTS):
        at = now - dt.timedelta(minutes=rng.randint(60, 47 * 60))
        roll = rng.random()
        if roll < 0.3:
            lat, lon = rng.uniform(20, 30), rng.uniform(90, 100)  # far outside
            planned["outside"] += 1
        elif roll < 0.53 and inside:
            lat0, lon0, at0 = rng.choice(inside)
            lat, lon = lat0 + rng.uniform(-0.004, 0.004), lon0 + rng.uniform(-0.004, 0.004)
            at = min(now - dt.timedelta(minutes=5), at0 + dt.timedelta(minutes=rng.randint(5, 300)))
            planned["repeat"] += 1
        else:
            lat, lon = rng.uniform(box[1] + m, box[3] - m), rng.uniform(box[0] + m, box[2] - m)
            inside.append((lat, lon, at))
            planned["inside"] += 1
        rows.append({
            "编号": f"FP{i:05d}", "经度": f"{lon:.5f}", "纬度": f"{lat:.5f}",
            "时间": at.strftime("%Y-%m-%d %H:%M:%S"), "可信度": rng.randint(40, 100),
            "卫星": rng.choice(["FY-3D", "NPP", "NOAA-20", "Himawari-9"]),
            "地类": rng.choice(["耕地", "耕地", "林地", "草地"]),
        })  # fmt: skip
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return planned


def main() -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-serve", "--no-air", "--no-orders")
    path = TMP / "firepoints.csv"
    planned = make_file(path, random.Random(25))
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_firepoints", str(path), "--commit", stdout=out)
    seconds = time.perf_counter() - started
    counts = {
        o: ExternalEvent.objects.filter(outcome=o).count() for o in ("created", "merged", "outside")
    }
    print(f"fire points ({DB}): {POINTS} points imported in {seconds:.2f} s "
          f"(target < {TARGET_SECONDS:.0f} s); planned {planned}; stored {counts}")  # fmt: skip
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
