"""Reading the forecast (预报): a station's or a unit's next three days and next 24 hours from
the latest issue at or before now (air/forecast_issue.py writes them).

A unit's (street's, district's) value is the mean of its ambient stations' forecasts, its
interval the mean of theirs (the stations' errors move together, so this is close to the
interval of the mean). The forecast AQI is the largest IAQI of the forecast PM2.5 and PM10
24-h means and O3 daily max 8-h — the pollutants that make nearly every polluted day's primary
pollutant — under the standard in force on that date, with its level; its interval is the AQI
of the interval's ends.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from gridgov.air import aqi
from gridgov.air.assessment import region_units
from gridgov.air.forecast_models import DailyForecast, ForecastModel, HourlyForecast
from gridgov.air.models import Station
from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.territory.models import Level, Region

CST = dt.timezone(dt.timedelta(hours=8))
TARGETS = ("pm25", "pm10", "o3_8h")
INDICATOR = {"pm25": "pm25_24h", "pm10": "pm10_24h", "o3_8h": "o3_8h"}


@dataclass(frozen=True)
class Band:
    """A forecast value and its 80 % interval (µg/m³)."""

    value: float
    lo: float
    hi: float


@dataclass(frozen=True)
class DayForecast:
    date: dt.date
    lead: int
    values: dict[str, Band]  # pm25, pm10, o3_8h (those forecast)
    aqi: int | None
    aqi_lo: int | None
    aqi_hi: int | None
    level: int | None  # 1–6
    primary: list[str]


@dataclass(frozen=True)
class HourForecast:
    at: dt.datetime  # the start of the hour
    pm25: Band


@dataclass
class UnitForecast:
    """What the pages, the API and the recommendations read."""

    issued_at: dt.datetime | None
    stations: int
    met: bool = False
    days: list[DayForecast] = field(default_factory=list)
    hours: list[HourForecast] = field(default_factory=list)
    skill: dict[str, dict[str, float]] = field(default_factory=dict)


def forecast_aqi(values: dict[str, float], day: dt.date) -> tuple[int | None, list[str]]:
    """(AQI, primary pollutants) of forecast daily values (None without any)."""
    standard = aqi.standard_for(day)
    sub: dict[str, int] = {}
    for name, value in values.items():
        found = int(aqi.iaqi(INDICATOR[name], np.array([value]), standard).iaqi[0])
        if found >= 0:
            sub[name] = found
    if not sub:
        return None, []
    top = max(sub.values())
    primary = [aqi.DISPLAY[n if n != "o3_8h" else "o3"] for n, v in sub.items() if v == top]
    return top, primary if top > 50 else []


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def skill() -> dict[str, dict[str, float]]:
    """The skill of the models in use (next-day, with and without forecast weather); the newest
    version of each wins (the models' pickles are not read)."""
    rows = (
        ForecastModel.objects.filter(lead__in=(0, 1))
        .order_by("trained_at", "pk")
        .values_list("target", "met", "skill")
    )
    return {f"{target}{'_met' if met else ''}": figures for target, met, figures in rows}


def _day(day: dt.date, found: list[DailyForecast]) -> DayForecast:
    """One date's forecast from its stations' rows: the mean of each value and its interval,
    the AQI of the means."""
    values: dict[str, Band] = {}
    for name in TARGETS:
        have = [r for r in found if getattr(r, name) is not None]
        if have:
            values[name] = Band(
                *(
                    round(float(np.mean([getattr(r, f"{name}{s}") for r in have])), 1)
                    for s in ("", "_lo", "_hi")
                )
            )
    index, primary = forecast_aqi({k: b.value for k, b in values.items()}, day)
    lo, _ = forecast_aqi({k: b.lo for k, b in values.items()}, day)
    hi, _ = forecast_aqi({k: b.hi for k, b in values.items()}, day)
    level = int(aqi.level_numbers(np.array([index]))[0]) if index is not None else None
    return DayForecast(day, found[0].lead, values, index, lo, hi, level, primary)


def for_stations(station_ids: list[int], now: dt.datetime | None = None) -> UnitForecast:
    """The mean forecast of the stations from the latest issue at or before now."""
    now = _now(now)
    ids = list(station_ids)
    daily = DailyForecast.objects.filter(station_id__in=ids, issued_at__lte=now)
    issued = daily.order_by("-issued_at").values_list("issued_at", flat=True).first()
    out = UnitForecast(issued_at=issued, stations=len(ids), skill=skill())
    if issued is None:
        return out
    today = now.astimezone(CST).date()
    rows = daily.filter(issued_at=issued, date__gte=today).order_by("date")
    by_date: dict[dt.date, list[DailyForecast]] = defaultdict(list)
    for row in rows:
        by_date[row.date].append(row)
        out.met = out.met or row.met
    out.days = [_day(day, found) for day, found in sorted(by_date.items())]
    hourly = HourlyForecast.objects.filter(station_id__in=ids, issued_at__lte=now)
    h_issued = hourly.order_by("-issued_at").values_list("issued_at", flat=True).first()
    if h_issued is not None:
        per_hour: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
        for ts, v, lo_, hi_ in hourly.filter(issued_at=h_issued).values_list(
            "ts", "pm25", "pm25_lo", "pm25_hi"
        ):
            per_hour[ts].append((v, lo_, hi_))
        for ts, triples in sorted(per_hour.items()):
            v, lo_, hi_ = (round(float(x), 1) for x in np.mean(triples, axis=0))
            out.hours.append(HourForecast(dt.datetime.fromtimestamp(ts, CST), Band(v, lo_, hi_)))
    return out


def next_day_by_station(
    station_ids: list[int], now: dt.datetime | None = None
) -> dict[int, DayForecast]:
    """Each station's first forecast day from the latest issue at or before now (one query)."""
    now = _now(now)
    daily = DailyForecast.objects.filter(station_id__in=list(station_ids), issued_at__lte=now)
    issued = daily.order_by("-issued_at").values_list("issued_at", flat=True).first()
    if issued is None:
        return {}
    today = now.astimezone(CST).date()
    out: dict[int, DayForecast] = {}
    for row in daily.filter(issued_at=issued, date__gte=today).order_by("station_id", "date"):
        if row.station_id not in out:
            out[row.station_id] = _day(row.date, [row])
    return out


def for_region(region: Region, now: dt.datetime | None = None) -> UnitForecast:
    """A unit's forecast: the mean over its ambient stations."""
    unit = region_units([region])[0]
    return for_stations(list(unit.station_ids), now)


def unit_stations(region: Region) -> list[tuple[int, str]]:
    """(id, name) of the unit's ambient stations, by code."""
    ids = region_units([region])[0].station_ids
    return list(Station.objects.filter(pk__in=ids).order_by("code").values_list("pk", "name"))


def choosable_units(user: Account) -> list[Region]:
    """The units down to the street (a city, districts, streets) an account may read the
    forecast of, its own first."""
    paths = scope.scope_paths(user)
    qs = Region.objects.active().filter(level__lte=Level.STREET)
    if paths is scope.ALL:
        return list(qs.order_by("level", "code"))
    own = list(Region.objects.active().filter(path__in=paths or []).order_by("level", "code"))
    below = [r for r in qs.order_by("level", "code") if any(r.path.startswith(o.path) for o in own)]
    return own + [r for r in below if r not in own]
