"""The forecast page (空气质量预报): a unit's next three days (AQI, level, PM2.5, PM10, O3-8h with
their 80 % intervals), the next 24 hours of PM2.5 as a chart, each station's next day, and the
models' skill beside them. Thin: it reads air/forecast.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.air import aqi, forecast
from gridgov.errors import DomainError
from gridgov.people.scope import visible_region

SKILL_NAMES = {"pm25": "PM2.5", "pm10": "PM10", "o3_8h": "O3-8h", "pm25_hourly": "PM2.5 逐时"}


def _hours_chart(unit: forecast.UnitForecast) -> dict[str, Any]:
    return {
        "hours": [h.at.strftime("%m-%d %H:00") for h in unit.hours],
        "value": [h.pm25.value for h in unit.hours],
        "lo": [h.pm25.lo for h in unit.hours],
        "band": [round(h.pm25.hi - h.pm25.lo, 1) for h in unit.hours],
        "title": _("未来24小时 PM2.5（µg/m³，阴影为80%区间）"),
        "forecast": _("预报"),
        "interval": _("80%区间"),
    }


@login_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    units = forecast.choosable_units(request.user)
    code = request.GET.get("region", "")
    error = ""
    region = units[0] if units else None
    if code:
        try:
            region = visible_region(request.user, code[:40])
        except DomainError as exc:
            error = exc.message
    now = timezone.now()
    unit = forecast.for_region(region, now) if region else forecast.for_stations([], now)
    named = forecast.unit_stations(region) if region else []
    next_days = forecast.next_day_by_station([sid for sid, _ in named], now)
    stations = [{"name": name, "day": next_days[sid]} for sid, name in named if sid in next_days]
    english = request.LANGUAGE_CODE.startswith("en")
    days = []
    for d in unit.days:
        lvl = aqi.level(d.level) if d.level else None
        days.append(
            {"d": d, "category": (lvl.category_en if english else lvl.category) if lvl else ""}
        )
    skill = [
        {"name": SKILL_NAMES.get(k.removesuffix("_met"), k), "met": k.endswith("_met"), **v}
        for k, v in unit.skill.items()
    ]
    return render(
        request,
        "air/forecast.html",
        {
            "units": units,
            "region": region,
            "error": error,
            "unit": unit,
            "days": days,
            "stations": stations,
            "skill": skill,
            "chart": _hours_chart(unit),
        },
    )
