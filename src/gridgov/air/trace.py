"""Back-tracing an alarm (污染回溯): from a station and an hour, where the air came from.

A backward kinematic trajectory (后向轨迹) over the stations' hourly winds:

- **Projection.** Everything is computed in a local metric plane: equirectangular around the
  start station (x = R·Δlon·cos lat₀, y = R·Δlat, R = 6 371 008.8 m). At district scale
  (tens of km) the error is well under 1 %, far below what the winds can tell.
- **Wind field.** The wind of an hour is each station's hourly mean of that hour (FactorHour:
  a01007 speed m/s, mean of the valid values; a01008 direction °, the speed-weighted vector
  mean, where the wind comes FROM). It is turned into the vector it blows TO, u = −s·sin d,
  v = −s·cos d, and interpolated at the moving point by inverse-distance weighting (power 2) of
  u and v over every station with both speed and direction that hour. Why IDW: a district has a
  few to a few dozen stations, too few to fit a variogram hour by hour (kriging); IDW is exact at
  the stations, bounded by their values and needs no fitting; interpolating the components, not
  the angles, averages 350° and 10° to north and lets opposite winds cancel.
- **Steps.** 10-minute steps backward from `at`: the step from t to t − 10 min uses the wind of
  the hour holding t − 10 min, and moves the point AGAINST it (upwind): p ← p − V·600 s. For up
  to `hours` (1–6) hours; it stops early when no station has wind in the hour needed
  (`stopped = "no_wind"`; with no wind in the first hour the path is the start point only).
- **Cone.** The path widened by a half-width that grows with the distance travelled and the
  time back: w = 500 m + tan 15° · (distance along the path) + 500 m · (hours back). 500 m is the
  uncertainty of a point (a station stands for its surroundings; a grid or site is not a point);
  ±15° the uncertainty of the direction; 500 m/h the drift of an interpolated wind.
- **Score.** A place (a grid's centroid, a source's point) is in the cone when its distance d to
  the path (the nearest point of a segment) is at most the half-width w there; its score is
  exp(−τ / 3 h) · (1 − d / w), τ the time back to that nearest point: near the path and recent
  first. Of several segments the best score counts. 0 outside.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gridgov.air import geodesy
from gridgov.air.factor_models import FactorHour
from gridgov.air.factors import DIRECTION, SPEED, direction_mean
from gridgov.territory.models import RegionQuerySet

EARTH_M = 6_371_008.8
STEP_SECONDS = 600
MAX_HOURS = 6
POINT_M = 500.0  # the cone's half-width at the station
SPREAD_DEG = 15.0  # ± the direction's uncertainty
DRIFT_M_PER_HOUR = 500.0
SCORE_HOURS = 3.0  # the score's time scale
IDW_POWER = geodesy.IDW_POWER
CAP_POINTS = 12  # points of each round end of the cone polygon

# (lat, lon, u, v): the stations' winds of one hour, u/v the vector the wind blows TO, m/s.
HourWinds = np.ndarray
WindsOf = Callable[[int], HourWinds]


@dataclass(frozen=True)
class Plane:
    """The equirectangular plane around (lat0, lon0), metres."""

    lat0: float
    lon0: float

    @property
    def kx(self) -> float:
        return EARTH_M * math.radians(1.0) * math.cos(math.radians(self.lat0))

    @property
    def ky(self) -> float:
        return EARTH_M * math.radians(1.0)

    def xy(self, lat: Any, lon: Any) -> tuple[Any, Any]:
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * self.ky

    def latlon(self, x: Any, y: Any) -> tuple[Any, Any]:
        return self.lat0 + np.asarray(y) / self.ky, self.lon0 + np.asarray(x) / self.kx


@dataclass(frozen=True)
class TracePoint:
    ts: int  # epoch seconds UTC
    lat: float
    lon: float
    hours_back: float
    along_m: float  # distance travelled along the path from the station
    half_width_m: float  # the cone's half-width here


@dataclass
class Trace:
    """A back-trajectory: its points from the station (newest) backward, and why it stopped
    ("done": all the hours asked; "no_wind": an hour without any station's wind)."""

    station_lat: float
    station_lon: float
    at: int
    hours: int
    points: list[TracePoint] = field(default_factory=list)
    stopped: str = "done"

    @property
    def usable(self) -> bool:
        """True when the wind moved the point at least one step."""
        return len(self.points) > 1

    @property
    def plane(self) -> Plane:
        return Plane(self.station_lat, self.station_lon)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """x, y (m, in `plane`), hours back and half-widths of the points."""
        lat = np.array([p.lat for p in self.points])
        lon = np.array([p.lon for p in self.points])
        x, y = self.plane.xy(lat, lon)
        return (
            np.asarray(x, dtype=float),
            np.asarray(y, dtype=float),
            np.array([p.hours_back for p in self.points]),
            np.array([p.half_width_m for p in self.points]),
        )


def half_width(along_m: float, hours_back: float) -> float:
    return POINT_M + math.tan(math.radians(SPREAD_DEG)) * along_m + DRIFT_M_PER_HOUR * hours_back


def idw(x: float, y: float, sx: np.ndarray, sy: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Inverse-distance (power 2) weighted mean of `values` (n × k) at (x, y); a station within
    1 m gives its own value."""
    w = geodesy.idw_weights(np.hypot(sx - x, sy - y)[None, :], IDW_POWER, snap=1.0)[0]
    return np.asarray(w @ values / w.sum(), dtype=float)


def backtrack(lat: float, lon: float, at: int, hours: int, winds_of: WindsOf) -> Trace:
    """The back-trajectory from (lat, lon) at `at` (epoch s) for `hours` (1–6) hours over the
    winds `winds_of(hour_start)` gives (rows lat, lon, u, v)."""
    if not 1 <= hours <= MAX_HOURS:
        raise ValueError(f"hours must be 1 to {MAX_HOURS}")
    plane = Plane(lat, lon)
    trace = Trace(lat, lon, at, hours)
    trace.points.append(TracePoint(at, lat, lon, 0.0, 0.0, half_width(0.0, 0.0)))
    cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}
    x = y = along = 0.0
    for k in range(1, hours * 3600 // STEP_SECONDS + 1):
        t = at - k * STEP_SECONDS
        hour = t - t % 3600
        if hour not in cache:
            rows = np.asarray(winds_of(hour), dtype=float).reshape(-1, 4)
            if len(rows):
                sx, sy = plane.xy(rows[:, 0], rows[:, 1])
                cache[hour] = (np.asarray(sx), np.asarray(sy), rows[:, 2:4])
            else:
                cache[hour] = None
        field_ = cache[hour]
        if field_ is None:
            trace.stopped = "no_wind"
            break
        u, v = idw(x, y, *field_)
        x, y = x - u * STEP_SECONDS, y - v * STEP_SECONDS
        along += math.hypot(u, v) * STEP_SECONDS
        back = k * STEP_SECONDS / 3600.0
        plat, plon = plane.latlon(x, y)
        trace.points.append(
            TracePoint(t, float(plat), float(plon), back, along, half_width(along, back))
        )
    return trace


def hour_winds(hour: int) -> HourWinds:
    """Every station's wind of the hour starting at `hour` (epoch s): rows lat, lon, u, v (the
    vector the wind blows TO, m/s); stations without both a valid speed and a direction left
    out. All stations count: the wind is the district's, whoever asks."""
    rows = FactorHour.objects.filter(ts=hour, code__in=[DIRECTION, SPEED], n__gt=0).values_list(
        "station_id", "station__lat", "station__lon", "code", "total", "n", "x", "y", "ux", "uy"
    )
    where: dict[int, tuple[float, float]] = {}
    speed: dict[int, float] = {}
    direction: dict[int, float] = {}
    for sid, lat, lon, code, total, n, x, y, ux, uy in rows:
        if lat is None or lon is None:
            continue
        where[sid] = (lat, lon)
        if code == SPEED:
            speed[sid] = total / n
        else:
            mean = direction_mean(x, y, ux, uy)
            if mean is not None:
                direction[sid] = mean
    out = []
    for sid in sorted(set(speed) & set(direction)):
        s, d = speed[sid], math.radians(direction[sid])
        out.append((*where[sid], -s * math.sin(d), -s * math.cos(d)))
    return np.array(out, dtype=float).reshape(-1, 4)


def trace_from(lat: float, lon: float, at: dt.datetime | int, hours: int) -> Trace:
    """The back-trajectory from a point over the stored hourly winds."""
    when = int(at.timestamp()) if isinstance(at, dt.datetime) else int(at)
    return backtrack(lat, lon, when, hours, hour_winds)


def cone_polygon(trace: Trace, cap_points: int = CAP_POINTS) -> dict[str, Any]:
    """The cone as a GeoJSON Polygon: left edge out, a round cap at the far end, right edge
    back, a round cap at the station. For drawing; the scoring measures the distance to the
    path itself."""
    x, y, _back, w = trace.arrays()
    n = len(x)
    if n < 2:
        angles = np.linspace(0, 2 * math.pi, 4 * cap_points, endpoint=False)
        ring_x, ring_y = w[0] * np.sin(angles), w[0] * np.cos(angles)
    else:
        dx, dy = np.diff(x), np.diff(y)
        seg = np.hypot(dx, dy)
        seg[seg == 0] = 1.0
        tx, ty = dx / seg, dy / seg
        # the direction at each vertex: the mean of its segments' directions; the caps run from
        # the left edge's end round to the right edge's (far) and back (near), bearings in
        # the plane (x = sin, y = cos)
        vx = np.concatenate([[tx[0]], (tx[:-1] + tx[1:]) / 2, [tx[-1]]])
        vy = np.concatenate([[ty[0]], (ty[:-1] + ty[1:]) / 2, [ty[-1]]])
        norm = np.hypot(vx, vy)
        norm[norm == 0] = 1.0
        vx, vy = vx / norm, vy / norm
        lx, ly = x - vy * w, y + vx * w  # left normal (−vy, vx)
        rx, ry = x + vy * w, y - vx * w
        end = math.atan2(vx[-1], vy[-1])  # bearing of the last direction
        start = math.atan2(-vx[0], -vy[0])
        far = np.linspace(end - math.pi / 2, end + math.pi / 2, cap_points)[1:-1]
        near = np.linspace(start - math.pi / 2, start + math.pi / 2, cap_points)[1:-1]
        ring_x = np.concatenate(
            [lx, x[-1] + w[-1] * np.sin(far), rx[::-1], x[0] + w[0] * np.sin(near)]
        )
        ring_y = np.concatenate(
            [ly, y[-1] + w[-1] * np.cos(far), ry[::-1], y[0] + w[0] * np.cos(near)]
        )
    lat, lon = trace.plane.latlon(ring_x, ring_y)
    ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass(frozen=True)
class Hit:
    """A place within the cone: its score, the time back and distance to the path."""

    score: float
    hours_back: float
    path_m: float


def score_points(trace: Trace, lats: Iterable[float], lons: Iterable[float]) -> list[Hit | None]:
    """Per place, its Hit in the cone, or None outside it (module docstring: the formula)."""
    plat = np.asarray(list(lats), dtype=float)
    plon = np.asarray(list(lons), dtype=float)
    if not len(plat) or not trace.points:
        return [None] * len(plat)
    px, py = trace.plane.xy(plat, plon)
    px, py = np.asarray(px, dtype=float)[:, None], np.asarray(py, dtype=float)[:, None]
    x, y, back, w = trace.arrays()
    if len(x) == 1:  # the station alone: its own circle
        x0, x1, y0, y1 = x, x, y, y
        b0 = b1 = back
        w0 = w1 = w
    else:
        x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
        b0, b1, w0, w1 = back[:-1], back[1:], w[:-1], w[1:]
    dx, dy = x1 - x0, y1 - y0
    len2 = dx * dx + dy * dy
    safe = np.where(len2 > 0, len2, 1.0)
    f = np.clip(((px - x0) * dx + (py - y0) * dy) / safe, 0.0, 1.0)
    f = np.where(len2 > 0, f, 0.0)
    d = np.hypot(px - (x0 + f * dx), py - (y0 + f * dy))
    tau = b0 + f * (b1 - b0)
    width = w0 + f * (w1 - w0)
    score = np.where(d <= width, np.exp(-tau / SCORE_HOURS) * (1.0 - d / width), -1.0)
    best = np.argmax(score, axis=1)
    out: list[Hit | None] = []
    for i, j in enumerate(best.tolist()):
        s = float(score[i, j])
        out.append(None if s < 0 else Hit(s, float(tau[i, j]), float(d[i, j])))
    return out


def bounds(trace: Trace) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of the cone."""
    x, y, _b, w = trace.arrays()
    lat0, lon0 = trace.plane.latlon(x - w, y - w)
    lat1, lon1 = trace.plane.latlon(x + w, y + w)
    return float(lat0.min()), float(lat1.max()), float(lon0.min()), float(lon1.max())


@dataclass(frozen=True)
class TracedGrid:
    id: int
    code: str
    name: str
    score: float
    hours_back: float
    path_m: float


def score_grids(trace: Trace, regions: RegionQuerySet) -> list[TracedGrid]:
    """The grids (of `regions`: the viewer's scope) whose centroid lies in the cone, best
    first."""
    lat0, lat1, lon0, lon1 = bounds(trace)
    rows = list(
        regions.grids()
        .active()
        .filter(
            centroid_lat__gte=lat0,
            centroid_lat__lte=lat1,
            centroid_lon__gte=lon0,
            centroid_lon__lte=lon1,
        )
        .values_list("id", "code", "name", "centroid_lat", "centroid_lon")
    )  # the bounds filter leaves out grids without a centroid
    hits = score_points(trace, [r[3] or 0.0 for r in rows], [r[4] or 0.0 for r in rows])
    out = [
        TracedGrid(r[0], r[1], r[2], round(h.score, 4), round(h.hours_back, 3), round(h.path_m))
        for r, h in zip(rows, hits, strict=True)
        if h is not None
    ]
    out.sort(key=lambda g: (-g.score, g.code))
    return out


def path_geojson(trace: Trace) -> dict[str, Any]:
    return {
        "type": "LineString",
        "coordinates": [[round(p.lon, 6), round(p.lat, 6)] for p in trace.points],
    }
