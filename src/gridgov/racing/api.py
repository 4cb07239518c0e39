"""赛马比拼, API v1: the scorecards, a card's results for a period (JSON or Excel) and a unit's
history. Results are scoped: the rows of the units the caller may see, ranked among all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router

from gridgov import inputs
from gridgov.apikit import XLSX, download, errors
from gridgov.core.dbrouter import replica_reads
from gridgov.racing import excel, services
from gridgov.racing.models import Indicator, Scorecard
from gridgov.schemas import Schema
from gridgov.territory.models import Level

router = Router()


class RacingIndicatorOut(Schema):
    id: int
    metric: str
    label: str
    unit: str
    weight: float
    direction: str = Field(description="higher or lower (is better)")
    rule: str = Field(description="rank or threshold")
    floor: float = Field(description="rank: the last rank's score; threshold: below every band")
    bands: list[list[float]] = Field(description="threshold bands, [bound, score]")


class RacingCardOut(Schema):
    id: int
    name: str
    level: int = Field(description="2 street/town, 3 community/village")
    level_label: str
    period_kind: str = Field(description="month, quarter or year")
    active: bool
    min_valid_days: int | None = Field(description="null: the HJ 663 requirement of the period")
    min_orders: int
    min_sources: int
    current_from: dt.date = Field(description="the default period")
    current_to: dt.date
    indicators: list[RacingIndicatorOut]


class RacingIndicatorResultOut(RacingIndicatorOut):
    sample: str | None = Field(description="days, orders or sources: what the minimum counts")
    minimum: int | None
    thin: list[str] = Field(description="units listed apart for too small a sample")
    no_data: list[str] = Field(description="units without a value")


class RacingCellOut(Schema):
    indicator: int
    value: float | None
    sample: int | None
    thin: bool
    rank: int | None
    score: float | None


class RacingRowOut(Schema):
    region_id: int
    code: str
    name: str
    rank: int | None = Field(description="null: scored on no indicator, listed apart")
    total: float | None = Field(description="Σ weight × score ÷ Σ weight over scored indicators")
    covered: float = Field(description="share of the card's weight behind the total")
    previous_total: float | None
    previous_rank: int | None
    total_change: float | None
    rank_change: int | None = Field(description="places gained since the previous period")
    cells: list[RacingCellOut]


class RacingResultsOut(Schema):
    card: RacingCardOut
    from_: dt.date = Field(alias="from")
    to: dt.date
    previous_from: dt.date | None
    previous_to: dt.date | None
    units: int = Field(description="units of the level in the race")
    ranked: int = Field(description="units ranked")
    indicators: list[RacingIndicatorResultOut]
    rows: list[RacingRowOut] = Field(description="the caller's visible units, ranked")
    apart: list[RacingRowOut] = Field(description="visible units scored on no indicator")


class RacingHistoryPointOut(Schema):
    card_id: int
    card: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    rank: int | None
    total: float | None
    ranked: int


class RacingHistoryOut(Schema):
    region_id: int
    code: str
    name: str
    points: list[RacingHistoryPointOut]


def indicator_out(ind: Indicator) -> dict[str, Any]:
    return {
        "id": ind.pk,
        "metric": ind.metric,
        "label": ind.label,
        "unit": "",
        "weight": float(ind.weight),
        "direction": "higher" if ind.higher_is_better else "lower",
        "rule": ind.rule,
        "floor": float(ind.floor),
        "bands": [[float(b), float(s)] for b, s in (ind.bands or [])],
    }


def card_out(card: Scorecard) -> dict[str, Any]:
    start, end = services.period_for(card.period_kind)
    from gridgov.racing.metrics import REGISTRY

    indicators = []
    for ind in card.indicators.all():
        out = indicator_out(ind)
        metric = REGISTRY.get(ind.metric)
        out["unit"] = metric.unit if metric else ""
        indicators.append(out)
    return {
        "id": card.pk,
        "name": card.name,
        "level": card.level,
        "level_label": str(Level(card.level).label),
        "period_kind": card.period_kind,
        "active": card.active,
        "min_valid_days": card.min_valid_days,
        "min_orders": card.min_orders,
        "min_sources": card.min_sources,
        "current_from": start,
        "current_to": end,
        "indicators": indicators,
    }


def period(card: Scorecard, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """The period asked for; by default the card's current one."""
    _start, default_end = services.period_for(card.period_kind)
    last = inputs.parse_date("to", end, default_end)
    first = inputs.parse_date("from", start, services.period_start(card.period_kind, last))
    services.check_period(first, last)
    return first, last


def row_out(r: services.Row) -> dict[str, Any]:
    return {
        "region_id": r.region_id,
        "code": r.code,
        "name": r.name,
        "rank": r.rank,
        "total": r.total,
        "covered": r.covered,
        "previous_total": r.previous_total,
        "previous_rank": r.previous_rank,
        "total_change": r.total_change,
        "rank_change": r.rank_change,
        "cells": [{"indicator": k, **c.__dict__} for k, c in r.cells.items()],
    }


def results_out(result: services.CardResult) -> dict[str, Any]:
    return {
        "card": card_out(result.scorecard),
        "from": result.start,
        "to": result.end,
        "previous_from": result.previous[0] if result.previous else None,
        "previous_to": result.previous[1] if result.previous else None,
        "units": result.units,
        "ranked": result.ranked,
        "indicators": [
            {
                **i.__dict__,
                "direction": "higher" if i.higher_is_better else "lower",
            }
            for i in result.indicators
        ],
        "rows": [row_out(r) for r in result.ranked_rows],
        "apart": [row_out(r) for r in result.apart_rows],
    }


def _card(card_id: int) -> Scorecard:
    return services.get_card(card_id)


@router.get("/racing/cards", response={200: list[RacingCardOut], **errors(400, 401)})
def cards(request: HttpRequest, active: bool | None = None) -> Any:
    qs = Scorecard.objects.for_user(request.user).prefetch_related("indicators")
    if active is not None:
        qs = qs.filter(active=active)
    return [card_out(c) for c in qs]


@router.get(
    "/racing/cards/{int:card_id}/results",
    response={200: RacingResultsOut, **errors(400, 401, 404)},
    by_alias=True,
)
def results(
    request: HttpRequest,
    card_id: int,
    start: str | None = Query(None, alias="from", description="default: the card's period"),
    end: str | None = Query(None, alias="to", description="default: the default period's end"),
) -> Any:
    with replica_reads():
        card = _card(card_id)
        first, last = period(card, start, end)
        return results_out(services.compute(card, first, last, request.user))


@router.get(
    "/racing/cards/{int:card_id}/results.xlsx",
    response=errors(400, 401, 404),
    openapi_extra=download(XLSX, "the card's results as an Excel workbook"),
)
def results_xlsx(
    request: HttpRequest,
    card_id: int,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> HttpResponse:
    with replica_reads():
        card = _card(card_id)
        first, last = period(card, start, end)
        result = services.compute(card, first, last, request.user)
        response = HttpResponse(excel.workbook(result), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{excel.filename(result)}"'
        return response


@router.get(
    "/racing/units/{int:region_id}/history",
    response={200: RacingHistoryOut, **errors(401, 404)},
    by_alias=True,
)
def unit_history(request: HttpRequest, region_id: int) -> Any:
    with replica_reads():
        region, points = services.history(request.user, region_id)
        return {
            "region_id": region.pk,
            "code": region.code,
            "name": region.name,
            "points": [
                {
                    "card_id": p.card_id,
                    "card": p.card,
                    "from": p.start,
                    "to": p.end,
                    "rank": p.rank,
                    "total": p.total,
                    "ranked": p.ranked,
                }
                for p in points
            ],
        }
