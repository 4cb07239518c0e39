"""Assessment arithmetic (HJ 663): limits, percentiles, rounding, units, daily series, index."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gridgov.air import aqi

# --- limits (grade II) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    name: str
    so2: float
    no2: float
    pm10: float
    pm25: float
    co: float = 4.0
    o3_8h: float = 160.0


# --- percentiles and rounding ----------------------------------------------------------------


def percentile(values: np.ndarray, p: float) -> float:
    """HJ 663: k = 1 + (n − 1)·p/100, s = ⌊k⌋, P = X(s) + (X(s+1) − X(s))·(k − s)."""
    return float(percentiles(np.asarray(values, dtype=float)[None, :], p)[0])


def percentiles(rows: np.ndarray, p: float) -> np.ndarray:
    """The HJ 663 percentile of each row, ignoring NaN (NaN for a row with no values)."""
    x = np.sort(rows, axis=1)  # NaN sort last
    n = np.isfinite(x).sum(axis=1)
    k = 1 + (np.maximum(n, 1) - 1) * p / 100.0
    s = np.floor(k).astype(np.int64)
    lo = np.take_along_axis(x, (s - 1)[:, None], axis=1)[:, 0]
    hi = np.take_along_axis(x, np.minimum(s, np.maximum(n, 1) - 1)[:, None], axis=1)[:, 0]
    value = np.where(s >= n, lo, lo + (hi - lo) * (k - s))
    return np.where(n > 0, value, np.nan)


def rounded(value: float, pollutant: str) -> float:
    """Statistics are reported rounded like concentrations (GB/T 8170; CO to 0.1)."""
    if not math.isfinite(value):
        return math.nan
    return float(aqi.round_concentration(np.array([value]), pollutant)[0])


def rounded_all(values: np.ndarray, pollutant: str) -> np.ndarray:
    return aqi.round_concentration(values, pollutant)


# --- units and their daily values ------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # "station" or a region level name
    station_ids: tuple[int, ...]


@dataclass
class DailySeries:
    """Per unit and day: the unit's daily values (NaN = no valid value)."""

    units: list[Unit]
    days: np.ndarray  # day numbers
    values: dict[str, np.ndarray]  # key -> (units, days)
    # Each unit's stored daily AQI (by each day's standard) when every unit is one station.
    stored_aqi: np.ndarray | None = None


def comprehensive_index(stats: dict[str, float], limits: Limits) -> float:
    """Σ C_i / S_i over the six (annual limits; CO 24-h; O3 8-h), to two decimals."""
    arrays = {k: np.array([v], dtype=float) for k, v in stats.items()}
    return float(comprehensive_indices(arrays, limits)[0])


def comprehensive_indices(stats: dict[str, np.ndarray], limits: Limits) -> np.ndarray:
    total = (
        stats["so2"] / limits.so2
        + stats["no2"] / limits.no2
        + stats["pm10"] / limits.pm10
        + stats["pm25"] / limits.pm25
        + stats["co_p95"] / limits.co
        + stats["o3_8h_p90"] / limits.o3_8h
    )
    # Sums of a few ratios carry binary noise (5.05 as 5.049999…): settle it at 1e-9 first.
    return aqi.round_scaled(np.round(total, 9), 2) / 100


def same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    def back(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year - 1, day=28)

    return back(start), back(end)


YOY_KEYS = (
    "pm25",
    "pm10",
    "so2",
    "no2",
    "co_p95",
    "o3_8h_p90",
    "comprehensive_index",
    "good_day_ratio",
)


# --- rankings --------------------------------------------------------------------------------

RANK_METRICS: dict[str, tuple[Callable[[Any], float], bool]] = {
    # metric: (value of an assessment, smaller is better)
    "pm25": (lambda a: a.pm25, True),
    "pm10": (lambda a: a.pm10, True),
    "comprehensive_index": (lambda a: a.comprehensive_index, True),
    "good_day_ratio": (lambda a: a.good_day_ratio, False),
    "pm25_yoy": (lambda a: a.year_on_year.get("pm25", math.nan), True),
}
