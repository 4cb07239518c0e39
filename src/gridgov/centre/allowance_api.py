"""目标余量测算 over the API: `GET /api/v1/air/targets/allowance` (centre/allowance.py), every
target in force today for the caller's units (as `/air/targets`: the regions in its scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router

from gridgov.air.models import Target, TargetMetric
from gridgov.apikit import ApiError, errors
from gridgov.centre import allowance
from gridgov.centre.allowance import Allowance, FrontPlan
from gridgov.inputs import check_text
from gridgov.schemas import Schema
from gridgov.territory.models import Region

router = Router()


class AllowanceForecastOut(Schema):
    issued_at: dt.datetime | None = Field(description="the forecast issue read (latest ≤ now)")
    dates: list[dt.date] = Field(description="the forecast days used: up to 3, not yet counted")
    mean: float | None = Field(description="their mean, µg/m³ (mean targets)")
    low: float | None = Field(description="the mean of their 80 % intervals' low ends")
    high: float | None
    good_days: int | None = Field(description="good-day targets: forecast days with AQI ≤ 100")
    good_days_low: int | None = Field(description="days good even at the AQI interval's top")
    good_days_high: int | None = Field(description="days good at the AQI interval's bottom")
    levels: list[int | None] = Field(description="each day's forecast AQI level 1–6")


class AllowanceFrontOut(Schema):
    front: str = Field(description="the source category (战线), or 'unattributed'")
    label: str
    orders: int = Field(description="n: closed orders with an estimate, district, last 90 days")
    per_order: float = Field(description="mean DiD per closed order, µg/m³ (< 0: better)")
    per_order_low: float = Field(description="95 % interval")
    per_order_high: float
    unit_orders: int = Field(description="of them, in the target's unit")
    rate: float = Field(description="the unit's closed orders per day over the window")
    change: float = Field(description="estimated change of the unit's mean, µg/m³ (assumption)")
    change_low: float
    change_high: float
    significant: bool = Field(description="n ≥ 3, interval below zero, orders in the unit")
    closes: float | None = Field(description="share of the forecast gap it could close (0–1)")
    days_turned: int | None = Field(description="good days: forecast non-good days turned good")


class AllowanceOut(Schema):
    region: str
    region_name: str
    metric: str = Field(description="pm25, pm10, good_day_ratio or comprehensive_index")
    metric_label: str
    target: float
    start: dt.date
    end: dt.date
    today: dt.date = Field(description="China date the figures are for (computed when read)")
    period_days: int
    days_elapsed: int = Field(description="calendar days of the period up to today")
    valid_days: int = Field(description="days so far with a valid daily value")
    mean_so_far: float | None = Field(description="their mean (good days: the ratio, %)")
    remaining_days: int = Field(description="days still to count: period days − valid days")
    days_left: int = Field(description="calendar days after today")
    required: float | None = Field(
        description="the mean the remaining days must average (good days: % that must be good)"
    )
    budget: float | None = Field(description="required × remaining days, µg/m³·days")
    good_needed: int | None
    non_good_allowed: int | None
    standing: str = Field(description="secured, on_track, at_risk, out_of_reach or unknown")
    standing_label: str
    reason: str
    risk: str = Field(description="as /air/targets: against the same days last year")
    risk_label: str
    forecast: AllowanceForecastOut | None
    gap: float | None = Field(
        description="forecast mean − required, µg/m³ (good days: non-good days over their share)"
    )
    share: float | None = Field(description="share of the remaining allowance the days use")
    fair_share: float | None = Field(description="forecast days ÷ remaining days")
    required_after: float | None = Field(description="what the rest must average after them")
    stations: int
    fronts: list[AllowanceFrontOut] = Field(description="significant fronts, ranked")
    apart: list[AllowanceFrontOut] = Field(description="fronts without a significant effect")
    assumption: str


def front_out(f: FrontPlan) -> dict[str, Any]:
    return {k: getattr(f, k) for k in AllowanceFrontOut.model_fields}


def allowance_out(a: Allowance) -> dict[str, Any]:
    t = a.target
    fc = a.forecast
    return {
        "region": t.region.code,
        "region_name": t.region.name,
        "metric": a.metric,
        "metric_label": a.metric_label,
        "target": t.value,
        "start": t.start,
        "end": t.end,
        "today": a.today,
        "period_days": a.period_days,
        "days_elapsed": a.days_elapsed,
        "valid_days": a.valid_days,
        "mean_so_far": a.mean_so_far,
        "remaining_days": a.remaining_days,
        "days_left": a.days_left,
        "required": a.required,
        "budget": a.budget,
        "good_needed": a.good_needed,
        "non_good_allowed": a.non_good_allowed,
        "standing": a.standing,
        "standing_label": a.standing_label,
        "reason": a.reason,
        "risk": a.risk,
        "risk_label": a.risk_label,
        "forecast": None
        if fc is None
        else {
            "issued_at": fc.issued_at,
            "dates": fc.dates,
            "mean": fc.mean,
            "low": fc.low,
            "high": fc.high,
            "good_days": fc.good_days,
            "good_days_low": fc.good_days_low,
            "good_days_high": fc.good_days_high,
            "levels": fc.levels,
        },
        "gap": a.gap,
        "share": a.share,
        "fair_share": a.fair_share,
        "required_after": a.required_after,
        "stations": a.stations,
        "fronts": [front_out(f) for f in a.fronts],
        "apart": [front_out(f) for f in a.apart],
        "assumption": allowance.assumption(),
    }


def targets_for(
    request: HttpRequest, now: dt.datetime, region: str | None, metric: str | None
) -> list[Allowance]:
    """The plans of the targets in force for the caller's units, filtered; an unknown metric
    is a 400 and a region outside the scope a 404, each naming its field."""
    qs = Target.objects.for_user(request.user)
    if metric is not None:
        if metric not in TargetMetric.values:
            raise ApiError(400, f"one of {', '.join(TargetMetric.values)}", field="metric")
        qs = qs.filter(metric=metric)
    if region is not None:
        check_text("region", region, 40)
        found = Region.objects.for_user(request.user).filter(code=region).first()
        if found is None:
            raise ApiError(404, "no such unit in your scope", field="region")
        qs = qs.filter(region=found)
    today = timezone.localdate(now, allowance.CST)
    return allowance.plans(allowance.in_force(qs, today), now)


@router.get(
    "/air/targets/allowance",
    response={200: list[AllowanceOut], **errors(400, 401, 404)},
    url_name="air_targets_allowance",
)
def targets_allowance(
    request: HttpRequest,
    region: str | None = Query(None, description="a unit's code in scope (default: all)"),
    metric: str | None = Query(None, description="pm25, pm10, good_day_ratio, …"),
) -> Any:
    """目标余量测算: every target in force today for the caller's units — the days so far and
    their mean, what the rest must average, the next three forecast days' mean and the gap, and
    the fronts whose measured effect (DiD per closed order, 90 days) could close it, under the
    stated assumption. Computed when read."""
    return [allowance_out(a) for a in targets_for(request, timezone.now(), region, metric)]
