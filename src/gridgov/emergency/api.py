"""重污染天气应急, API v1: the warning in force, the list and record of warnings, declaring and
ending early (the command office), and the preview of what a level would reach."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import ApiError, errors
from gridgov.core.actor import Account
from gridgov.emergency import declaring, recommending, services
from gridgov.emergency.models import Level, Measure, Recommendation, Warning
from gridgov.schemas import Schema
from gridgov.sources.categories import LABELS

router = Router()

COLOURS = {Level.YELLOW: "yellow", Level.ORANGE: "orange", Level.RED: "red"}


class EmergencyMeasureOut(Schema):
    id: int
    level: int
    category: str
    category_name: str
    text: str
    text_en: str
    grades: str = Field(description="emission-performance grades it narrows to, e.g. CD")
    kinds: list[str] = Field(description="vehicle/point kinds or site phases it narrows to")
    suspend: bool = Field(description="the sources it reaches must stop")
    inspection_interval_days: int


class WarningOut(Schema):
    id: int
    level: int = Field(description="1 yellow, 2 orange, 3 red")
    level_label: str
    colour: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    ended_early_at: dt.datetime | None
    effective_end: dt.datetime
    in_force: bool
    reason: str
    end_reason: str
    declared_at: dt.datetime
    superseded_by: int | None
    commands: list[int]
    affected_sources: int


class WarningFiguresOut(Schema):
    key: str = Field(description="category code, or region code ('' for the total)")
    name: str
    sources: int
    required: int = Field(description="source-windows that needed an inspection")
    inspected: int = Field(description="of those, the ones inspected")
    coverage: float | None
    inspections: int
    failed: int
    suspend_sources: int
    suspend_checks: int
    suspend_violations: int
    recipients: int
    acknowledged: int
    acknowledged_on_time: int
    completed: int
    completed_on_time: int


class WarningSuspendOut(Schema):
    code: str
    name: str
    category: str
    street: str
    community: str
    checks: int
    violations: int
    last_check: dt.datetime | None


class WarningRecipientOut(Schema):
    command_id: int
    unit: str
    unit_name: str
    person: str
    acknowledged_at: dt.datetime | None
    completed_at: dt.datetime | None
    due_at: dt.datetime


class WarningMonitoredOut(Schema):
    code: str
    name: str
    category: str
    street: str
    community: str
    hour: dt.datetime
    rule: str = Field(description="warning_stop (producing during a stop) or warning_limit")
    rule_name: str
    detail: str
    order_id: int | None


class WarningComplianceOut(Schema):
    start: dt.datetime
    end: dt.datetime
    days: int
    ongoing: bool
    total: WarningFiguresOut
    fronts: list[WarningFiguresOut]
    streets: list[WarningFiguresOut]
    communities: list[WarningFiguresOut]
    suspended: list[WarningSuspendOut]
    recipients: list[WarningRecipientOut]
    monitored: list[WarningMonitoredOut] = Field(
        description="power monitors' violations of the warning's stop/limit measures"
    )


class WarningTaskOut(Schema):
    source_id: int
    code: str
    name: str
    category: str
    street: str
    community: str
    suspend: bool
    interval_days: int
    required: int = Field(description="inspection windows so far")
    inspected: int
    window_start: dt.date | None = Field(description="the current window, while it lasts")
    window_end: dt.date | None
    due: bool = Field(description="no inspection yet in the current window")
    last_check: dt.datetime | None


class WarningDetailOut(WarningOut):
    measures: list[EmergencyMeasureOut]
    compliance: WarningComplianceOut


class DeclaredOut(WarningDetailOut):
    superseded: list[int]
    unreached: list[str] = Field(description="streets whose command had nobody to receive it")


class EmergencyCurrentOut(Schema):
    warning: WarningOut | None
    measures: list[EmergencyMeasureOut]
    upcoming: list[WarningOut]


class WarningPreviewOut(Schema):
    street: str
    street_name: str
    sources: int
    by_category: dict[str, int]
    suspend: int
    units: list[str] = Field(description="who its command would go to; empty: nobody")


class WarningDeclareIn(Schema):
    model_config = {"extra": "forbid"}
    level: int = Field(..., ge=1, le=3, description="1 yellow, 2 orange, 3 red")
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str = Field(..., min_length=1, max_length=services.MAX_REASON)
    recommendation: int | None = Field(
        None, ge=1, description="the pending recommendation (预警建议) it is declared from"
    )


class WarningEndIn(Schema):
    model_config = {"extra": "forbid"}
    at: dt.datetime | None = Field(None, description="when it ends; now if left out")
    reason: str = Field(..., min_length=1, max_length=services.MAX_REASON)


class WarningPreviewQuery(Schema):
    level: int = Field(..., ge=1, le=3)


def measure_row(m: Measure) -> dict[str, Any]:
    return {
        "id": m.pk,
        "level": m.level,
        "category": m.category,
        "category_name": str(LABELS[m.category]),
        "text": m.text,
        "text_en": m.text_en,
        "grades": m.grades,
        "kinds": sorted(services.kinds_of(m)),
        "suspend": m.suspend,
        "inspection_interval_days": m.inspection_interval_days,
    }


def warning_row(w: Warning, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "id": w.pk,
        "level": w.level,
        "level_label": str(Level(w.level).label),
        "colour": COLOURS[Level(w.level)],
        "starts_at": w.starts_at,
        "ends_at": w.ends_at,
        "ended_early_at": w.ended_early_at,
        "effective_end": w.effective_end,
        "in_force": w.starts_at <= now < w.effective_end,
        "reason": w.reason,
        "end_reason": w.end_reason,
        "declared_at": w.declared_at,
        "superseded_by": w.superseded_by_id,
        "commands": sorted(c.pk for c in w.commands.all()),
        "affected_sources": w.affected.count(),
    }


def _figures(f: services.Figures) -> dict[str, Any]:
    return {
        "key": f.key,
        "name": f.name,
        "sources": f.sources,
        "required": f.required,
        "inspected": f.inspected,
        "coverage": f.coverage,
        "inspections": f.inspections,
        "failed": f.failed,
        "suspend_sources": f.suspend_sources,
        "suspend_checks": f.suspend_checks,
        "suspend_violations": f.suspend_violations,
        "recipients": f.recipients,
        "acknowledged": f.acknowledged,
        "acknowledged_on_time": f.acknowledged_on_time,
        "completed": f.completed,
        "completed_on_time": f.completed_on_time,
    }


def detail_row(w: Warning, user: Account) -> dict[str, Any]:
    c = services.compliance(w, user)
    out = warning_row(w)
    out["measures"] = [measure_row(m) for m in services.measures_for(w.level)]
    out["compliance"] = {
        "start": c.start,
        "end": c.end,
        "days": len(c.days),
        "ongoing": c.ongoing,
        "total": _figures(c.total),
        "fronts": [_figures(f) for f in c.fronts],
        "streets": [_figures(f) for f in c.streets],
        "communities": [_figures(f) for f in c.communities],
        "suspended": [vars(s) for s in c.suspended],
        "recipients": [vars(r) for r in c.recipients],
        "monitored": [vars(m) for m in c.monitored],
    }
    return out


@router.get("/emergency/current", response={200: EmergencyCurrentOut, **errors(401)})
def current(request: HttpRequest) -> Any:
    """The warning in force now (null if none), its measures, and warnings declared to come."""
    w = services.in_force()
    return {
        "warning": warning_row(w) if w else None,
        "measures": [measure_row(m) for m in services.measures_for(w.level)] if w else [],
        "upcoming": [warning_row(u) for u in services.upcoming()],
    }


@router.get("/emergency/warnings", response={200: list[WarningOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_warnings(request: HttpRequest) -> Any:
    """Every warning, newest first (a level is district-wide; the records are scoped)."""
    return [
        warning_row(w)
        for w in declaring.warnings_for(request.user).prefetch_related("commands")[:500]
    ]


def _get(request: HttpRequest, warning_id: int) -> Warning:
    w = Warning.objects.for_user(request.user).filter(pk=warning_id).first()
    if w is None:
        raise ApiError(404, "no such warning")
    return w


@router.get(
    "/emergency/warnings/{int:warning_id}",
    response={200: WarningDetailOut, **errors(400, 401, 404)},
)
def warning_detail(request: HttpRequest, warning_id: int) -> Any:
    """A warning with its measures and its compliance record, as far as the caller may see."""
    return detail_row(_get(request, warning_id), request.user)


@router.get(
    "/emergency/warnings/{int:warning_id}/sources",
    response={200: list[WarningTaskOut], **errors(400, 401, 404)},
)
@paginate(LimitOffsetPagination)
def warning_sources(request: HttpRequest, warning_id: int, due: bool = False) -> Any:
    """The inspection tasks the warning created, in the caller's scope: each affected source,
    its interval, windows so far and inspected, and whether it is due now (due first);
    `due=true`: only those still due in the current window."""
    found = services.tasks(_get(request, warning_id), request.user)
    return [vars(t) for t in found if t.due or not due]


@router.post(
    "/emergency/warnings", response={201: DeclaredOut, **errors(400, 401, 403, 404, 409, 413)}
)
def declare(request: HttpRequest, payload: WarningDeclareIn) -> Any:
    """发布预警 (the command office): supersedes a warning overlapping its period, fixes the
    sources it reaches and issues one command per street."""
    args = (payload.level, payload.starts_at, payload.ends_at, payload.reason)
    if payload.recommendation is not None:
        done = recommending.declare_from(request.user, payload.recommendation, *args)
    else:
        done = declaring.declare(request.user, *args)
    out = detail_row(done.warning, request.user)
    out["superseded"] = [w.pk for w in done.superseded]
    out["unreached"] = [s.code for s in done.unreached]
    return Status(201, out)


@router.post(
    "/emergency/warnings/{int:warning_id}/end",
    response={200: WarningDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def end_early(request: HttpRequest, warning_id: int, payload: WarningEndIn) -> Any:
    """提前解除 (the command office)."""
    w = declaring.end_early(request.user, warning_id, payload.at, payload.reason)
    return detail_row(w, request.user)


@router.get("/emergency/preview", response={200: list[WarningPreviewOut], **errors(400, 401, 403)})
def preview(request: HttpRequest, query: Query[WarningPreviewQuery]) -> Any:
    """What declaring `level` now would reach, per street (the command office)."""
    if not services.can_declare(request.user):
        raise ApiError(403, "only the command office declares warnings", "user")
    return [
        {
            "street": p.street.code,
            "street_name": p.street.name,
            "sources": p.total,
            "by_category": p.counts,
            "suspend": p.suspend,
            "units": p.units,
        }
        for p in services.preview(query.level)
    ]


# ------------------------------------------------------------------ 预警建议 (recommendations) --


class RecommendationDayOut(Schema):
    date: dt.date
    lead: int = Field(description="days after the issue")
    aqi: int | None = Field(description="forecast daily AQI (PM2.5, PM10, O3-8h)")
    aqi_lo: int | None = Field(description="the AQI of the 80 % interval's lower ends")
    aqi_hi: int | None = Field(description="the AQI of the 80 % interval's upper ends")
    level: int = Field(description="AQI level 1–6, 0 without a value")
    primary: list[str]
    in_rule: bool = Field(description="one of the days that met the rule")


class RecommendationOut(Schema):
    id: int
    level: int = Field(description="recommended warning level: 1 yellow, 2 orange, 3 red")
    level_label: str
    colour: str
    issued_at: dt.datetime = Field(description="the forecast issue it was made from")
    created_at: dt.datetime
    first_date: dt.date
    last_date: dt.date
    rule: str = Field(description="the rule met, in words, with its source")
    basis: str = Field(description="value (point forecast) or upper (interval's upper bound)")
    days: list[RecommendationDayOut]
    status: str = Field(description="pending, declared, dismissed or lapsed")
    status_label: str
    warning: int | None = Field(description="the warning declared from it")
    decided_at: dt.datetime | None
    reason: str = Field(description="why it was dismissed (or lapsed)")
    outcome: str = Field(description="hit, false_alarm, waiting (dates not past) or no_data")


class RecommendationMissOut(Schema):
    first: dt.date
    last: dt.date
    level: int = Field(description="the highest level the rule calls on the observed days")
    peak_aqi: int


class RecommendationScoreOut(Schema):
    start: dt.date
    end: dt.date
    hits: int
    false_alarms: int
    misses: int
    waiting: int
    no_data: int
    missed: list[RecommendationMissOut]


class RecommendationsOut(Schema):
    rules: list[str] = Field(description="the rule set in force, one line per level")
    basis: str
    pending: list[int] = Field(description="ids awaiting a decision now")
    items: list[RecommendationOut] = Field(description="newest first, at most 100")
    score: RecommendationScoreOut


class RecommendationsQuery(Schema):
    days: int = Field(
        recommending.SCORE_DAYS, ge=1, le=730, description="the scoring period: days to yesterday"
    )


class RecommendationDismissIn(Schema):
    model_config = {"extra": "forbid"}
    reason: str = Field(..., description="required, at most 200 characters")


def recommendation_row(rec: Recommendation, outcome: str) -> dict[str, Any]:
    return {
        "id": rec.pk,
        "level": rec.level,
        "level_label": str(Level(rec.level).label),
        "colour": COLOURS[Level(rec.level)],
        "issued_at": rec.issued_at,
        "created_at": rec.created_at,
        "first_date": rec.first_date,
        "last_date": rec.last_date,
        "rule": rec.rule,
        "basis": str(rec.forecast.get("basis", "value")),
        "days": [vars(d) for d in recommending.strip(rec)],
        "status": rec.status,
        "status_label": rec.get_status_display(),
        "warning": rec.warning_id,
        "decided_at": rec.decided_at,
        "reason": rec.reason,
        "outcome": outcome,
    }


@router.get(
    "/emergency/recommendations",
    response={200: RecommendationsOut, **errors(400, 401, 403)},
)
def recommendations(request: HttpRequest, query: Query[RecommendationsQuery]) -> Any:
    """预警建议 (the command office): the recommendations newest first with their outcome, the
    ones awaiting a decision, and hits, false alarms and misses over the last `days` days."""
    if not recommending.can_read(request.user):
        raise ApiError(403, "only the command office reads warning recommendations", "user")
    now = timezone.now()
    items = recommending.history(now, limit=100)
    waiting = recommending.pending(now)
    board = recommending.scoreboard(now, days=query.days, shown=[*items, *waiting])
    return {
        "rules": recommending.rules_described(),
        "basis": recommending.current_basis(),
        "pending": [r.pk for r in waiting],
        "items": [recommendation_row(r, board.outcomes[r.pk]) for r in items],
        "score": {
            "start": board.start,
            "end": board.end,
            "hits": board.hits,
            "false_alarms": board.false_alarms,
            "misses": board.misses,
            "waiting": board.waiting,
            "no_data": board.no_data,
            "missed": [
                {"first": e.first, "last": e.last, "level": e.level, "peak_aqi": e.peak}
                for e in board.missed
            ],
        },
    }


@router.post(
    "/emergency/recommendations/{int:recommendation_id}/dismiss",
    response={200: RecommendationOut, **errors(400, 401, 403, 404, 409)},
)
def dismiss_recommendation(
    request: HttpRequest, recommendation_id: int, payload: RecommendationDismissIn
) -> Any:
    """不予采纳 (the command office): the reason is required, at most 200 characters."""
    rec = recommending.dismiss(request.user, recommendation_id, payload.reason)
    board = recommending.scoreboard(timezone.now(), shown=[rec])
    return recommendation_row(rec, board.outcomes[rec.pk])
