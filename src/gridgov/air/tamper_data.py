"""What the tampering detectors read (干扰监测数据): the stations and their neighbours, hourly
means of the six pollutants, hourly relative humidity (the stations' own HJ 212 a01002 factor)
and the receiver's QN counters. Arrays for air/tampering.py, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gridgov.air import aggregate
from gridgov.air.factor_models import FactorHour
from gridgov.air.models import POLLUTANT_FIELDS, DeviceStatus
from gridgov.air.neighbours import CONTROL, Neighbourhood
from gridgov.air.tampering import ClockDay

HUMIDITY = "a01002"


def factor_humidity(station_ids: list[int], start: int, end: int) -> dict[int, dict[int, float]]:
    """{station: {hour start: mean relative humidity %}} of the stations' a01002 hours in
    [start, end), in one query: the co-location's humidity source
    (colocation.register_humidity_source) and the spray check's (humidity_grid)."""
    out: dict[int, dict[int, float]] = {int(sid): {} for sid in station_ids}
    if not station_ids:
        return out
    rows = FactorHour.objects.filter(
        station_id__in=station_ids,
        code__in=(HUMIDITY, HUMIDITY.upper()),
        ts__gte=start,
        ts__lt=end,
        n__gt=0,
    ).values_list("station_id", "ts", "n", "total")
    for sid, ts, n, total in rows:
        out[int(sid)][int(ts)] = float(total) / n
    return out


def humidity_grid(station_ids: list[int], hours: np.ndarray) -> np.ndarray:
    """(S, T) hourly relative humidity of the stations (NaN where none)."""
    out = np.full((len(station_ids), len(hours)), np.nan)
    if not station_ids or not len(hours):
        return out
    first = int(hours[0])
    found = factor_humidity(station_ids, first, int(hours[-1]) + 1)
    for k, sid in enumerate(station_ids):
        for ts, rh in found[int(sid)].items():
            t = (ts - first) // aggregate.HOUR
            if 0 <= t < len(hours):
                out[k, t] = rh
    return out


def mean_grid(station_ids: list[int], hours: np.ndarray) -> np.ndarray:
    """(S, T, 6) valid hourly means of the stations (NaN where the hour has too few values)."""
    out = np.full((len(station_ids), len(hours), len(POLLUTANT_FIELDS)), np.nan)
    if not station_ids or not len(hours):
        return out
    first = int(hours[0])
    rows = aggregate.fetch_hours(station_ids, first, int(hours[-1]) + aggregate.HOUR)
    means = aggregate.hourly_means(rows)
    row = {sid: k for k, sid in enumerate(station_ids)}
    for k in range(len(rows)):
        t = (int(rows[k, 1]) - first) // aggregate.HOUR
        out[row[int(rows[k, 0])], t] = means[k]
    return out


@dataclass
class Area:
    """The active ambient stations: ids, kinds and which lie within the radius of which."""

    ids: list[int]
    kinds: list[str]
    near: list[np.ndarray]  # per station, the positions of its neighbours

    @property
    def judged(self) -> list[int]:
        """Positions of the stations the detectors judge (not control stations)."""
        return [k for k, kind in enumerate(self.kinds) if kind not in CONTROL]


def area(radius_km: float) -> Area:
    hood = Neighbourhood(order="pk")
    near = [np.sort(hood.of(int(sid), radius_km)[0]) for sid in hood.stations.ids.tolist()]
    return Area(hood.stations.ids.tolist(), [str(k) for k in hood.stations.kinds.tolist()], near)


def clock_days(station_ids: list[int]) -> dict[int, list[ClockDay]]:
    """The QN counters the receiver wrote with each device's status (its day now and the day
    before: DeviceStatus.clock)."""
    out: dict[int, list[ClockDay]] = {}
    rows = DeviceStatus.objects.filter(station_id__in=station_ids).values_list(
        "station_id", "clock"
    )
    for sid, saved in rows:
        days = [d for d in (saved or {}).get("days", []) if isinstance(d, dict)]
        out[int(sid)] = [_clock_day(d) for d in days if d.get("day")]
    return out


def _clock_day(d: dict[str, Any]) -> ClockDay:
    return ClockDay(
        str(d["day"]),
        int(d.get("packets", 0)),
        tuple(int(m) for m in d.get("millis", [])),
        None if d.get("gap_min") is None else int(d["gap_min"]),
        None if d.get("gap_max") is None else int(d["gap_max"]),
    )
