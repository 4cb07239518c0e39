"""Back-tracing over the API: `GET /api/v1/air/trace` (air/trace.py the path, cone and grids;
sources/trace.py the registered sources). Here, in sources, because the answer lists sources and
air may not import them (pyproject's layers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov.air import trace as tracing
from gridgov.air.models import CST, Station
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema
from gridgov.sources.api import SourceLineStringOut
from gridgov.sources.services import sources_for
from gridgov.sources.trace import traced_sources
from gridgov.territory.models import Region
from gridgov.territory.schemas import PolygonOut

router = Router()
YEARS = (2000, 2100)


class TracePointOut(Schema):
    at: dt.datetime = Field(description="the time the air was here")
    lat: float
    lon: float
    hours_back: float
    along_m: float = Field(description="distance travelled along the path from the station")
    half_width_m: float = Field(description="the cone's half-width here")


class TraceGridOut(Schema):
    id: int
    code: str
    name: str
    score: float = Field(description="exp(-hours_back/3) · (1 - path_m/half-width), 0–1")
    hours_back: float
    path_m: int = Field(description="distance from the centroid to the path")


class TraceSourceOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    score: float
    hours_back: float
    path_m: int
    metres: int = Field(description="from the station")
    bearing: int = Field(description="from the station, degrees clockwise from north")
    url: str


class TraceOut(Schema):
    station: str
    at: dt.datetime
    hours: int
    stopped: str = Field(
        description="done: all the hours; no_wind: an hour without any station's wind"
    )
    points: list[TracePointOut] = Field(description="from the station backward, every 10 min")
    path: SourceLineStringOut = Field(description="GeoJSON LineString, station first")
    cone: PolygonOut = Field(description="GeoJSON Polygon: the path widened")
    grids: list[TraceGridOut]
    sources: list[TraceSourceOut]


def parse_at(text: str | None) -> dt.datetime:
    """An ISO date-time; one without an offset is China time."""
    if not text:
        raise ApiError(400, "an ISO date-time, e.g. 2026-12-07T10:00+08:00", field="at")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "an ISO date-time, e.g. 2026-12-07T10:00+08:00", field="at") from None
    if not YEARS[0] <= when.year < YEARS[1]:
        raise ApiError(400, f"a year from {YEARS[0]} to {YEARS[1] - 1}", field="at")
    return when if when.tzinfo is not None else when.replace(tzinfo=CST)


def trace_answer(trace: tracing.Trace, station: str, user: Any) -> dict[str, Any]:
    return {
        "station": station,
        "at": dt.datetime.fromtimestamp(trace.at, CST),
        "hours": trace.hours,
        "stopped": trace.stopped,
        "points": [
            {
                "at": dt.datetime.fromtimestamp(p.ts, CST),
                "lat": round(p.lat, 6),
                "lon": round(p.lon, 6),
                "hours_back": round(p.hours_back, 4),
                "along_m": round(p.along_m, 1),
                "half_width_m": round(p.half_width_m, 1),
            }
            for p in trace.points
        ],
        "path": tracing.path_geojson(trace),
        "cone": tracing.cone_polygon(trace),
        "grids": [g.__dict__ for g in tracing.score_grids(trace, Region.objects.for_user(user))],
        "sources": [s.__dict__ for s in traced_sources(trace, sources_for(user))],
    }


@router.get("/air/trace", response={200: TraceOut, **errors(400, 401, 404)})
def air_trace(
    request: HttpRequest,
    station: str = param.Query(..., description="the station's code"),
    at: str | None = param.Query(None, description="ISO date-time; without offset: China time"),
    hours: int = param.Query(3, ge=1, le=tracing.MAX_HOURS, description="1–6 hours back"),
) -> Any:
    """Back-trace (后向轨迹溯源): from the station at `at`, the air's path backward over the
    stations' hourly winds (10-min steps, IDW of u/v), the cone around it, and the grids and
    registered sources in the cone scored by time back and distance from the path. A station
    outside the caller's scope is 404, as an unknown one; grids and sources are the caller's."""
    found = Station.objects.for_user(request.user).filter(code=station).first()
    if found is None:
        raise ApiError(404, f"no station with code {station!r}", field="station")
    when = parse_at(at)
    trace = tracing.trace_from(found.lat, found.lon, when, hours)
    return trace_answer(trace, found.code, request.user)
