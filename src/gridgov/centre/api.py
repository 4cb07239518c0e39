"""指挥中心总览, API v1: the overview's figures (`GET /overview`, the same as the page's) and its
map layers (`GET /overview/map`), both for the caller's scope."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router

from gridgov.air.periods import today as cst_today
from gridgov.apikit import ApiError, errors
from gridgov.centre.governance import governance, year_to_date
from gridgov.centre.mapdata import LAYERS, map_layers, parse_layers
from gridgov.centre.overview import overview
from gridgov.core import pagecache
from gridgov.people import scope
from gridgov.schemas import Schema
from gridgov.territory.schemas import Geometry

router = Router()


class OverviewUnitOut(Schema):
    code: str
    name: str
    level: int = Field(
        description="-1 province, 0 city, 1 district, 2 street/town, 3 community/village, 4 grid"
    )


class OverviewLevelCountOut(Schema):
    level: int = Field(description="AQI level 1–6; 0: no valid value")
    category: str
    colour: str | None
    stations: int


class OverviewStationOut(Schema):
    code: str
    name: str
    lat: float
    lon: float
    aqi: int | None
    level: int
    colour: str | None
    primary: list[str]
    url: str


class OverviewAirOut(Schema):
    hour: dt.datetime | None = Field(description="start of the newest hour reported")
    aqi: int | None = Field(description="real-time AQI of the mean of the stations' values")
    level: int
    category: str
    colour: str | None
    primary: list[str]
    today_aqi: int | None = Field(description="daily AQI of today's hours so far (今日累计)")
    today_level: int
    today_category: str
    today_colour: str | None
    today_hours: int
    stations: int
    reporting: int
    by_level: list[OverviewLevelCountOut]
    worst: list[OverviewStationOut]
    url: str


class OverviewTargetOut(Schema):
    region: str
    region_name: str
    metric: str
    target: float
    start: dt.date
    end: dt.date
    current: float | None
    gap: float | None
    allowance: float | None = Field(description="what the remaining days may average")
    non_good_days_allowed: int | None
    remaining_days: int
    on_track: bool
    risk: str = Field(
        description="achievable, pressure, high, out_of_reach or unknown (as /air/targets)"
    )
    risk_label: str = Field(description="the risk in words, as the targets page says it")
    last_year_rest: float | None
    cut_vs_last_year: float | None = Field(description="percent below last year's same days")
    url: str
    forecast_days: int = Field(description="forecast days read (up to 3; /air/targets/allowance)")
    forecast_mean: float | None = Field(description="their mean, µg/m³ (mean targets)")
    forecast_good_days: int | None = Field(description="good-day targets: forecast good days")
    forecast_gap: float | None = Field(description="forecast − allowance (good days: days)")
    standing: str = Field(description="secured, on_track, at_risk, out_of_reach or unknown")
    standing_label: str
    allowance_url: str


class OverviewGoodDaysOut(Schema):
    code: str
    name: str
    start: dt.date
    end: dt.date
    good_days: int
    aqi_days: int
    ratio: float | None = Field(description="percent")
    pm25: float | None
    url: str


class OverviewRankRowOut(Schema):
    rank: int | None
    code: str
    name: str
    pm25: float | None
    previous_rank: int | None
    rank_change: int | None = Field(description="positive: moved up")
    previous_pm25: float | None
    pm25_change: float | None = Field(description="µg/m³ against the previous period")
    url: str


class OverviewRankingOut(Schema):
    level: str
    metric: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int = Field(description="complete days the ranking covers")
    basis: str = Field(description='the period in words, e.g. "12-01～12-06，6 天"')
    rows: list[OverviewRankRowOut]
    apart: list[OverviewRankRowOut]
    url: str


class OverviewRuleCountOut(Schema):
    rule_id: int
    rule: str
    count: int
    url: str


class OverviewAlarmOut(Schema):
    id: int
    station: str
    station_name: str
    rule: str
    pollutant: str
    value: float | None
    started_at: dt.datetime
    url: str


class OverviewAlarmsOut(Schema):
    open: int
    unacknowledged: int
    by_rule: list[OverviewRuleCountOut]
    newest: list[OverviewAlarmOut]
    url: str


class OverviewUnitOrdersOut(Schema):
    code: str
    name: str
    open: int
    overdue: int
    url: str
    overdue_url: str


class OverviewOrdersOut(Schema):
    open: int
    overdue: int
    by_unit: list[OverviewUnitOrdersOut]
    url: str
    overdue_url: str


class OverviewInspectionsOut(Schema):
    day: dt.date
    total: int
    failed: int
    far: int
    url: str
    failed_url: str


class OverviewEmergencyOut(Schema):
    level: int | None = Field(description="1 yellow, 2 orange, 3 red; null: none in force")
    label: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    url: str


class OverviewCommandOut(Schema):
    id: int
    title: str
    due_at: dt.datetime
    waiting: int
    url: str


class OverviewCommandsOut(Schema):
    waiting: int = Field(description="recipients who have not signed for a command")
    commands: int
    newest: list[OverviewCommandOut]
    url: str


class OverviewScoreRowOut(Schema):
    region_id: int
    code: str
    name: str
    rank: int
    total: float
    rank_change: int | None = Field(description="places gained since the previous period")


class OverviewScorecardOut(Schema):
    card_id: int
    name: str
    start: dt.date
    end: dt.date
    ranked: int = Field(description="units ranked in the whole field")
    top: list[OverviewScoreRowOut]
    bottom: list[OverviewScoreRowOut]
    apart: int = Field(description="visible units listed apart (too thin a sample)")
    url: str


class OverviewForecastDayOut(Schema):
    date: dt.date
    aqi: int | None = Field(description="forecast AQI of PM2.5, PM10 and O3-8h")
    aqi_lo: int | None
    aqi_hi: int | None
    level: int | None
    category: str
    primary: list[str]
    pm25: float | None = Field(description="forecast daily mean PM2.5, µg/m³")
    pm25_lo: float | None = Field(description="80 % interval, lower end")
    pm25_hi: float | None


class OverviewForecastOut(Schema):
    unit: str
    issued_at: dt.datetime | None = Field(description="null: no forecast issued yet")
    url: str
    days: list[OverviewForecastDayOut] = Field(description="the next three days (预报)")


class OverviewNearStationOut(Schema):
    code: str
    name: str
    aqi: int | None
    level: int
    category: str
    colour: str | None
    inside: bool = Field(description="inside the viewer's unit")
    distance_m: int = Field(description="metres from the unit's outline; 0 inside")
    url: str | None = Field(description="the station's page; null outside the caller's scope")


class OverviewGridFiguresOut(Schema):
    code: str
    name: str
    stations: int
    aqi: int | None = Field(description="the worst real-time AQI of its stations")
    level: int
    open: int
    overdue: int
    sources: int
    due: int = Field(description="sources whose inspection is overdue or due today")
    url: str


class OverviewLocalOrderOut(Schema):
    id: int
    reference: str
    title: str
    state: str
    urgency: str = Field(description="red (overdue), yellow (warned) or empty")
    due_at: dt.datetime | None
    url: str


class OverviewLocalSourceOut(Schema):
    code: str
    name: str
    category: str
    url: str


class OverviewLocalDueOut(Schema):
    code: str
    name: str
    status: str = Field(description="overdue, due (today) or ok (due within the week)")
    next_due: dt.date
    overdue_days: int
    days_left: int
    url: str


class OverviewLocalOut(Schema):
    level: int = Field(description="3 community/village, 4 grid")
    own_stations: int = Field(description="stations inside the unit (0: the nearest are listed)")
    stations: list[OverviewNearStationOut]
    grids: list[OverviewGridFiguresOut]
    orders_open: int
    orders: list[OverviewLocalOrderOut] = Field(description="open orders, most urgent first")
    sources_total: int
    sources: list[OverviewLocalSourceOut]
    due_total: int
    due: list[OverviewLocalDueOut]
    orders_url: str
    sources_url: str
    due_url: str


class OverviewOut(Schema):
    generated_at: dt.datetime
    today: dt.date
    units: list[OverviewUnitOut]
    air: OverviewAirOut
    targets: list[OverviewTargetOut]
    month: list[OverviewGoodDaysOut] = Field(description="the default period (month to date)")
    year: list[OverviewGoodDaysOut] = Field(description="the year to date")
    ranking: OverviewRankingOut
    alarms: OverviewAlarmsOut
    orders: OverviewOrdersOut
    inspections: OverviewInspectionsOut
    emergency: OverviewEmergencyOut
    commands: OverviewCommandsOut
    scorecards: list[OverviewScorecardOut] = Field(description="the horse race (赛马比拼)")
    forecast: OverviewForecastOut
    map_url: str
    local: OverviewLocalOut | None = Field(
        None, description="a community's or a grid's own figures; null above the community"
    )


class OverviewGridOut(Schema):
    code: str
    name: str
    geometry: Geometry = Field(description="GeoJSON geometry (WGS84)")


class OverviewMapStationOut(Schema):
    code: str
    name: str
    lat: float
    lon: float
    aqi: int | None
    level: int
    colour: str | None
    url: str


class OverviewMapOrderOut(Schema):
    id: int
    reference: str
    title: str
    lat: float
    lon: float
    state: str
    overdue: bool
    url: str


class OverviewMapSourceOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    lat: float
    lon: float
    url: str


class OverviewMapProjectOut(Schema):
    id: int
    code: str
    name: str
    status: str
    status_label: str
    lat: float
    lon: float
    overdue: bool
    url: str


class OverviewMapHotGridOut(Schema):
    code: str
    name: str
    geometry: Geometry = Field(description="GeoJSON geometry (WGS84)")
    mean: float | None = Field(description="period mean of the grid's hourly estimates, µg/m³")
    rank: int | None = Field(description="1 = worst of the caller's grids")
    level: int = Field(description="AQI level 1–6 of the mean as a 24-h value")
    colour: str | None = Field(description="that level's colour: the polygon's fill")
    hours_above: int = Field(description="hours above the grade-II 24-h limit")
    hot: bool = Field(description="among the worst N (outlined)")


class OverviewMapHotPeriodOut(Schema):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    pollutant: str


class OverviewMapOut(Schema):
    layers: list[str]
    units: list[OverviewGridOut] = Field(description="the outlines of the caller's own units")
    grids: list[OverviewGridOut]
    stations: list[OverviewMapStationOut]
    orders: list[OverviewMapOrderOut]
    sources: list[OverviewMapSourceOut]
    projects: list[OverviewMapProjectOut]
    hotspots: list[OverviewMapHotGridOut] = Field(
        description="热点网格: the caller's grids with an estimate over the default period"
    )
    hotspot_period: OverviewMapHotPeriodOut | None = Field(
        None, description="the hot grids' period (month to date; the previous month early on)"
    )


@router.get(
    "/overview", response={200: OverviewOut, **errors(400, 401)}, url_name="centre_overview"
)
def get_overview(request: HttpRequest) -> Any:
    """The command centre's figures for the caller's scope (the overview page's, the same)."""
    return dataclasses.asdict(overview(request.user, cst_today()))


@router.get(
    "/overview/map",
    response={200: OverviewMapOut, **errors(400, 401)},
    by_alias=True,
    url_name="centre_overview_map",
)
def get_overview_map(
    request: HttpRequest,
    layers: str | None = Query(
        None, max_length=60, description=f"comma-separated, of {', '.join(LAYERS)}"
    ),
) -> Any:
    """The overview map's layers in the caller's scope (default: stations and orders)."""
    try:
        wanted = parse_layers(layers)
    except ValueError as exc:
        raise ApiError(400, str(exc), field="layers") from exc
    # Kept with the overview's figures (core/pagecache.py: per account, scope, minute; dropped
    # at any write): the page asks for it on every visit.
    day = cst_today()
    paths = scope.scope_paths(request.user)
    return pagecache.remember(
        "overview-map",
        request.user,
        None if paths is scope.ALL else (paths or ["-"]),
        lambda: dataclasses.asdict(map_layers(request.user, day, wanted)),
        day.isoformat(),
        ",".join(sorted(wanted)),
    )


# --- 基层治理总览 ------------------------------------------------------------------------------


class GovernanceColumnOut(Schema):
    area: str = Field(description="mediation, organisations, projects or customs")
    key: str = Field(description="the horse race's metric key")
    label: str
    unit: str
    higher_is_better: bool


class GovernanceRowOut(Schema):
    code: str
    name: str
    values: dict[str, float | None] = Field(description="metric key → value (None: no data)")
    samples: dict[str, int | None] = Field(description="metric key → the value's sample size")


class GovernanceOut(Schema):
    start: dt.date
    end: dt.date
    level: int = Field(description="the units' level: 2 street/town, 3 community/village")
    columns: list[GovernanceColumnOut]
    rows: list[GovernanceRowOut]


@router.get(
    "/governance", response={200: GovernanceOut, **errors(400, 401)}, url_name="centre_governance"
)
def get_governance(
    request: HttpRequest,
    start: dt.date | None = Query(None, alias="from", description="default: 1 January"),  # noqa: B008
    end: dt.date | None = Query(None, alias="to", description="default: today"),  # noqa: B008
) -> Any:
    """基层治理总览: mediation, party-building coverage, projects and customs per unit (the
    units below the caller's own), the horse race's figures, for a period (default: the year
    to date)."""
    first, last = year_to_date(cst_today())
    start, end = start or first, end or last
    try:
        g = governance(request.user, start, end)
    except ValueError as exc:
        raise ApiError(400, str(exc), field="from") from exc
    return {
        "start": g.start,
        "end": g.end,
        "level": g.level,
        "columns": [dataclasses.asdict(c) for c in g.columns],
        "rows": [
            {"code": r.code, "name": r.name, "values": r.values, "samples": r.samples}
            for r in g.rows
        ],
    }
