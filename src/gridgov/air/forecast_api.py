"""The air-quality forecast over the API (air/forecast.py): a station's or a unit's next three
days and next 24 hours, from the latest issue, with the models' skill."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov.air import forecast
from gridgov.air.models import AMBIENT_KINDS, Station
from gridgov.apikit import ApiError, errors
from gridgov.people.scope import visible_region
from gridgov.schemas import Schema

router = Router()


class ForecastBandOut(Schema):
    value: float = Field(description="forecast, µg/m³")
    lo: float = Field(description="lower end of the 80 % interval")
    hi: float = Field(description="upper end of the 80 % interval")


class ForecastDayOut(Schema):
    date: dt.date
    lead: int = Field(description="days after the issue day")
    pm25: ForecastBandOut | None = Field(description="daily mean PM2.5")
    pm10: ForecastBandOut | None = Field(description="daily mean PM10")
    o3_8h: ForecastBandOut | None = Field(description="O3 daily max 8-h mean")
    aqi: int | None = Field(description="AQI of the forecast PM2.5, PM10 and O3-8h")
    aqi_lo: int | None
    aqi_hi: int | None
    level: int | None = Field(description="AQI level 1–6")
    primary: list[str]


class ForecastHourOut(Schema):
    at: dt.datetime = Field(description="start of the hour")
    pm25: ForecastBandOut


class SkillOut(Schema):
    model: str = Field(description="target, with _met when it reads forecast weather")
    rmse: float | None = None
    persistence_rmse: float | None = None
    ratio: float | None = Field(None, description="RMSE over persistence's: below 1 is skill")
    days: int | None = Field(None, description="held-out days (hours for the hourly model)")


class ForecastOut(Schema):
    station: str | None
    region: str | None
    issued_at: dt.datetime | None = Field(description="null: no forecast issued yet")
    stations: int = Field(description="ambient stations averaged")
    met: bool = Field(description="whether imported weather forecasts were used")
    days: list[ForecastDayOut]
    hours: list[ForecastHourOut]
    skill: list[SkillOut]


def as_out(unit: forecast.UnitForecast, station: str | None, region: str | None) -> dict[str, Any]:
    return {
        "station": station,
        "region": region,
        "issued_at": unit.issued_at,
        "stations": unit.stations,
        "met": unit.met,
        "days": [
            {
                "date": d.date,
                "lead": d.lead,
                **{k: vars(d.values[k]) if k in d.values else None for k in forecast.TARGETS},
                "aqi": d.aqi,
                "aqi_lo": d.aqi_lo,
                "aqi_hi": d.aqi_hi,
                "level": d.level,
                "primary": d.primary,
            }
            for d in unit.days
        ],
        "hours": [{"at": h.at, "pm25": vars(h.pm25)} for h in unit.hours],
        "skill": [{"model": k, **v} for k, v in unit.skill.items()],
    }


@router.get("/air/forecast", response={200: ForecastOut, **errors(400, 401, 404)})
def get_forecast(
    request: HttpRequest,
    station: str | None = param.Query(None, max_length=40, description="a station's code"),
    region: str | None = param.Query(None, max_length=40, description="a unit's code"),
) -> Any:
    """预报: the next three days' daily PM2.5, PM10, O3-8h and AQI with level and 80 %
    intervals, and the next 24 hours' PM2.5, from the latest forecast issued (20:00 China time
    daily; hourly each hour). Give a station or a region (unit); neither: the caller's whole
    scope's ambient stations. Outside the caller's scope is 404, as unknown."""
    if station and region:
        raise ApiError(400, "give station or region, not both", field="region")
    if region:
        unit = forecast.for_region(visible_region(request.user, region))
        return as_out(unit, None, region)
    visible = Station.objects.for_user(request.user).filter(active=True, kind__in=AMBIENT_KINDS)
    if station:
        found = visible.filter(code=station).values_list("pk", flat=True).first()
        if found is None:
            raise ApiError(404, f"no station with code {station!r}", field="station")
        return as_out(forecast.for_stations([found]), station, None)
    return as_out(forecast.for_stations(list(visible.values_list("pk", flat=True))), None, None)
