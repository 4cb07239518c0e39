"""调度会, API v1: the meetings the caller may see, one meeting with its decisions' live state
and the decisions carried over to it; creating a meeting, recording statements and decisions,
holding it, issuing the minutes (which issues the commands) and the minutes as .docx or PDF."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import download, errors
from gridgov.core.actor import Account
from gridgov.meetings import meeting_decisions, minutes, services
from gridgov.meetings.models import Decision, Meeting
from gridgov.schemas import Schema

router = Router()

DOCX, PDF = minutes.DOCX, minutes.PDF
KindName = Literal["dispatch", "progress", "topical"]


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    starts_at: dt.datetime
    place: str
    convener: str = Field(description="the convening unit's region code")
    convener_name: str
    chair: str | None = Field(description="the chair's name")
    state: str = Field(description="draft, held or issued (minutes issued)")
    state_label: str
    issued_at: dt.datetime | None
    previous: int | None = Field(description="the meeting it follows (carried-over decisions)")


class MeetingAttendeeOut(Schema):
    unit: str | None
    unit_name: str | None
    person: int | None
    person_name: str | None
    role: str = Field(description="attend (出席) or sit_in (列席)")
    presence: str = Field(description="present, absent or leave")
    note: str


class MeetingCommitmentOut(Schema):
    text: str
    deadline: dt.date | None


class MeetingStatementOut(Schema):
    id: int
    position: int
    unit: str
    unit_name: str
    speaker: int | None
    speaker_name: str | None
    text: str
    commitments: list[MeetingCommitmentOut]


class MeetingDecisionOut(Schema):
    id: int
    meeting: int
    position: int
    text: str
    owners: list[str] = Field(description="owner units' region codes")
    owner_names: list[str]
    deadline: dt.date
    command: int | None = Field(description="the command it became (after the minutes)")
    state: str = Field(description="pending, open, acknowledged, done or overdue")
    state_label: str
    recipients: int
    acknowledged: int
    completed: int
    late: bool


class MeetingCarriedOut(Schema):
    meeting_title: str
    times: int = Field(description="meetings it has been carried to, this one included")
    decision: MeetingDecisionOut


class MeetingDetailOut(MeetingOut):
    summary: str
    agenda: list[str]
    attendees: list[MeetingAttendeeOut]
    statements: list[MeetingStatementOut]
    decisions: list[MeetingDecisionOut]
    carried_over: list[MeetingCarriedOut]
    can_manage: bool


class MeetingIssuedOut(MeetingDetailOut):
    commands: list[int] = Field(description="commands issued by this request")
    again: bool = Field(description="the minutes had been issued already; nothing was done")


class MeetingAttendeeIn(Schema):
    model_config = {"extra": "forbid"}
    unit: str | None = Field(None, max_length=40, description="a region code, or")
    person: int | None = Field(None, description="a person's id")
    role: Literal["attend", "sit_in"] = "attend"
    presence: Literal["present", "absent", "leave"] = "present"
    note: str = Field("", max_length=services.MAX_NOTE)


class MeetingIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., min_length=1, max_length=services.MAX_TITLE)
    kind: KindName
    starts_at: dt.datetime
    place: str = Field(..., min_length=1, max_length=services.MAX_PLACE)
    convener: str = Field(..., max_length=40, description="the convening unit's region code")
    chair: int | None = None
    summary: str = Field("", max_length=services.MAX_SUMMARY)
    agenda: list[str] = Field(default_factory=list, max_length=services.MAX_AGENDA)
    attendees: list[MeetingAttendeeIn] = Field(
        default_factory=list, max_length=services.MAX_ATTENDEES
    )
    previous: int | None = Field(
        None, description="the meeting it follows; left out: the convener's latest of its kind"
    )


class MeetingCommitmentIn(Schema):
    model_config = {"extra": "forbid"}
    text: str = Field(..., min_length=1, max_length=services.MAX_COMMITMENT)
    deadline: dt.date | None = None


class MeetingStatementIn(Schema):
    model_config = {"extra": "forbid"}
    unit: str = Field(..., max_length=40)
    speaker: int | None = None
    text: str = Field(..., min_length=1, max_length=services.MAX_TEXT)
    commitments: list[MeetingCommitmentIn] = Field(
        default_factory=list, max_length=services.MAX_COMMITMENTS
    )


class MeetingDecisionIn(Schema):
    model_config = {"extra": "forbid"}
    text: str = Field(..., min_length=1, max_length=services.MAX_TEXT)
    owners: list[str] = Field(..., min_length=1, max_length=services.MAX_OWNERS)
    deadline: dt.date


class MeetingFilter(Schema):
    state: Literal["draft", "held", "issued"] | None = None
    kind: KindName | None = None


def meeting_row(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "starts_at": m.starts_at,
        "place": m.place,
        "convener": m.convener.code,
        "convener_name": m.convener.name,
        "chair": m.chair.name if m.chair else None,
        "state": m.state,
        "state_label": m.get_state_display(),
        "issued_at": m.issued_at,
        "previous": m.previous_id,
    }


def decision_row(d: Decision, at: dt.datetime) -> dict[str, Any]:
    p = services.progress(d, at)
    owners = list(d.owners.all())
    return {
        "id": d.pk,
        "meeting": d.meeting_id,
        "position": d.position,
        "text": d.text,
        "owners": [r.code for r in owners],
        "owner_names": [r.name for r in owners],
        "deadline": d.deadline,
        "command": d.command_id,
        "state": p.state,
        "state_label": p.label,
        "recipients": p.recipients,
        "acknowledged": p.acknowledged,
        "completed": p.completed,
        "late": p.late,
    }


def detail_row(m: Meeting, user: Account) -> dict[str, Any]:
    now = timezone.now()
    out = meeting_row(m)
    out["summary"] = m.summary
    out["agenda"] = [a.text for a in m.agenda.all()]
    out["attendees"] = [
        {
            "unit": a.region.code if a.region else None,
            "unit_name": a.region.name if a.region else None,
            "person": a.person_id,
            "person_name": a.person.name if a.person else None,
            "role": a.role,
            "presence": a.presence,
            "note": a.note,
        }
        for a in m.attendees.select_related("region", "person")
    ]
    out["statements"] = [
        {
            "id": s.pk,
            "position": s.position,
            "unit": s.unit.code,
            "unit_name": s.unit.name,
            "speaker": s.speaker_id,
            "speaker_name": s.speaker.name if s.speaker else None,
            "text": s.text,
            "commitments": [{"text": c.text, "deadline": c.deadline} for c in s.commitments.all()],
        }
        for s in m.statements.select_related("unit", "speaker").prefetch_related("commitments")
    ]
    out["decisions"] = [
        decision_row(d, now) for d in services.decisions_of([m]).order_by("position", "pk")
    ]
    out["carried_over"] = [
        {
            "meeting_title": c.decision.meeting.title,
            "times": c.times,
            "decision": decision_row(c.decision, now),
        }
        for c in services.carried_over(m, now)
    ]
    out["can_manage"] = services.can_manage(user, m)
    return out


def _get(request: HttpRequest, meeting_id: int) -> Meeting:
    return services.get_meeting(request.user, meeting_id)


def _meeting_input(payload: MeetingIn) -> services.MeetingInput:
    return services.MeetingInput(
        title=payload.title,
        kind=payload.kind,
        starts_at=payload.starts_at,
        place=payload.place,
        convener=payload.convener,
        chair=payload.chair,
        summary=payload.summary,
        agenda=payload.agenda,
        attendees=[services.AttendeeInput(**a.dict()) for a in payload.attendees],
        previous=payload.previous,
    )


@router.get("/meetings", response={200: list[MeetingOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilter]) -> Any:
    """Meetings the caller may see (convened in, attended by, or giving decisions to its
    area), newest first."""
    qs = services.meetings_for(request.user).select_related("convener", "chair")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return [meeting_row(m) for m in qs.order_by("-starts_at", "-pk")]


@router.get("/meetings/{int:meeting_id}", response={200: MeetingDetailOut, **errors(400, 401, 404)})
def meeting_detail(request: HttpRequest, meeting_id: int) -> Any:
    """A meeting: attendance, agenda, statements, decisions with their live state (read from
    their commands) and the earlier decisions carried over to it."""
    return detail_row(_get(request, meeting_id), request.user)


@router.post("/meetings", response={201: MeetingDetailOut, **errors(400, 401, 403, 413)})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    """召集会议 (the command office; a street office for its own area): drafted."""
    m = services.create_meeting(request.user, _meeting_input(payload))
    return Status(201, detail_row(services.get_meeting(request.user, m.pk), request.user))


@router.post(
    "/meetings/{int:meeting_id}/hold",
    response={200: MeetingDetailOut, **errors(400, 401, 403, 404, 409)},
)
def hold_meeting(request: HttpRequest, meeting_id: int) -> Any:
    """已召开: the header and agenda are fixed; statements and decisions stay open until the
    minutes are issued."""
    m = services.hold(request.user, meeting_id)
    return detail_row(services.get_meeting(request.user, m.pk), request.user)


@router.post(
    "/meetings/{int:meeting_id}/statements",
    response={201: MeetingStatementOut, **errors(400, 401, 403, 404, 409, 413)},
)
def add_statement(request: HttpRequest, meeting_id: int, payload: MeetingStatementIn) -> Any:
    """表态发言: a unit's speaker, what was said, and the commitments made."""
    s = meeting_decisions.add_statement(
        request.user,
        meeting_id,
        unit=payload.unit,
        speaker=payload.speaker,
        text=payload.text,
        commitments=[services.CommitmentInput(c.text, c.deadline) for c in payload.commitments],
    )
    return Status(
        201,
        {
            "id": s.pk,
            "position": s.position,
            "unit": s.unit.code,
            "unit_name": s.unit.name,
            "speaker": s.speaker_id,
            "speaker_name": s.speaker.name if s.speaker else None,
            "text": s.text,
            "commitments": [{"text": c.text, "deadline": c.deadline} for c in s.commitments.all()],
        },
    )


@router.post(
    "/meetings/{int:meeting_id}/decisions",
    response={201: MeetingDecisionOut, **errors(400, 401, 403, 404, 409, 413)},
)
def add_decision(request: HttpRequest, meeting_id: int, payload: MeetingDecisionIn) -> Any:
    """议定事项: text, owner units and deadline; it becomes a command when the minutes are
    issued."""
    d = meeting_decisions.add_decision(
        request.user,
        meeting_id,
        text=payload.text,
        owners=payload.owners,
        deadline=payload.deadline,
    )
    return Status(201, decision_row(d, timezone.now()))


@router.post(
    "/meetings/{int:meeting_id}/issue",
    response={200: MeetingIssuedOut, **errors(400, 401, 403, 404, 409)},
)
def issue_minutes(request: HttpRequest, meeting_id: int) -> Any:
    """纪要印发: each decision becomes a command to its owner units, due at the end of its
    deadline day. Asking again issues nothing (`again` is true)."""
    done = meeting_decisions.issue_minutes(request.user, meeting_id)
    out = detail_row(services.get_meeting(request.user, meeting_id), request.user)
    out["commands"] = [c.pk for c in done.commands]
    out["again"] = done.again
    return out


def file_response(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@router.get(
    "/meetings/{int:meeting_id}/minutes.docx",
    response=errors(400, 401, 404),
    openapi_extra=download(DOCX, "the minutes (会议纪要) as a Word document"),
)
def minutes_docx(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes as .docx (a draft, dated, until they are issued)."""
    m = _get(request, meeting_id)
    return file_response(minutes.docx_bytes(m), DOCX, minutes.filename(m, "docx"))


@router.get(
    "/meetings/{int:meeting_id}/minutes.pdf",
    response=errors(400, 401, 404),
    openapi_extra=download(PDF, "the minutes (会议纪要) as a PDF, CJK font embedded"),
)
def minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes as PDF (a draft, dated, until they are issued)."""
    m = _get(request, meeting_id)
    return file_response(minutes.pdf_bytes(m), PDF, minutes.filename(m, "pdf"))
