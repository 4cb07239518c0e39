"""新兴领域党建, API v1: organisations as of a day (list, detail with history, visits and
meetings; register, move, close, party organisation, instructor, visits; Excel import and
export), coverage statistics, instructors and their load, joint meetings, and new-employment
volunteers with their statistics. Everything scoped like the pages; refusals are
`OrganisationsError`s, answered by the project's one DomainError handler (400/403/404/409)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import XLSX, ApiError, download, error_body, errors, xlsx_response
from gridgov.core import privacy
from gridgov.core.dbrouter import replica_reads
from gridgov.organisations import (
    excel,
    instructing,
    joint_meetings,
    lifecycle,
    lookups,
    services,
    volunteering,
)
from gridgov.organisations.models import (
    JointMeeting,
    Organisation,
    OrgEvent,
    PartyOrg,
    Volunteer,
    WorkerGroup,
)
from gridgov.organisations.schemas import (
    AssignIn,
    CoverageOut,
    DatedIn,
    EndAssignmentIn,
    EndVolunteerIn,
    InfoIn,
    InstructorOut,
    JointMeetingDetailOut,
    JointMeetingIn,
    JointMeetingOut,
    MoveIn,
    OrgDetailOut,
    OrgFilter,
    OrgImportOut,
    OrgIn,
    OrgOut,
    PartyOrgIn,
    VisitIn,
    VisitOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerStatsOut,
)
from gridgov.organisations.services import OrgState
from gridgov.territory.models import Level, Region

router = Router()


def _unit(code: str | None, field: str = "unit") -> Region | None:
    if not code:
        return None
    found = services.unit_by_code(code)
    if found is None:
        raise ApiError(400, f"no street or community {code[:40]!r}", field)
    return found


def org_rows(request: HttpRequest, states: list[OrgState]) -> list[dict[str, Any]]:
    """The rows of many organisations, with three queries whatever their number."""
    names = dict(lookups.people(i for s in states for i in s.instructors).values_list("pk", "name"))
    grids = lookups.grids(s.grid_id for s in states if s.grid_id)
    contact = services.sees_contact(request.user)
    return [org_row(s, names, grids, contact) for s in states]


def org_row(
    s: OrgState, names: dict[int, str], grids: dict[int, Region], contact: bool
) -> dict[str, Any]:
    o = s.org
    grid = grids.get(s.grid_id or 0)
    return {
        "id": o.pk,
        "name": o.name,
        "kind": o.kind,
        "kind_label": o.get_kind_display(),
        "social_form": o.social_form,
        "credit_code": o.credit_code,
        "industry": o.industry,
        "staff": o.staff,
        "party_members": o.party_members,
        "address": o.address,
        "lat": o.lat,
        "lon": o.lon,
        "grid": grid.code if grid else "",
        "grid_name": grid.name if grid else "",
        "opened": o.opened,
        "closed": o.closed,
        "party_org": s.party_org,
        "party_org_label": str(PartyOrg(s.party_org).label),
        "org_covered": s.org_covered,
        "work_covered": s.work_covered,
        "instructors": [names[i] for i in s.instructors if i in names],
        "last_visit": s.last_visit,
        "uncovered_because": [str(r) for r in s.reasons()],
        "contact": o.contact if contact else None,
        "contact_phone": (
            o.contact_phone if contact else privacy.mask_phone(o.contact_phone)
        ) if o.contact_phone else "",
    }  # fmt: skip


def visit_row(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "organisation_id": v.organisation_id,
        "organisation": v.organisation.name,
        "instructor_id": v.instructor_id,
        "instructor": v.instructor.name,
        "date": v.date,
        "notes": v.notes,
    }


def event_row(e: OrgEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "date": e.date,
        "grid": e.grid.code if e.grid else None,
        "party_org": e.party_org,
        "instructor": e.instructor.name if e.instructor else None,
        "note": e.note,
        "actor": e.actor_name,
    }


def detail(request: HttpRequest, org: Organisation, on: dt.date | None = None) -> dict[str, Any]:
    day = on or timezone.localdate()
    state = services.states([org], day)[org.pk]
    events = org.events.select_related("grid", "instructor").defer("grid__geometry")
    meetings = org.meetings.select_related("unit").defer("unit__geometry")
    return {
        **org_rows(request, [state])[0],
        "history": [event_row(e) for e in events.order_by("date", "pk")],
        "assignments": [
            {"id": a.pk, "instructor_id": a.instructor_id, "instructor": a.instructor.name,
             "start_date": a.start_date, "end_date": a.end_date}
            for a in org.assignments.select_related("instructor")
        ],
        "visits": [visit_row(v) for v in org.visits.select_related("instructor")],
        "meetings": [
            {"id": m.pk, "date": m.date, "topic": m.topic, "unit": m.unit.name}
            for m in joint_meetings.meetings_for(request.user, meetings)
        ],
        "can_change": services.can_change(request.user) and services.owns(request.user, org),
    }  # fmt: skip


def _search(request: HttpRequest, f: OrgFilter) -> list[OrgState]:
    return services.search(
        request.user, f.on, kind=f.kind or "", coverage=f.coverage or "",
        unit=_unit(f.unit), q=f.q or "", months=f.months,
    )  # fmt: skip


@router.get("/organisations", response={200: list[OrgOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_organisations(request: HttpRequest, filters: Query[OrgFilter]) -> Any:
    """两新组织 that existed on the day in the caller's scope, with their coverage then."""
    return org_rows(request, _search(request, filters))


@router.get(
    "/organisations/export.xlsx",
    response={200: None, **errors(400, 401)},
    openapi_extra=download(XLSX, "the list as filtered; its first columns import back"),
)
def export_organisations(request: HttpRequest, filters: Query[OrgFilter]) -> Any:
    with replica_reads():
        rows = _search(request, filters)
        content = excel.export_sheet(request.user, rows)
        return xlsx_response(content, excel.filename(filters.on or timezone.localdate()))


@router.post("/organisations/import", response={200: OrgImportOut, **errors(400, 401, 403)})
def import_organisations(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """An .xlsx of organisations: all rows are written, or none — then a 400 whose `errors`
    name each row and column (`field`: "row 3, 纳入日期")."""
    result = excel.import_sheet(request.user, file.read())
    if not result.report.ok:
        rows = [
            {"field": f"row {e.row}, {e.column}", "message": e.reason} for e in result.report.errors
        ]
        detail = f"{len(rows)} row error(s); nothing imported"
        return Status(400, error_body(detail, rows))
    return {"created": result.created}


def _grid_id(code: str | None) -> int | None:
    if not code:
        return None
    grid = Region.by_code(code)
    if grid is None or grid.level != Level.GRID:
        raise ApiError(400, f"no grid {code[:40]!r}", "grid")
    return grid.pk


@router.post("/organisations", response={201: OrgDetailOut, **errors(400, 401, 403, 409)})
def create_organisation(request: HttpRequest, payload: OrgIn) -> Any:
    data = payload.dict()
    grid_id = _grid_id(data.pop("grid"))
    org = lifecycle.create_organisation(request.user, lifecycle.OrgInput(**data, grid_id=grid_id))
    return Status(201, detail(request, org))


@router.get("/organisations/{int:org_id}", response={200: OrgDetailOut, **errors(400, 401, 404)})
def organisation(request: HttpRequest, org_id: int, on: dt.date | None = None) -> Any:
    """One organisation (as of `on`, today by default) with its whole history."""
    return detail(request, services.get_organisation(request.user, org_id), on)


ACT = {200: OrgDetailOut, **errors(400, 401, 403, 404, 409)}


@router.post("/organisations/{int:org_id}/move", response=ACT)
def move(request: HttpRequest, org_id: int, payload: MoveIn) -> Any:
    org = lifecycle.move_organisation(
        request.user, org_id, payload.date, _grid_id(payload.grid), payload.lat, payload.lon,
        payload.address, payload.note,
    )  # fmt: skip
    return detail(request, org)


@router.post("/organisations/{int:org_id}/close", response=ACT)
def close(request: HttpRequest, org_id: int, payload: DatedIn) -> Any:
    org = lifecycle.close_organisation(request.user, org_id, payload.date, payload.note)
    return detail(request, org, payload.date)


@router.post("/organisations/{int:org_id}/party-org", response=ACT)
def party_org(request: HttpRequest, org_id: int, payload: PartyOrgIn) -> Any:
    org = lifecycle.set_party_org(request.user, org_id, payload.party_org, payload.date,
                                 payload.note)  # fmt: skip
    return detail(request, org)


@router.post("/organisations/{int:org_id}/info", response=ACT)
def info(request: HttpRequest, org_id: int, payload: InfoIn) -> Any:
    org = lifecycle.update_organisation(request.user, org_id, **payload.dict())
    return detail(request, org)


@router.post("/organisations/{int:org_id}/assign", response=ACT)
def assign(request: HttpRequest, org_id: int, payload: AssignIn) -> Any:
    instructing.assign_instructor(request.user, org_id, payload.instructor_id, payload.start_date)
    return detail(request, services.get_organisation(request.user, org_id))


@router.post("/organisations/{int:org_id}/end-assignment", response=ACT)
def end_assignment(request: HttpRequest, org_id: int, payload: EndAssignmentIn) -> Any:
    instructing.end_assignment(request.user, org_id, payload.end_date)
    return detail(request, services.get_organisation(request.user, org_id))


@router.post(
    "/organisations/{int:org_id}/visits",
    response={201: VisitOut, **errors(400, 401, 403, 404, 409)},
)
def add_visit(request: HttpRequest, org_id: int, payload: VisitIn) -> Any:
    v = instructing.record_visit(request.user, org_id, payload.instructor_id, payload.date,
                              payload.notes)  # fmt: skip
    return Status(201, visit_row(v))


def unit_row(r: services.UnitRow) -> dict[str, Any]:
    return {
        "unit": r.unit.code if r.unit else None,
        "unit_name": r.unit.name if r.unit else _("合计"),
        "economic": r.economic,
        "social": r.social,
        "total": r.total,
        "org_covered": r.org_covered,
        "org_coverage_rate": r.org_rate,
        "work_covered": r.work_covered,
        "work_coverage_rate": r.work_rate,
        "instructors": r.instructor_count,
        "load": r.load,
    }


@router.get("/organisations/statistics", response={200: CoverageOut, **errors(400, 401)})
def statistics(
    request: HttpRequest,
    on: dt.date | None = None,
    by: str | None = Query(
        None,
        description="district, street or community (default: the level below the caller's unit)",
    ),
    months: int = services.WORK_MONTHS,
) -> Any:
    """组织覆盖率 and 工作覆盖率 per street or community (`by`) as of `on`, and the
    organisations not covered with why."""
    by = by or services.default_by(request.user)
    cov = services.coverage(request.user, on, by=by, months=months)
    paths = lookups.grid_codes(s.grid_path for s in cov.uncovered)
    return {
        "on": cov.on,
        "months": cov.months,
        "by": cov.by,
        "units": [unit_row(r) for r in cov.rows],
        "total": unit_row(cov.total),
        "uncovered": [
            {"id": s.org.pk, "name": s.org.name, "kind": s.org.kind,
             "grid": paths.get(s.grid_path, ""), "reasons": [str(x) for x in s.reasons()]}
            for s in cov.uncovered
        ],
    }  # fmt: skip


@router.get("/organisations/instructors", response={200: list[InstructorOut], **errors(400, 401)})
def instructors(request: HttpRequest, on: dt.date | None = None) -> Any:
    """党建指导员 of the caller's area and their load."""
    return [
        {"id": r["person"].pk, "name": r["person"].name, "units": r["units"], "load": r["load"],
         "organisations": [o.pk for o in r["organisations"]], "last_visit": r["last_visit"]}
        for r in instructing.load(request.user, on)
    ]  # fmt: skip


def meeting_row(m: JointMeeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "date": m.date,
        "unit": m.unit.code,
        "unit_name": m.unit.name,
        "topic": m.topic,
        "organisations": m.organisations.count(),
        "attendees": m.attendees.count(),
    }


def meeting_detail(request: HttpRequest, m: JointMeeting) -> dict[str, Any]:
    visible = services.organisations_for(request.user)
    return {
        **meeting_row(m),
        "minutes": m.minutes,
        "organisation_list": [
            {"id": o.pk, "date": o.opened, "topic": o.name, "unit": o.grid.name}
            for o in m.organisations.filter(pk__in=visible)
            .select_related("grid")
            .defer("grid__geometry")
        ],
        "attendee_names": [p.name for p in m.attendees.all()],
    }


@router.get("/organisations/meetings", response={200: list[JointMeetingOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def meetings(request: HttpRequest, unit: str | None = None) -> Any:
    """联席会 of the caller's units (and of the street it works in)."""
    qs = joint_meetings.meetings_for(request.user).select_related("unit").defer("unit__geometry")
    found = _unit(unit)
    if found is not None:
        qs = qs.filter(unit=found)
    return [meeting_row(m) for m in qs]


@router.post(
    "/organisations/meetings", response={201: JointMeetingDetailOut, **errors(400, 401, 403)}
)
def create_meeting(request: HttpRequest, payload: JointMeetingIn) -> Any:
    unit = _unit(payload.unit)
    if unit is None:
        raise ApiError(400, "a street or community code is required", "unit")
    m = joint_meetings.create_meeting(
        request.user, payload.date, unit.pk, payload.topic, payload.minutes,
        payload.organisations, payload.attendees,
    )  # fmt: skip
    return Status(201, meeting_detail(request, m))


@router.get(
    "/organisations/meetings/{int:meeting_id}",
    response={200: JointMeetingDetailOut, **errors(401, 404)},
)
def meeting(request: HttpRequest, meeting_id: int) -> Any:
    return meeting_detail(request, joint_meetings.get_meeting(request.user, meeting_id))


def volunteer_row(request: HttpRequest, v: Volunteer) -> dict[str, Any]:
    contact = services.sees_contact(request.user)
    return {
        "id": v.pk,
        "name": v.person.name,
        "phone": v.person.phone if contact else privacy.mask_phone(v.person.phone),
        "group": v.group,
        "group_label": v.get_group_display(),
        "employer_id": v.employer_id,
        "employer": v.employer.name if v.employer else None,
        "grid": v.grid.code,
        "grid_name": v.grid.name,
        "registered": v.registered,
        "active": v.active,
        "ended": v.ended,
    }


@router.get("/organisations/volunteers", response={200: list[VolunteerOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def volunteers(request: HttpRequest, group: str | None = None, active: bool | None = None) -> Any:
    """新就业群体 volunteers registered in the caller's grids."""
    qs = (
        volunteering.volunteers_for(request.user)
        .select_related("person", "grid", "employer")
        .defer("grid__geometry")
    )
    if group:
        if group not in WorkerGroup.values:
            raise ApiError(400, f"unknown group {group[:40]!r}", "group")
        qs = qs.filter(group=group)
    if active is not None:
        qs = qs.filter(active=active)
    return [volunteer_row(request, v) for v in qs]


@router.post(
    "/organisations/volunteers", response={201: VolunteerOut, **errors(400, 401, 403, 409)}
)
def register_volunteer(request: HttpRequest, payload: VolunteerIn) -> Any:
    """登记: the person (found by phone, or new) gets a volunteer post in the grid."""
    v = volunteering.register_volunteer(
        request.user,
        volunteering.VolunteerInput(
            name=payload.name, phone=payload.phone, group=payload.group,
            registered=payload.registered or timezone.localdate(),
            grid_id=_grid_id(payload.grid), lat=payload.lat, lon=payload.lon,
            employer_id=payload.employer_id,
        ),
    )  # fmt: skip
    return Status(201, volunteer_row(request, v))


@router.post(
    "/organisations/volunteers/{int:volunteer_id}/end",
    response={200: VolunteerOut, **errors(400, 401, 403, 404, 409)},
)
def end_volunteer(request: HttpRequest, volunteer_id: int, payload: EndVolunteerIn) -> Any:
    return volunteer_row(request, volunteering.end_volunteer(request.user, volunteer_id,
                                                         payload.date))  # fmt: skip


def _vrow(r: volunteering.VolunteerRow) -> dict[str, Any]:
    return {
        "unit": r.unit.code if r.unit else None,
        "unit_name": r.unit.name if r.unit else _("合计"),
        **r.by_group,
        "total": r.total,
        "reports": r.reports,
    }


@router.get(
    "/organisations/volunteers/statistics", response={200: VolunteerStatsOut, **errors(400, 401)}
)
def volunteer_statistics(
    request: HttpRequest,
    start: dt.date | None = Query(None, alias="from"),  # noqa: B008
    end: dt.date | None = Query(None, alias="to"),  # noqa: B008
    by: str | None = Query(None, description="district, street or community"),
) -> Any:
    """Volunteers by group in the register on `to`, and what they reported from `from` to `to`
    (by default the last 30 days)."""
    last = end or timezone.localdate()
    first = start or last - dt.timedelta(days=29)
    by = by or services.default_by(request.user)
    rows, total = volunteering.volunteer_stats(request.user, first, last, by=by)
    return {"start": first, "end": last, "by": by, "units": [_vrow(r) for r in rows],
            "total": _vrow(total)}  # fmt: skip
