"""From a place (an air alarm's station) to the registered sources around it, so the grid worker
knows where to look: upwind first when the wind is known, nearest first otherwise.

A source is upwind when the bearing from the station to it is within `spread` degrees of the
direction the wind comes FROM (45°, or 67.5° in light wind, whose direction wanders more). A
source within `AT_STATION_M` of the station counts as upwind whatever the wind. Only sources in
operation (active or suspended) are listed: a closed one is not where to look.

With a back-trajectory (air/trace.py: an alarm hour with the stations' hourly winds) the order is
the trace's instead: the sources within its cone first, best score first (near the path and
recent), then the rest by distance; `upwind` then means "within the cone". The latest wind above
is the fallback when no hourly wind makes a trace.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from gridgov.air.trace import Trace, score_points
from gridgov.people.responsible import responsible_for
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import MAX_NEAR_RADIUS_M, Nearby, near, responsible_of

WIND_MAX_AGE_SECONDS = 3 * 3600  # older wind says nothing about now
CALM_MS = 0.5  # below this the direction is noise
LIGHT_MS = 2.0  # below this (and from CALM_MS) the upwind sector is wider
SPREAD_DEG = 45.0
LIGHT_SPREAD_DEG = 67.5
AT_STATION_M = 50.0
DEFAULT_LIMIT = 20
LOOKED_AT = (Status.ACTIVE, Status.SUSPENDED)


@dataclass(frozen=True)
class Wind:
    """Where the wind comes from (°) and how wide the upwind sector is on each side."""

    from_deg: float
    speed: float | None
    spread: float


def usable_wind(
    wd: float | None, ws: float | None, ts: int | None, now: float | None = None
) -> Wind | None:
    """The wind to look upwind with, or None: unknown, older than 3 h, or calm (< 0.5 m/s). A
    direction without a speed is used with the normal sector."""
    if wd is None or ts is None or wd != wd:
        return None
    now = time.time() if now is None else now
    if now - ts > WIND_MAX_AGE_SECONDS:
        return None
    if ws is not None and ws < CALM_MS:
        return None
    light = ws is not None and ws < LIGHT_MS
    return Wind(wd % 360.0, ws, LIGHT_SPREAD_DEG if light else SPREAD_DEG)


def station_wind(station_id: int, now: float | None = None) -> Wind | None:
    from gridgov.air.models import StationWind

    row = StationWind.objects.filter(station_id=station_id).first()
    if row is None:
        return None
    return usable_wind(row.wd, row.ws, row.ts, now)


def angle_between(a: float, b: float) -> float:
    """The smaller angle between two bearings, 0–180."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


@dataclass(frozen=True)
class NearbySource:
    id: int
    code: str
    name: str
    category: str
    category_label: str
    status: str
    status_label: str
    metres: int
    bearing: int  # from the station to the source, degrees clockwise from north
    upwind: bool
    responsible_unit: str  # the unit and post that answer for it (no person's name)
    url: str
    score: float | None = None  # the back-trace's score (0–1) when ordered by a trace

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def radius_metres() -> float:
    """GRIDGOV_NEARBY_SOURCES_METRES, at most the registry's largest search (20 km)."""
    return min(float(settings.GRIDGOV_NEARBY_SOURCES_METRES), MAX_NEAR_RADIUS_M)


def nearby_for_point(
    lat: float,
    lon: float,
    wind: Wind | float | None,
    radius_m: float | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    qs: QuerySet[PollutionSource] | None = None,
    trace: Trace | None = None,
) -> list[NearbySource]:
    """Sources within `radius_m` (GRIDGOV_NEARBY_SOURCES_METRES) of the point: with a wind
    (a `Wind`, or a bare direction in degrees), the upwind ones first by distance, then the
    rest by distance; without, all by distance. `qs` narrows the candidates (the viewer's
    scope: `sources_for(user)`). A usable `trace` orders them by its cone instead of `wind`."""
    if isinstance(wind, int | float):
        wind = Wind(float(wind) % 360.0, None, SPREAD_DEG)
    radius = radius_metres() if radius_m is None else radius_m
    base = PollutionSource.objects.all() if qs is None else qs
    found = near(lat, lon, radius, base.filter(status__in=LOOKED_AT), limit=10_000)

    def is_upwind(metres: float, bearing: float) -> bool:
        if wind is None:
            return False
        return metres <= AT_STATION_M or angle_between(bearing, wind.from_deg) <= wind.spread

    flagged: list[tuple[Nearby, bool, float | None]]
    if trace is not None and trace.usable:
        hits = score_points(trace, [n.source.lat for n in found], [n.source.lon for n in found])
        flagged = [
            (n, h is not None, None if h is None else round(h.score, 4))
            for n, h in zip(found, hits, strict=True)
        ]
    else:
        flagged = [(n, is_upwind(n.metres, n.bearing), None) for n in found]
    flagged.sort(
        key=lambda item: (not item[1], -(item[2] or 0.0), item[0].metres, item[0].source.code)
    )
    units: dict[int, str] = {}
    out = []
    for n, upwind, score in flagged[:limit]:
        s = n.source
        out.append(
            NearbySource(
                id=s.pk,
                code=s.code,
                name=s.name,
                category=s.category,
                category_label=str(categories.LABELS.get(s.category, s.category)),
                status=s.status,
                status_label=str(Status(s.status).label),
                metres=round(n.metres),
                bearing=round(n.bearing) % 360,
                upwind=upwind,
                responsible_unit=_unit_of(s, units),
                url=f"/sources/{s.pk}/",
                score=score,
            )
        )
    return out


def _unit_of(source: PollutionSource, cache: dict[int, str]) -> str:
    """The unit and post answering for the source: its own post if set and current, else the
    grid's first responsible post (cached per grid)."""
    if source.responsible_post_id is not None:
        found = responsible_of(source)
        return f"{found.region_name} · {found.post}" if found else ""
    if source.grid_id not in cache:
        chain = responsible_for(source.grid)
        cache[source.grid_id] = f"{chain[0].region_name} · {chain[0].post}" if chain else ""
    return cache[source.grid_id]
