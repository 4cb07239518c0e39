"""Data review endpoints (数据审核): the day's queue, one station's day with its marked values
and decisions, and taking or undoing a decision. Reviewers (air.add_reviewdecision) act within
their scope; the command office may look."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Status
from ninja.params import functions as param

from gridgov import inputs
from gridgov.air import review
from gridgov.air.models import CST, ReviewDecision, Station
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema

router = Router()


class ReviewStationOut(Schema):
    """One station's day in the review queue."""

    station: str
    station_name: str
    kind: str
    day: dt.date
    readings: int
    suspect: int = Field(description="suspect values no reviewer has decided on")
    invalid: int = Field(description="invalid values no reviewer has decided on")
    review: Literal["reviewed", "unreviewed"]


class FlaggedRunOut(Schema):
    """Consecutive marked values of one pollutant with the same marks."""

    pollutant: str
    start: dt.datetime
    end: dt.datetime
    count: int
    low: float | None
    high: float | None
    flags: int
    reasons: list[str]
    counted: bool = Field(description="whether the values enter the means")


class DecisionOut(Schema):
    id: int
    station: str
    action: Literal["confirm", "invalidate", "approve_day"]
    pollutant: str = Field(description="empty: every pollutant")
    start: dt.datetime
    end: dt.datetime
    day: dt.date
    reason: str
    values_changed: int
    decided_by: str
    decided_at: dt.datetime
    undone_at: dt.datetime | None
    undone_by: str | None


class ReviewDayOut(Schema):
    station: str
    day: dt.date
    review: Literal["reviewed", "unreviewed"]
    summary: dict[str, int]
    runs: list[FlaggedRunOut]
    decisions: list[DecisionOut]


class DecisionIn(Schema):
    station: str = Field(max_length=40, description="the station's code")
    action: Literal["confirm", "invalidate"]
    pollutant: Literal["", "pm25", "pm10", "so2", "no2", "co", "o3"] = ""
    start: dt.datetime = Field(description="the first value's time; no offset = Beijing time")
    end: dt.datetime = Field(description="the last value's time (inclusive), the same day")
    reason: str = Field(min_length=1, max_length=review.REASON_MAX)


class ApproveIn(Schema):
    reason: str = Field("", max_length=review.REASON_MAX)


def _may_view(request: HttpRequest) -> None:
    if not review.can_view(request.user):
        raise ApiError(403, "this account may not see data review")


def _may_review(request: HttpRequest) -> None:
    if not review.can_review(request.user):
        raise ApiError(403, "this account is not a data reviewer (数据审核员)")


def _station(request: HttpRequest, code: str) -> Station:
    station = review.station_for(request.user, code)
    if station is None:  # unknown or outside the reviewer's scope: one 404
        raise ApiError(404, f"no station {code!r}", field="code")
    return station


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=CST)


def decision_out(d: ReviewDecision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "station": d.station.code,
        "action": d.action,
        "pollutant": d.pollutant,
        "start": d.start,
        "end": d.end,
        "day": d.day,
        "reason": d.reason,
        "values_changed": d.values_changed,
        "decided_by": d.decided_by.get_username(),
        "decided_at": d.decided_at,
        "undone_at": d.undone_at,
        "undone_by": d.undone_by.get_username() if d.undone_by else None,
    }


@router.get("/air/review", response={200: list[ReviewStationOut], **errors(400, 401, 403)})
def review_queue(
    request: HttpRequest,
    day: str | None = param.Query(None, description="YYYY-MM-DD; yesterday when absent"),
    kind: str | None = None,
    limit: int = param.Query(100, ge=1, le=1000),
    offset: int = param.Query(0, ge=0, le=1_000_000),
) -> Any:
    _may_view(request)
    yesterday = dt.datetime.now(CST).date() - dt.timedelta(days=1)
    the_day = inputs.parse_date("day", day, yesterday)
    rows = review.queue(request.user, the_day, kind or "")[offset : offset + limit]
    return [
        {
            "station": r.station.code,
            "station_name": r.station.name,
            "kind": r.station.kind,
            "day": the_day,
            "readings": r.readings,
            "suspect": r.suspect,
            "invalid": r.invalid,
            "review": "reviewed" if r.reviewed else "unreviewed",
        }
        for r in rows
    ]


@router.get("/air/review/{code}/{day}", response={200: ReviewDayOut, **errors(400, 401, 403, 404)})
def review_day(request: HttpRequest, code: str, day: str) -> Any:
    _may_view(request)
    station = _station(request, code)
    the_day = inputs.parse_date("day", day)
    series = review.day_series(station, the_day)
    decisions = (
        ReviewDecision.objects.for_user(request.user)
        .filter(station=station, day=the_day)
        .select_related("station", "decided_by", "undone_by")
    )
    return {
        "station": station.code,
        "day": the_day,
        "review": "reviewed" if review.approval(station, the_day) else "unreviewed",
        "summary": series.summary(),
        "runs": [
            {
                "pollutant": r.pollutant,
                "start": r.start,
                "end": r.end,
                "count": len(r.values),
                "low": r.low if r.low == r.low else None,
                "high": r.high if r.high == r.high else None,
                "flags": r.flags,
                "reasons": r.reasons,
                "counted": r.counted,
            }
            for r in series.runs()
        ],
        "decisions": [decision_out(d) for d in decisions],
    }


@router.post(
    "/air/review/decisions",
    response={201: DecisionOut, **errors(400, 401, 403, 404, 413)},
)
def take_decision(request: HttpRequest, payload: DecisionIn) -> Any:
    _may_review(request)
    station = _station(request, payload.station)
    decision = review.decide(
        station,
        request.user,
        action=payload.action,
        pollutant=payload.pollutant,
        start=_aware(payload.start),
        end=_aware(payload.end),
        reason=payload.reason,
    )
    return Status(201, decision_out(decision))


@router.post(
    "/air/review/{code}/{day}/approve",
    response={200: DecisionOut, **errors(400, 401, 403, 404, 413)},
)
def approve(request: HttpRequest, code: str, day: str, payload: ApproveIn) -> Any:
    _may_review(request)
    station = _station(request, code)
    decision = review.approve_day(
        station, request.user, inputs.parse_date("day", day), payload.reason
    )
    return decision_out(decision)


@router.post(
    "/air/review/decisions/{decision_id}/undo",
    response={200: DecisionOut, **errors(400, 401, 403, 404, 409, 413)},
)
def undo(request: HttpRequest, decision_id: int) -> Any:
    _may_review(request)
    decision = (
        ReviewDecision.objects.for_user(request.user)
        .filter(pk=decision_id)
        .select_related("station", "decided_by", "undone_by")
        .first()
    )
    if decision is None:
        raise ApiError(404, f"no review decision {decision_id}", field="decision_id")
    review.undo(decision, request.user)
    return decision_out(decision)
