"""Tampering findings (干扰疑点): the list, and a reviewer's decision on one. Reviewers (air.
add_reviewdecision) decide within their scope; those who may see the data review may look. A
finding outside the account's scope is "no such finding" (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov.air import review, tamper_scan
from gridgov.air.tamper_models import TamperFinding
from gridgov.apikit import ApiError, errors
from gridgov.schemas import Schema

router = Router()
# A finding's numbers: a value, the QN milliseconds seen, or per pollutant its own numbers.
Number = float | int | str | None
Evidence = dict[str, Number | list[int] | dict[str, Number]]


class TamperOut(Schema):
    """One finding: what was seen, the numbers behind it, and what a reviewer decided."""

    id: int
    station: str
    station_name: str
    kind: Literal["spray", "flat", "clock"]
    kind_label: str
    start: dt.datetime
    end: dt.datetime = Field(description="exclusive")
    pollutants: list[str]
    evidence: Evidence = Field(description="the detector's numbers")
    status: Literal["open", "confirmed", "dismissed"]
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str
    inspection_order: str | None = Field(description="the inspection work order's reference")


class TamperDecisionIn(Schema):
    action: Literal["confirm", "dismiss"]
    reason: str = Field(min_length=1, max_length=200)
    inspect: bool = Field(False, description="confirm and ask the operator for an inspection")


def finding_out(f: TamperFinding) -> dict[str, Any]:
    issue = f.issue
    return {
        "id": f.pk,
        "station": f.station.code,
        "station_name": f.station.name,
        "kind": f.kind,
        "kind_label": str(f.get_kind_display()),
        "start": f.start,
        "end": f.end,
        "pollutants": list(f.pollutants),
        "evidence": f.evidence,
        "status": f.status,
        "decided_by": f.decided_by.get_username() if f.decided_by else None,
        "decided_at": f.decided_at,
        "reason": f.reason,
        "inspection_order": (issue.order_reference or None) if issue is not None else None,
    }


@router.get("/air/tampering", response={200: list[TamperOut], **errors(400, 401, 403)})
def tamper_list(
    request: HttpRequest,
    status: Literal["open", "confirmed", "dismissed"] | None = None,
    station: str | None = param.Query(None, max_length=40, description="a station's code"),
    kind: Literal["spray", "flat", "clock"] | None = None,
    limit: int = param.Query(100, ge=1, le=1000),
    offset: int = param.Query(0, ge=0, le=1_000_000),
) -> Any:
    if not review.can_view(request.user):
        raise ApiError(403, "this account may not see data review")
    rows = TamperFinding.objects.for_user(request.user).select_related(
        "station", "decided_by", "issue"
    )
    if status:
        rows = rows.filter(status=status)
    if station:
        rows = rows.filter(station__code=station)
    if kind:
        rows = rows.filter(kind=kind)
    rows = rows.order_by("-start", "-pk")[offset : offset + limit]
    return [finding_out(f) for f in rows]


@router.post(
    "/air/tampering/{finding_id}/decision",
    response={200: TamperOut, **errors(400, 401, 403, 404, 409, 413)},
)
def tamper_decision(request: HttpRequest, finding_id: int, payload: TamperDecisionIn) -> Any:
    if not review.can_review(request.user):
        raise ApiError(403, "this account is not a data reviewer (数据审核员)")
    finding = (
        TamperFinding.objects.for_user(request.user)
        .filter(pk=finding_id)
        .select_related("station")
        .first()
    )
    if finding is None:  # unknown or outside the reviewer's scope: one 404
        raise ApiError(404, f"no tampering finding {finding_id}", field="finding_id")
    decided = tamper_scan.decide(
        finding, request.user, action=payload.action, reason=payload.reason, inspect=payload.inspect
    )
    decided = (
        TamperFinding.objects.for_user(request.user)
        .select_related("station", "decided_by", "issue")
        .get(pk=decided.pk)
    )
    return finding_out(decided)
