"""The factor table of a station over the API: every factor it sends, hourly (air/factors.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov import inputs
from gridgov.air.factor_store import factor_hours
from gridgov.air.models import CST, Station
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema

router = Router()
MAX_DAYS = 92


class FactorHourOut(Schema):
    hour: dt.datetime = Field(description="start of the hour, CST")
    mean: float | None = Field(
        description="mean of the hour's valid values (wind direction: the vector mean, "
        "weighted by the wind speed sent with it); of its flagged values when it has no valid "
        "one; null for a pollutant hour without the values it needs"
    )
    count: int = Field(description="values averaged")
    flag: str = Field(
        description="N: valid; a device flag letter (F, M, D …) when the hour "
        "had only flagged values; empty: not a valid pollutant hour"
    )


class FactorOut(Schema):
    code: str = Field(
        description="HJ 212 code as the standard spells it (a01001, LA …), or as "
        "the device sent it when it is unknown here"
    )
    name: str
    name_en: str
    unit: str = Field(description="the registry's unit; values are kept as the device sent them")
    kind: Literal["pollutant", "meteorology", "other"]
    hours: list[FactorHourOut]


@router.get(
    "/air/stations/{code}/factors",
    response={200: list[FactorOut], **errors(400, 401, 404)},
)
def station_factors(
    request: HttpRequest,
    code: str,
    start: str | None = param.Query(
        None, alias="from", description="YYYY-MM-DD (CST), default today"
    ),
    end: str | None = param.Query(None, alias="to", description="YYYY-MM-DD inclusive"),
    factor: str | None = param.Query(
        None, alias="code", description="one factor only (a01001, LA, pm25 …)"
    ),
) -> Any:
    """Every factor of a station (the six pollutants, meteorology, TSP, noise, VOCs, any code
    its device sends) with its hourly means, even where no rule uses it yet. A station outside
    the caller's scope is 404, as an unknown one."""
    station = Station.objects.for_user(request.user).filter(code=code).first()
    if station is None:
        raise ApiError(404, f"no station with code {code!r}", field="code")
    today = dt.datetime.now(CST).date()
    first = inputs.parse_date("from", start, today)
    last = inputs.parse_date("to", end, today)
    if last < first or (last - first).days > MAX_DAYS:
        raise ApiError(
            400, f"to must be on or after from, at most {MAX_DAYS} days later", field="to"
        )
    t0 = int(dt.datetime.combine(first, dt.time(), CST).timestamp())
    t1 = int(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CST).timestamp())
    return factor_hours(station.pk, t0, t1, (factor or "").strip() or None)
