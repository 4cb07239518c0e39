"""The only write path for meetings, and what is read from them.

Rules (one place, readable):
- A meeting goes 筹备中 (draft) → 已召开 (held) → 纪要已印发 (issued), never back.
- Title, time, place, chair and agenda are edited while drafted; attendance, statements and
  decisions until the minutes are issued; after that nothing changes.
- Issuing the minutes turns each decision into one command (`inbox.commands.issue`) to
  its owner units, due at the end of the decision's deadline day. The state change is claimed
  with a conditional update, so issuing twice issues nothing twice.
- A decision's state is read from its command's recipients at a moment: 未下达 (no command
  yet), 已完成 (every recipient completed), 已超期 (past the deadline, not all completed),
  已签收 (every recipient acknowledged), else 办理中.
- A meeting opens with the decisions of the meetings before it (its `previous` chain) that
  were not completed when it began (or now, before it begins): a decision left open is
  carried over again and again, counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import inputs
from gridgov.core.actor import Account, actor_name, recorded_user, required_user
from gridgov.core.scopes import under_paths
from gridgov.errors import CONFLICT, FORBIDDEN, NOT_FOUND, FieldRefusal
from gridgov.meetings.models import (
    AgendaItem,
    Attendee,
    Decision,
    Kind,
    Meeting,
    Presence,
    Role,
    State,
    Step,
)
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Person, Post
from gridgov.territory.models import Level, Region

MAX_TITLE = 120
MAX_PLACE = 120
MAX_SUMMARY = 5000
MAX_AGENDA = 30
MAX_AGENDA_TEXT = 200
MAX_ATTENDEES = 300
MAX_NOTE = 120
MAX_TEXT = 5000
MAX_COMMITMENTS = 20
MAX_COMMITMENT = 300
MAX_OWNERS = 50
MAX_CHAIN = 100  # meetings looked back along `previous` for carried-over decisions
DEADLINE_TIME = dt.time(23, 59)  # a deadline day ends here (the command's due time)

# What may change in which state.
EDITABLE: dict[str, set[str]] = {
    "meeting": {State.DRAFT},  # title, kind, time, place, chair, summary, agenda
    "attendance": {State.DRAFT, State.HELD},
    "statements": {State.DRAFT, State.HELD},
    "decisions": {State.DRAFT, State.HELD},
}
# action → (from, to)
TRANSITIONS: dict[str, tuple[str, str]] = {
    "hold": (State.DRAFT, State.HELD),
    "issue": (State.HELD, State.ISSUED),
}


class MeetingError(FieldRefusal, ValueError):
    """A request that cannot be done as asked: which field, and why (no HTTP status here)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.args = (f"{field}: {message}",)


class NotAllowed(MeetingError):
    kind = FORBIDDEN


class NoSuchMeeting(MeetingError):
    """Also what a meeting outside the caller's scope is: the same answer as no such id."""

    kind = NOT_FOUND


class Conflict(MeetingError):
    """The meeting is not in a state for this."""

    kind = CONFLICT


# ------------------------------------------------------------------------------- reading --


def meetings_for(user: Account) -> QuerySet[Meeting]:
    """Meetings the account may see: convened by a unit in its scope, attended by such a unit
    or by its person, giving a decision to such a unit, or recorded by it."""
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return Meeting.objects.all()
    if user is None or not user.is_authenticated:
        return Meeting.objects.none()
    q = Q(created_by=user)
    person = person_of(user)
    if person is not None:
        q |= Q(attendees__person=person) | Q(chair=person)
    q |= under_paths(paths, "convener__path", "attendees__region__path", "decisions__owners__path")
    ids = Meeting.objects.filter(q).values("pk")
    return Meeting.objects.filter(pk__in=ids)


def get_meeting(user: Account, meeting_id: int) -> Meeting:
    m = meetings_for(user).select_related("convener", "chair", "previous").filter(pk=meeting_id)
    found = m.first()
    if found is None:
        raise NoSuchMeeting("meeting_id", _("会议不存在"))
    return found


def can_create(user: Account) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.has_perm("meetings.add_meeting")
    )


def can_manage(user: Account, meeting: Meeting) -> TypeGuard[User]:
    """The command office, and a unit's office for the meetings its own area convened."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm("meetings.change_meeting")
        and scope.can_see_region(user, meeting.convener)
    )


def can_issue(user: Account, meeting: Meeting) -> bool:
    return (
        can_manage(user, meeting)
        and user.has_perm("meetings.issue_minutes")
        and user.has_perm("inbox.issue_command")
    )


class Progress:
    """A decision's state at a moment, read from its command's recipients."""

    PENDING = "pending"
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DONE = "done"
    OVERDUE = "overdue"
    LABELS = {
        PENDING: gettext_lazy("未下达"),
        OPEN: gettext_lazy("办理中"),
        ACKNOWLEDGED: gettext_lazy("已签收"),
        DONE: gettext_lazy("已完成"),
        OVERDUE: gettext_lazy("已超期"),
    }

    def __init__(
        self, state: str, recipients: int = 0, acknowledged: int = 0, completed: int = 0
    ) -> None:
        self.state = state
        self.recipients = recipients
        self.acknowledged = acknowledged
        self.completed = completed
        self.late = False  # completed after the deadline, or still open past it

    @property
    def label(self) -> str:
        return str(self.LABELS[self.state])

    @property
    def done(self) -> bool:
        return self.state == self.DONE


def progress(decision: Decision, at: dt.datetime | None = None) -> Progress:
    """The decision's state at `at` (now): recipients' receipt and completion times that far."""
    at = at or timezone.now()
    command = decision.command
    if command is None or command.created_at > at:
        return Progress(Progress.PENDING)
    rows = list(command.recipients.all())
    acked = sum(1 for r in rows if r.acknowledged_at is not None and r.acknowledged_at <= at)
    done = sum(1 for r in rows if r.completed_at is not None and r.completed_at <= at)
    total = len(rows)
    if total and done == total:
        result = Progress(Progress.DONE, total, acked, done)
        result.late = any(r.completed_at and r.completed_at > command.due_at for r in rows)
    elif command.due_at <= at:
        result = Progress(Progress.OVERDUE, total, acked, done)
        result.late = True
    elif total and acked == total:
        result = Progress(Progress.ACKNOWLEDGED, total, acked, done)
    else:
        result = Progress(Progress.OPEN, total, acked, done)
    return result


def decisions_of(meetings: list[Meeting] | QuerySet[Meeting]) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(meeting__in=meetings)
        .select_related("meeting", "command")
        .prefetch_related("owners", "command__recipients")
    )


@dataclass
class Carried:
    decision: Decision
    times: int  # how many meetings it has been carried to, this one included
    progress: Progress


def chain(meeting: Meeting) -> list[Meeting]:
    """The meetings before this one along `previous`, newest first."""
    out: list[Meeting] = []
    seen = {meeting.pk}
    current = meeting.previous
    while current is not None and current.pk not in seen and len(out) < MAX_CHAIN:
        out.append(current)
        seen.add(current.pk)
        current = current.previous
    return out


def carried_over(meeting: Meeting, at: dt.datetime | None = None) -> list[Carried]:
    """Decisions of earlier meetings still open when this one began (or now, before it
    has), with their state at `at` (now)."""
    now = timezone.now()
    at = at or now
    cutoff = min(meeting.starts_at, now)
    earlier = chain(meeting)
    distance = {m.pk: i + 1 for i, m in enumerate(earlier)}
    out = []
    for d in decisions_of(earlier).order_by("meeting__starts_at", "position", "pk"):
        if progress(d, cutoff).done:
            continue
        out.append(Carried(d, distance[d.meeting_id], progress(d, at)))
    return out


def default_previous(convener: Region, kind: str, starts_at: dt.datetime) -> Meeting | None:
    """The convener's latest earlier meeting of the same kind."""
    return (
        Meeting.objects.filter(convener=convener, kind=kind, starts_at__lt=starts_at)
        .order_by("-starts_at", "-pk")
        .first()
    )


def meeting_units(user: Account) -> QuerySet[Region]:
    """The units a meeting form offers: the district, streets and communities in scope."""
    return scope.regions_for(
        user, Region.objects.active().filter(level__lte=Level.COMMUNITY)
    ).order_by("level", "code")


def officials_for(user: Account, on: dt.date | None = None) -> QuerySet[Person]:
    """People a meeting form offers (chair, attendees, speakers): current holders of a post
    at a district, street or community in scope."""
    posts = scope.posts_for(user, Post.objects.current(on)).filter(
        region__level__lte=Level.COMMUNITY
    )
    return Person.objects.filter(pk__in=posts.values("person_id")).order_by("name", "pk")


# ------------------------------------------------------------------------------- writing --


@dataclass
class AttendeeInput:
    unit: str | None = None  # a region code
    person: int | None = None
    role: str = Role.ATTEND
    presence: str = Presence.PRESENT
    note: str = ""


@dataclass
class MeetingInput:
    title: str
    kind: str
    starts_at: dt.datetime
    place: str
    convener: str  # region code
    chair: int | None = None
    summary: str = ""
    agenda: list[str] = field(default_factory=list)
    attendees: list[AttendeeInput] = field(default_factory=list)
    previous: int | None = None  # None: the convener's latest earlier meeting of this kind


@dataclass
class CommitmentInput:
    text: str
    deadline: dt.date | None = None


def _text(name: str, value: str, limit: int, required: bool = True) -> str:
    inputs.check_text(name, value, limit)
    value = value.strip()
    if required and not value:
        raise MeetingError(name, _("不能为空"))
    return value


def _region(user: Account, name: str, code: str) -> Region:
    found = scope.regions_for(user, Region.objects.active()).filter(code=code).first()
    if found is None:
        raise MeetingError(name, _("单位 %(code)s 不存在或不在您的管辖范围") % {"code": code})
    return found


def _person(user: Account, name: str, person_id: int) -> Person:
    inputs.check_int(name, person_id)
    found = officials_for(user).filter(pk=person_id).first()
    if found is None:
        raise MeetingError(name, _("人员 %(id)s 不在您的管辖范围") % {"id": person_id})
    return found


def _aware(name: str, value: dt.datetime) -> dt.datetime:
    inputs.check_date(name, value.date(), inputs.ANY_YEARS)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _check_meeting(user: Account, data: MeetingInput, meeting: Meeting | None) -> dict[str, Any]:
    if data.kind not in Kind.values:
        raise MeetingError("kind", _("会议类型只能是 %(v)s") % {"v": ", ".join(Kind.values)})
    out: dict[str, Any] = {
        "title": _text("title", data.title, MAX_TITLE),
        "kind": data.kind,
        "starts_at": _aware("starts_at", data.starts_at),
        "place": _text("place", data.place, MAX_PLACE),
        "summary": _text("summary", data.summary, MAX_SUMMARY, required=False),
        "convener": _region(user, "convener", data.convener),
        "chair": _person(user, "chair", data.chair) if data.chair is not None else None,
    }
    if len(data.agenda) > MAX_AGENDA:
        raise MeetingError("agenda", _("议程至多 %(n)s 项") % {"n": MAX_AGENDA})
    out["agenda"] = [_text(f"agenda[{i}]", a, MAX_AGENDA_TEXT) for i, a in enumerate(data.agenda)]
    out["attendees"] = _check_attendees(user, data.attendees)
    if data.previous is not None:
        inputs.check_int("previous", data.previous)
        prev = meetings_for(user).filter(pk=data.previous).first()
        if prev is None or (meeting is not None and prev.pk == meeting.pk):
            raise MeetingError("previous", _("上次会议不存在"))
        if prev.starts_at >= out["starts_at"]:
            raise MeetingError("previous", _("上次会议须早于本次会议"))
        out["previous"] = prev
    else:
        found = default_previous(out["convener"], data.kind, out["starts_at"])
        out["previous"] = (
            found if meeting is None or found is None or found.pk != meeting.pk else None
        )
    return out


def _check_attendees(user: Account, rows: list[AttendeeInput]) -> list[Attendee]:
    if len(rows) > MAX_ATTENDEES:
        raise MeetingError("attendees", _("参会单位和人员至多 %(n)s 个") % {"n": MAX_ATTENDEES})
    out: list[Attendee] = []
    units: set[int] = set()
    people: set[int] = set()
    for i, a in enumerate(rows):
        name = f"attendees[{i}]"
        if (a.unit is None) == (a.person is None):
            raise MeetingError(name, _("请填写单位或人员之一"))
        if a.role not in Role.values:
            raise MeetingError(
                f"{name}.role", _("身份只能是 %(v)s") % {"v": ", ".join(Role.values)}
            )
        if a.presence not in Presence.values:
            message = _("到会情况只能是 %(v)s") % {"v": ", ".join(Presence.values)}
            raise MeetingError(f"{name}.presence", message)
        row = Attendee(
            role=a.role,
            presence=a.presence,
            note=_text(f"{name}.note", a.note, MAX_NOTE, required=False),
        )
        if a.unit is not None:
            row.region = _region(user, f"{name}.unit", a.unit)
            if row.region.pk in units:
                raise MeetingError(f"{name}.unit", _("重复的单位"))
            units.add(row.region.pk)
        else:
            assert a.person is not None
            row.person = _person(user, f"{name}.person", a.person)
            if row.person.pk in people:
                raise MeetingError(f"{name}.person", _("重复的人员"))
            people.add(row.person.pk)
        out.append(row)
    return out


def _step(meeting: Meeting, user: Account, before: str, after: str, now: dt.datetime) -> None:
    Step.objects.create(
        meeting=meeting,
        at=now,
        user=recorded_user(user),
        actor_name=actor_name(user),
        from_state=before,
        to_state=after,
    )


def _write_parts(meeting: Meeting, checked: dict[str, Any]) -> None:
    meeting.agenda.all().delete()
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=i + 1, text=t)
            for i, t in enumerate(checked["agenda"])
        ]
    )
    _write_attendees(meeting, checked["attendees"])


def _write_attendees(meeting: Meeting, rows: list[Attendee]) -> None:
    meeting.attendees.all().delete()
    for a in rows:
        a.meeting = meeting
    Attendee.objects.bulk_create(rows)


def create_meeting(user: Account, data: MeetingInput, now: dt.datetime | None = None) -> Meeting:
    now = now or timezone.now()
    if not can_create(user):
        raise NotAllowed("user", _("您无权召集会议"))
    checked = _check_meeting(user, data, None)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            created_by=required_user(user),
            created_at=now,
            **{k: v for k, v in checked.items() if k not in ("agenda", "attendees")},
        )
        _write_parts(meeting, checked)
    return meeting


def _managed(user: Account, meeting_id: int, part: str) -> Meeting:
    meeting = get_meeting(user, meeting_id)
    if not can_manage(user, meeting):
        raise NotAllowed("user", _("只有召集单位可以修改会议"))
    if meeting.state not in EDITABLE[part]:
        raise Conflict(
            "state", _("会议%(state)s，不能再修改") % {"state": meeting.get_state_display()}
        )
    return meeting


def update_meeting(user: Account, meeting_id: int, data: MeetingInput) -> Meeting:
    """Edit a drafted meeting (everything, attendees and agenda replaced)."""
    meeting = _managed(user, meeting_id, "meeting")
    checked = _check_meeting(user, data, meeting)
    with transaction.atomic():
        for k, v in checked.items():
            if k not in ("agenda", "attendees"):
                setattr(meeting, k, v)
        meeting.save()
        _write_parts(meeting, checked)
    return meeting


def record_attendance(user: Account, meeting_id: int, rows: list[AttendeeInput]) -> Meeting:
    """Replace the attendees (with who came), until the minutes are issued."""
    meeting = _managed(user, meeting_id, "attendance")
    checked = _check_attendees(user, rows)
    with transaction.atomic():
        _write_attendees(meeting, checked)
    return meeting


def hold(user: Account, meeting_id: int, now: dt.datetime | None = None) -> Meeting:
    """已召开: the meeting took place; its header and agenda are fixed from now on."""
    now = now or timezone.now()
    meeting = _managed(user, meeting_id, "meeting")
    before, after = TRANSITIONS["hold"]
    with transaction.atomic():
        if not Meeting.objects.filter(pk=meeting.pk, state=before).update(state=after):
            raise Conflict("state", _("会议状态已变化，请刷新"))
        _step(meeting, user, before, after, now)
    meeting.refresh_from_db()
    return meeting
