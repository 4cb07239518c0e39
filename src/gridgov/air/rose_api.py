"""Pollution rose and CPF of a station over the API (air/rose.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov import inputs
from gridgov.air import rose
from gridgov.air.models import CST, POLLUTANT_FIELDS, Station
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema

router = Router()
MAX_DAYS = 366
Pollutant = Literal["pm25", "pm10", "so2", "no2", "co", "o3"]


class RoseBandOut(Schema):
    from_ms: float = Field(description="speed band lower bound, m/s (inclusive)")
    to_ms: float | None = Field(description="upper bound (exclusive); null: open")
    hours: int
    mean: float | None = Field(description="mean of the band's hourly means; null: no hour")


class RoseSectorOut(Schema):
    direction: str = Field(description="N, NNE … NNW: where the wind comes from")
    hours: int
    mean: float | None
    bands: list[RoseBandOut]


class RoseCalmOut(Schema):
    hours: int = Field(description="hours with wind speed below 0.5 m/s")
    mean: float | None


class RoseAboveOut(Schema):
    all: float | None = Field(description="share of the rose's hours (calm too) above the line")
    calm: float | None
    sectors: list[float | None] = Field(description="per sector, N … NNW")
    bands: list[list[float | None]] = Field(description="per sector, per speed band")


class RoseOut(Schema):
    pollutant: str
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    line: float = Field(description="the line of above_share (default: grade-II 24-h limit)")
    left_out: int = Field(
        description="hours without a valid mean, a wind speed, or (not calm) a direction"
    )
    sectors: list[RoseSectorOut]
    calm: RoseCalmOut
    above_share: RoseAboveOut


class RoseCpfBandOut(Schema):
    from_ms: float
    to_ms: float | None
    hours: int
    cpf: float | None = Field(description="share of the hours at or above the threshold")


class RoseCpfSectorOut(Schema):
    direction: str
    hours: int
    cpf: float | None
    bands: list[RoseCpfBandOut]


class RoseCpfCalmOut(Schema):
    hours: int
    cpf: float | None


class RoseCpfOut(Schema):
    pollutant: str
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    percentile: int
    threshold: float | None = Field(
        description="the percentile of every valid hourly mean of the period"
    )
    valid_hours: int
    sectors: list[RoseCpfSectorOut]
    calm: RoseCpfCalmOut


def _period(
    request: HttpRequest, code: str, pollutant: str, start: str | None, end: str | None
) -> tuple[Station, dt.date, dt.date, dict[str, Any]]:
    station = Station.objects.for_user(request.user).filter(code=code).first()
    if station is None:
        raise ApiError(404, f"no station with code {code!r}", field="code")
    if pollutant not in POLLUTANT_FIELDS:
        raise ApiError(400, f"one of {', '.join(POLLUTANT_FIELDS)}", field="pollutant")
    today = dt.datetime.now(CST).date()
    first = inputs.parse_date("from", start, today - dt.timedelta(days=29))
    last = inputs.parse_date("to", end, today)
    if last < first or (last - first).days >= MAX_DAYS:
        raise ApiError(
            400, f"to must be on or after from, at most {MAX_DAYS} days in all", field="to"
        )
    t0 = int(dt.datetime.combine(first, dt.time(), CST).timestamp())
    t1 = int(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CST).timestamp())
    return station, first, last, rose.station_hours(station.pk, t0, t1, pollutant)


@router.get(
    "/air/stations/{code}/rose",
    response={200: RoseOut, **errors(400, 401, 404)},
    by_alias=True,
)
def station_rose(
    request: HttpRequest,
    code: str,
    pollutant: str = param.Query("pm25", description="pm25, pm10, so2, no2, co, o3"),
    start: str | None = param.Query(
        None, alias="from", description="YYYY-MM-DD (CST), default 29 days before to"
    ),
    end: str | None = param.Query(
        None, alias="to", description="YYYY-MM-DD inclusive, default today"
    ),
    line: float | None = param.Query(
        None, description="the line of above_share; default the grade-II 24-h limit"
    ),
) -> Any:
    """Pollution rose (污染玫瑰图): per 16 sectors (N … NNW, centred on their bearings) and
    speed bands 0.5–2, 2–4, 4–6, ≥ 6 m/s, the hours and mean of the pollutant's valid hourly
    means; calm (< 0.5 m/s) apart; hours without a direction left out. A station outside the
    caller's scope is 404, as an unknown one."""
    _station, first, last, hours = _period(request, code, pollutant, start, end)
    if line is not None and not (line == line and 0 <= line < 1e6):
        raise ApiError(400, "a concentration, 0 or more", field="line")
    drawn = rose.rose(hours, rose.grade_ii_line(pollutant, last) if line is None else line)
    return {"pollutant": pollutant, "from": first, "to": last, **drawn}


@router.get(
    "/air/stations/{code}/cpf",
    response={200: RoseCpfOut, **errors(400, 401, 404)},
    by_alias=True,
)
def station_cpf(
    request: HttpRequest,
    code: str,
    pollutant: str = param.Query("pm25", description="pm25, pm10, so2, no2, co, o3"),
    start: str | None = param.Query(None, alias="from", description="YYYY-MM-DD (CST)"),
    end: str | None = param.Query(None, alias="to", description="YYYY-MM-DD inclusive"),
    percentile: int = param.Query(75, ge=1, le=99, description="1–99"),
) -> Any:
    """Conditional probability function (CPF): per sector and speed band the share of its
    hours at or above the period's p-th percentile."""
    _station, first, last, hours = _period(request, code, pollutant, start, end)
    found = rose.cpf(hours, float(percentile))
    return {"pollutant": pollutant, "from": first, "to": last, "percentile": percentile, **found}
