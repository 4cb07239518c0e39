"""村规民约与移风易俗, API v1: villages (rules versions with their meetings, a compare of two
versions, the council and its members, the limits), registrations of weddings and funerals
(checked against the limits in force; a flagged one opens a work order), the council's
follow-up, statistics by village or street, and the registrations in Excel. Scoped like the
pages; refusals are `CustomsError`s, answered 400/403/404/409 naming the field."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import XLSX, ApiError, download, error_body, errors, xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.customs import ceremonies, council_limits, excel, rulebook, services
from gridgov.customs.models import (
    AdoptionMeeting,
    CeremonyKind,
    Council,
    CouncilMember,
    FollowUp,
    Limit,
    Registration,
    RulesVersion,
)
from gridgov.customs.schemas import (
    AdoptionMeetingIn,
    AdoptionMeetingOut,
    CeremonyFollowUpIn,
    CompareOut,
    CouncilIn,
    CouncilMemberOut,
    CouncilOut,
    CustomsImportOut,
    CustomsStatsOut,
    EndIn,
    LimitIn,
    LimitOut,
    MemberIn,
    RegistrationFilter,
    RegistrationIn,
    RegistrationOut,
    RulesDetailOut,
    RulesIn,
    RulesOut,
    VillageDetailOut,
    VillageOut,
)
from gridgov.territory.models import Region

router = Router()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# ------------------------------------------------------------------------------- rows --


def meeting_row(m: AdoptionMeeting | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "id": m.pk,
        "date": m.date,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "attendance": m.attendance,
        "entitled": m.entitled,
        "votes_for": m.votes_for,
        "notes": m.notes,
    }


def rules_row(r: RulesVersion, current_id: int | None, text: bool = False) -> dict[str, Any]:
    out = {
        "id": r.pk,
        "village": r.community.code,
        "number": r.number,
        "title": r.title,
        "adopted": r.adopted,
        "meeting": meeting_row(r.meeting),
        "has_file": bool(r.file),
        "file_name": r.file_name,
        "current": r.pk == current_id,
    }
    if text:
        out["text"] = r.text
    return out


def member_row(m: CouncilMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "person_id": m.person_id,
        "name": m.name,
        "role": m.role,
        "role_label": m.get_role_display(),
        "start_date": m.start_date,
        "end_date": m.end_date,
    }


def council_row(c: Council | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "id": c.pk,
        "name": c.name,
        "established": c.established,
        "members": [member_row(m) for m in council_limits.council_members(c.community)],
    }


def limit_row(x: Limit) -> dict[str, Any]:
    return {
        "id": x.pk,
        "kind": x.kind,
        "kind_label": x.get_kind_display(),
        "max_tables": x.max_tables,
        "max_guests": x.max_guests,
        "max_cost": _money(x.max_cost),
        "max_days": x.max_days,
        "max_table_cost": _money(x.max_table_cost),
        "source": x.source,
        "rules_id": x.rules_id,
        "effective_from": x.effective_from,
        "effective_to": x.effective_to,
    }


def village_row(v: Region, s: rulebook.VillageSummary) -> dict[str, Any]:
    return {
        "id": v.pk,
        "code": v.code,
        "name": v.name,
        "street": v.parent.code if v.parent_id and v.parent else None,
        "rules_version": s.rules.number if s.rules else None,
        "council_members": s.council,
        "registrations": s.registrations,
    }


def registration_row(r: Registration) -> dict[str, Any]:
    labels = council_limits.MEASURES
    return {
        "id": r.pk,
        "village": r.community.code,
        "village_name": r.community.name,
        "grid": r.grid.code,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "date": r.date,
        "family_head": r.family_head,
        "family_phone": r.family_phone,
        "tables": r.tables,
        "guests": r.guests,
        "cost": _money(r.cost),
        "days": r.days,
        "notes": r.notes,
        "flagged": r.flagged,
        "exceedances": [
            {**e, "label": str(labels.get(e["what"], e["what"]))} for e in r.exceedances
        ],
        "limit_id": r.limit_id,
        "order": r.order.event.reference if r.order_id and r.order else None,
        "follow_up": r.follow_up,
        "follow_up_label": str(FollowUp(r.follow_up).label),
        "advised_on": r.advised_on,
        "advised_by": r.advised_by,
        "outcome": r.outcome,
    }


def stat_row(s: services.StatRow) -> dict[str, Any]:
    return {
        "code": s.unit.code,
        "name": s.unit.name,
        "registrations": s.total,
        "by_kind": s.by_kind,
        "flagged": s.flagged,
        "flagged_rate": s.flagged_rate,
        "handled": s.handled,
        "avg_tables": s.avg_tables,
        "avg_cost": _money(s.avg_cost),
    }


# ----------------------------------------------------------------------------- villages --


@router.get("/customs/villages", response={200: list[VillageOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def villages(request: HttpRequest) -> Any:
    """Villages (communities) the caller sees: its scope's, the one its grid lies in."""
    found = list(services.villages_for(request.user).select_related("parent").order_by("code"))
    sums = rulebook.summaries(request.user, found)
    return [village_row(v, sums[v.pk]) for v in found]


@router.get(
    "/customs/villages/{int:village_id}", response={200: VillageDetailOut, **errors(401, 404)}
)
def village(request: HttpRequest, village_id: int) -> Any:
    v = services.get_village(request.user, village_id)
    current = rulebook.current_rules(v)
    current_id = current.pk if current else None
    return {
        **village_row(v, rulebook.summaries(request.user, [v])[v.pk]),
        "versions": [rules_row(r, current_id) for r in rulebook.versions(v)],
        "council": council_row(council_limits.council_of(v)),
        "limits": [limit_row(x) for x in council_limits.limits_in_force(v)],
    }


@router.post(
    "/customs/villages/{int:village_id}/meetings",
    response={201: AdoptionMeetingOut, **errors(400, 401, 403, 404)},
)
def add_meeting(request: HttpRequest, village_id: int, payload: AdoptionMeetingIn) -> Any:
    """The meeting that adopts a version of the rules (村民代表大会 …)."""
    m = rulebook.add_meeting(
        request.user, village_id, payload.date, payload.kind, payload.attendance,
        payload.entitled, payload.votes_for, payload.notes,
    )  # fmt: skip
    return Status(201, meeting_row(m))


@router.post(
    "/customs/villages/{int:village_id}/rules",
    response={201: RulesDetailOut, **errors(400, 401, 403, 404)},
)
def add_rules(request: HttpRequest, village_id: int, payload: RulesIn) -> Any:
    """A new version of the rules, numbered after the last."""
    r = rulebook.add_rules(
        request.user, village_id, payload.title, payload.adopted, payload.text, payload.meeting_id
    )
    current = rulebook.current_rules(r.community)
    return Status(201, rules_row(r, current.pk if current else None, text=True))


@router.get("/customs/rules/{int:rules_id}", response={200: RulesDetailOut, **errors(401, 404)})
def rules(request: HttpRequest, rules_id: int) -> Any:
    r = services.get_rules(request.user, rules_id)
    current = rulebook.current_rules(r.community)
    return rules_row(r, current.pk if current else None, text=True)


@router.get(
    "/customs/rules/{int:rules_id}/compare",
    response={200: CompareOut, **errors(400, 401, 404)},
)
def compare(request: HttpRequest, rules_id: int, other: int | None = None) -> Any:
    """Side by side, line by line: `rules_id` (old) against `other` (new) of the same village,
    by default against the version in force today."""
    old = services.get_rules(request.user, rules_id)
    if other is None:
        found = rulebook.current_rules(old.community)
        if found is None:
            raise ApiError(404, "the village has no version in force", "other")
        other = found.pk
    new = services.get_rules(request.user, other)
    c = rulebook.compare(old, new)
    current = rulebook.current_rules(old.community)
    current_id = current.pk if current else None
    return {
        "old": rules_row(old, current_id),
        "new": rules_row(new, current_id),
        "added": c.added,
        "removed": c.removed,
        "changed": c.changed,
        "rows": [r.__dict__ for r in c.rows],
    }


@router.post(
    "/customs/rules/{int:rules_id}/file",
    response={200: RulesOut, **errors(400, 401, 403, 404, 413)},
)
def upload_file(request: HttpRequest, rules_id: int, file: File[UploadedFile]) -> Any:
    """The signed document of a version: PDF, Word or a PNG/JPEG scan (by content)."""
    if (file.size or 0) > settings.GRIDGOV_UPLOAD_MAX_BYTES:
        raise ApiError(413, "the file is too large", "file")
    r = rulebook.attach_file(
        request.user, rules_id, file, size=file.size or 0, name=file.name or ""
    )
    current = rulebook.current_rules(r.community)
    return rules_row(r, current.pk if current else None)


@router.get(
    "/customs/rules/{int:rules_id}/file",
    response={200: None, **errors(401, 404)},
    openapi_extra=download("application/pdf", "the version's document (PDF, Word or a scan)"),
)
def download_file(request: HttpRequest, rules_id: int) -> Any:
    r = services.get_rules(request.user, rules_id)
    path = rulebook.file_path(r)
    if not path.exists():
        raise ApiError(404, "no such file")
    response = FileResponse(path.open("rb"), content_type=r.file_type, filename=r.file_name,
                            as_attachment=True)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/customs/villages/{int:village_id}/council",
    response={200: CouncilOut, **errors(400, 401, 403, 404)},
)
def set_council(request: HttpRequest, village_id: int, payload: CouncilIn) -> Any:
    """Create or rename the village's 红白理事会."""
    c = council_limits.set_council(request.user, village_id, payload.name, payload.established)
    return council_row(c)


@router.post(
    "/customs/villages/{int:village_id}/council/members",
    response={201: CouncilMemberOut, **errors(400, 401, 403, 404, 409)},
)
def add_member(request: HttpRequest, village_id: int, payload: MemberIn) -> Any:
    m = council_limits.add_member(
        request.user, village_id, payload.role, payload.start_date, name=payload.name,
        person_id=payload.person_id, end_date=payload.end_date,
    )  # fmt: skip
    return Status(201, member_row(m))


@router.post(
    "/customs/council/members/{int:member_id}/end",
    response={200: CouncilMemberOut, **errors(400, 401, 403, 404, 409)},
)
def end_member(request: HttpRequest, member_id: int, payload: EndIn) -> Any:
    return member_row(council_limits.end_member(request.user, member_id, payload.end_date))


@router.get(
    "/customs/villages/{int:village_id}/limits", response={200: list[LimitOut], **errors(401, 404)}
)
def limits(request: HttpRequest, village_id: int) -> Any:
    """Every standard of the village, the ended ones too, latest first."""
    v = services.get_village(request.user, village_id)
    return [limit_row(x) for x in Limit.objects.for_user(request.user).filter(community=v)]


@router.post(
    "/customs/villages/{int:village_id}/limits",
    response={201: LimitOut, **errors(400, 401, 403, 404, 409)},
)
def set_limit(request: HttpRequest, village_id: int, payload: LimitIn) -> Any:
    """A new standard from a date; the one before it ends the day before."""
    data = council_limits.LimitInput(**payload.dict())
    return Status(201, limit_row(council_limits.set_limit(request.user, village_id, data)))


def _filtered(request: HttpRequest, f: RegistrationFilter) -> Any:
    qs = services.registrations_for(request.user).select_related(
        "community", "grid", "order__event"
    )
    if f.village:
        qs = qs.filter(community__code=f.village)
    if f.kind:
        if f.kind not in CeremonyKind.values:
            raise ApiError(400, f"unknown kind {f.kind[:40]!r}", "kind")
        qs = qs.filter(kind=f.kind)
    if f.flagged is not None:
        qs = qs.filter(flagged=f.flagged)
    if f.start:
        qs = qs.filter(date__gte=f.start)
    if f.end:
        qs = qs.filter(date__lte=f.end)
    return qs


@router.get("/customs/registrations", response={200: list[RegistrationOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def registrations(request: HttpRequest, filters: Query[RegistrationFilter]) -> Any:
    """Registrations of the grids in the caller's scope, latest first."""
    return [registration_row(r) for r in _filtered(request, filters)]


@router.get(
    "/customs/registrations.xlsx",
    response={200: None, **errors(400, 401)},
    openapi_extra=download(XLSX, "the registrations; families masked without the permission"),
)
def registrations_xlsx(request: HttpRequest, filters: Query[RegistrationFilter]) -> Any:
    with replica_reads():
        content = excel.export_registrations(request.user, _filtered(request, filters))
        return xlsx_response(content, f"customs-{timezone.localdate():%Y%m%d}.xlsx")


def _grid_id(code: str) -> int:
    found = Region.by_code(code)
    if found is None:
        raise ApiError(400, "no such grid", "grid")
    return found.pk


@router.post("/customs/registrations", response={201: RegistrationOut, **errors(400, 401, 403)})
def register(request: HttpRequest, payload: RegistrationIn) -> Any:
    """红白事报备: checked against the limits in force on the day; a flagged one opens a work
    order to the village (its reference in `order`)."""
    data = ceremonies.RegistrationInput(
        grid_id=_grid_id(payload.grid), kind=payload.kind, date=payload.date,
        family_head=payload.family_head, family_phone=payload.family_phone,
        tables=payload.tables, guests=payload.guests, cost=payload.cost, days=payload.days,
        notes=payload.notes,
    )  # fmt: skip
    r = ceremonies.register(request.user, data)
    return Status(201, registration_row(services.get_registration(request.user, r.pk)))


@router.post(
    "/customs/registrations/import",
    response={200: CustomsImportOut, **errors(400, 401, 403, 413)},
)
def import_registrations(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """An .xlsx of registrations (the export's columns): every row checked, all written or none
    (400 naming each failed cell as `field` "row N: column")."""
    if not services.can_register(request.user):
        raise ApiError(403, "you may not register ceremonies")
    if (file.size or 0) > settings.GRIDGOV_UPLOAD_MAX_BYTES:
        raise ApiError(413, "the file is too large", "file")
    report, created = excel.import_registrations(request.user, file.read())
    if not report.ok:
        failed = [{"field": f"row {e.row}: {e.column}", "message": e.reason} for e in report.errors]
        return Status(400, error_body("the sheet has errors: nothing was imported", failed))
    return {
        "created": len(created),
        "flagged": sum(1 for r in created if r.flagged),
    }


@router.get(
    "/customs/registrations/{int:registration_id}",
    response={200: RegistrationOut, **errors(401, 404)},
)
def registration(request: HttpRequest, registration_id: int) -> Any:
    return registration_row(services.get_registration(request.user, registration_id))


@router.post(
    "/customs/registrations/{int:registration_id}/follow-up",
    response={200: RegistrationOut, **errors(400, 401, 403, 404, 409)},
)
def follow_up(request: HttpRequest, registration_id: int, payload: CeremonyFollowUpIn) -> Any:
    """The council's 劝导 of a flagged registration."""
    ceremonies.record_follow_up(
        request.user, registration_id, payload.advised_on, payload.outcome, payload.advised_by
    )
    return registration_row(services.get_registration(request.user, registration_id))


@router.get("/customs/statistics", response={200: CustomsStatsOut, **errors(400, 401)})
def statistics(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str = "community",
) -> Any:
    """By village (`by=community`) or street over [start, end] (the last 365 days by default):
    registrations by kind, flagged, flagged rate, handled, average tables and cost."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=364)
    rows, total = services.statistics(request.user, start, end, by)
    return {
        "start": start,
        "end": end,
        "by": by,
        "rows": [stat_row(s) for s in rows],
        "total": stat_row(total),
    }
