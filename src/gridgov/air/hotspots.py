"""Hot grids (热点网格): every active grid's estimated PM2.5 or PM10 over a period, from the
ambient stations' valid hourly means, and the grids ranked worst first.

The estimate, per hour:

- a grid that contains a station (``Station.grid``) takes that station's own valid hourly mean
  (exact; several stations in one grid: their mean); when none of its own stations has a valid
  hour, the grid falls back to the interpolation below;
- any other grid: inverse-distance weighting (反距离权重, IDW, power 2) at the grid's centroid
  from its ``IDW_K`` nearest ambient stations within ``IDW_RADIUS_KM``; a neighbour without a
  valid value that hour drops out of the hour (it is not replaced by the next nearest); a grid
  with no neighbour in range, or none valid that hour, has no estimate for the hour.

IDW rather than kriging: a district has tens of stations, too few to fit a variogram that can
be trusted hour by hour; IDW needs no fitted model and is exact at the stations. Kriging is left
out. Every ambient station of the district is a neighbour (a grid at the edge of a reader's scope
is estimated from the stations beyond it too); only the grids are limited to the reader's scope.

From the hours: the period mean (of the hours with an estimate), the hours above the line (an
hour whose estimate exceeds the pollutant's grade-II 24-h limit in force on that hour's China
day — ``rose.grade_ii_line``: PM2.5 75, from 2026-03-01 60; PM10 150, from 2026-03-01 120 as
HJ 633-2026's IAQI-100 breakpoint), and the rank by the period mean, worst first (ties: more
hours above first, then the grid code); a grid without any estimate has no rank.

Computed when read, never stored: the figure follows from the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from gridgov.air import aggregate, aqi, geodesy
from gridgov.air.geodesy import distance_km
from gridgov.air.models import AMBIENT_KINDS, CST, POLLUTANT_FIELDS, Station
from gridgov.air.rose import grade_ii_line
from gridgov.territory.models import Level, Region

POLLUTANTS = ("pm25", "pm10")
IDW_POWER = geodesy.IDW_POWER
IDW_K = 6
IDW_RADIUS_KM = 10.0
SNAP_KM = 1e-3  # a station within 1 m of a centroid: the centroid takes its value
HOUR = 3600
MAP_WORST = 10  # the worst N outlined on the maps' hot-grid layer (as the bulletin names ten)


@dataclass(frozen=True)
class Network:
    """The numbers the estimate needs: grid centroids (g, 2) and station points (s, 2) as
    (lat, lon), and which stations each grid contains (g, s) 0/1."""

    grid_points: np.ndarray
    station_points: np.ndarray
    contains: np.ndarray


@dataclass(frozen=True)
class GridFigure:
    """One grid's figures for the period."""

    grid_id: int
    code: str
    name: str
    street_code: str
    street_name: str
    mean: float | None
    hours_above: int
    hours_estimated: int
    exact: bool  # the grid contains a station
    rank: int | None
    level: int = 0  # the AQI level (1–6) the mean falls in as a 24-h value; 0: no estimate

    @property
    def colour(self) -> str | None:
        found = aqi.level(self.level)
        return found.hex if found else None


def map_text(pollutant: str = "pm25") -> dict[str, object]:
    """What the maps' hot-grid layer (web/static/web/hotgrids.js) writes: its name, tooltip
    words, how many of the worst it outlines and its legend (the AQI levels' colours, the mean
    read as a 24-h value). One place for the station map and the overview."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    english = (get_language() or "").lower().startswith("en")
    return {
        "label": _("热点网格 %(pollutant)s") % {"pollutant": aqi.DISPLAY[pollutant]},
        "pollutant": aqi.DISPLAY[pollutant],
        "rank": _("排名"),
        "above": _("超二级标准小时数"),
        "worst": MAP_WORST,
        "worst_label": _("最差 %(n)d 个网格（粗框）") % {"n": MAP_WORST},
        "legend": _("网格估算均值（按24小时浓度分级）"),
        "levels": [
            {"colour": lvl.hex, "name": lvl.category_en if english else lvl.category}
            for lvl in aqi.LEVELS
        ],
        "none": _("无估算"),
    }


def idw_weights(
    network: Network,
    k: int = IDW_K,
    radius_km: float = IDW_RADIUS_KM,
    power: float = IDW_POWER,
) -> np.ndarray:
    """(g, s) weights 1/d^power of each grid's k nearest stations within the radius, else 0."""
    g, s = network.grid_points, network.station_points
    d = distance_km(g[:, :1], g[:, 1:2], s[:, 0], s[:, 1]).reshape(len(g), len(s))
    return geodesy.idw_weights(d, power, k=k, radius=radius_km, snap=SNAP_KM)


def estimate(network: Network, values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """(h, g) hourly estimates from (h, s) station hourly means (NaN: not valid)."""
    if weights is None:
        weights = idw_weights(network)
    valid = ~np.isnan(values)
    filled = np.where(valid, values, 0.0)
    v = valid.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        idw = (filled @ weights.T) / (v @ weights.T)
        member = network.contains.T.astype(float)
        own = (filled @ member) / (v @ member)
    out: np.ndarray = np.where(np.isnan(own), idw, own)
    return out


def summarise(
    hourly: np.ndarray, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean, hours_above, hours_estimated, rank) per grid from (h, g) estimates and the (h,)
    line of each hour; rank 1 = worst, 0 = no estimate."""
    have = ~np.isnan(hourly)
    n = have.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(have, hourly, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
    above = (np.where(have, hourly, -np.inf) > lines[:, None]).sum(axis=0)
    worst = np.where(np.isnan(mean), np.inf, -np.nan_to_num(mean))
    order = np.lexsort((np.arange(len(mean)), -above, worst))
    rank = np.zeros(len(mean), dtype=int)
    ranked = [i for i in order.tolist() if n[i] > 0]
    rank[ranked] = np.arange(1, len(ranked) + 1)
    return mean, above, n, rank


def hour_lines(pollutant: str, t0: int, hours: int) -> np.ndarray:
    """(hours,) the grade-II 24-h line in force on each hour's China day."""
    days = aggregate.cst_day(t0 + HOUR * np.arange(hours, dtype=np.int64))
    out = np.empty(hours)
    for day in np.unique(days).tolist():
        date = dt.date(1970, 1, 1) + dt.timedelta(days=int(day))
        out[days == day] = grade_ii_line(pollutant, date)
    return out


def mean_levels(pollutant: str, means: np.ndarray, last_day: dt.date) -> np.ndarray:
    """The AQI level (1–6, 0: none) of each period mean read as a 24-h concentration under
    the standard in force on the period's last day: the map layer's colour."""
    standard = aqi.standard_for(last_day)
    result = aqi.iaqi(f"{pollutant}_24h", np.asarray(means, dtype=float), standard)
    levels: np.ndarray = aqi.level_numbers(result.iaqi)
    return levels


def _bounds(start: dt.date, end: dt.date) -> tuple[int, int]:
    t0 = int(dt.datetime.combine(start, dt.time(), CST).timestamp())
    t1 = int(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CST).timestamp())
    return t0, t1


def station_matrix(ids: list[int], t0: int, t1: int, pollutant: str) -> np.ndarray:
    """(hours, stations) valid hourly means of the period (NaN: not valid)."""
    hours = (t1 - t0) // HOUR
    out = np.full((hours, len(ids)), np.nan)
    if not ids:
        return out
    rows = aggregate.fetch_hours(ids, t0, t1)
    if len(rows) == 0:
        return out
    col = {sid: j for j, sid in enumerate(ids)}
    means = aggregate.hourly_means(rows)[:, POLLUTANT_FIELDS.index(pollutant)]
    h = (rows[:, 1].astype(np.int64) - t0) // HOUR
    j = np.array([col[int(s)] for s in rows[:, 0].tolist()], dtype=np.int64)
    out[h, j] = means
    return out


def hot_grids(
    grids: Iterable[Region], start: dt.date, end: dt.date, pollutant: str
) -> list[GridFigure]:
    """Every given active grid's figures for the period [start, end] (China days), worst first
    (grids without an estimate last, by code)."""
    if pollutant not in POLLUTANTS:
        raise ValueError(f"pollutant: one of {', '.join(POLLUTANTS)}")
    cells = [
        r
        for r in grids
        if r.level == Level.GRID and r.retired_at is None and r.centroid_lat is not None
    ]
    stations = list(
        Station.objects.filter(kind__in=AMBIENT_KINDS, active=True)
        .order_by("pk")
        .values_list("pk", "lat", "lon", "grid_id")
    )
    ids = [s[0] for s in stations]
    index = {c.pk: i for i, c in enumerate(cells)}
    contains = np.zeros((len(cells), len(stations)))
    for j, (_, _, _, grid_id) in enumerate(stations):
        if grid_id in index:
            contains[index[grid_id], j] = 1.0
    network = Network(
        np.array([(c.centroid_lat, c.centroid_lon) for c in cells], dtype=float).reshape(-1, 2),
        np.array([(s[1], s[2]) for s in stations], dtype=float).reshape(-1, 2),
        contains,
    )
    t0, t1 = _bounds(start, end)
    hourly = estimate(network, station_matrix(ids, t0, t1, pollutant))
    mean, above, n, rank = summarise(hourly, hour_lines(pollutant, t0, (t1 - t0) // HOUR))
    streets = _streets(cells)
    levels = mean_levels(pollutant, mean, end)
    figures = [
        GridFigure(
            grid_id=c.pk,
            code=c.code,
            name=c.name,
            street_code=streets[c.pk][0],
            street_name=streets[c.pk][1],
            mean=None if n[i] == 0 else round(float(mean[i]), 1),
            hours_above=int(above[i]),
            hours_estimated=int(n[i]),
            exact=bool(contains[i].any()),
            rank=int(rank[i]) or None,
            level=int(levels[i]),
        )
        for i, c in enumerate(cells)
    ]
    return sorted(figures, key=lambda f: (f.rank is None, f.rank or 0, f.code))


def _streets(cells: list[Region]) -> dict[int, tuple[str, str]]:
    ancestors: set[int] = {a for c in cells for a in c.ancestor_ids()}
    streets = {
        r.pk: (r.code, r.name)
        for r in Region.objects.filter(pk__in=ancestors, level=Level.STREET).only("code", "name")
    }
    out: dict[int, tuple[str, str]] = {}
    for c in cells:
        found = [streets[a] for a in c.ancestor_ids() if a in streets]
        out[c.pk] = found[0] if found else ("", "")
    return out
