"""Air pages: live station map, station page, targets, rankings, alarms. Thin: they call the
domain functions and the scope helpers, then render."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.air import alarms as alarm_service
from gridgov.air import periods
from gridgov.air.aqi import LEVELS
from gridgov.air.assessment import RANK_METRICS, assess, rank, target_progress
from gridgov.air.models import CST, Alarm, DeviceStatus, Target
from gridgov.people import scope


def _visible_stations(request: HttpRequest) -> Any:
    from gridgov.air.api import visible_stations

    return visible_stations(request)


@login_required
def station_map(request: HttpRequest) -> HttpResponse:
    device_text = {"online": str(_("设备在线")), "offline": str(_("设备离线"))}
    return render(request, "air/station_map.html", {"levels": LEVELS, "device_text": device_text})


@login_required
def station_page(request: HttpRequest, code: str) -> HttpResponse:
    station = _visible_stations(request).filter(code=code).first()
    if station is None:  # unknown or outside the scope: the same answer, nothing to tell apart
        raise Http404(_("没有这个站点"))
    open_alarms = Alarm.objects.filter(station=station, ended_at__isnull=True).select_related(
        "rule"
    )
    device = DeviceStatus.objects.filter(station=station).first()
    return render(
        request,
        "air/station.html",
        {
            "station": station,
            "levels": LEVELS,
            "open_alarms": open_alarms,
            "device": device,
            "rejected": sum((device.rejections or {}).values()) if device else 0,
        },
    )


def _parse_date(text: str | None, default: dt.date, field: str) -> dt.date:
    return inputs.parse_date(field, text, default)


def _given_date(field: str, text: str | None) -> dt.date | None:
    """A date the request names, or None when it names none (the default is decided later)."""
    return inputs.parse_date(field, text) if text and text.strip() else None


@login_required
def targets_page(request: HttpRequest) -> HttpResponse:
    today = dt.datetime.now(CST).date()
    as_of = _parse_date(request.GET.get("as_of"), today, "as_of")
    visible = scope.regions_for(request.user)
    targets = Target.objects.filter(region__in=visible, start__lte=as_of).select_related("region")
    rows = [target_progress(t, as_of) for t in targets]
    return render(request, "air/targets.html", {"rows": rows, "as_of": as_of})


LEVEL_CHOICES = [("street", "街道/镇"), ("community", "社区/村"), ("station", "站点")]
METRIC_LABELS = {
    "pm25": "PM2.5",
    "pm10": "PM10",
    "comprehensive_index": "综合指数",
    "good_day_ratio": "优良天数比例",
    "pm25_yoy": "PM2.5同比",
}


@login_required
def rankings_page(request: HttpRequest) -> HttpResponse:
    from gridgov.air.api import units_for

    start, end = periods.resolve(
        _given_date("from", request.GET.get("from")), _given_date("to", request.GET.get("to"))
    )
    if start > end:
        start = end.replace(day=1)
    level = request.GET.get("level") or periods.default_level(request.user)
    if level not in dict(LEVEL_CHOICES):
        level = periods.default_level(request.user)
    metric = request.GET.get("metric", "pm25")
    if metric not in RANK_METRICS:
        metric = "pm25"
    units = units_for(request, level, None, None)
    ranked, apart = rank(assess(units, start, end), metric)
    return render(
        request,
        "air/rankings.html",
        {
            "ranked": ranked,
            "apart": apart,
            "start": start,
            "end": end,
            "level": level,
            "metric": metric,
            "levels": LEVEL_CHOICES,
            "metrics": METRIC_LABELS.items(),
            "isfinite": math.isfinite,
        },
    )


@login_required
def alarms_page(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    qs = Alarm.objects.filter(station__in=_visible_stations(request)).select_related(
        "station", "grid", "rule", "acknowledged_by"
    )
    if show == "open":
        qs = qs.filter(ended_at__isnull=True)
    return render(
        request, "air/alarms.html", {"alarms": qs.order_by("-started_at")[:300], "show": show}
    )


@login_required
@require_POST
def acknowledge_alarm(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = Alarm.objects.filter(pk=alarm_id, station__in=_visible_stations(request)).first()
    if alarm is None:
        raise Http404(_("没有这个报警"))
    alarm_service.acknowledge(alarm, request.user, request.POST.get("note", ""))
    messages.success(request, _("已确认报警"))
    return redirect("air:alarms")
