"""The hourly series a forecast reads (预报输入序列): per station, hour by hour on a grid of whole
China-time days, the six pollutants' valid hourly means (air/aggregate.py) and the observed
meteorology's hourly means (FactorHour, flag N): wind speed, the wind vector (speed-weighted
components of the direction the wind comes from), temperature, humidity, dew point, pressure
and rain. NaN wherever an hour has no valid value — the model takes missing values as they are.

Imported weather-bureau forecasts (air/met_import.py) can fill the hours after the issue time
(`with_forecast_met`), so the same features read forecast weather where a district has one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection

from gridgov.air import aggregate
from gridgov.air.factors import DIRECTION, SPEED
from gridgov.air.met_import import forecast_met
from gridgov.air.models import POLLUTANT_FIELDS, Station

HOUR = 3600
DAY = 86400
# name → FactorHour code of the scalar meteorology (wind handled apart)
MET_CODES = {
    "temp": "a01001",
    "rh": "a01002",
    "dewp": "dewp",
    "pres": "a01006",
    "rain": "rain",
}
MET_NAMES = ("ws", "wx", "wy", *MET_CODES)
NAMES = (*POLLUTANT_FIELDS, *MET_NAMES)


@dataclass
class Series:
    """(stations, hours) arrays by name, the first hour at `first_day` 00:00 China time."""

    station_ids: list[int]
    first_day: dt.date
    data: dict[str, np.ndarray]
    coords: np.ndarray | None = None  # (stations, 2) latitude, longitude
    # What the features derive from the arrays once (air/forecast_features.py); a copy starts
    # empty, and whoever changes an array after a build must clear it.
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def hours(self) -> int:
        return int(next(iter(self.data.values())).shape[1])

    @property
    def days(self) -> int:
        return self.hours // 24

    @property
    def t0(self) -> int:
        return aggregate.day_start_utc(aggregate.date_number(self.first_day))

    def day_index(self, day: dt.date) -> int:
        return (day - self.first_day).days

    def copy(self) -> Series:
        data = {k: v.copy() for k, v in self.data.items()}
        return Series(list(self.station_ids), self.first_day, data, self.coords)


def empty(station_ids: list[int], first_day: dt.date, days: int) -> Series:
    shape = (len(station_ids), days * 24)
    return Series(list(station_ids), first_day, {n: np.full(shape, np.nan) for n in NAMES})


def wind_components(ws: np.ndarray, degrees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) components of the direction the wind comes from, scaled by its speed."""
    rad = np.radians(degrees)
    return ws * np.sin(rad), ws * np.cos(rad)


def earliest_day(station_ids: list[int]) -> dt.date | None:
    """The China-time day of the stations' first stored hour (None: no hours)."""
    if not station_ids:
        return None
    placeholders = ",".join(["%s"] * len(station_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(ts) FROM air_hourly WHERE station_id IN ({placeholders})",  # noqa: S608
            station_ids,
        )
        (first,) = cursor.fetchone()
    return None if first is None else dt.datetime.fromtimestamp(first + 8 * HOUR, dt.UTC).date()


def load(station_ids: list[int], first_day: dt.date, last_day: dt.date) -> Series:
    """The stored hours of [first_day, last_day] for the stations (two queries)."""
    out = empty(station_ids, first_day, (last_day - first_day).days + 1)
    where = Station.objects.filter(id__in=station_ids).values_list("id", "lat", "lon")
    placed = {sid: (lat, lon) for sid, lat, lon in where}
    out.coords = np.array([placed.get(sid, (np.nan, np.nan)) for sid in station_ids], dtype=float)
    t0 = out.t0
    t1 = t0 + out.hours * HOUR
    row_of = {sid: i for i, sid in enumerate(station_ids)}
    if not station_ids:
        return out
    rows = aggregate.fetch_hours(station_ids, t0, t1)
    if len(rows):
        si = np.array([row_of[int(s)] for s in rows[:, 0]])
        hi = ((rows[:, 1] - t0) // HOUR).astype(np.int64)
        means = aggregate.hourly_means(rows)
        for j, name in enumerate(POLLUTANT_FIELDS):
            out.data[name][si, hi] = means[:, j]
    codes = {SPEED: "ws", DIRECTION: "wd"} | {code: name for name, code in MET_CODES.items()}
    placeholders = ",".join(["%s"] * len(station_ids))
    marks = ",".join(["%s"] * len(codes))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, ts, code, total, n, x, y, ux, uy FROM air_factor_hour "  # noqa: S608
            f"WHERE station_id IN ({placeholders}) AND code IN ({marks}) AND ts >= %s "
            "AND ts < %s AND n > 0",
            [*station_ids, *codes, t0, t1],
        )
        found = cursor.fetchall()
    direction = np.full(out.data["ws"].shape, np.nan)
    for name in set(codes.values()):
        picked = [r for r in found if codes[r[2]] == name]
        if not picked:
            continue
        arr = np.array([(row_of[r[0]], (r[1] - t0) // HOUR, *r[3:]) for r in picked], dtype=float)
        si, hi = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
        if name == "wd":
            x, y, ux, uy = arr[:, 4], arr[:, 5], arr[:, 6], arr[:, 7]
            weighted = np.hypot(x, y) > 1e-9
            deg = np.where(weighted, np.degrees(np.arctan2(x, y)), np.degrees(np.arctan2(ux, uy)))
            deg[~weighted & (np.hypot(ux, uy) <= 1e-9)] = np.nan
            direction[si, hi] = deg % 360.0
        else:
            out.data[name][si, hi] = arr[:, 2] / arr[:, 3]
    out.data["pres"] = out.data["pres"] * 10.0  # stored in kPa (HJ 212): hPa here
    wx, wy = wind_components(out.data["ws"], direction)
    calm = out.data["ws"] < 0.5
    out.data["wx"] = np.where(calm, 0.0, wx)
    out.data["wy"] = np.where(calm, 0.0, wy)
    return out


def with_forecast_met(series: Series, issued_at: int) -> tuple[Series, bool]:
    """The series with the hours from `issued_at` on replaced by the latest imported
    meteorological forecast issued before it (hours a forecast does not cover stay NaN), and
    whether any forecast was found."""
    out = series.copy()
    t0 = series.t0
    start = max(0, (issued_at - t0) // HOUR)
    for name in MET_NAMES:
        out.data[name][:, start:] = np.nan
    t_end = t0 + series.hours * HOUR
    found = forecast_met(series.station_ids, issued_at, t_end, issued_before=issued_at + 1)
    row_of = {sid: i for i, sid in enumerate(series.station_ids)}
    direction = np.full(out.data["ws"].shape, np.nan)
    for (sid, ts), hour in found.items():
        i, h = row_of[sid], (ts - t0) // HOUR
        for code, value in hour.values.items():
            if code == SPEED:
                out.data["ws"][i, h] = value
            elif code == DIRECTION:
                direction[i, h] = value
            else:
                for name, c in MET_CODES.items():
                    if c == code:
                        out.data[name][i, h] = value * 10.0 if name == "pres" else value
    wx, wy = wind_components(out.data["ws"][:, start:], direction[:, start:])
    calm = out.data["ws"][:, start:] < 0.5
    out.data["wx"][:, start:] = np.where(calm, 0.0, wx)
    out.data["wy"][:, start:] = np.where(calm, 0.0, wy)
    return out, bool(found)
