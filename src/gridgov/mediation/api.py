"""人民调解, API v1: dispute cases (list, detail, intake, from a work order, sessions, outcome,
signing, judicial confirmation, follow-ups, archiving, the agreement as .docx/.pdf, the
register as .xlsx), statistics per unit, committees, mediators and trainings. Scoped like the
pages; parties' names, phones and ID numbers are masked unless the caller has
`mediation.view_party_identity`. Refusals are `MediationError`s, answered 400/403/404/409 with
the field named by the API's one handler."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import XLSX, ApiError, download, errors, xlsx_response
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.mediation import agreement, casework, excel, services, training
from gridgov.mediation.models import (
    Case,
    FollowUp,
    Outcome,
    Session,
    Training,
)
from gridgov.mediation.schemas import (
    ArchiveIn,
    AttendanceIn,
    CommitteeOut,
    FollowUpOut,
    JudicialIn,
    MediationCaseDetailOut,
    MediationCaseFilter,
    MediationCaseIn,
    MediationCaseOut,
    MediationFollowUpIn,
    MediationStatsOut,
    MediatorOut,
    OutcomeIn,
    SessionIn,
    SessionOut,
    SignIn,
    TrainingIn,
    TrainingOut,
)
from gridgov.territory import ladder
from gridgov.territory.models import Region

router = Router()

MAX_PERIOD_DAYS = 3660


def case_row(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "title": c.title,
        "state": c.state,
        "state_label": c.get_state_display(),
        "source": c.source,
        "source_label": c.get_source_display(),
        "grid": c.grid.code,
        "grid_name": c.grid.name,
        "committee_id": c.committee_id,
        "committee": c.committee.name,
        "received_on": c.received_on,
        "amount": None if c.amount is None else f"{c.amount:.2f}",
        "outcome": c.outcome,
        "outcome_on": c.outcome_on,
        "signed_on": c.signed_on,
    }


def detail(request: HttpRequest, c: Case) -> dict[str, Any]:
    full = services.sees_identity(request.user)
    today = timezone.localdate()
    return {
        **case_row(c),
        "facts": c.facts,
        "address": c.address if full else "",
        "lat": c.lat,
        "lon": c.lon,
        "referral": c.referral,
        "order_id": c.order_id,
        "parties": [vars(services.party_view(p, full)) for p in c.parties.all()],
        "mediators": [m.name for m in c.mediators.all()],
        "outcome_label": c.get_outcome_display() if c.outcome else "",
        "outcome_note": c.outcome_note,
        "terms": c.terms,
        "perform_by": c.perform_by,
        "judicial": c.judicial,
        "judicial_label": c.get_judicial_display(),
        "judicial_applied_on": c.judicial_applied_on,
        "judicial_court": c.judicial_court,
        "judicial_ruling": c.judicial_ruling,
        "judicial_decided_on": c.judicial_decided_on,
        "followup_days": c.followup_days,
        "sessions": [session_row(s) for s in c.sessions.prefetch_related("mediators")],
        "followups": [followup_row(f, today) for f in c.followups.all()],
        "history": [
            {
                "action": s.action,
                "label": services.action_label(s.action),
                "from_state": s.from_state,
                "to_state": s.to_state,
                "actor": s.actor_name,
                "note": s.note,
                "at": s.at,
            }
            for s in c.steps.all()
        ],
        "next_actions": casework.next_actions(request.user, c),
    }


def session_row(s: Session) -> dict[str, Any]:
    return {
        "id": s.pk,
        "date": s.date,
        "place": s.place,
        "mediators": [m.name for m in s.mediators.all()],
        "notes": s.notes,
    }


def followup_row(f: FollowUp, today: dt.date) -> dict[str, Any]:
    return {
        "id": f.pk,
        "due_on": f.due_on,
        "done_on": f.done_on,
        "overdue": f.done_on is None and f.due_on < today,
        "performed": f.performed,
        "findings": f.findings,
    }


def _case(request: HttpRequest, case_id: int) -> Case:
    return services.get_case(request.user, case_id)


def _detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return detail(request, _case(request, case_id))


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(month=1, day=1)
    if start > end:
        raise ApiError(400, "start is after end", "start")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ApiError(400, "the period is too long (at most ten years)", "start")
    return start, end


def filtered(user: Account, f: MediationCaseFilter) -> Any:
    qs = services.cases_for(user).select_related("grid", "committee").defer("grid__geometry")
    if f.state:
        qs = qs.filter(state=f.state)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.unit:
        from gridgov.people import scope

        region = scope.regions_for(user).filter(code=f.unit).first()
        if region is None:
            raise ApiError(404, "unit not found", "unit")
        qs = qs.filter(region_path__startswith=region.path)
    if f.start:
        qs = qs.filter(received_on__gte=f.start)
    if f.end:
        qs = qs.filter(received_on__lte=f.end)
    if f.q:
        from django.db.models import Q

        qs = qs.filter(Q(number__icontains=f.q) | Q(title__icontains=f.q))
    return qs


@router.get("/mediation/cases", response={200: list[MediationCaseOut], **errors(400, 401, 404)})
@paginate(LimitOffsetPagination)
def list_cases(request: HttpRequest, filters: Query[MediationCaseFilter]) -> Any:
    """Dispute cases in the caller's scope, newest first."""
    return [case_row(c) for c in filtered(request.user, filters)]


@router.get(
    "/mediation/cases.xlsx",
    response={200: None, **errors(400, 401, 404)},
    openapi_extra=download(XLSX, "the case register; parties masked unless permitted"),
)
def cases_xlsx(request: HttpRequest, filters: Query[MediationCaseFilter]) -> Any:
    with replica_reads():
        content = excel.cases_workbook(request.user, filtered(request.user, filters))
        return xlsx_response(content, f"mediation-cases-{timezone.localdate():%Y%m%d}.xlsx")


def _grid_id(user: Account, code: str | None) -> int | None:
    if code is None:
        return None
    grid = services.intake_grids(user).filter(code=code).first()
    if grid is None:
        raise ApiError(400, "grid not found in your scope", "grid")
    return int(grid.pk)


@router.post("/mediation/cases", response={201: MediationCaseDetailOut, **errors(400, 401, 403)})
def create_case(request: HttpRequest, payload: MediationCaseIn) -> Any:
    """受理: register a dispute (walk-in, grid, court or petition referral)."""
    data = services.CaseInput(
        kind=payload.kind,
        title=payload.title,
        facts=payload.facts,
        source=payload.source,
        referral=payload.referral,
        amount=payload.amount,
        lat=payload.lat,
        lon=payload.lon,
        grid_id=_grid_id(request.user, payload.grid),
        address=payload.address,
        committee_id=payload.committee_id,
        mediator_ids=payload.mediator_ids,
        received_on=payload.received_on,
        followup_days=payload.followup_days,
        parties=[
            services.PartyInput(p.role, p.name, p.phone, p.id_number, p.address)
            for p in payload.parties
        ],
    )
    case = casework.create_case(request.user, data)
    return Status(201, _detail(request, case.pk))


@router.post(
    "/mediation/orders/{int:order_id}/case",
    response={201: MediationCaseDetailOut, **errors(400, 401, 403, 404, 409)},
)
def case_from_order(request: HttpRequest, order_id: int) -> Any:
    """A work order of a dispute category (邻里纠纷, 劳资纠纷) hands over to mediation."""
    from gridgov.workorders.models import WorkOrder

    order = (
        WorkOrder.objects.for_user(request.user)
        .select_related("event__category", "event__region")
        .defer("event__region__geometry")
        .filter(pk=order_id)
        .first()
    )
    case = casework.case_from_order(request.user, order)
    return Status(201, _detail(request, case.pk))


@router.get(
    "/mediation/cases/{int:case_id}", response={200: MediationCaseDetailOut, **errors(401, 404)}
)
def case_detail(request: HttpRequest, case_id: int) -> Any:
    """One case with parties, sessions, outcome, judicial confirmation, follow-ups, history."""
    return _detail(request, case_id)


ACT = {200: MediationCaseDetailOut, **errors(400, 401, 403, 404, 409)}


@router.post(
    "/mediation/cases/{int:case_id}/sessions",
    response={201: SessionOut, **errors(400, 401, 403, 404, 409)},
)
def add_session(request: HttpRequest, case_id: int, payload: SessionIn) -> Any:
    """调解记录: a sitting of the mediation (the first moves the case to 调解中)."""
    s = casework.add_session(
        request.user,
        case_id,
        date=payload.date,
        place=payload.place,
        mediator_ids=payload.mediator_ids,
        notes=payload.notes,
    )
    return Status(201, session_row(s))


@router.post("/mediation/cases/{int:case_id}/outcome", response=ACT)
def record_outcome(request: HttpRequest, case_id: int, payload: OutcomeIn) -> Any:
    """调解成功 (terms and deadline), 调解不成, or 转诉讼/仲裁/信访."""
    casework.record_outcome(
        request.user,
        case_id,
        outcome=payload.outcome,
        date=payload.date,
        note=payload.note,
        terms=payload.terms,
        perform_by=payload.perform_by,
    )
    return _detail(request, case_id)


@router.post("/mediation/cases/{int:case_id}/sign", response=ACT)
def sign(request: HttpRequest, case_id: int, payload: SignIn) -> Any:
    """The agreement is signed; its follow-up visit falls due."""
    casework.sign_agreement(
        request.user, case_id, signed_on=payload.signed_on, followup_days=payload.followup_days
    )
    return _detail(request, case_id)


@router.post("/mediation/cases/{int:case_id}/judicial", response=ACT)
def judicial(request: HttpRequest, case_id: int, payload: JudicialIn) -> Any:
    """司法确认: applied (pending), confirmed or refused with the ruling."""
    casework.judicial_confirmation(
        request.user,
        case_id,
        applied_on=payload.applied_on,
        court=payload.court,
        result=payload.result,
        ruling=payload.ruling,
        decided_on=payload.decided_on,
    )
    return _detail(request, case_id)


@router.post(
    "/mediation/cases/{int:case_id}/followups",
    response={201: FollowUpOut, **errors(400, 401, 403, 404, 409)},
)
def followup(request: HttpRequest, case_id: int, payload: MediationFollowUpIn) -> Any:
    """回访 made: the earliest open visit is done; the case is 回访完成."""
    f = casework.record_followup(
        request.user,
        case_id,
        done_on=payload.done_on,
        findings=payload.findings,
        performed=payload.performed,
    )
    return Status(201, followup_row(f, timezone.localdate()))


@router.post("/mediation/cases/{int:case_id}/archive", response=ACT)
def archive(request: HttpRequest, case_id: int, payload: ArchiveIn) -> Any:
    casework.archive(request.user, case_id, note=payload.note)
    return _detail(request, case_id)


def file_response(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def agreement_case(user: Account, case_id: int) -> Case:
    case = services.get_case(user, case_id)
    if case.outcome != Outcome.AGREEMENT:
        raise services.not_found(_no_agreement())
    return case


def _no_agreement() -> str:
    from django.utils.translation import gettext

    return gettext("该案件没有调解协议")


@router.get(
    "/mediation/cases/{int:case_id}/agreement.docx",
    response=errors(401, 404),
    openapi_extra=download(agreement.DOCX, "调解协议书 as a Word document"),
)
def agreement_docx(request: HttpRequest, case_id: int) -> HttpResponse:
    case = agreement_case(request.user, case_id)
    content = agreement.docx_bytes(case, services.sees_identity(request.user))
    return file_response(content, agreement.DOCX, agreement.filename(case, "docx"))


@router.get(
    "/mediation/cases/{int:case_id}/agreement.pdf",
    response=errors(401, 404),
    openapi_extra=download(agreement.PDF, "调解协议书 as a PDF, CJK font embedded"),
)
def agreement_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    case = agreement_case(request.user, case_id)
    content = agreement.pdf_bytes(case, services.sees_identity(request.user))
    return file_response(content, agreement.PDF, agreement.filename(case, "pdf"))


def stats_row(r: services.UnitStats) -> dict[str, Any]:
    from django.utils.translation import gettext

    return {
        "unit": r.unit.code if r.unit else None,
        "unit_name": r.unit.name if r.unit else gettext("合计"),
        "received": r.received,
        "mediated": r.mediated,
        "resolved": r.resolved,
        "rate": r.rate,
        "followups_due": r.followups_due,
        "followups_on_time": r.followups_on_time,
        "followups_overdue": r.followups_overdue,
        "followup_rate": r.followup_rate,
        "by_kind": r.by_kind,
    }


@router.get("/mediation/statistics", response={200: MediationStatsOut, **errors(400, 401)})
def statistics(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    level: int | None = None,
) -> Any:
    """Received, mediated, resolved, 化解率 and follow-ups per unit of a level (0 cities,
    1 districts, 2 streets, 3 communities: those configured) in the period (this year by
    default); by default the level below the caller's unit."""
    start, end = _period(start, end)
    lvl = level if level is not None else services.default_level(request.user)
    if lvl not in ladder.units():
        allowed = ", ".join(str(int(lv)) for lv in ladder.units())
        raise ApiError(400, f"level must be one of {allowed}", "level")
    rows = services.statistics(request.user, start, end, level=lvl)
    return {"start": start, "end": end, "level": lvl, "rows": [stats_row(r) for r in rows]}


@router.get("/mediation/committees", response={200: list[CommitteeOut], **errors(401)})
def committees(request: HttpRequest) -> Any:
    posts = list(services.mediator_posts(request.user).values_list("region__path", flat=True))
    out = []
    for c in services.committees_for(request.user).select_related("unit", "director"):
        out.append(
            {
                "id": c.pk,
                "name": c.name,
                "unit": c.unit.code,
                "unit_name": c.unit.name,
                "director": c.director.name if c.director else None,
                "phone": c.phone,
                "address": c.address,
                "active": c.active,
                "mediators": sum(1 for p in posts if p.startswith(c.unit.path)),
            }
        )
    return out


def training_row(t: Training, visible: set[int]) -> dict[str, Any]:
    return {
        "id": t.pk,
        "topic": t.topic,
        "date": t.date,
        "place": t.place,
        "organiser": t.organiser.code,
        "organiser_name": t.organiser.name,
        "hours": f"{t.hours:.1f}",
        "attendees": sum(1 for p in t.attendance.all() if p.person_id in visible),
    }


@router.get("/mediation/trainings", response={200: list[TrainingOut], **errors(401)})
@paginate(LimitOffsetPagination)
def trainings(request: HttpRequest) -> Any:
    """培训 reaching the caller's scope, with the number of its mediators present."""
    visible = set(services.mediators_for(request.user).values_list("pk", flat=True))
    qs = (
        services.trainings_for(request.user)
        .select_related("organiser")
        .defer("organiser__geometry")
    )
    return [training_row(t, visible) for t in qs.prefetch_related("attendance")]


@router.post("/mediation/trainings", response={201: TrainingOut, **errors(400, 401, 403)})
def create_training(request: HttpRequest, payload: TrainingIn) -> Any:
    region = Region.objects.for_user(request.user).filter(code=payload.organiser).first()
    t = training.create_training(
        request.user,
        topic=payload.topic,
        date=payload.date,
        place=payload.place,
        organiser_id=region.pk if region else 0,
        hours=payload.hours,
        person_ids=payload.attendee_ids,
    )
    visible = set(services.mediators_for(request.user).values_list("pk", flat=True))
    return Status(201, training_row(t, visible))


@router.post(
    "/mediation/trainings/{int:training_id}/attendance",
    response={200: TrainingOut, **errors(400, 401, 403, 404)},
)
def add_attendance(request: HttpRequest, training_id: int, payload: AttendanceIn) -> Any:
    """Mark mediators (in the caller's scope) present; those already marked are kept."""
    training.add_attendance(request.user, training_id, payload.person_ids)
    t = services.trainings_for(request.user).select_related("organiser").get(pk=training_id)
    visible = set(services.mediators_for(request.user).values_list("pk", flat=True))
    return training_row(t, visible)


@router.get("/mediation/mediators", response={200: list[MediatorOut], **errors(401)})
@paginate(LimitOffsetPagination)
def mediators(request: HttpRequest) -> Any:
    """Current mediators (调解员 posts) in the caller's scope, with trainings attended."""
    from django.db.models import Count

    posts = list(services.mediator_posts(request.user).order_by("region__code", "person__name"))
    counts = dict(
        services.mediators_for(request.user).annotate(n=Count("trainings")).values_list("pk", "n")
    )
    return [
        {
            "person_id": p.person_id,
            "name": p.person.name,
            "unit": p.region.code,
            "unit_name": p.region.name,
            "trainings": counts.get(p.person_id, 0),
        }
        for p in posts
    ]
