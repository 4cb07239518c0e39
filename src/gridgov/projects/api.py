"""项目, API v1: the portfolio (filters, totals, per-unit statistics, a grid's projects with
`?grid=CODE`), one project with its milestones, spending ledger, status history, officials,
documents and grid chain; registering and changing projects; Excel export and import.
Everything scoped like the pages; amounts are 万元 as decimal strings ("12.50") in answers and
numbers or strings in requests."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import XLSX, ApiError, download, error_body, errors, xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.projects import excel, listing, project_records, services
from gridgov.projects.listing import Filters
from gridgov.projects.models import Document, Milestone, Project, Spending, StatusChange
from gridgov.projects.services import ProjectInput, ProjectsError
from gridgov.schemas import Schema
from gridgov.territory import ladder

router = Router()


def _q(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    applicant: str
    plan: str
    plan_label: str
    plan_text: str
    year: int
    granted: str = Field(description="万元")
    spent: str = Field(description="万元: the sum of the spending ledger")
    spend_rate: float | None = Field(description="spent ÷ granted, %")
    status: str
    status_label: str
    owner: str = Field(description="the owning unit's region code")
    owner_name: str
    grid: str | None
    grid_name: str | None
    lat: float | None
    lon: float | None
    overdue: bool = Field(description="a milestone is past its planned date and not done")
    url: str


class RegionRefOut(Schema):
    code: str
    name: str
    level: int


class MilestoneOut(Schema):
    id: int
    title: str
    planned: dt.date
    done: dt.date | None
    note: str
    overdue: bool
    late: bool = Field(description="done after its planned date")


class SpendingOut(Schema):
    id: int
    date: dt.date
    amount: str
    note: str
    actor_name: str


class StatusChangeOut(Schema):
    date: dt.date
    from_status: str
    to_status: str
    to_label: str
    note: str
    actor_name: str


class OfficialOut(Schema):
    id: int
    person_id: int
    name: str
    role: str
    role_label: str
    phone: str | None = Field(description="only for those who see the person")


class ProjectDocumentOut(Schema):
    id: int
    title: str
    original_name: str
    content_type: str
    size: int
    created_at: dt.datetime
    url: str


class ProjectDetailOut(ProjectOut):
    summary: str
    grid_chain: list[RegionRefOut]
    milestones: list[MilestoneOut]
    spendings: list[SpendingOut]
    history: list[StatusChangeOut]
    officials: list[OfficialOut]
    documents: list[ProjectDocumentOut]
    next_statuses: list[str] = Field(description="where the caller may move the status")


class TotalsOut(Schema):
    count: int
    granted: str
    spent: str
    spend_rate: float | None


class UnitStatsOut(Schema):
    code: str
    name: str
    projects: int
    granted: str
    spent: str
    spend_rate: float | None
    milestones_due: int
    milestones_on_time: int
    milestones_overdue: int
    on_time_rate: float | None


def project_row(p: Project) -> dict[str, Any]:
    spent = getattr(p, "spent", None)
    if spent is None:
        spent = services.spent_of(p)
    overdue = getattr(p, "overdue", None)
    if overdue is None:
        overdue = p.milestones.filter(done__isnull=True, planned__lt=timezone.localdate()).exists()
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "applicant": p.applicant,
        "plan": p.plan,
        "plan_label": p.get_plan_display(),
        "plan_text": p.plan_text,
        "year": p.year,
        "granted": _q(p.granted),
        "spent": _q(spent),
        "spend_rate": services.rate(spent, p.granted),
        "status": p.status,
        "status_label": p.get_status_display(),
        "owner": p.owner.code,
        "owner_name": p.owner.name,
        "grid": p.grid.code if p.grid else None,
        "grid_name": p.grid.name if p.grid else None,
        "lat": p.lat,
        "lon": p.lon,
        "overdue": bool(overdue),
        "url": reverse("projects:project", args=[p.pk]),
    }


def milestone_row(m: Milestone, today: dt.date) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "planned": m.planned,
        "done": m.done,
        "note": m.note,
        "overdue": m.overdue_on(today),
        "late": m.late,
    }


def spending_row(s: Spending) -> dict[str, Any]:
    return {
        "id": s.pk,
        "date": s.date,
        "amount": _q(s.amount),
        "note": s.note,
        "actor_name": s.actor_name,
    }


def history_row(h: StatusChange) -> dict[str, Any]:
    return {
        "date": h.date,
        "from_status": h.from_status,
        "to_status": h.to_status,
        "to_label": h.get_to_status_display(),
        "note": h.note,
        "actor_name": h.actor_name,
    }


def document_row(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "original_name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "created_at": d.created_at,
        "url": reverse("projects:document", args=[d.pk]),
    }


def detail_row(request: HttpRequest, p: Project) -> dict[str, Any]:
    today = timezone.localdate()
    officials = []
    for o in p.officials.select_related("person"):
        shown = services.phone_visible(request.user, o.person)
        officials.append(
            {
                "id": o.pk,
                "person_id": o.person_id,
                "name": o.person.name,
                "role": o.role,
                "role_label": o.get_role_display(),
                "phone": o.person.phone if shown else None,
            }
        )
    return {
        **project_row(p),
        "summary": p.summary,
        "grid_chain": [
            {"code": r.code, "name": r.name, "level": r.level} for r in listing.grid_chain(p)
        ],
        "milestones": [milestone_row(m, today) for m in p.milestones.all()],
        "spendings": [spending_row(s) for s in p.spendings.all()],
        "history": [history_row(h) for h in p.history.all()],
        "officials": officials,
        "documents": [document_row(d) for d in p.documents.all()],
        "next_statuses": list(services.next_statuses(request.user, p)),
    }


class ProjectFilter(Schema):
    kind: str = Field("", max_length=20, description="rd | construction")
    plan: str = Field("", max_length=20, description="city_st | provincial | central | …")
    status: str = Field("", max_length=20)
    unit: str = Field("", max_length=40, description="a region code: owned or located in it")
    grid: str = Field("", max_length=40, description="a grid code: the projects located in it")
    year: int | None = Field(None, ge=2000, le=2100)
    overdue: bool | None = Field(None, description="with a milestone past due")
    q: str = Field("", max_length=100, description="code, name or applicant contains")

    def filters(self) -> Filters:
        return Filters(**self.dict())


def _portfolio(request: HttpRequest, f: ProjectFilter) -> Any:
    return listing.portfolio(request.user, f.filters())


@router.get("/projects", response={200: list[ProjectOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    """The portfolio (项目库) in the caller's scope; `?grid=CODE` lists a grid's projects."""
    return [project_row(p) for p in _portfolio(request, filters)]


@router.get("/projects/summary", response={200: TotalsOut, **errors(400, 401)})
def summary(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    """Count, granted, spent and spend rate of the filtered portfolio."""
    t = listing.totals(_portfolio(request, filters))
    return {
        "count": t.count,
        "granted": _q(t.granted),
        "spent": _q(t.spent),
        "spend_rate": t.spend_rate,
    }


class ProjectStatsQuery(Schema):
    level: str = Field("street", max_length=20, description="district | street | community")
    start: dt.date | None = Field(None, description="milestones planned from (default: all)")
    end: dt.date | None = Field(None, description="to (default: today)")


@router.get("/projects/stats", response={200: list[UnitStatsOut], **errors(400, 401)})
def stats(request: HttpRequest, params: Query[ProjectStatsQuery]) -> Any:
    """Per unit of a level in the caller's scope: projects, granted, spent, milestones on time."""
    level, start, end = params.level, params.start, params.end
    levels = ladder.unit_keys()  # city, district, street, community (those configured)
    if level not in levels:
        raise ApiError(400, f"level is one of {', '.join(levels)}", "level")
    if start and end and start > end:
        raise ApiError(400, "start is after end", "start")
    units = services.stat_units(request.user, levels[level])
    figures = services.unit_figures(request.user, units, start, end)
    return [
        {
            "code": f.region.code,
            "name": f.region.name,
            "projects": f.projects,
            "granted": _q(f.granted),
            "spent": _q(f.spent),
            "spend_rate": f.spend_rate,
            "milestones_due": f.milestones_due,
            "milestones_on_time": f.on_time,
            "milestones_overdue": f.overdue,
            "on_time_rate": f.on_time_rate,
        }
        for f in figures.values()
    ]


@router.get(
    "/projects/export.xlsx",
    response={200: None, **errors(400, 401)},
    openapi_extra=download(XLSX, "the filtered portfolio and a totals sheet"),
)
def export_xlsx(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    with replica_reads():
        content = excel.export(request.user, _portfolio(request, filters))
        return xlsx_response(content, f"projects-{timezone.localdate():%Y%m%d}.xlsx")


class ProjectImportOut(Schema):
    created: int


@router.post("/projects/import", response={201: ProjectImportOut, **errors(400, 401, 403, 413)})
def import_xlsx(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """New projects from a workbook (the export's columns); any row error and nothing is
    written: the 400 lists every error, its field naming the row and column."""
    if (file.size or 0) > project_records.document_limit():
        raise ApiError(413, "the file is too large", "file")
    result = excel.import_projects(request.user, file)
    if not result.ok:
        rows = [{"field": f"row {e.row}: {e.column}", "message": e.reason} for e in result.errors]
        detail = f"{len(rows)} row error(s); nothing was imported"
        return Status(400, error_body(detail, rows[:500]))
    return Status(201, {"created": result.created})


class ProjectIn(Schema):
    model_config = {"extra": "forbid"}
    code: str = Field(..., max_length=services.MAX_CODE)
    name: str = Field(..., max_length=services.MAX_NAME)
    kind: str = Field(..., max_length=20)
    applicant: str = Field(..., max_length=services.MAX_NAME)
    plan: str = Field(..., max_length=20)
    plan_text: str = Field("", max_length=services.MAX_NAME)
    year: int = Field(..., ge=2000, le=2100)
    owner: str = Field(..., max_length=40, description="region code of the district or a street")
    granted: float | str = Field("0", description="万元")
    lat: float | None = None
    lon: float | None = None
    summary: str = Field("", max_length=services.MAX_SUMMARY)
    status: str = Field("applied", max_length=20)
    status_date: dt.date | None = None


def _detail(request: HttpRequest, project_id: int) -> Any:
    p = services.get_project(request.user, project_id)
    qs = listing.with_figures(
        Project.objects.for_user(request.user).filter(pk=p.pk), timezone.localdate()
    )
    return detail_row(request, qs.select_related("owner", "grid").get())


@router.post("/projects", response={201: ProjectDetailOut, **errors(400, 401, 403, 409)})
def create_project(request: HttpRequest, payload: ProjectIn) -> Any:
    """Register a project for the district or a street in the caller's scope."""
    p = services.create_project(request.user, ProjectInput(**payload.dict()))
    return Status(201, _detail(request, p.pk))


@router.get("/projects/{int:project_id}", response={200: ProjectDetailOut, **errors(401, 404)})
def get_project(request: HttpRequest, project_id: int) -> Any:
    return _detail(request, project_id)


ACT = {200: ProjectDetailOut, **errors(400, 401, 403, 404, 409)}


class ProjectPatch(Schema):
    model_config = {"extra": "forbid"}
    name: str | None = Field(None, max_length=services.MAX_NAME)
    applicant: str | None = Field(None, max_length=services.MAX_NAME)
    kind: str | None = Field(None, max_length=20)
    plan: str | None = Field(None, max_length=20)
    plan_text: str | None = Field(None, max_length=services.MAX_NAME)
    year: int | None = Field(None, ge=2000, le=2100)
    granted: float | str | None = None
    summary: str | None = Field(None, max_length=services.MAX_SUMMARY)
    lat: float | None = None
    lon: float | None = None


@router.patch(
    "/projects/{int:project_id}",
    response={200: ProjectDetailOut, **errors(400, 401, 403, 404, 409)},
)
def patch_project(request: HttpRequest, project_id: int, payload: ProjectPatch) -> Any:
    """Change facts; `lat` and `lon` together (both null to clear the location)."""
    changes = payload.dict(exclude_unset=True)
    services.update_project(request.user, project_id, changes)
    return _detail(request, project_id)


class StatusIn(Schema):
    model_config = {"extra": "forbid"}
    status: str = Field(..., max_length=20)
    date: dt.date
    note: str = Field("", max_length=services.MAX_NOTE)


@router.post("/projects/{int:project_id}/status", response=ACT)
def change_status(request: HttpRequest, project_id: int, payload: StatusIn) -> Any:
    """Move the status (dated): 申报 → 立项 → 实施 → 验收 → 完成, or 终止 with a reason."""
    services.change_status(request.user, project_id, payload.status, payload.date, payload.note)
    return _detail(request, project_id)


class MilestoneIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., max_length=services.MAX_NAME)
    planned: dt.date
    note: str = Field("", max_length=services.MAX_NOTE)


@router.post("/projects/{int:project_id}/milestones", response=ACT)
def add_milestone(request: HttpRequest, project_id: int, payload: MilestoneIn) -> Any:
    project_records.add_milestone(
        request.user, project_id, payload.title, payload.planned, payload.note
    )
    return _detail(request, project_id)


class DoneIn(Schema):
    model_config = {"extra": "forbid"}
    done: dt.date


@router.post("/projects/milestones/{int:milestone_id}/done", response=ACT)
def milestone_done(request: HttpRequest, milestone_id: int, payload: DoneIn) -> Any:
    m = project_records.complete_milestone(request.user, milestone_id, payload.done)
    return _detail(request, m.project_id)


class SpendingIn(Schema):
    model_config = {"extra": "forbid"}
    date: dt.date
    amount: float | str = Field(..., description="万元; negative: a correction, with a note")
    note: str = Field("", max_length=services.MAX_SPEND_NOTE)


@router.post("/projects/{int:project_id}/spending", response=ACT)
def add_spending(request: HttpRequest, project_id: int, payload: SpendingIn) -> Any:
    project_records.record_spending(
        request.user, project_id, payload.date, payload.amount, payload.note
    )
    return _detail(request, project_id)


class OfficialIn(Schema):
    model_config = {"extra": "forbid"}
    person_id: int
    role: str = Field(..., max_length=20, description="lead | liaison")


@router.post("/projects/{int:project_id}/officials", response=ACT)
def add_official(request: HttpRequest, project_id: int, payload: OfficialIn) -> Any:
    project_records.add_official(request.user, project_id, payload.person_id, payload.role)
    return _detail(request, project_id)


@router.delete(
    "/projects/officials/{int:official_id}", response={204: None, **errors(401, 403, 404)}
)
def remove_official(request: HttpRequest, official_id: int) -> Any:
    project_records.remove_official(request.user, official_id)
    return Status(204, None)


@router.post(
    "/projects/{int:project_id}/documents",
    response={201: ProjectDocumentOut, **errors(400, 401, 403, 404, 413)},
)
def add_document(
    request: HttpRequest, project_id: int, file: File[UploadedFile], title: Form[str] = ""
) -> Any:
    """A document: PDF, Word, Excel or an image, recognised by its content."""
    if (file.size or 0) > project_records.document_limit():
        raise ApiError(413, "the file is too large", "file")
    d = project_records.save_document(
        request.user, project_id, file, size=file.size or 0, name=file.name or "", title=title
    )
    return Status(201, document_row(d))


@router.get(
    "/projects/documents/{int:document_id}",
    response={200: None, **errors(401, 404)},
    openapi_extra={
        "responses": {
            200: {
                "description": "the stored file, as its type",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in sorted(set(services.DOCUMENT_KINDS.values()))
                },
            }
        }
    },
)
def get_document(request: HttpRequest, document_id: int) -> Any:
    d = project_records.get_document(request.user, document_id)
    path = project_records.document_path(d)
    if not path.exists():
        raise ProjectsError("not_found", "no such document")
    return FileResponse(
        path.open("rb"), content_type=d.content_type, as_attachment=True, filename=d.original_name
    )
