"""Enforcement cases and the exposure board: API v1, scoped like everything else.

A step is a POST (`POST /cases/{id}/steps {"to_step": "investigation"}`), never a PATCH of a
field. `GET /public/exposure` needs no account and shows only what the public page shows.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import ApiError, errors
from gridgov.core import privacy
from gridgov.enforcement import handling, services
from gridgov.enforcement import publication as pubs
from gridgov.enforcement.models import Case, CaseDocument, LegalBasis, Publication
from gridgov.enforcement.services import CaseInput
from gridgov.enforcement.steps import OPEN, Step
from gridgov.schemas import Schema
from gridgov.sources import categories
from gridgov.web import ratelimit
from gridgov.web.clientip import client_ip

router = Router()
public_router = Router()


class LegalBasisOut(Schema):
    id: int
    law: str
    article: str
    text: str
    party_kind: str
    penalty_min: str | None
    penalty_max: str | None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@router.get("/legal-bases", response={200: list[LegalBasisOut], **errors(401)})
def legal_bases(request: HttpRequest) -> Any:
    """The active legal bases (法律依据) a decision may cite, with their fine ranges (yuan)."""
    return [
        {
            "id": b.pk,
            "law": b.law,
            "article": b.article,
            "text": b.text,
            "party_kind": b.party_kind,
            "penalty_min": _money(b.penalty_min),
            "penalty_max": _money(b.penalty_max),
        }
        for b in LegalBasis.objects.for_user(request.user).filter(active=True)
    ]


class CaseOut(Schema):
    id: int
    reference: str
    title: str
    step: str
    step_label: str
    origin: str
    source_id: int | None
    source_name: str
    category: str
    party_kind: str
    party_name: str
    grid: str
    grid_name: str
    filed_at: dt.datetime
    due_date: dt.date | None
    overdue: bool
    penalty_amount: str | None
    closed_at: dt.datetime | None
    version: int


class CaseStepOut(Schema):
    from_step: str
    to_step: str
    actor: str
    note: str
    due_date: dt.date | None
    late: bool
    at: dt.datetime


class DocumentOut(Schema):
    id: int
    step: str
    title: str
    name: str
    content_type: str
    size: int
    url: str
    created_at: dt.datetime


class PublicationOut(Schema):
    id: int
    case_id: int
    state: str = Field(description="proposed | published | unpublished")
    title: str
    summary: str
    proposed_by: str
    proposed_at: dt.datetime
    approved_by: str
    approved_at: dt.datetime | None
    unpublished_by: str
    unpublished_at: dt.datetime | None
    unpublish_reason: str
    photos: int


class CaseDetailOut(CaseOut):
    party_code: str = Field(description="masked unless the caller may see identities")
    party_phone: str = Field(description="masked unless the caller may see identities")
    facts: str
    decision: str
    amount_reason: str
    legal_bases: list[LegalBasisOut]
    rectification_required: bool
    rectification_id: int | None
    rectified_at: dt.datetime | None
    inspection_id: int | None
    order_id: int | None
    late_steps: int
    next_steps: list[str] = Field(description="the steps the caller may move the case to")
    steps: list[CaseStepOut]
    documents: list[DocumentOut]
    publications: list[PublicationOut]


def case_row(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "title": c.title,
        "step": c.step,
        "step_label": str(Step(c.step).label),
        "origin": c.origin,
        "source_id": c.source_id,
        "source_name": c.source.name if c.source else "",
        "category": c.source.category if c.source else "",
        "party_kind": c.party_kind,
        "party_name": c.party_name,
        "grid": c.region.code,
        "grid_name": c.region.name,
        "filed_at": c.filed_at,
        "due_date": c.due_date,
        "overdue": services.is_overdue(c),
        "penalty_amount": _money(c.penalty_amount),
        "closed_at": c.closed_at,
        "version": c.version,
    }


def document_row(d: CaseDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "step": d.step,
        "title": d.title,
        "name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "url": reverse("enforcement:document", args=[d.pk]),
        "created_at": d.created_at,
    }


def publication_row(p: Publication) -> dict[str, Any]:
    return {
        "id": p.pk,
        "case_id": p.case_id,
        "state": p.state,
        "title": p.title,
        "summary": p.summary,
        "proposed_by": p.proposed_by_name,
        "proposed_at": p.proposed_at,
        "approved_by": p.approved_by_name,
        "approved_at": p.approved_at,
        "unpublished_by": p.unpublished_by_name,
        "unpublished_at": p.unpublished_at,
        "unpublish_reason": p.unpublish_reason,
        "photos": p.photos.count(),
    }


def case_detail(request: HttpRequest, c: Case) -> dict[str, Any]:
    full = services.sees_identity(request.user, c)
    return {
        **case_row(c),
        "party_code": c.party_code if full else services.masked_code(c),
        "party_phone": c.party_phone if full else privacy.mask_phone(c.party_phone),
        "facts": c.facts,
        "decision": c.decision,
        "amount_reason": c.amount_reason,
        "legal_bases": legal_bases_rows(c),
        "rectification_required": c.rectification_required,
        "rectification_id": c.rectification_id,
        "rectified_at": c.rectified_at,
        "inspection_id": c.inspection_id,
        "order_id": c.order_id,
        "late_steps": c.late_steps,
        "next_steps": handling.allowed_steps(c, request.user),
        "steps": [
            {
                "from_step": s.from_step,
                "to_step": s.to_step,
                "actor": s.actor_name,
                "note": s.note,
                "due_date": s.due_date,
                "late": s.late,
                "at": s.at,
            }
            for s in c.steps.all()
        ],
        "documents": [document_row(d) for d in c.documents.all()],
        "publications": [publication_row(p) for p in c.publications.order_by("pk")],
    }


def legal_bases_rows(c: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "law": b.law,
            "article": b.article,
            "text": b.text,
            "party_kind": b.party_kind,
            "penalty_min": _money(b.penalty_min),
            "penalty_max": _money(b.penalty_max),
        }
        for b in c.legal_bases.all()
    ]


def get_case(request: HttpRequest, case_id: int) -> Case:
    return services.get_case(request.user, case_id)


class CaseFilter(Schema):
    step: list[str] | None = Field(None, description="one or more steps")
    category: str | None = Field(None, description="the source's category (front)")
    overdue: bool | None = None
    open: bool | None = Field(None, description="only cases not closed or withdrawn")


def filtered_cases(request: HttpRequest, f: CaseFilter) -> Any:
    qs = services.cases_for(request.user).select_related("source", "region")
    if f.step:
        bad = [s for s in f.step if s not in Step.values]
        if bad:
            raise ApiError(400, f"unknown step {bad[0]!r}", "step")
        qs = qs.filter(step__in=f.step)
    if f.category:
        if f.category not in categories.LABELS:
            raise ApiError(400, f"unknown category {f.category!r}", "category")
        qs = qs.filter(source__category=f.category)
    if f.overdue:
        qs = services.overdue(qs)
    if f.open:
        qs = qs.filter(step__in=list(OPEN))
    return qs.order_by("-filed_at", "-pk")


@router.get("/cases", response={200: list[CaseOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    """Cases in the caller's scope (empty without the permission to view cases), newest first."""
    return [case_row(c) for c in filtered_cases(request, filters)]


class CaseIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., min_length=1, max_length=120, description="案由")
    facts: str = Field("", max_length=4000)
    party_kind: str = Field(..., description="org | person")
    party_name: str = Field(..., min_length=1, max_length=100)
    party_code: str = Field("", max_length=18, description="credit code or ID number")
    party_phone: str = Field("", max_length=20)
    source_id: int | None = None
    grid: str = Field("", max_length=40, description="grid code, when there is no source")
    inspection_id: int | None = None
    order_id: int | None = None


@router.post("/cases", response={201: CaseDetailOut, **errors(400, 401, 403, 404, 409)})
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    """立案: by hand, or from an inspection (`inspection_id`) or a work order (`order_id`)."""
    case = services.open_case(
        CaseInput(
            title=payload.title,
            facts=payload.facts,
            party_kind=payload.party_kind,
            party_name=payload.party_name,
            party_code=payload.party_code,
            party_phone=payload.party_phone,
            source_id=payload.source_id,
            region_code=payload.grid,
            inspection_id=payload.inspection_id,
            order_id=payload.order_id,
        ),
        request.user,
    )
    return Status(201, case_detail(request, get_case(request, case.pk)))


class StatsRowOut(Schema):
    key: str
    label: str
    opened: int
    closed: int
    closed_on_time: int
    withdrawn: int
    overdue: int
    fines: str


class StatsTotalOut(Schema):
    opened: int
    closed: int
    closed_on_time: int
    withdrawn: int
    overdue: int
    fines: str


class StatsByOut(Schema):
    front: list[StatsRowOut]
    unit: list[StatsRowOut]
    month: list[StatsRowOut]
    basis: list[StatsRowOut]


class CaseStatsOut(Schema):
    start: dt.date
    end: dt.date
    total: StatsTotalOut
    by: StatsByOut


def _money_rows(result: dict[str, Any]) -> dict[str, Any]:
    def fix(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "fines": f"{row['fines']:.2f}"}

    return {
        "start": result["start"],
        "end": result["end"],
        "total": fix(result["total"]),
        "by": {g: [fix(r) for r in rows] for g, rows in result["by"].items()},
    }


@router.get("/cases/stats", response={200: CaseStatsOut, **errors(400, 401)})
def case_statistics(
    request: HttpRequest,
    start: dt.date = Query(..., alias="from"),  # noqa: B008
    end: dt.date = Query(..., alias="to"),  # noqa: B008
) -> Any:
    """Cases filed in the period: by front, unit (street), month and legal basis."""
    return _money_rows(services.statistics(request.user, start, end))


@router.get("/cases/{int:case_id}", response={200: CaseDetailOut, **errors(401, 404)})
def case_view(request: HttpRequest, case_id: int) -> Any:
    return case_detail(request, get_case(request, case_id))


class AdvanceIn(Schema):
    model_config = {"extra": "forbid"}
    to_step: str = Field(..., description=" | ".join(Step.values))
    note: str = Field("", max_length=2000)
    penalty_amount: Decimal | None = Field(
        None, ge=0, le=services.MAX_AMOUNT, max_digits=12, decimal_places=2
    )
    legal_bases: list[int] = Field(default_factory=list, max_length=20)
    amount_reason: str = Field("", max_length=500)
    decision: str = Field("", max_length=4000)
    rectification_required: bool | None = None
    rectified: bool = False
    version: int | None = Field(None, description="refuse if the case changed since")


@router.post(
    "/cases/{int:case_id}/steps",
    response={200: CaseDetailOut, **errors(400, 401, 403, 404, 409)},
)
def advance_case(request: HttpRequest, case_id: int, payload: AdvanceIn) -> Any:
    """Move the case to its next step; a decision names the bases, the fine and its text."""
    handling.advance(
        case_id,
        payload.to_step,
        request.user,
        note=payload.note,
        penalty_amount=payload.penalty_amount,
        legal_basis_ids=payload.legal_bases,
        amount_reason=payload.amount_reason,
        decision=payload.decision,
        rectification_required=payload.rectification_required,
        rectified=payload.rectified,
        version=payload.version,
    )
    return case_detail(request, get_case(request, case_id))


@router.post(
    "/cases/{int:case_id}/documents",
    response={201: DocumentOut, **errors(400, 401, 403, 404, 413)},
)
def add_document(
    request: HttpRequest, case_id: int, file: File[UploadedFile], title: Form[str] = ""
) -> Any:
    """A document for the case file: PDF, Word, Excel, PowerPoint or an image, by content."""
    if (file.size or 0) > settings.GRIDGOV_UPLOAD_MAX_BYTES:
        raise ApiError(413, "the file is too large", "file")
    d = handling.add_document(
        case_id, request.user, file, size=file.size or 0, name=file.name or "", title=title
    )
    return Status(201, document_row(d))


class ProposeIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., min_length=1, max_length=120)
    summary: str = Field(..., min_length=1, max_length=2000)
    photos: list[int] = Field(default_factory=list, max_length=6, description="document ids")


@router.post(
    "/cases/{int:case_id}/publication",
    response={201: PublicationOut, **errors(400, 401, 403, 404, 409)},
)
def propose_publication(request: HttpRequest, case_id: int, payload: ProposeIn) -> Any:
    """提请曝光: a second person must approve before the public sees it."""
    p = pubs.propose(
        case_id,
        request.user,
        title=payload.title,
        summary=payload.summary,
        photo_ids=payload.photos,
    )
    return Status(201, publication_row(p))


@router.post(
    "/publications/{int:publication_id}/approve",
    response={200: PublicationOut, **errors(400, 401, 403, 404, 409)},
)
def approve_publication(request: HttpRequest, publication_id: int) -> Any:
    """审核发布: not by the proposer."""
    return publication_row(pubs.approve(publication_id, request.user))


class UnpublishIn(Schema):
    model_config = {"extra": "forbid"}
    reason: str = Field(..., min_length=1, max_length=500)


@router.post(
    "/publications/{int:publication_id}/unpublish",
    response={200: PublicationOut, **errors(400, 401, 403, 404, 409)},
)
def unpublish_publication(request: HttpRequest, publication_id: int, payload: UnpublishIn) -> Any:
    """撤下: recorded with who, when and why."""
    return publication_row(pubs.unpublish(publication_id, request.user, reason=payload.reason))


# ---------------------------------------------------------------------------------- public --


class ExposurePhotoOut(Schema):
    url: str
    width: int
    height: int


class ExposureOut(Schema):
    id: int
    title: str
    summary: str
    party: str = Field(description="an organisation's name, or a person as surname + 某")
    source_name: str
    category: str
    category_label: str
    street: str
    legal_bases: list[str]
    penalty_amount: str | None
    rectification_required: bool
    decided_on: dt.date | None
    published_on: dt.date | None
    photos: list[ExposurePhotoOut]


PUBLIC_PER_MINUTE = 120


def public_allowed(request: HttpRequest) -> bool:
    return ratelimit.allow(f"exposure:{client_ip(request) or 'unknown'}", PUBLIC_PER_MINUTE, 60)


@public_router.get(
    "/public/exposure", auth=None, response={200: list[ExposureOut], **errors(400, 429)}
)
@paginate(LimitOffsetPagination)
def public_exposure(request: HttpRequest) -> Any:
    """曝光台: the published cases, newest first. No account; nothing personal."""
    if not public_allowed(request):
        raise ApiError(429, "too many requests; try again in a minute")
    return [
        {**v, "penalty_amount": _money(v["penalty_amount"])}
        for v in (pubs.public_view(p) for p in pubs.published())
    ]
