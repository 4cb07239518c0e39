"""指挥中心总览: every figure of the overview page, the wall screen and `GET /api/v1/overview`,
computed once here for one account's scope.

`overview(user, today)` returns plain dataclasses; the page, the wall and the API only render
them, so the three can never disagree. Each figure carries the address of the page that explains
it (filtered where that page has filters).

Cost: the air part (stations' latest hours, today's hours, targets, good days, the ranking) reads
the hourly table and the monthly store and is cached per scope for
`GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS` (the stations report once a minute); the live part (alarms,
orders, inspections, the emergency level, commands) is the panels the apps register in
`gridgov.web.panels` (each app's `overview_panels`), a fixed number of aggregate queries
whatever the district's size — nothing here queries per row.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from gridgov.air.assessment import (
    Assessment,
    assess,
    daily_series,
    rank,
    region_units,
    station_units,
    target_progress,
)
from gridgov.air.models import Target
from gridgov.air.periods import basis as periods_basis
from gridgov.air.periods import default_period, month_bounds
from gridgov.centre import allowance as planner
from gridgov.centre.airnow import AirNow, StationNow, air_now, scope_stations
from gridgov.centre.forecast_strip import ForecastStrip, strip
from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.racing.services import SummaryRow, card_summary
from gridgov.territory import ladder
from gridgov.territory.levels import from_key, key
from gridgov.territory.models import Level, Region
from gridgov.web import panels
from gridgov.web.panels import link

RANK_METRIC = "pm25"


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- the figures -------------------------------------------------------------------------------


@dataclass
class UnitRef:
    code: str
    name: str
    level: int


@dataclass
class TargetRow:
    region: str
    region_name: str
    metric: str
    target: float
    start: dt.date
    end: dt.date
    current: float | None
    gap: float | None
    allowance: float | None
    non_good_days_allowed: int | None
    remaining_days: int
    on_track: bool
    # assessment.Risk, as the targets page and the bulletins have it, and its words
    risk: str
    risk_label: str
    last_year_rest: float | None  # the same remaining days last year (mean, or non-good days)
    cut_vs_last_year: float | None  # % the rest must stay below last year's same days
    url: str
    # The allowance planner's (centre/allowance.py, without the fronts): the next forecast
    # days' mean (good days: their good days), its gap to the allowance, and the standing.
    forecast_days: int = 0
    forecast_mean: float | None = None
    forecast_good_days: int | None = None
    forecast_gap: float | None = None
    standing: str = "unknown"
    standing_label: str = ""
    allowance_url: str = ""


@dataclass
class GoodDays:
    code: str
    name: str
    start: dt.date
    end: dt.date
    good_days: int
    aqi_days: int
    ratio: float | None
    pm25: float | None
    url: str


@dataclass
class RankRow:
    rank: int | None
    code: str
    name: str
    pm25: float | None
    previous_rank: int | None
    rank_change: int | None  # positive: moved up (better)
    previous_pm25: float | None
    pm25_change: float | None  # µg/m³ against the previous period
    url: str


@dataclass
class Ranking:
    level: str  # street, community or station
    metric: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int  # complete days ranked: the period is air.periods.default_period's
    basis: str  # "12-01～12-06，6 天" — stated beside every ranking
    rows: list[RankRow]
    apart: list[RankRow]
    url: str


@dataclass
class Scorecard:
    """A horse-race card (赛马比拼) for its current period: the best and last three in scope."""

    card_id: int
    name: str
    start: dt.date
    end: dt.date
    ranked: int
    top: list[SummaryRow]
    bottom: list[SummaryRow]
    apart: int
    url: str


@dataclass
class AirPart:
    now: AirNow
    stations: list[StationNow]
    targets: list[TargetRow]
    month: list[GoodDays]
    year: list[GoodDays]
    ranking: Ranking
    scorecards: list[Scorecard]


@dataclass
class Overview:
    generated_at: dt.datetime
    today: dt.date
    units: list[UnitRef]
    air: AirNow
    targets: list[TargetRow]
    month: list[GoodDays]
    year: list[GoodDays]
    ranking: Ranking
    # The live part: panels the apps register (gridgov.web.panels), plain dataclasses too:
    alarms: Any  # air.overview_panels.Alarms
    orders: Any  # workorders.overview_panels.Orders
    inspections: Any  # inspections.overview_panels.Inspections
    emergency: Any  # emergency.overview_panels.EmergencyNow
    commands: Any  # workorders.overview_panels.Commands
    scorecards: list[Scorecard]
    forecast: ForecastStrip
    map_url: str
    # Below the street: the community's or the grid's own figures (centre/local.py).
    local: Any = None


# --- scope -------------------------------------------------------------------------------------


def top_units(user: Account) -> list[Region]:
    """The viewer's own units: the roots of the territory (the city, or the district) for the
    command office, else the regions of the account's posts (their subtrees being its scope)."""
    paths = scope.scope_paths(user)
    qs = Region.objects.active()
    if paths is scope.ALL:
        return list(qs.filter(parent__isnull=True).order_by("level", "code"))
    return list(qs.filter(path__in=paths or []).order_by("level", "code"))


# --- air ---------------------------------------------------------------------------------------


def _last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def target_row(target: Target, today: dt.date, now: dt.datetime | None = None) -> TargetRow:
    """The target's progress (`assessment.target_progress`) and its risk: what the remaining days
    may average against what the same days averaged last year; and the allowance planner's
    forecast gap and standing (centre/allowance.py) as of now."""
    p = target_progress(target, today)
    plan = planner.plan(target, now or timezone.now(), with_fronts=False, progress=p)
    fc = plan.forecast
    metric = target.metric
    rest_start = max(today + dt.timedelta(days=1), target.start)
    last_rest: float | None = None
    cut: float | None = None
    if p.remaining_days > 0 and rest_start <= target.end:
        unit = region_units([target.region])[0]
        series = daily_series([unit], _last_year(rest_start), _last_year(target.end))
        if metric in ("pm25", "pm10"):
            values = series.values[metric][0]
            values = values[np.isfinite(values)]
            if len(values):
                last_rest = round(float(values.mean()), 1)
        elif metric == "good_day_ratio":
            from gridgov.air.assessment import daily_aqi

            report = daily_aqi(series)
            ok = report.aqi >= 0
            if ok.any():
                last_rest = float(int((ok & (report.aqi > 100)).sum()))
    allowance = _finite(p.allowance) if p.allowance is not None else None
    current = _finite(p.current)
    # The risk and its words are the targets page's (assessment.target_progress).
    risk = p.risk
    if p.required_cut is not None and p.required_cut > 0:
        cut = p.required_cut
    return TargetRow(
        region=target.region.code,
        region_name=target.region.name,
        metric=metric,
        target=target.value,
        start=target.start,
        end=target.end,
        current=current,
        gap=_finite(p.gap),
        allowance=round(allowance, 1) if allowance is not None else None,
        non_good_days_allowed=p.non_good_days_allowed,
        remaining_days=p.remaining_days,
        on_track=p.on_track,
        risk=risk,
        risk_label=p.risk_label,
        last_year_rest=last_rest,
        cut_vs_last_year=cut,
        url=link("air:targets", as_of=today.isoformat()),
        forecast_days=fc.days if fc is not None else 0,
        forecast_mean=fc.mean if fc is not None else None,
        forecast_good_days=fc.good_days if fc is not None and fc.days else None,
        forecast_gap=plan.gap,
        standing=plan.standing,
        standing_label=plan.standing_label,
        allowance_url=link("centre:allowance", region=target.region.code, metric=metric),
    )


def rankings_level(region: Region) -> str:
    """The rankings page's level where a unit's own figure appears: among its peers (a street
    among the streets, a district of a city among the districts); a root, which has none,
    among the units below it (a district's streets, a city's districts); a grid among the
    stations."""
    level = region.level if region.parent_id is not None else ladder.below(region.level)
    return "station" if level is None or level == Level.GRID else key(level)


def good_days(units: list[Region], start: dt.date, end: dt.date) -> list[GoodDays]:
    """Good days (and PM2.5) of the viewer's own units over a period, HJ 663."""
    if not units:
        return []
    results = assess(region_units(units), start, end, year_on_year=False)
    level = {r.code: rankings_level(r) for r in units}
    return [
        GoodDays(
            code=a.code,
            name=a.name,
            start=start,
            end=end,
            good_days=a.good_days,
            aqi_days=a.aqi_days,
            ratio=_finite(a.good_day_ratio),
            pm25=_finite(a.pm25),
            url=link(
                "air:rankings",
                level=level[a.code],
                metric="good_day_ratio",
                **{"from": start.isoformat(), "to": end.isoformat()},
            ),
        )
        for a in results
    ]


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period to compare with: the previous whole month for a whole month, else the same
    days of the previous month (the month to date against the previous month's first days)."""
    first, last = month_bounds(start)
    prev_first, prev_last = month_bounds(first - dt.timedelta(days=1))
    if start == first and end == last:
        return prev_first, prev_last
    return prev_first, min(prev_first + dt.timedelta(days=(end - start).days), prev_last)


def ranking_level(user: Account, units: list[Region]) -> str:
    """What the viewer ranks: the configured level below its own highest unit (districts for a
    city, streets/towns for a district, communities/villages for a street), the stations for a
    community or a grid."""
    wanted = ladder.level_below_units(u.level for u in units)
    return "station" if wanted is None or wanted == Level.GRID else key(wanted)


def _ranked_units(
    user: Account, level: str, stations: list[tuple[int, str, str, float, float]]
) -> list[Any]:
    if level == "station":
        return station_units([s[1] for s in stations])
    wanted = from_key(level)
    if wanted is None:
        return []
    regions = scope.regions_for(user, Region.objects.active().filter(level=wanted))
    return region_units(list(regions.order_by("code")))


def ranking(
    user: Account,
    units: list[Region],
    stations: list[tuple[int, str, str, float, float]],
    today: dt.date,
) -> Ranking:
    level = ranking_level(user, units)
    start, end = default_period(today)
    prev_start, prev_end = previous_period(start, end)
    ranked_units = _ranked_units(user, level, stations)
    now_ranked, now_apart = rank(assess(ranked_units, start, end, year_on_year=False), RANK_METRIC)
    before_ranked, before_apart = rank(
        assess(ranked_units, prev_start, prev_end, year_on_year=False), RANK_METRIC
    )
    before = {r.assessment.code: r for r in before_ranked + before_apart}

    def row(r: Any) -> RankRow:
        a: Assessment = r.assessment
        b = before.get(a.code)
        pm25 = _finite(a.pm25)
        prev_pm25 = _finite(b.assessment.pm25) if b else None
        prev_rank = b.rank if b else None
        return RankRow(
            rank=r.rank,
            code=a.code,
            name=a.name,
            pm25=pm25,
            previous_rank=prev_rank,
            rank_change=(prev_rank - r.rank)
            if prev_rank is not None and r.rank is not None
            else None,
            previous_pm25=prev_pm25,
            pm25_change=round(pm25 - prev_pm25, 1)
            if pm25 is not None and prev_pm25 is not None
            else None,
            url=link("air:station", a.code)
            if level == "station"
            else link(
                "air:rankings",
                level=level,
                metric=RANK_METRIC,
                **{"from": start.isoformat(), "to": end.isoformat()},
            ),
        )

    return Ranking(
        level=level,
        metric=RANK_METRIC,
        start=start,
        end=end,
        previous_start=prev_start,
        previous_end=prev_end,
        days=(end - start).days + 1,
        basis=periods_basis(start, end),
        rows=[row(r) for r in now_ranked],
        apart=[row(r) for r in now_apart],
        url=link(
            "air:rankings",
            level=level,
            metric=RANK_METRIC,
            **{"from": start.isoformat(), "to": end.isoformat()},
        ),
    )


def _scope_key(user: Account) -> str:
    paths = scope.scope_paths(user)
    return "ALL" if paths is scope.ALL else "|".join(paths or ["-"])


def air_part(user: Account, today: dt.date, units: list[Region]) -> AirPart:
    """The air figures of the scope, cached per scope and day for
    `GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS` (0: not cached). When they have gone stale, one request
    recomputes them while the others keep answering with the stale ones for a little longer,
    so that sixteen users arriving in the same second do not all compute them."""
    seconds = settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS
    key = f"centre:air:{_scope_key(user)}:{today.isoformat()}"
    moment = time.time()
    if seconds > 0:
        cached = cache.get(key)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[1], AirPart):
            fresh_until, stale = cached
            if fresh_until > moment or not cache.add(f"{key}:busy", 1, 30):
                return stale
    try:
        part = _compute_air(user, today, units)
        if seconds > 0:
            cache.set(key, (moment + seconds, part), seconds * 3)
    finally:
        if seconds > 0:
            cache.delete(f"{key}:busy")
    return part


def _compute_air(user: Account, today: dt.date, units: list[Region]) -> AirPart:
    stations = scope_stations(user)
    now_moment = timezone.now()
    now, station_rows = air_now(stations, today, now_moment)
    visible = scope.regions_for(user)
    targets = [
        target_row(t, today, now_moment)
        for t in Target.objects.filter(region__in=visible, start__lte=today, end__gte=today)
        .select_related("region")
        .order_by("region__path", "metric", "start")
    ]
    month_start, month_end = default_period(today)
    return AirPart(
        now=now,
        stations=station_rows,
        targets=targets,
        month=good_days(units, month_start, month_end),
        year=good_days(units, today.replace(month=1, day=1), today),
        ranking=ranking(user, units, stations, today),
        scorecards=scorecards(user, today),
    )


def scorecards(user: Account, today: dt.date) -> list[Scorecard]:
    """The active horse-race cards (赛马比拼) for their current period, as the viewer may see them;
    cached with the air part (they are computed from the same period data)."""
    return [
        Scorecard(
            card_id=c.card_id,
            name=c.name,
            start=c.start,
            end=c.end,
            ranked=c.ranked,
            top=c.top,
            bottom=c.bottom,
            apart=c.apart,
            url=link(
                "racing:card", c.card_id, **{"from": c.start.isoformat(), "to": c.end.isoformat()}
            ),
        )
        for c in card_summary(user, today)
    ]


# --- the live part -------------------------------------------------------------------------


def overview(user: Account, today: dt.date, now: dt.datetime | None = None) -> Overview:
    """Every figure of the overview for the account's scope, as of `today` (China time)."""
    now = now or timezone.now()
    units = top_units(user)
    viewer = panels.Viewer(user, today, now, units)
    air = air_part(user, today, units)
    o = Overview(
        generated_at=now,
        today=today,
        units=[UnitRef(u.code, u.name, u.level) for u in units],
        air=air.now,
        targets=air.targets,
        month=air.month,
        year=air.year,
        ranking=air.ranking,
        alarms=panels.compute("alarms", viewer),
        orders=panels.compute("orders", viewer),
        inspections=panels.compute("inspections", viewer),
        emergency=panels.compute("emergency", viewer),
        commands=panels.compute("commands", viewer),
        scorecards=air.scorecards,
        forecast=strip(units, now),
        map_url=reverse("api:centre_overview_map"),
    )
    from gridgov.centre.local import local_figures

    o.local = local_figures(user, today, units, air.stations, o.orders.by_unit, now)
    return o


def links(o: Overview) -> list[str]:
    """Every address the overview links a figure to (the tests resolve each)."""
    out = [o.air.url, o.ranking.url, o.alarms.url, o.orders.url, o.orders.overdue_url]
    out += [o.inspections.url, o.inspections.failed_url, o.emergency.url, o.commands.url]
    out += [s.url for s in o.air.worst]
    out += [t.url for t in o.targets] + [g.url for g in o.month + o.year]
    out += [t.allowance_url for t in o.targets]
    out += [r.url for r in o.ranking.rows + o.ranking.apart]
    out += [r.url for r in o.alarms.by_rule] + [a.url for a in o.alarms.newest]
    out += [u.url for u in o.orders.by_unit] + [u.overdue_url for u in o.orders.by_unit]
    out += [c.url for c in o.commands.newest]
    out += [c.url for c in o.scorecards] + [o.forecast.url]
    return out
