"""调度通报, API v1: the bulletins an account may see, one with its figures, its PDF and Excel
files, and generating one now (the command office and street officials, for units in scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, Query, Router, Status

from gridgov.apikit import XLSX, ApiError, download, errors
from gridgov.bulletins import services
from gridgov.bulletins.models import Bulletin
from gridgov.core.dbrouter import replica_reads
from gridgov.schemas import Schema

router = Router()

PDF = "application/pdf"


class BulletinOut(Schema):
    id: int
    kind: str = Field(description="day, week or month")
    kind_label: str
    start: dt.date
    end: dt.date
    region: str = Field(description="the unit's region code")
    region_name: str
    year: int
    number: int = Field(description="第N期 within the unit, kind (day, week, month) and year")
    title: str
    generated_at: dt.datetime
    pdf_url: str
    xlsx_url: str


class TableOut(Schema):
    sheet: str = Field(description="its sheet in the Excel file")
    caption: str
    headers: list[str]
    rows: list[list[str | int | float | None]]


class SectionOut(Schema):
    key: str = Field(description="air, ranking, work, emergency, commands, …")
    title: str
    paragraphs: list[str]
    tables: list[TableOut]


class BulletinDetailOut(BulletinOut):
    sections: list[SectionOut] = Field(description="the numbered sections, as the PDF shows them")


class GenerateIn(Schema):
    kind: Literal["day", "week", "month"] = Field(description="the period's kind")
    date: dt.date = Field(description="a day of the period (D); a period not over ends at D")
    region: str | None = Field(None, description="district or street/town code; default: district")
    force: bool = Field(False, description="redraw a stored bulletin from today's data")


def bulletin_out(b: Bulletin) -> dict[str, Any]:
    return {
        "id": b.pk,
        "kind": b.kind,
        "kind_label": services.kind_label(b.kind),
        "start": b.start,
        "end": b.end,
        "region": b.region.code,
        "region_name": b.region.name,
        "year": b.year,
        "number": b.number,
        "title": b.title,
        "generated_at": b.generated_at,
        "pdf_url": f"/api/v1/bulletins/{b.pk}/pdf",
        "xlsx_url": f"/api/v1/bulletins/{b.pk}/xlsx",
    }


def detail_out(b: Bulletin) -> dict[str, Any]:
    return {**bulletin_out(b), "sections": b.figures.get("document", [])}


def _get(request: HttpRequest, bulletin_id: int) -> Bulletin:
    return services.get_bulletin(request.user, bulletin_id)


@router.get("/bulletins", response={200: list[BulletinOut], **errors(400, 401)})
def list_bulletins(
    request: HttpRequest,
    kind: Literal["day", "week", "month"] | None = None,
    region: str | None = Query(None, description="only this unit's"),
    limit: int = Query(100, ge=1, le=1000),
) -> Any:
    with replica_reads():
        qs = services.bulletins_for(request.user).select_related("region")
        if kind:
            qs = qs.filter(kind=kind)
        if region:
            qs = qs.filter(region__code=region)
        return [bulletin_out(b) for b in qs[:limit]]


@router.get("/bulletins/{int:bulletin_id}", response={200: BulletinDetailOut, **errors(401, 404)})
def get_bulletin(request: HttpRequest, bulletin_id: int) -> Any:
    with replica_reads():
        b = _get(request, bulletin_id)
        return detail_out(b)


def _file(b: Bulletin, relative: str, media_type: str, suffix: str) -> FileResponse:
    path = services.file_path(relative)
    if not path.is_file():
        raise ApiError(404, "the file is missing: generate the bulletin again with force", "id")
    name = f"bulletin-{b.region.code}-{b.kind}-{b.end:%Y%m%d}.{suffix}"
    return FileResponse(path.open("rb"), content_type=media_type, as_attachment=True, filename=name)


@router.get(
    "/bulletins/{int:bulletin_id}/pdf",
    response=errors(401, 404),
    openapi_extra=download(PDF, "the bulletin as PDF"),
)
def bulletin_pdf(request: HttpRequest, bulletin_id: int) -> Any:
    with replica_reads():
        b = _get(request, bulletin_id)
        return _file(b, b.pdf_file, PDF, "pdf")


@router.get(
    "/bulletins/{int:bulletin_id}/xlsx",
    response=errors(401, 404),
    openapi_extra=download(XLSX, "the bulletin's tables, one sheet each"),
)
def bulletin_xlsx(request: HttpRequest, bulletin_id: int) -> Any:
    with replica_reads():
        b = _get(request, bulletin_id)
        return _file(b, b.xlsx_file, XLSX, "xlsx")


@router.post(
    "/bulletins",
    response={200: BulletinDetailOut, 201: BulletinDetailOut, **errors(400, 401, 403, 413)},
)
def generate(request: HttpRequest, payload: GenerateIn) -> Any:
    """Generate a bulletin now; the same unit and period answer the stored one (200) unless
    `force`; a new or redrawn one answers 201."""
    if not services.can_generate(request.user):
        raise ApiError(403, "you may not generate bulletins")
    region = services.unit_for(payload.region, request.user)
    b, made = services.generate(
        payload.kind, payload.date, region, force=payload.force, user=request.user
    )
    b = services.get_bulletin(request.user, b.pk)
    return Status(201 if made else 200, detail_out(b))
