"""指挥中心总览: every figure of the overview page, the wall screen and `GET /api/v1/overview`,
computed once here for one account's scope.

`overview(user, today)` returns plain dataclasses; the page, the wall and the API only render
them, so the three can never disagree. Each figure carries the address of the page that explains
it (filtered where that page has filters).

Cost: the air part (stations' latest hours, today's hours, targets, good days, the ranking) reads
the hourly table and the monthly store and is cached per scope for
`GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS` (the stations report once a minute); the live part (alarms,
orders, inspections, the emergency level, commands) is a fixed number of aggregate queries
whatever the district's size — nothing here queries per row.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gridgov.air import aqi
from gridgov.air.aggregate import (
    DAY,
    HOUR,
    date_number,
    day_start_utc,
    fetch_hours,
    hourly_means,
    o3_8h_windows,
)
from gridgov.air.assessment import (
    Assessment,
    assess,
    daily_series,
    rank,
    region_units,
    station_units,
    target_progress,
)
from gridgov.air.models import AMBIENT_KINDS, CST, POLLUTANT_FIELDS, Alarm, Station, Target
from gridgov.air.periods import basis as periods_basis
from gridgov.air.periods import default_period, month_bounds
from gridgov.emergency import services as emergency
from gridgov.inspections.models import Inspection
from gridgov.inspections.services import inspections_for
from gridgov.people import scope
from gridgov.racing.services import SummaryRow, card_summary
from gridgov.territory.models import Level, Region
from gridgov.workorders import lateness
from gridgov.workorders.commands import not_acknowledged
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import OPEN_STATES

WORST_STATIONS = 5
NEWEST_ALARMS = 5
NEWEST_COMMANDS = 5
RANK_METRIC = "pm25"


def link(name: str, *args: Any, **query: Any) -> str:
    """The address of a page, with its filters (empty values left out)."""
    address = reverse(name, args=args)
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{address}?{urlencode(params)}" if params else address


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- the figures -------------------------------------------------------------------------------


@dataclass
class UnitRef:
    code: str
    name: str
    level: int


@dataclass
class LevelCount:
    level: int  # 1–6; 0 = no valid value
    category: str
    colour: str | None
    stations: int


@dataclass
class StationNow:
    code: str
    name: str
    lat: float
    lon: float
    aqi: int | None
    level: int
    colour: str | None
    primary: list[str]
    url: str


@dataclass
class AirNow:
    """The latest hour (real-time AQI) and today so far (daily AQI of the hours so far)."""

    hour: dt.datetime | None  # start of the newest hour any station reported
    aqi: int | None
    level: int
    category: str
    colour: str | None
    primary: list[str]
    today_aqi: int | None
    today_level: int
    today_category: str
    today_colour: str | None
    today_hours: int
    stations: int
    reporting: int
    by_level: list[LevelCount]
    worst: list[StationNow]
    url: str


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
class RuleCount:
    rule_id: int
    rule: str
    count: int
    url: str


@dataclass
class AlarmItem:
    id: int
    station: str
    station_name: str
    rule: str
    pollutant: str
    value: float | None
    started_at: dt.datetime
    url: str


@dataclass
class Alarms:
    open: int
    unacknowledged: int
    by_rule: list[RuleCount]
    newest: list[AlarmItem]
    url: str


@dataclass
class UnitOrders:
    code: str
    name: str
    open: int
    overdue: int
    url: str
    overdue_url: str


@dataclass
class Orders:
    open: int
    overdue: int
    by_unit: list[UnitOrders]
    url: str
    overdue_url: str


@dataclass
class Inspections:
    day: dt.date
    total: int
    failed: int
    far: int
    url: str
    failed_url: str


@dataclass
class EmergencyNow:
    level: int | None  # None: no warning in force
    label: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    url: str


@dataclass
class CommandWaiting:
    id: int
    title: str
    due_at: dt.datetime
    waiting: int  # recipients in scope who have not signed for it
    url: str


@dataclass
class Commands:
    waiting: int  # recipients who have not signed
    commands: int  # commands with at least one of them
    newest: list[CommandWaiting]
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
    alarms: Alarms
    orders: Orders
    inspections: Inspections
    emergency: EmergencyNow
    commands: Commands
    scorecards: list[Scorecard]
    map_url: str
    # Below the street: the community's or the grid's own figures (centre/local.py).
    local: Any = None


# --- scope -------------------------------------------------------------------------------------


def _paths_q(paths: list[str] | None, lookup: str) -> Q:
    """Rows whose `lookup` path lies in the scope (everything for ALL; nothing for none)."""
    if paths is scope.ALL:
        return Q()
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths))


def top_units(user: Any) -> list[Region]:
    """The viewer's own units: the district(s) for the command office, else the regions of the
    account's posts (their subtrees being its scope)."""
    paths = scope.scope_paths(user)
    qs = Region.objects.active()
    if paths is scope.ALL:
        return list(qs.filter(level=Level.DISTRICT).order_by("code"))
    return list(qs.filter(path__in=paths or []).order_by("level", "code"))


def scope_stations(user: Any) -> list[tuple[int, str, str, float, float]]:
    """Ambient stations inside the scope's grids (reference stations outside every grid belong
    to no unit): (pk, code, name, lat, lon), by code."""
    paths = scope.scope_paths(user)
    qs = Station.objects.filter(active=True, kind__in=AMBIENT_KINDS, grid__isnull=False).filter(
        _paths_q(paths, "grid__path")
    )
    return list(qs.order_by("code").values_list("pk", "code", "name", "lat", "lon"))


# --- air ---------------------------------------------------------------------------------------


def _level_fields(aqi_value: int) -> tuple[int, str, str | None]:
    lvl = aqi.level(int(aqi.level_numbers(np.array([aqi_value]))[0])) if aqi_value >= 0 else None
    if lvl is None:
        return 0, "NA", None
    return lvl.number, lvl.category, lvl.hex


def _hour_values(means: np.ndarray) -> dict[str, np.ndarray]:
    return {p: means[:, j] for j, p in enumerate(POLLUTANT_FIELDS)}


def air_now(
    stations: list[tuple[int, str, str, float, float]],
    today: dt.date,
    now: dt.datetime | None = None,
) -> tuple[AirNow, list[StationNow]]:
    """Each station's newest valid hour within the last three hours before `now` (its real-time
    AQI; a station with none is not reporting — a fact of the clock, not of the offline sweep),
    the unit's (mean of the stations' values), and today so far (the daily AQI of the unit's
    hourly means so far: 今日累计)."""
    ids = [s[0] for s in stations]
    day_start = day_start_utc(date_number(today))
    rows = fetch_hours(ids, day_start - 2 * DAY, day_start + DAY) if ids else np.zeros((0, 15))
    means = hourly_means(rows) if len(rows) else np.zeros((0, len(POLLUTANT_FIELDS)))
    valid = np.isfinite(means).any(axis=1)
    rows, means = rows[valid], means[valid]
    moment = int((now or timezone.now()).timestamp())
    so_far = rows[:, 1] <= moment  # nothing dated ahead of now
    rows, means = rows[so_far], means[so_far]
    # Live: the hours from two before the current one (today's so far are kept for below).
    live = rows[:, 1] >= moment - moment % HOUR - 2 * HOUR
    newest = int(rows[live, 1].max()) if live.any() else None
    index = {pk: i for i, pk in enumerate(ids)}
    latest = np.full((len(ids), len(POLLUTANT_FIELDS)), np.nan)
    latest_ts = np.full(len(ids), -1, dtype=np.int64)
    if newest is not None:
        recent = rows[:, 1] >= newest - 2 * HOUR
        for row, m in zip(rows[recent], means[recent], strict=True):
            i = index[int(row[0])]
            if int(row[1]) > latest_ts[i]:
                latest_ts[i], latest[i] = int(row[1]), m
    standard = aqi.standard_for(today)
    report = aqi.hourly_report(_hour_values(latest), standard) if ids else None
    station_rows: list[StationNow] = []
    for i, (_pk, code, name, lat, lon) in enumerate(stations):
        value = int(report.aqi[i]) if report is not None else -1
        number, _category, colour = _level_fields(value)
        station_rows.append(
            StationNow(
                code=code,
                name=name,
                lat=lat,
                lon=lon,
                aqi=value if value >= 0 else None,
                level=number,
                colour=colour,
                primary=aqi.pollutant_names(int(report.primary[i])) if report is not None else [],
                url=link("air:station", code),
            )
        )
    reporting = latest_ts >= 0
    n_now = np.isfinite(latest).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_now = np.where(n_now > 0, np.nansum(latest, axis=0) / np.maximum(n_now, 1), np.nan)[
            None, :
        ]
    now_report = aqi.hourly_report(_hour_values(unit_now), standard)
    now_aqi = int(now_report.aqi[0])
    now_level, now_category, now_colour = _level_fields(now_aqi)

    # Today so far: the unit's hourly means (mean over stations), then a daily AQI over them.
    today_rows = rows[:, 1] >= day_start
    grid = np.full((24, len(POLLUTANT_FIELDS)), np.nan)
    hours = ((rows[today_rows, 1].astype(np.int64) - day_start) // HOUR).astype(int)
    today_means = means[today_rows]
    for h in np.unique(hours):
        values = today_means[hours == h]
        n = np.isfinite(values).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            grid[h] = np.where(n > 0, np.nansum(values, axis=0) / np.maximum(n, 1), np.nan)
    counted = np.isfinite(grid).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        day_means = np.where(counted > 0, np.nansum(grid, axis=0) / np.maximum(counted, 1), np.nan)
    o3 = grid[:, POLLUTANT_FIELDS.index("o3")]
    windows = o3_8h_windows(o3[None, :])[0]
    daily = {p: np.array([day_means[j]]) for j, p in enumerate(POLLUTANT_FIELDS) if p != "o3"}
    daily["o3_1h_max"] = np.array([np.nanmax(o3) if np.isfinite(o3).any() else np.nan])
    daily["o3_8h_max"] = np.array([np.nanmax(windows) if np.isfinite(windows).any() else np.nan])
    today_report = aqi.daily_report(daily, standard)
    today_aqi = int(today_report.aqi[0])
    today_level, today_category, today_colour = _level_fields(today_aqi)

    counts: dict[int, int] = defaultdict(int)
    for s in station_rows:
        counts[s.level] += 1
    by_level = [
        LevelCount(lvl.number, lvl.category, lvl.hex, counts.get(lvl.number, 0))
        for lvl in aqi.LEVELS
    ]
    by_level.append(LevelCount(0, "NA", None, counts.get(0, 0)))
    worst = sorted(
        (s for s in station_rows if s.aqi is not None), key=lambda s: (-(s.aqi or 0), s.code)
    )
    return (
        AirNow(
            hour=dt.datetime.fromtimestamp(newest, tz=CST) if newest is not None else None,
            aqi=now_aqi if now_aqi >= 0 else None,
            level=now_level,
            category=now_category,
            colour=now_colour,
            primary=aqi.pollutant_names(int(now_report.primary[0])),
            today_aqi=today_aqi if today_aqi >= 0 else None,
            today_level=today_level,
            today_category=today_category,
            today_colour=today_colour,
            today_hours=int(np.isfinite(grid).any(axis=1).sum()),
            stations=len(stations),
            reporting=int(reporting.sum()),
            by_level=by_level,
            worst=worst[:WORST_STATIONS],
            url=link("air:map"),
        ),
        station_rows,
    )


def _last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def target_row(target: Target, today: dt.date) -> TargetRow:
    """The target's progress (`assessment.target_progress`) and its risk: what the remaining days
    may average against what the same days averaged last year."""
    p = target_progress(target, today)
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
    )


# The rankings page's level where a unit's own figure appears (a district's: among its streets).
RANKINGS_LEVEL: dict[int, str] = {
    Level.DISTRICT: "street",
    Level.STREET: "street",
    Level.COMMUNITY: "community",
    Level.GRID: "station",
}


def good_days(units: list[Region], start: dt.date, end: dt.date) -> list[GoodDays]:
    """Good days (and PM2.5) of the viewer's own units over a period, HJ 663."""
    if not units:
        return []
    results = assess(region_units(units), start, end, year_on_year=False)
    level = {r.code: r.level for r in units}
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
                level=RANKINGS_LEVEL[level[a.code]],
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


def ranking_level(user: Any, units: list[Region]) -> str:
    """What the viewer ranks: streets/towns for the district, communities/villages for a
    street, the stations for a community or a grid."""
    if scope.sees_everything(user) or any(u.level == Level.DISTRICT for u in units):
        return "street"
    if any(u.level == Level.STREET for u in units):
        return "community"
    return "station"


def _ranked_units(
    user: Any, level: str, stations: list[tuple[int, str, str, float, float]]
) -> list[Any]:
    if level == "station":
        return station_units([s[1] for s in stations])
    wanted = Level.STREET if level == "street" else Level.COMMUNITY
    regions = scope.regions_for(user, Region.objects.active().filter(level=wanted))
    return region_units(list(regions.order_by("code")))


def ranking(
    user: Any,
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


def _scope_key(user: Any) -> str:
    paths = scope.scope_paths(user)
    return "ALL" if paths is scope.ALL else "|".join(paths or ["-"])


def air_part(user: Any, today: dt.date, units: list[Region]) -> AirPart:
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


def _compute_air(user: Any, today: dt.date, units: list[Region]) -> AirPart:
    stations = scope_stations(user)
    now, station_rows = air_now(stations, today, timezone.now())
    visible = scope.regions_for(user)
    targets = [
        target_row(t, today)
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


def scorecards(user: Any, today: dt.date) -> list[Scorecard]:
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


def visible_alarms(user: Any) -> Any:
    """Alarms of the stations in the scope and of reference stations outside every grid."""
    paths = scope.scope_paths(user)
    q = (
        Q()
        if paths is scope.ALL
        else Q(station__grid__isnull=True) | _paths_q(paths, "station__grid__path")
    )
    return Alarm.objects.filter(q, station__active=True)


def alarms(user: Any) -> Alarms:
    live = visible_alarms(user).filter(ended_at__isnull=True)
    by_rule = [
        RuleCount(
            r["rule_id"],
            r["rule__name"],
            r["n"],
            link("air:alarms", rule=r["rule_id"]),
        )
        for r in live.values("rule_id", "rule__name")
        .annotate(n=Count("id"))
        .order_by("-n", "rule__name")
    ]
    newest = [
        AlarmItem(
            id=a.pk,
            station=a.station.code,
            station_name=a.station.name,
            rule=a.rule.name,
            pollutant=a.pollutant,
            value=_finite(a.value),
            started_at=a.started_at,
            url=link("air:station", a.station.code),
        )
        for a in live.select_related("station", "rule").order_by("-started_at")[:NEWEST_ALARMS]
    ]
    return Alarms(
        open=sum(r.count for r in by_rule),
        unacknowledged=live.filter(acknowledged_at__isnull=True).count(),
        by_rule=by_rule,
        newest=newest,
        url=link("air:alarms"),
    )


def order_units(user: Any, units: list[Region]) -> list[Region]:
    """The units orders are counted by: streets for the district, communities for a street,
    grids for a community."""
    if scope.sees_everything(user) or any(u.level == Level.DISTRICT for u in units):
        wanted = Level.STREET
    elif any(u.level == Level.STREET for u in units):
        wanted = Level.COMMUNITY
    else:
        wanted = Level.GRID
    return list(
        scope.regions_for(user, Region.objects.active().filter(level=wanted)).order_by("code")
    )


def orders(user: Any, units: list[Region], now: dt.datetime) -> Orders:
    """Open and overdue orders in scope, by unit (one grouped query over the orders' paths);
    overdue as of `now` (lateness.overdue_q), whether or not a sweep has run."""
    open_states = [s.value for s in OPEN_STATES]
    rows = (
        orders_for(user)
        .filter(state__in=open_states)
        .values("event__region_path")
        .annotate(n=Count("id"), late=Count("id", filter=lateness.overdue_q(now)))
        .order_by()
    )
    counts = [(r["event__region_path"], r["n"], r["late"]) for r in rows]
    by_unit = []
    for u in order_units(user, units):
        n = sum(c for p, c, _late in counts if p.startswith(u.path))
        late = sum(lt for p, _c, lt in counts if p.startswith(u.path))
        by_unit.append(
            UnitOrders(
                code=u.code,
                name=u.name,
                open=n,
                overdue=late,
                url=link("workorders:desk", queue="open", unit=u.code),
                overdue_url=link("workorders:desk", queue="overdue", unit=u.code),
            )
        )
    by_unit.sort(key=lambda r: (-r.overdue, -r.open, r.code))
    return Orders(
        open=sum(c for _p, c, _l in counts),
        overdue=sum(lt for _p, _c, lt in counts),
        by_unit=by_unit,
        url=link("workorders:desk", queue="open"),
        overdue_url=link("workorders:desk", queue="overdue"),
    )


def inspections(user: Any, today: dt.date) -> Inspections:
    start = dt.datetime.combine(today, dt.time(), tzinfo=CST)
    found = (
        inspections_for(user)
        .filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
        .aggregate(
            total=Count("id"),
            failed=Count("id", filter=Q(result=Inspection.Result.FAILED)),
            far=Count("id", filter=Q(far=True)),
        )
    )
    day = today.isoformat()
    return Inspections(
        day=today,
        total=found["total"],
        failed=found["failed"],
        far=found["far"],
        url=link("inspections:desk", **{"from": day, "to": day}),
        failed_url=link("inspections:desk", result="failed", **{"from": day, "to": day}),
    )


def emergency_now(now: dt.datetime) -> EmergencyNow:
    warning = emergency.in_force(now)
    if warning is None:
        return EmergencyNow(None, "", None, None, link("emergency:index"))
    return EmergencyNow(
        warning.level,
        str(warning.get_level_display()),
        warning.starts_at,
        warning.ends_at,
        link("emergency:warning", warning.pk),
    )


def commands(user: Any) -> Commands:
    """Commands whose recipients in the scope (or the viewer) have not signed for them."""
    waiting = not_acknowledged(user)
    per_command = list(
        waiting.values("command_id", "command__title", "command__due_at", "command__created_at")
        .annotate(n=Count("id"))
        .order_by("-command__created_at", "-command_id")
    )
    return Commands(
        waiting=sum(r["n"] for r in per_command),
        commands=len(per_command),
        newest=[
            CommandWaiting(
                r["command_id"],
                r["command__title"],
                r["command__due_at"],
                r["n"],
                link("workorders:command", r["command_id"]),
            )
            for r in per_command[:NEWEST_COMMANDS]
        ],
        url=link("workorders:commands"),
    )


def overview(user: Any, today: dt.date, now: dt.datetime | None = None) -> Overview:
    """Every figure of the overview for the account's scope, as of `today` (China time)."""
    now = now or timezone.now()
    units = top_units(user)
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
        alarms=alarms(user),
        orders=orders(user, units, now),
        inspections=inspections(user, today),
        emergency=emergency_now(now),
        commands=commands(user),
        scorecards=air.scorecards,
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
    out += [r.url for r in o.ranking.rows + o.ranking.apart]
    out += [r.url for r in o.alarms.by_rule] + [a.url for a in o.alarms.newest]
    out += [u.url for u in o.orders.by_unit] + [u.overdue_url for u in o.orders.by_unit]
    out += [c.url for c in o.commands.newest]
    out += [c.url for c in o.scorecards]
    return out
