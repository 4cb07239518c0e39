"""`/air/quality/`: the sensor-quality page (设备运维质量) — operators and stations ranked by
online, data capture and QC pass rates for a month, each micro-station's co-location with its
nearest control station, and the open maintenance issues with their work orders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gridgov import inputs
from gridgov.air.colocation import HUMID
from gridgov.air.models import CST
from gridgov.air.quality_report import month_quality, open_issues, parse_month
from gridgov.air.sensor_quality import default_months
from gridgov.core.dbrouter import replica_reads

ISSUES_SHOWN = 100


@login_required
@replica_reads()
def quality_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = now.astimezone(CST).date()
    error = ""
    try:
        chosen = parse_month(request.GET.get("month"), today)
    except inputs.InputError as exc:
        chosen, error = None, exc.message
    months = [chosen] if chosen is not None else default_months(today)
    sections = [month_quality(request.user, m, now, with_days=False) for m in months]
    return render(
        request,
        "air/quality.html",
        {
            "sections": sections,
            "month_value": months[0].strftime("%Y-%m"),
            "is_default": chosen is None,
            "error": error,
            "humid": HUMID,
            "issues": list(open_issues(request.user)[:ISSUES_SHOWN]),
        },
        status=400 if error else 200,
    )
