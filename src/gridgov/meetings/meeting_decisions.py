"""A meeting's statements and decisions (议定事项), and issuing the minutes as commands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.inbox import commands as command_service
from gridgov.inbox.commands import CommandError
from gridgov.inbox.models import Command
from gridgov.meetings.models import (
    Commitment,
    Decision,
    Meeting,
    State,
    Statement,
)
from gridgov.meetings.services import (
    DEADLINE_TIME,
    MAX_COMMITMENT,
    MAX_COMMITMENTS,
    MAX_OWNERS,
    MAX_TEXT,
    TRANSITIONS,
    Conflict,
    MeetingError,
    NoSuchMeeting,
    NotAllowed,
    _managed,
    _person,
    _region,
    _step,
    _text,
    can_issue,
    get_meeting,
)
from gridgov.people.models import Post
from gridgov.territory.models import Region

if TYPE_CHECKING:
    from gridgov.meetings.services import CommitmentInput


def add_statement(
    user: Account,
    meeting_id: int,
    *,
    unit: str,
    text: str,
    speaker: int | None = None,
    commitments: list[CommitmentInput] = (),  # type: ignore[assignment]
) -> Statement:
    meeting = _managed(user, meeting_id, "statements")
    region = _region(user, "unit", unit)
    person = _person(user, "speaker", speaker) if speaker is not None else None
    body = _text("text", text, MAX_TEXT)
    if len(commitments) > MAX_COMMITMENTS:
        raise MeetingError("commitments", _("承诺事项至多 %(n)s 项") % {"n": MAX_COMMITMENTS})
    promised = []
    for i, c in enumerate(commitments):
        name = f"commitments[{i}]"
        if c.deadline is not None:
            inputs.check_date(f"{name}.deadline", c.deadline, inputs.ANY_YEARS)
            if c.deadline < timezone.localtime(meeting.starts_at).date():
                raise MeetingError(f"{name}.deadline", _("时限不能早于会议日期"))
        promised.append(
            Commitment(text=_text(f"{name}.text", c.text, MAX_COMMITMENT), deadline=c.deadline)
        )
    with transaction.atomic():
        last = meeting.statements.order_by("-position").first()
        statement = Statement.objects.create(
            meeting=meeting,
            position=(last.position + 1) if last else 1,
            unit=region,
            speaker=person,
            text=body,
        )
        for row in promised:
            row.statement = statement
        Commitment.objects.bulk_create(promised)
    return statement


def remove_statement(user: Account, meeting_id: int, statement_id: int) -> None:
    meeting = _managed(user, meeting_id, "statements")
    if not meeting.statements.filter(pk=statement_id).delete()[0]:
        raise NoSuchMeeting("statement_id", _("发言不存在"))


def _has_responsible(region: Region) -> bool:
    return Post.objects.current().filter(region=region, post_type__responsible=True).exists()


def add_decision(
    user: Account, meeting_id: int, *, text: str, owners: list[str], deadline: dt.date
) -> Decision:
    meeting = _managed(user, meeting_id, "decisions")
    body = _text("text", text, MAX_TEXT)
    if not owners:
        raise MeetingError("owners", _("请选择责任单位"))
    if len(owners) > MAX_OWNERS:
        raise MeetingError("owners", _("责任单位至多 %(n)s 个") % {"n": MAX_OWNERS})
    regions = []
    for i, code in enumerate(dict.fromkeys(owners)):
        region = _region(user, f"owners[{i}]", code)
        if not _has_responsible(region):
            message = _("%(name)s 没有在岗责任人，指令无法送达") % {"name": region.name}
            raise MeetingError(f"owners[{i}]", message)
        regions.append(region)
    inputs.check_date("deadline", deadline, inputs.ANY_YEARS)
    if deadline < timezone.localtime(meeting.starts_at).date():
        raise MeetingError("deadline", _("完成时限不能早于会议日期"))
    with transaction.atomic():
        last = meeting.decisions.order_by("-position").first()
        decision = Decision.objects.create(
            meeting=meeting,
            position=(last.position + 1) if last else 1,
            text=body,
            deadline=deadline,
        )
        decision.owners.set(regions)
    return decision


def remove_decision(user: Account, meeting_id: int, decision_id: int) -> None:
    meeting = _managed(user, meeting_id, "decisions")
    if not meeting.decisions.filter(pk=decision_id, command__isnull=True).delete()[0]:
        raise NoSuchMeeting("decision_id", _("议定事项不存在"))


def due_at(decision: Decision) -> dt.datetime:
    return dt.datetime.combine(
        decision.deadline, DEADLINE_TIME, tzinfo=timezone.get_current_timezone()
    )


def command_title(meeting: Meeting, decision: Decision) -> str:
    return _("%(meeting)s 议定事项%(n)s") % {"meeting": meeting.title, "n": decision.position}


def command_body(meeting: Meeting, decision: Decision) -> str:
    owners = "、".join(r.name for r in decision.owners.all())
    return "\n".join(
        [
            decision.text,
            "",
            _("责任单位：%(owners)s") % {"owners": owners},
            _("完成时限：%(d)s") % {"d": decision.deadline.isoformat()},
            _("来源：%(meeting)s（%(date)s）")
            % {
                "meeting": meeting.title,
                "date": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d"),
            },
        ]
    )


@dataclass
class Issued:
    meeting: Meeting
    commands: list[Command]
    again: bool  # the minutes had been issued already: nothing was done


def issue_minutes(user: Account, meeting_id: int, now: dt.datetime | None = None) -> Issued:
    """纪要印发: each decision becomes a command to its owner units, in one transaction.
    Issuing again changes nothing (`again`)."""
    now = now or timezone.now()
    meeting = get_meeting(user, meeting_id)
    if not can_issue(user, meeting):
        raise NotAllowed("user", _("您无权印发该会议纪要"))
    if meeting.state == State.ISSUED:
        return Issued(meeting, [], again=True)
    before, after = TRANSITIONS["issue"]
    if meeting.state != before:
        raise Conflict("state", _("会议尚未召开，不能印发纪要"))
    made: list[Command] = []
    with transaction.atomic():
        # The claim: of two requests at once, one moves the state and issues; the other finds
        # nothing to move and answers as a repeat.
        if not Meeting.objects.filter(pk=meeting.pk, state=before).update(
            state=after, issued_at=now
        ):
            meeting.refresh_from_db()
            return Issued(meeting, [], again=True)
        decisions = list(meeting.decisions.filter(command__isnull=True).prefetch_related("owners"))
        for d in decisions:
            name = f"decisions[{d.position}]"
            try:
                command = command_service.issue(
                    user,
                    title=command_title(meeting, d),
                    body=command_body(meeting, d),
                    due_at=due_at(d),
                    units=[r.code for r in d.owners.all()],
                    now=now,
                )
            except CommandError as exc:
                what = "deadline" if exc.field == "due_at" else "owners"
                raise MeetingError(f"{name}.{what}", str(exc)) from exc
            Decision.objects.filter(pk=d.pk, command__isnull=True).update(command=command)
            made.append(command)
        _step(meeting, user, before, after, now)
    meeting.refresh_from_db()
    return Issued(meeting, made, again=False)
