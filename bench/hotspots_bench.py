"""Hot grids (air/hotspots.py): the time to estimate and rank 800 grids over 30 days of hourly
means from 40 stations (the numpy part; the database read is separate).

    PYTHONPATH=src python bench/hotspots_bench.py
"""

from __future__ import annotations

import os
import time

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
django.setup()

from gridgov.air import hotspots  # noqa: E402


def main(grids: int = 800, stations: int = 40, days: int = 30, repeat: int = 5) -> None:
    rng = np.random.default_rng(7)
    pts = lambda n: np.column_stack([rng.uniform(35, 35.4, n), rng.uniform(113, 113.4, n)])  # noqa: E731
    contains = np.zeros((grids, stations))
    contains[rng.choice(grids, stations, replace=False), np.arange(stations)] = 1
    net = hotspots.Network(pts(grids), pts(stations), contains)
    hours = days * 24
    values = rng.uniform(10, 200, (hours, stations))
    values[rng.random(values.shape) < 0.05] = np.nan
    lines = np.full(hours, 60.0)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        hourly = hotspots.estimate(net, values)
        hotspots.summarise(hourly, lines)
        best = min(best, time.perf_counter() - t)
    print(
        f"{grids} grids × {days} days × {stations} stations: {best * 1000:.1f} ms (best of {repeat})"
    )


if __name__ == "__main__":
    main()
