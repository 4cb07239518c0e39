"""Point → grid lookups per second: the STRtree index vs. a plain loop over every polygon.

For the 819-grid demo district (built in a temporary SQLite database) and for a generated
100,000-grid "province" (Voronoi cells, built in memory through the same GridIndex class).
Prints measured figures and ratios; run with `make bench`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

TMP = Path(tempfile.mkdtemp(prefix="gridgov-bench-"))
os.environ["GRIDGOV_DATA_DIR"] = str(TMP)
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from gridgov.territory.locate import GridIndex, RegionRef, get_index, locate  # noqa: E402
from gridgov.territory.models import Region  # noqa: E402


def per_second(fn, points, budget: float = 2.0) -> float:
    """Calls of fn(lat, lon) per second, over as many points as fit in the time budget."""
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < budget:
        for lat, lon in points[:1000]:
            fn(lat, lon)
        done += min(1000, len(points))
    return done / (time.perf_counter() - start)


def naive_locator(index: GridIndex):
    # Fresh, unprepared copies: the index prepares its own geometries in place.
    geoms = list(shapely.from_wkb(shapely.to_wkb(index.geoms)))

    def find(lat: float, lon: float):
        point = shapely.Point(lon, lat)
        for i, geom in enumerate(geoms):
            if geom.contains(point):
                return i
        return None

    return find


def report(name: str, index: GridIndex, points: np.ndarray, naive_points: int) -> None:
    single = per_second(index.lookup, points)
    start = time.perf_counter()
    index.lookup_many(points[:, 0], points[:, 1])
    bulk = len(points) / (time.perf_counter() - start)
    naive = naive_locator(index)
    start = time.perf_counter()
    for lat, lon in points[:naive_points]:
        naive(lat, lon)
    naive_rate = naive_points / (time.perf_counter() - start)
    print(f"{name}: {len(index):,} grids")
    print(
        f"  indexed, one point per call : {single:12,.0f} lookups/s  ({1e6 / single:7.1f} µs each)"
    )
    print(f"  indexed, vectorised batch   : {bulk:12,.0f} lookups/s  ({1e6 / bulk:7.2f} µs each)")
    print(
        f"  naive loop with contains    : {naive_rate:12,.1f} lookups/s  ({1e6 / naive_rate:7.0f} µs each)"
    )
    print(
        f"  ratio indexed/naive         : {single / naive_rate:12,.0f}×  (batch: {bulk / naive_rate:,.0f}×)"
    )


def random_points(rng, bounds, n):
    minx, miny, maxx, maxy = bounds
    return np.column_stack([rng.uniform(miny, maxy, n), rng.uniform(minx, maxx, n)])


def main() -> None:
    rng = np.random.default_rng(1)
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-serve", verbosity=0)
    index = get_index()
    district = shapely.from_geojson(__import__("json").dumps(Region.objects.get(level=1).geometry))
    points = random_points(rng, district.bounds, 20_000)
    report("demo district", index, points, naive_points=2_000)
    api_rate = per_second(locate, points)
    print(
        f"  locate() (checks + index)   : {api_rate:12,.0f} lookups/s  ({1e6 / api_rate:7.1f} µs each)"
    )

    # A province: 100,000 Voronoi cells over ~4° × 3°, as one flat list of grids.
    n = 100_000
    seeds = rng.uniform((110.0, 32.0), (114.0, 35.0), size=(n, 2))
    box = shapely.box(110.0, 32.0, 114.0, 35.0)
    start = time.perf_counter()
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    cells = shapely.intersection(cells, box)
    refs = {}
    grids = []
    from types import SimpleNamespace

    from gridgov.territory.geometry import to_geojson

    for i, cell in enumerate(cells):
        refs[i + 1] = RegionRef(i + 1, f"P{i:06d}", f"grid {i}", 4, "urban")
        grids.append(
            SimpleNamespace(
                pk=i + 1,
                code=f"P{i:06d}",
                geometry=to_geojson(cell),
                ancestor_ids=lambda i=i: [i + 1],
            )
        )
    made = time.perf_counter() - start
    start = time.perf_counter()
    province = GridIndex(0, grids, refs)
    built = time.perf_counter() - start
    print(f"province: generated {n:,} cells in {made:.1f} s, index built in {built:.1f} s")
    report("province", province, random_points(rng, box.bounds, 20_000), naive_points=20)


if __name__ == "__main__":
    sys.exit(main())
