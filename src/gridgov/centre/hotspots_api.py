"""热点网格 over the API: `GET /api/v1/air/hotspots` (centre/hotspots.py), the reader's grids."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router

from gridgov import inputs
from gridgov.air import periods
from gridgov.air.hotspots import IDW_K, IDW_POWER, IDW_RADIUS_KM, POLLUTANTS
from gridgov.apikit import ApiError, errors
from gridgov.centre import hotspots
from gridgov.schemas import Schema

router = Router()
MAX_DAYS = 366
MAX_LIMIT = 1000  # the API's cap on every `limit`


class HotGridOut(Schema):
    code: str
    name: str
    street_code: str
    street_name: str
    mean: float | None = Field(description="period mean of the hourly estimates, µg/m³")
    hours_above: int = Field(description="hours whose estimate exceeds the grade-II 24-h limit")
    hours_estimated: int
    exact: bool = Field(description="the grid contains a station: its own value, not IDW")
    rank: int | None = Field(description="1 = worst; null: no estimate in the period")
    level: int = Field(description="AQI level 1–6 of the mean as a 24-h value; 0: none")
    colour: str | None = Field(description="that level's colour, for the map layer")
    sources: int = Field(description="registered sources in the grid (not closed)")
    open_orders: int = Field(description="open work orders whose event lies in the grid")


class HotspotsOut(Schema):
    pollutant: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    method: str
    grids: list[HotGridOut]


def parse(
    start: str | None, end: str | None, pollutant: str | None, limit: int | None
) -> tuple[Any, Any, str, int | None]:
    """The period (default: air/periods.py), pollutant (default pm25) and limit of a request;
    a bad one is a FieldRefusal/ApiError naming its field."""
    first = inputs.parse_date("from", start) if start else None
    last = inputs.parse_date("to", end) if end else None
    first, last = periods.resolve(first, last)
    if last < first or (last - first).days >= MAX_DAYS:
        raise ApiError(400, f"to must be on or after from, at most {MAX_DAYS} days", field="to")
    chosen = (pollutant or "pm25").strip()
    if chosen not in POLLUTANTS:
        raise ApiError(400, f"one of {', '.join(POLLUTANTS)}", field="pollutant")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"a whole number 1–{MAX_LIMIT}", field="limit")
    return first, last, chosen, limit


METHOD = (
    f"IDW (power {IDW_POWER:g}, nearest {IDW_K} stations within {IDW_RADIUS_KM:g} km) of the "
    "ambient stations' valid hourly means; a grid containing a station takes its own value"
)


@router.get(
    "/air/hotspots",
    response={200: HotspotsOut, **errors(400, 401)},
    by_alias=True,
    url_name="air_hotspots",
)
def get_hotspots(
    request: HttpRequest,
    start: str | None = Query(None, alias="from", description="YYYY-MM-DD; default: month to date"),
    end: str | None = Query(None, alias="to", description="YYYY-MM-DD"),
    pollutant: str | None = Query(None, description="pm25 (default) or pm10"),
    limit: int = Query(
        MAX_LIMIT, ge=1, le=MAX_LIMIT, description="at most this many grids, worst first"
    ),
) -> Any:
    """热点网格: the caller's active grids ranked worst first by the period mean of their hourly
    estimates, with the hours above the grade-II 24-h limit, sources and open orders."""
    first, last, chosen, count = parse(start, end, pollutant, limit)
    rows = hotspots.hot_grids(request.user, first, last, chosen, count)
    return {
        "pollutant": chosen,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "method": METHOD,
        "grids": [r.as_dict() for r in rows],
    }
