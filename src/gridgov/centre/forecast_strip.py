"""The 3-day forecast strip (未来三天预报) of the overview and the wall: the viewer's first unit's
forecast AQI, level and PM2.5 with their 80 % intervals (air/forecast.py), from the latest issue
at or before now — read live, three small queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import get_language

from gridgov.air import aqi, forecast
from gridgov.territory.models import Region
from gridgov.web.panels import link


@dataclass
class StripDay:
    date: dt.date
    aqi: int | None
    aqi_lo: int | None
    aqi_hi: int | None
    level: int | None
    category: str
    primary: list[str]
    pm25: float | None
    pm25_lo: float | None
    pm25_hi: float | None


@dataclass
class ForecastStrip:
    unit: str
    issued_at: dt.datetime | None
    url: str
    days: list[StripDay] = field(default_factory=list)


def strip(units: list[Region], now: dt.datetime) -> ForecastStrip:
    """The first unit's next three days (no days before the first forecast is issued)."""
    if not units:
        return ForecastStrip("", None, link("air:forecast"))
    unit = units[0]
    found = forecast.for_region(unit, now)
    out = ForecastStrip(unit.name, found.issued_at, link("air:forecast", region=unit.code))
    english = (get_language() or "").lower().startswith("en")
    for d in found.days[:3]:
        pm25 = d.values.get("pm25")
        lvl = aqi.level(d.level) if d.level else None
        out.days.append(
            StripDay(
                date=d.date,
                aqi=d.aqi,
                aqi_lo=d.aqi_lo,
                aqi_hi=d.aqi_hi,
                level=d.level,
                category=(lvl.category_en if english else lvl.category) if lvl else "",
                primary=d.primary,
                pm25=pm25.value if pm25 else None,
                pm25_lo=pm25.lo if pm25 else None,
                pm25_hi=pm25.hi if pm25 else None,
            )
        )
    return out
