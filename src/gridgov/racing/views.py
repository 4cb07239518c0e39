"""赛马比拼 pages: the active cards for their current period, one card for a chosen period (and
its Excel export), a unit's history. Thin: services.py does the work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.dbrouter import replica_reads
from gridgov.racing import excel, services
from gridgov.racing.models import Scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest, card: Scorecard) -> tuple[dt.date, dt.date]:
    """?from&to, by default the card's current period; a backwards period is refused (400)."""
    _start, default_end = services.period_for(card.period_kind)
    end = inputs.parse_date("to", request.GET.get("to"), default_end)
    start = inputs.parse_date(
        "from", request.GET.get("from"), services.period_start(card.period_kind, end)
    )
    try:
        services.check_period(start, end)
    except services.RacingError as exc:
        raise inputs.InputError(exc.field, exc.message) from exc
    return start, end


def _card(pk: int) -> Scorecard:
    try:
        return services.get_card(pk)
    except services.NotFound as exc:
        raise Http404(exc.message) from exc


def _table(result: services.CardResult) -> dict[str, Any]:
    """The rows with their cells in the indicators' order (templates cannot index a dict)."""

    def cells(row: services.Row) -> list[tuple[services.IndicatorInfo, services.Cell]]:
        return [(i, row.cells[i.id]) for i in result.indicators]

    return {"result": result, "rows": [(r, cells(r)) for r in result.rows]}


@login_required
@replica_reads()
def index(request: HttpRequest) -> HttpResponse:
    cards = []
    cards_read = Scorecard.objects.for_user(request.user).filter(active=True)
    for card in cards_read.prefetch_related("indicators"):
        start, end = services.period_for(card.period_kind)
        cards.append(_table(services.compute(card, start, end, request.user)))
    return render(request, "racing/index.html", {"cards": cards})


@login_required
@replica_reads()
def card_page(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(pk)
    start, end = _period(request, card)
    context = _table(services.compute(card, start, end, request.user))
    context["query"] = request.GET.urlencode()
    return render(request, "racing/card.html", context)


@login_required
@replica_reads()
def card_export(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(pk)
    start, end = _period(request, card)
    result = services.compute(card, start, end, request.user)
    response = HttpResponse(excel.workbook(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{excel.filename(result)}"'
    return response


@login_required
@replica_reads()
def unit_page(request: HttpRequest, region_id: int) -> HttpResponse:
    try:
        region, points = services.history(request.user, region_id)
    except services.NotFound as exc:
        raise Http404(exc.message) from exc
    series: dict[str, dict[str, Any]] = {}
    for p in points:
        s = series.setdefault(str(p.card_id), {"name": p.card, "points": []})
        s["points"].append(
            {"period": f"{p.start:%Y-%m-%d}", "rank": p.rank, "total": p.total, "of": p.ranked}
        )
    return render(
        request,
        "racing/unit.html",
        {
            "region": region,
            "points": points,
            "chart": list(series.values()),
            "labels": {"total": _("总分"), "rank": _("名次")},
        },
    )
