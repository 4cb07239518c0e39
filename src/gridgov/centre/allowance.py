"""目标余量测算 (the allowance planner): beside every target, what the rest of the period must
average, what the forecast says the next three days will average, the gap, and which fronts'
measured effect could close it — the meeting's first slide.

Everything is one function of `now` (`plan(target, now)`), computed when read:

- **So far** (air.assessment.target_progress, the targets page's arithmetic): with target T over
  N days and D valid days so far summing to S, the R = N − D days still to count (today, the
  days to come and any past day without a valid value) must average A = (T·N − S) / R; their
  budget is A·R = T·N − S µg/m³·days. Before any valid day, A = T ("no days yet"). For a
  good-day ratio r: at least ⌈r·N⌉ good days in all, so the rest may have at most
  (N − ⌈r·N⌉) − (non-good days so far) non-good days.
- **Standing**: out of reach when the budget is used up (A ≤ 0: even clean air every remaining
  day would not do; for good days, more good days needed than days left) or the rest must be a
  cut of more than GRIDGOV_TARGET_RISK_STEPS' last step below last year's same days
  (assessment.Risk.OUT_OF_REACH, "基本无法达成"); secured when even the worst daily value of the
  past year (with at least MIN_HISTORY_DAYS valid days of it), every remaining day, would still
  meet it (good days: enough good days already);
  at risk when the forecast days exceed their share or the cut needed is under pressure or
  high; on track otherwise. The composite index has no allowance (no forecast of all six
  pollutants) and is shown as it stands.
- **Forecast** (air.forecast.for_region, the latest issue at or before now): the next three
  forecast days of the period not yet counted, their mean F and interval (the mean of the days'
  80 % bounds), the gap F − A, the share k·F / (A·R) of the remaining budget those k days use
  (their fair share: k / R) and what the rest must average after them. Good days: the forecast
  days with AQI ≤ 100 (and how many for sure / at most, from the AQI interval).
- **Fronts** (workorders.effect.estimates / by_front): every closed order with an estimate in
  the target's district over the last WINDOW_DAYS (90) days, its DiD on the target's pollutant
  (PM2.5 for good days), pooled per front (the category of the source found responsible). The
  estimated change of the unit's mean over the forecast days if the front went on closing
  orders in the unit at its recent rate r (per day, the unit's own orders over the window) and
  each did what the front's orders did on average: mean × r ÷ (the unit's stations), since
  each order moves one station for a day (EFFECT_HOURS, 24 h). An estimate under that
  assumption, not a forecast (the orders' estimates are kept CACHE_SECONDS per district and
  hour): fronts with fewer than MIN_ORDERS orders or an interval that does
  not lie below zero are listed apart as "no significant effect".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.air.assessment import (
    Risk,
    TargetProgress,
    daily_series,
    region_units,
    target_progress,
)
from gridgov.air.forecast import CST, DayForecast, for_region, forecast_aqi
from gridgov.air.models import Target, TargetMetric
from gridgov.sources.categories import LABELS as SOURCE_LABELS
from gridgov.territory.models import Level, Region
from gridgov.workorders.effect import (
    EFFECT_HOURS,
    UNATTRIBUTED,
    FrontEffect,
    OrderEstimate,
    by_front,
    estimates,
)
from gridgov.workorders.models import WorkOrder

HORIZON = 3  # forecast days
WINDOW_DAYS = 90  # the fronts' look-back
MIN_ORDERS = 3  # orders a front needs before its effect counts as measured
GOOD_AQI = 100
MIN_HISTORY_DAYS = 180  # valid days in the past year before "secured" may be said
CACHE_SECONDS = 600  # the fronts' order estimates (cached_estimates)


class Standing:
    SECURED = "secured"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OUT_OF_REACH = "out_of_reach"
    UNKNOWN = "unknown"


STANDING_LABELS = {
    Standing.SECURED: gettext_lazy("已稳达标"),
    Standing.ON_TRACK: gettext_lazy("按进度"),
    Standing.AT_RISK: gettext_lazy("有风险"),
    Standing.OUT_OF_REACH: gettext_lazy("已无法达成"),
    Standing.UNKNOWN: gettext_lazy("无法判断"),
}

METRIC_LABELS: dict[str, Any] = {
    TargetMetric.PM25: "PM2.5",
    TargetMetric.PM10: "PM10",
    TargetMetric.GOOD_DAY_RATIO: gettext_lazy("优良天数比例"),
    TargetMetric.COMPOSITE_INDEX: gettext_lazy("综合指数"),
}

ASSUMPTION = gettext_lazy(
    "估算假设：各战线今后 %(days)s 天按近 %(window)s 天的办结速度继续办结工单，每单的效果等于"
    "该战线近 %(window)s 天已办结工单的平均双重差分（每单影响一个站点 %(hours)s 小时），"
    "摊到本单位全部站点。这是估算，不是预报。"
)


def assumption() -> str:
    return str(ASSUMPTION) % {"days": HORIZON, "window": WINDOW_DAYS, "hours": EFFECT_HOURS}


def front_label(front: str) -> str:
    if front == UNATTRIBUTED:
        return _("未认定污染源")
    return str(SOURCE_LABELS.get(front, front))


@dataclass
class ForecastMean:
    """The forecast days used (k ≤ 3) and their mean with its interval (µg/m³), or for good
    days the expected good days (and the fewest / most by the AQI interval)."""

    issued_at: dt.datetime | None
    dates: list[dt.date]
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    good_days: int | None = None
    good_days_low: int | None = None
    good_days_high: int | None = None
    levels: list[int | None] = field(default_factory=list)

    @property
    def days(self) -> int:
        return len(self.dates)


@dataclass
class FrontPlan:
    """One front: its measured effect per closed order and what repeating it could do."""

    front: str
    label: str
    orders: int  # n: closed orders with an estimate (the target's district, the window)
    per_order: float  # mean DiD per order, µg/m³
    per_order_low: float
    per_order_high: float
    unit_orders: int  # of them, in the target's unit
    rate: float  # the unit's closed orders per day
    change: float  # estimated change of the unit's mean over the forecast days, µg/m³
    change_low: float
    change_high: float
    significant: bool
    closes: float | None = None  # share of the gap (forecast over the allowance) it could close
    days_turned: int | None = None  # good days: forecast non-good days it could turn good


@dataclass
class Allowance:
    target: Target
    now: dt.datetime
    today: dt.date
    metric: str
    period_days: int
    days_elapsed: int  # calendar days of the period up to today
    valid_days: int  # D: days so far with a valid value
    mean_so_far: float | None  # their mean (the ratio in % for good days)
    remaining_days: int  # R = N − D
    days_left: int  # calendar days after today
    required: float | None  # A (µg/m³), or for good days the share of R that must be good (%)
    budget: float | None  # A·R, µg/m³·days
    good_needed: int | None  # good days: the good days still needed
    non_good_allowed: int | None  # good days: non-good days the rest may still have
    standing: str
    reason: str
    risk: str
    risk_label: str
    forecast: ForecastMean | None
    gap: float | None  # F − A (µg/m³); good days: forecast non-good days − their fair share
    share: float | None  # of the remaining allowance the forecast days use (0–1+)
    fair_share: float | None  # k / R
    required_after: float | None  # what the rest must average after the forecast days
    fronts: list[FrontPlan]
    apart: list[FrontPlan]
    stations: int

    @property
    def standing_label(self) -> str:
        return str(STANDING_LABELS[self.standing])

    @property
    def metric_label(self) -> str:
        return str(METRIC_LABELS.get(self.metric, self.metric))

    @property
    def no_days_yet(self) -> bool:
        return self.valid_days == 0

    @property
    def unit(self) -> str:
        return "µg/m³" if self.metric in (TargetMetric.PM25, TargetMetric.PM10) else ""


# --- the fronts --------------------------------------------------------------------------------


def district_of(region: Region) -> Region:
    """The district-level unit the region lies in (itself for a district or a city), at
    whatever depth the tree starts; with no district above it, the root of its tree."""
    if region.level <= Level.DISTRICT:
        return region
    found = Region.objects.filter(pk__in=region.ancestor_ids(), level=Level.DISTRICT).first()
    return found if found is not None else _root(region)


def _root(region: Region) -> Region:
    root = region.ancestor_ids()[0]
    return region if root == region.pk else Region.objects.get(pk=root)


def recent_estimates(district: Region, pollutant: str, now: dt.datetime) -> list[OrderEstimate]:
    """The district's orders closed in the WINDOW_DAYS before now, with their DiD."""
    orders = WorkOrder.objects.filter(
        closed_at__gte=now - dt.timedelta(days=WINDOW_DAYS),
        closed_at__lt=now,
        event__region_path__startswith=district.path,
    )
    return estimates(orders, pollutant)


def cached_estimates(district: Region, pollutant: str, now: dt.datetime) -> list[OrderEstimate]:
    """`recent_estimates`, kept CACHE_SECONDS per district, pollutant and hour: each order
    reads its station's hours, which for a district's 90 days of orders takes seconds, and an
    order closed within the hour has barely any hours after it yet."""
    if CACHE_SECONDS <= 0:
        return recent_estimates(district, pollutant, now)
    hour = now.astimezone(CST).strftime("%Y%m%d%H")
    key = f"centre:allowance:orders:{district.pk}:{pollutant}:{hour}"
    found = cache.get(key)
    if isinstance(found, list):
        return found
    found = recent_estimates(district, pollutant, now)
    cache.set(key, found, CACHE_SECONDS)
    return found


def front_plans(items: list[OrderEstimate], region: Region, stations: int) -> list[FrontPlan]:
    """Every front with estimates: its pooled effect (the district's orders) and the estimated
    change of the unit's mean at its recent rate in the unit; most improving first."""
    pooled = by_front(items)
    out = []
    for front, f in pooled.items():
        mine = sum(1 for i in items if i.front == front and i.region_path.startswith(region.path))
        rate = mine / WINDOW_DAYS
        scale = rate * (EFFECT_HOURS / 24) / stations if stations else 0.0
        out.append(_front(f, mine, rate, scale))
    out.sort(key=lambda p: (p.change, p.front))
    return out


def _front(f: FrontEffect, mine: int, rate: float, scale: float) -> FrontPlan:
    return FrontPlan(
        front=f.front,
        label=front_label(f.front),
        orders=f.n,
        per_order=round(f.mean, 2),
        per_order_low=round(f.low, 2),
        per_order_high=round(f.high, 2),
        unit_orders=mine,
        rate=round(rate, 3),
        change=round(f.mean * scale, 2),
        change_low=round(f.low * scale, 2),
        change_high=round(f.high * scale, 2),
        significant=f.n >= MIN_ORDERS and f.improves and mine > 0,
    )


# --- the forecast ------------------------------------------------------------------------------


def _forecast_days(
    days: Iterable[DayForecast], target: Target, counted: set[dt.date], today: dt.date
) -> list[DayForecast]:
    """The forecast days of the period from today on that are not counted yet."""
    start = max(today, target.start)
    return [d for d in days if start <= d.date <= target.end and d.date not in counted]


def forecast_mean(
    days: list[DayForecast], pollutant: str, issued: dt.datetime | None
) -> ForecastMean:
    have = [d for d in days if pollutant in d.values][:HORIZON]
    if not have:
        return ForecastMean(issued, [])
    bands = [d.values[pollutant] for d in have]
    return ForecastMean(
        issued,
        [d.date for d in have],
        mean=round(float(np.mean([b.value for b in bands])), 1),
        low=round(float(np.mean([b.lo for b in bands])), 1),
        high=round(float(np.mean([b.hi for b in bands])), 1),
        levels=[d.level for d in have],
    )


def forecast_good_days(days: list[DayForecast], issued: dt.datetime | None) -> ForecastMean:
    have = [d for d in days if d.aqi is not None][:HORIZON]
    good = sum(1 for d in have if d.aqi is not None and d.aqi <= GOOD_AQI)
    sure = sum(1 for d in have if d.aqi_hi is not None and d.aqi_hi <= GOOD_AQI)
    most = sum(1 for d in have if d.aqi_lo is not None and d.aqi_lo <= GOOD_AQI)
    return ForecastMean(
        issued, [d.date for d in have], good_days=good, good_days_low=sure,
        good_days_high=most, levels=[d.level for d in have],
    )  # fmt: skip


def turned_good(days: list[DayForecast], change: float) -> int:
    """Forecast non-good days whose AQI would be ≤ 100 with PM2.5 changed by `change`."""
    turned = 0
    for d in days[:HORIZON]:
        if d.aqi is None or d.aqi <= GOOD_AQI or "pm25" not in d.values:
            continue
        values = {k: b.value for k, b in d.values.items()}
        values["pm25"] = max(values["pm25"] + change, 0.0)
        index, _primary = forecast_aqi(values, d.date)
        if index is not None and index <= GOOD_AQI:
            turned += 1
    return turned


# --- the plan ----------------------------------------------------------------------------------


def plan(
    target: Target,
    now: dt.datetime,
    fronts: dict[tuple[int, str], list[OrderEstimate]] | None = None,
    *,
    with_fronts: bool = True,
    progress: TargetProgress | None = None,
) -> Allowance:
    """The target's allowance as of now (China date); `fronts` memoises the district's order
    estimates across several targets of one request; without `with_fronts` the orders are not
    read (the overview's row); `progress`: target_progress(target, today) when already had."""
    today = now.astimezone(CST).date()
    p = progress if progress is not None else target_progress(target, today)
    metric = target.metric
    unit = region_units([target.region])[0]
    stations = len(unit.station_ids)
    n, d, r = p.period_days, p.elapsed_valid_days, p.remaining_days
    elapsed = 0 if today < target.start else (min(today, target.end) - target.start).days + 1
    current = p.current if math.isfinite(p.current) else None
    a = Allowance(
        target=target, now=now, today=today, metric=metric, period_days=n, days_elapsed=elapsed,
        valid_days=d, mean_so_far=current, remaining_days=r, days_left=p.days_left,
        required=None, budget=None, good_needed=None, non_good_allowed=None,
        standing=Standing.UNKNOWN, reason="", risk=p.risk, risk_label=p.risk_label,
        forecast=None, gap=None, share=None, fair_share=None, required_after=None,
        fronts=[], apart=[], stations=stations,
    )  # fmt: skip
    if metric == TargetMetric.COMPOSITE_INDEX:
        a.reason = _("综合指数没有余量测算（需六项污染物的预报），仅显示当前值。")
        return a
    # The unit's daily series: the days already counted and the worst day of the past year.
    first = min(target.start, today - dt.timedelta(days=365))
    series = daily_series([unit], first, max(min(today, target.end), first))
    dates = [first + dt.timedelta(days=i) for i in range(len(series.days))]
    key = metric if metric != TargetMetric.GOOD_DAY_RATIO else "pm25"
    values = series.values[key][0]
    counted = {
        day for day, v in zip(dates, values, strict=True)
        if math.isfinite(v) and target.start <= day <= target.end
    }  # fmt: skip
    forecast = for_region(target.region, now)
    days = _forecast_days(forecast.days, target, counted, today)
    if metric == TargetMetric.GOOD_DAY_RATIO:
        _good_days(a, target, p, days, forecast.issued_at)
    else:
        _mean(a, target, p, values, dates, today, days, forecast.issued_at)
    if with_fronts and stations and today <= target.end and a.standing != Standing.UNKNOWN:
        pollutant = key
        district = district_of(target.region)
        memo = {} if fronts is None else fronts
        found = memo.get((district.pk, pollutant))
        if found is None:
            found = memo[(district.pk, pollutant)] = cached_estimates(district, pollutant, now)
        _rank_fronts(a, front_plans(found, target.region, stations), days)
    return a


def _mean(
    a: Allowance,
    target: Target,
    p: TargetProgress,
    values: np.ndarray,
    dates: list[dt.date],
    today: dt.date,
    days: list[DayForecast],
    issued: dt.datetime | None,
) -> None:
    t = target.value
    r = a.remaining_days
    if today > target.end or r <= 0:
        met = a.mean_so_far is not None and a.mean_so_far <= t
        a.standing = Standing.SECURED if met else Standing.OUT_OF_REACH
        a.reason = _("期限已满，按实际结果。") if met else _("期限已满，未达到目标。")
        return
    allowance = p.allowance if p.allowance is not None else t
    a.required = round(allowance, 1)
    a.budget = round(allowance * r, 1)
    year_ago = today - dt.timedelta(days=365)
    past = [
        float(v) for day, v in zip(dates, values, strict=True)
        if year_ago <= day < today and math.isfinite(v)
    ]  # fmt: skip
    worst = max(past) if past else None
    if allowance <= 0:
        a.standing = Standing.OUT_OF_REACH
        a.reason = _("已用完余量：即使余下每天为 0 也无法达到目标。")
    elif a.risk == Risk.OUT_OF_REACH:
        a.standing = Standing.OUT_OF_REACH
        a.reason = _("余下天数须比去年同期低 %(cut)s%% 以上，基本无法达成。") % {
            "cut": p.required_cut
        }
    elif worst is not None and len(past) >= MIN_HISTORY_DAYS and allowance >= worst:
        a.standing = Standing.SECURED
        a.reason = _("余下每天即使达到近一年最差的日均值 %(worst).1f 也能达标。") % {"worst": worst}
    fc = forecast_mean(days, target.metric, issued)
    a.forecast = fc
    if fc.mean is not None and fc.days:
        k = fc.days
        a.gap = round(fc.mean - allowance, 1)
        a.fair_share = round(k / r, 3)
        if allowance > 0:
            a.share = round(k * fc.mean / (allowance * r), 3)
        if r > k:
            a.required_after = round((allowance * r - k * fc.mean) / (r - k), 1)
    if a.standing == Standing.UNKNOWN:
        behind = a.gap is not None and a.gap > 0
        if behind or a.risk in (Risk.PRESSURE, Risk.HIGH):
            a.standing = Standing.AT_RISK
            a.reason = (
                _("预报未来几天高于余量均值。") if behind else _("余下天数须比去年同期明显改善。")
            )
        else:
            a.standing = Standing.ON_TRACK
            a.reason = _("按目前进度可达标。")
    if a.no_days_yet:
        a.reason = _("尚无有效天数：余下每天须平均不超过目标值。") + " " + a.reason


def _good_days(
    a: Allowance,
    target: Target,
    p: TargetProgress,
    days: list[DayForecast],
    issued: dt.datetime | None,
) -> None:
    n, d, r = a.period_days, a.valid_days, a.remaining_days
    ratio = target.value / 100.0 if target.value > 1 else target.value
    need = math.ceil(ratio * n)
    allowed = p.non_good_days_allowed
    if allowed is None:
        allowed = n - need
    non_good_so_far = (n - need) - allowed
    good = d - non_good_so_far
    a.good_needed = max(0, need - good)
    a.non_good_allowed = allowed
    if r > 0:
        a.required = round(100.0 * a.good_needed / r, 1)
    if a.today > target.end or r <= 0:
        met = allowed >= 0
        a.standing = Standing.SECURED if met else Standing.OUT_OF_REACH
        a.reason = _("期限已满，按实际结果。") if met else _("期限已满，未达到目标。")
        return
    if allowed < 0:
        a.standing = Standing.OUT_OF_REACH
        a.reason = _("非优良天数已超出全期允许的天数。")
    elif a.good_needed == 0:
        a.standing = Standing.SECURED
        a.reason = _("优良天数已够，目标已锁定。")
    elif a.risk == Risk.OUT_OF_REACH:
        a.standing = Standing.OUT_OF_REACH
        a.reason = _("余下非优良天数须比去年同期少 %(cut)s%% 以上，基本无法达成。") % {
            "cut": p.required_cut
        }
    fc = forecast_good_days(days, issued)
    a.forecast = fc
    if fc.days and fc.good_days is not None and allowed >= 0:
        k = fc.days
        non_good = k - fc.good_days
        a.gap = round(non_good - k * allowed / r, 2)
        a.fair_share = round(k / r, 3)
        if allowed > 0:
            a.share = round(non_good / allowed, 3)
    if a.standing == Standing.UNKNOWN:
        behind = a.gap is not None and a.gap > 0
        if behind or a.risk in (Risk.PRESSURE, Risk.HIGH):
            a.standing = Standing.AT_RISK
            a.reason = (
                _("预报的非优良天数超过应有的份额。")
                if behind
                else _("余下非优良天数须比去年同期明显减少。")
            )
        else:
            a.standing = Standing.ON_TRACK
            a.reason = _("按目前进度可达标。")
    if a.no_days_yet:
        a.reason = _("尚无有效天数。") + " " + a.reason


def _rank_fronts(a: Allowance, plans: list[FrontPlan], days: list[DayForecast]) -> None:
    """Significant fronts ranked by what they could close (good days: days turned good, then
    the change); the others apart."""
    good_days = a.metric == TargetMetric.GOOD_DAY_RATIO
    for f in plans:
        if good_days:
            f.days_turned = turned_good([d for d in days if d.aqi is not None], f.change)
        elif a.gap is not None and a.gap > 0 and f.change < 0:
            f.closes = round(min(-f.change / a.gap, 1.0), 3)
    ranked = [f for f in plans if f.significant]
    if good_days:
        ranked.sort(key=lambda f: (-(f.days_turned or 0), f.change, f.front))
    else:
        ranked.sort(key=lambda f: (f.change, f.front))
    a.fronts = ranked
    a.apart = [f for f in plans if not f.significant]


def plans(targets: Iterable[Target], now: dt.datetime) -> list[Allowance]:
    """Every target's plan, the district's order estimates computed once."""
    memo: dict[tuple[int, str], list[OrderEstimate]] = {}
    return [plan(t, now, memo) for t in targets]


def in_force(qs: QuerySet[Target], today: dt.date) -> QuerySet[Target]:
    """The targets of a queryset in force on a day, in the pages' order."""
    return (
        qs.filter(start__lte=today, end__gte=today)
        .select_related("region")
        .order_by("region__path", "metric", "start")
    )
