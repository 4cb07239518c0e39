"""AQI over 1 million daily records: throughput of gridgov's vectorised HJ 633 engine, and the
ratio to the python-aqi package's China (MEP) algorithm on the same records."""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import numpy as np

from gridgov.air import aqi

N = 1_000_000
SAMPLE = 20_000  # python-aqi is timed on a sample and its rate extrapolated


def records(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Plausible daily values, kept inside the breakpoint tables (python-aqi fails above them)."""
    pm25 = rng.lognormal(np.log(45), 0.6, n)
    return {
        "pm25": np.minimum(pm25, 499),
        "pm10": np.minimum(pm25 * rng.uniform(1.2, 1.8, n) + rng.uniform(0, 30, n), 599),
        "so2": rng.lognormal(np.log(10), 0.5, n),
        "no2": rng.lognormal(np.log(32), 0.4, n),
        "co": rng.lognormal(np.log(0.9), 0.4, n),
        "o3_8h_max": np.minimum(rng.lognormal(np.log(100), 0.45, n), 799),
        "o3_1h_max": np.minimum(rng.lognormal(np.log(130), 0.45, n), 1199),
    }


def main() -> None:
    import aqi as python_aqi
    from aqi import constants as c

    rng = np.random.default_rng(7)
    data = records(rng, N)
    start = time.perf_counter()
    report = aqi.daily_report(data, aqi.Standard.HJ633_2012)
    ours = time.perf_counter() - start
    rate = N / ours
    print(f"gridgov daily_report (HJ 633-2012), {N:,} records: {ours:.2f} s, {rate:,.0f} records/s")
    start = time.perf_counter()
    aqi.daily_report(data, aqi.Standard.HJ633_2026)
    print(f"gridgov daily_report (HJ 633-2026), {N:,} records: {time.perf_counter() - start:.2f} s")

    keys = [
        ("pm25", c.POLLUTANT_PM25, 0),
        ("pm10", c.POLLUTANT_PM10, 0),
        ("so2", c.POLLUTANT_SO2_24H, 0),
        ("no2", c.POLLUTANT_NO2_24H, 0),
        ("co", c.POLLUTANT_CO_24H, 1),
        ("o3_8h_max", c.POLLUTANT_O3_8H, 0),
        ("o3_1h_max", c.POLLUTANT_O3_1H, 0),
    ]
    rows = [[(name, f"{data[k][i]:.{d}f}") for k, name, d in keys] for i in range(SAMPLE)]
    start = time.perf_counter()
    theirs = [python_aqi.to_aqi(row, algo=python_aqi.ALGO_MEP) for row in rows]
    elapsed = time.perf_counter() - start
    their_rate = SAMPLE / elapsed
    print(
        f"python-aqi ALGO_MEP, {SAMPLE:,}-record sample: {elapsed:.2f} s, "
        f"{their_rate:,.0f} records/s (1M records ≈ {N / their_rate:,.0f} s)"
    )
    print(f"ratio gridgov / python-aqi: {rate / their_rate:,.0f}×")
    same = sum(int(t) == int(o) for t, o in zip(theirs, report.aqi[:SAMPLE], strict=True))
    print(
        f"same AQI on the sample: {same / SAMPLE:.1%} — python-aqi interpolates IAQI between "
        "51 and 100 (EPA style) and truncates, so PM2.5 36 gives 51 where HJ 633's worked "
        "value is 52; tests/test_aqi.py holds the standard's values"
    )


if __name__ == "__main__":
    main()
