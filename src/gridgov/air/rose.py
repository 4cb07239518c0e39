"""Pollution rose (污染玫瑰图) and conditional probability function (条件概率函数, CPF) of a
station: where the pollution comes from.

Each hour of the period pairs the station's hourly pollutant mean (a valid hour: the hourly
aggregate has the values it needs, air/aggregate.py) with its hourly wind: the vector-mean
direction of a01008 and the mean speed of a01007 (FactorHour, flag N only). Then:

- calm (静风): speed < 0.5 m/s — its own hours and mean, whatever the direction;
- else the hour needs a direction and goes to one of 16 sectors N, NNE … NNW centred on their
  bearings (N = [348.75°, 11.25°), NNE = [11.25°, 33.75°) …) and to a speed band
  [0.5, 2), [2, 4), [4, 6), [6, ∞) m/s;
- an hour without a valid pollutant mean, without a speed, or (not calm) without a direction
  is left out.

The line (default: the pollutant's grade-II 24-h limit of GB 3095 in force on the period's last
day; O3 its 8-h limit 160 µg/m³) gives the share of hours above it. CPF for percentile p: per
sector (and band) the fraction of its hours whose value is ≥ the p-th percentile (HJ 663
interpolation, air/stats.py) of every valid pollutant hour of the period, with wind or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import connection

from gridgov.air import aggregate, aqi
from gridgov.air.factor_models import FactorHour
from gridgov.air.factors import DIRECTION, SPEED, direction_mean
from gridgov.air.met import COMPASS
from gridgov.air.models import POLLUTANT_FIELDS
from gridgov.air.stats import percentile

CALM_MS = 0.5
BAND_EDGES = (0.5, 2.0, 4.0, 6.0)  # band k is [edge k, edge k+1), the last one open
SECTOR_DEGREES = 360.0 / len(COMPASS)


def grade_ii_line(pollutant: str, last_day: dt.date) -> float:
    """The pollutant's grade-II 24-h limit (O3: 8-h) in force on a day: the AQI's IAQI-100
    breakpoint (HJ 633 is built on GB 3095's grade-II limits)."""
    indicator = "o3_8h" if pollutant == "o3" else f"{pollutant}_24h"
    return float(aqi.breakpoints(indicator, aqi.standard_for(last_day))[2])


def station_hours(station_id: int, t0: int, t1: int, pollutant: str) -> dict[str, np.ndarray]:
    """Hours [t0, t1) of one station: ts, the pollutant's valid hourly mean (NaN when the hour
    is not valid), the mean wind direction and speed (NaN when none is valid)."""
    rows = aggregate.fetch_hours([station_id], t0, t1)
    ts = rows[:, 1].astype(np.int64) if len(rows) else np.zeros(0, np.int64)
    values = (
        aggregate.hourly_means(rows)[:, POLLUTANT_FIELDS.index(pollutant)]
        if len(rows)
        else np.zeros(0)
    )
    direction: dict[int, float] = {}
    speed: dict[int, float] = {}
    wind = FactorHour.objects.filter(
        station_id=station_id, ts__gte=t0, ts__lt=t1, code__in=[DIRECTION, SPEED], n__gt=0
    ).values_list("ts", "code", "total", "n", "x", "y", "ux", "uy")
    for when, code, total, n, x, y, ux, uy in wind:
        if code == SPEED:
            speed[when] = total / n
        else:
            mean = direction_mean(x, y, ux, uy)
            if mean is not None:
                direction[when] = mean
    nan = float("nan")
    return {
        "ts": ts,
        "value": values,
        "direction": np.array([direction.get(t, nan) for t in ts.tolist()], dtype=float),
        "speed": np.array([speed.get(t, nan) for t in ts.tolist()], dtype=float),
    }


def data_mark(station_id: int, t0: int, t1: int, pollutant: str) -> tuple[Any, ...]:
    """What the hours [t0, t1) of station_hours() are made of, in one query: the latest hour,
    the rows and the sums of the pollutant's hourly aggregates and of the wind's factor hours.
    New data (a new hour, or more values in an hour already there) changes it."""
    if pollutant not in POLLUTANT_FIELDS:
        raise ValueError(pollutant)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(ts), COUNT(*), SUM({pollutant}_n), SUM({pollutant}_sum), SUM(need) "  # noqa: S608 (column names from POLLUTANT_FIELDS only)
            "FROM air_hourly WHERE station_id = %s AND ts >= %s AND ts < %s "
            "UNION ALL SELECT MAX(ts), COUNT(*), SUM(n), SUM(total), SUM(x + y) "
            "FROM air_factor_hour WHERE station_id = %s AND ts >= %s AND ts < %s "
            "AND code IN (%s, %s)",
            [station_id, t0, t1, station_id, t0, t1, DIRECTION, SPEED],
        )
        return tuple(tuple(row) for row in cursor.fetchall())


def classify(direction: np.ndarray, speed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sector 0–15, band 0–3) per hour; sector -1 = calm, -2 = left out (no speed, or no
    direction when not calm)."""
    has_speed = np.isfinite(speed)
    calm = has_speed & (speed < CALM_MS)
    windy = has_speed & ~calm & np.isfinite(direction)
    with np.errstate(invalid="ignore"):
        shifted = np.mod(np.nan_to_num(direction) + SECTOR_DEGREES / 2, 360.0)
        sector = np.floor(shifted / SECTOR_DEGREES).astype(np.int64) % len(COMPASS)
        band = np.searchsorted(np.array(BAND_EDGES[1:]), np.nan_to_num(speed), side="right")
    sector = np.where(windy, sector, np.where(calm, -1, -2))
    return sector, band


def _bands() -> list[tuple[float, float | None]]:
    return [
        (lo, BAND_EDGES[k + 1] if k + 1 < len(BAND_EDGES) else None)
        for k, lo in enumerate(BAND_EDGES)
    ]


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _share(hit: np.ndarray) -> float | None:
    return float(hit.mean()) if len(hit) else None


def rose(hours: dict[str, np.ndarray], line: float) -> dict[str, Any]:
    """The rose of station_hours(): per sector hours, mean and bands; calm; the shares of
    hours above `line` (all classified hours, calm, per sector and band)."""
    value = hours["value"]
    ok = np.isfinite(value)
    sector, band = classify(hours["direction"][ok], hours["speed"][ok])
    value = value[ok]
    above = value > line
    sectors, sector_share, band_share = [], [], []
    for s, name in enumerate(COMPASS):
        inside = sector == s
        bands, shares = [], []
        for k, (lo, hi) in enumerate(_bands()):
            pick = inside & (band == k)
            bands.append(
                {"from_ms": lo, "to_ms": hi, "hours": int(pick.sum()), "mean": _mean(value[pick])}
            )
            shares.append(_share(above[pick]))
        sectors.append(
            {"direction": name, "hours": int(inside.sum()), "mean": _mean(value[inside]),
             "bands": bands}
        )  # fmt: skip
        sector_share.append(_share(above[inside]))
        band_share.append(shares)
    calm = sector == -1
    used = sector >= -1
    return {
        "sectors": sectors,
        "calm": {"hours": int(calm.sum()), "mean": _mean(value[calm])},
        "left_out": int((~ok).sum() + (sector == -2).sum()),
        "line": line,
        "above_share": {
            "all": _share(above[used]),
            "calm": _share(above[calm]),
            "sectors": sector_share,
            "bands": band_share,
        },
    }


def cpf(hours: dict[str, np.ndarray], p: float) -> dict[str, Any]:
    """CPF for percentile p: the threshold (p-th percentile of every valid hour of the period)
    and per sector (and band) and for calm the fraction of its hours at or above it."""
    value = hours["value"]
    ok = np.isfinite(value)
    threshold = percentile(value[ok], p) if ok.any() else None
    sector, band = classify(hours["direction"][ok], hours["speed"][ok])
    value = value[ok]
    high = value >= threshold if threshold is not None else np.zeros(len(value), dtype=bool)
    sectors = []
    for s, name in enumerate(COMPASS):
        inside = sector == s
        bands = []
        for k, (lo, hi) in enumerate(_bands()):
            pick = inside & (band == k)
            bands.append(
                {"from_ms": lo, "to_ms": hi, "hours": int(pick.sum()), "cpf": _share(high[pick])}
            )
        sectors.append(
            {"direction": name, "hours": int(inside.sum()), "cpf": _share(high[inside]),
             "bands": bands}
        )  # fmt: skip
    calm = sector == -1
    return {
        "threshold": threshold,
        "valid_hours": int(ok.sum()),
        "sectors": sectors,
        "calm": {"hours": int(calm.sum()), "cpf": _share(high[calm])},
    }
