"""A decision becomes a command when the minutes are issued, once; its state is read from the
command's recipients (acknowledged, completed, overdue); open decisions carry over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.inbox import commands
from gridgov.inbox.models import Command, CommandRecipient
from gridgov.meetings import meeting_decisions, services
from gridgov.meetings.models import State
from tests.meetings.conftest import deadline

pytestmark = pytest.mark.django_db


def test_issuing_the_minutes_makes_one_command_per_decision_to_its_owner_units(
    convene, users, officials
):
    m = convene()
    d = meeting_decisions.add_decision(
        users["command"],
        m.pk,
        text="全面排查辖区工地苫盖",
        owners=["D-S1", "D-S2"],
        deadline=deadline(),
    )
    assert services.progress(d).state == "pending"
    done = meeting_decisions.issue_minutes(users["command"], m.pk)
    assert not done.again and len(done.commands) == 1
    d.refresh_from_db()
    command = d.command
    assert command is not None
    assert "全面排查辖区工地苫盖" in command.body
    assert set(command.recipients.values_list("region__code", flat=True)) == {"D-S1", "D-S2"}
    local_due = timezone.localtime(command.due_at)
    assert local_due.date() == deadline() and (local_due.hour, local_due.minute) == (23, 59)
    assert done.meeting.state == State.ISSUED
    assert [(s.from_state, s.to_state) for s in m.steps.all()] == [
        ("draft", "held"),
        ("held", "issued"),
    ]


def test_issuing_twice_issues_one_command(convene, users):
    m = convene()
    meeting_decisions.add_decision(
        users["command"], m.pk, text="道路冲洗", owners=["D-S1"], deadline=deadline()
    )
    first = meeting_decisions.issue_minutes(users["command"], m.pk)
    second = meeting_decisions.issue_minutes(users["command"], m.pk)
    assert len(first.commands) == 1
    assert second.again and second.commands == []
    assert Command.objects.count() == 1


def test_the_state_follows_acknowledgement_completion_and_the_deadline(convene, users):
    m = convene()
    d = meeting_decisions.add_decision(
        users["command"], m.pk, text="渣土车夜查", owners=["D-S1", "D-S2"], deadline=deadline(3)
    )
    meeting_decisions.issue_minutes(users["command"], m.pk)
    d.refresh_from_db()
    assert services.progress(d).state == "open"
    commands.acknowledge(d.command_id, users["s1_official"])
    p = services.progress(d)
    assert (p.state, p.acknowledged, p.recipients) == ("open", 1, 2)
    commands.acknowledge(d.command_id, users["s2_official"])
    assert services.progress(d).state == "acknowledged"
    commands.complete(d.command_id, users["s1_official"], "已完成夜查 3 次")
    assert services.progress(d).state == "acknowledged"
    # Past the deadline with one street not done: overdue.
    after = d.command.due_at + dt.timedelta(minutes=1)
    late = services.progress(d, after)
    assert late.state == "overdue" and late.late and late.completed == 1
    commands.complete(d.command_id, users["s2_official"], "已完成", now=after)
    done = services.progress(d, after + dt.timedelta(minutes=1))
    assert done.state == "done" and done.late
    # Read at an earlier moment, the same decision was still open: nothing is stored.
    assert services.progress(d, d.command.created_at).state == "open"


def test_open_decisions_carry_over_again_and_again_until_done(convene, users):
    now = timezone.now()
    first = convene(starts_at=now - dt.timedelta(days=14), title="第1次调度会")
    a = meeting_decisions.add_decision(
        users["command"], first.pk, text="甲事项", owners=["D-S1"], deadline=deadline(30)
    )
    b = meeting_decisions.add_decision(
        users["command"], first.pk, text="乙事项", owners=["D-S2"], deadline=deadline(30)
    )
    meeting_decisions.issue_minutes(users["command"], first.pk, now=now - dt.timedelta(days=13))
    a.refresh_from_db()
    # 乙 is done before the second meeting; 甲 is not.
    b.refresh_from_db()
    CommandRecipient.objects.filter(command=b.command).update(
        acknowledged_at=now - dt.timedelta(days=12), completed_at=now - dt.timedelta(days=12)
    )
    second = convene(starts_at=now - dt.timedelta(days=7), title="第2次调度会")
    assert second.previous_id == first.pk  # the convener's latest earlier meeting of its kind
    c = meeting_decisions.add_decision(
        users["command"], second.pk, text="丙事项", owners=["D-S1"], deadline=deadline(30)
    )
    meeting_decisions.issue_minutes(users["command"], second.pk, now=now - dt.timedelta(days=6))
    carried = services.carried_over(second)
    assert [(x.decision.text, x.times) for x in carried] == [("甲事项", 1)]
    third = convene(starts_at=now - dt.timedelta(hours=1), title="第3次调度会")
    carried = services.carried_over(third)
    assert [(x.decision.text, x.times) for x in carried] == [("甲事项", 2), ("丙事项", 1)]
    # 甲 done before the third meeting began: it no longer opens the next one.
    CommandRecipient.objects.filter(command=a.command).update(
        acknowledged_at=now - dt.timedelta(hours=3), completed_at=now - dt.timedelta(hours=3)
    )
    assert [x.decision.pk for x in services.carried_over(third)] == [c.pk]
    # ... but it stays on the second meeting's list, now shown as done.
    shown = services.carried_over(second)
    assert [(x.decision.pk, x.progress.state) for x in shown] == [(a.pk, "done")]


def test_a_meeting_of_another_kind_or_convener_is_not_the_previous_one(convene, users, officials):
    now = timezone.now()
    convene(starts_at=now - dt.timedelta(days=7), kind="topical")
    convene(
        user=users["s1_official"],
        starts_at=now - dt.timedelta(days=5),
        convener="D-S1",
        attendees=[],
    )
    m = convene(starts_at=now - dt.timedelta(hours=3))
    assert m.previous_id is None


def test_held_meetings_lock_the_header_and_issued_ones_lock_everything(convene, users):
    m = convene()
    with pytest.raises(services.Conflict):
        services.update_meeting(
            users["command"],
            m.pk,
            services.MeetingInput(
                title="改名", kind="dispatch", starts_at=m.starts_at, place="x", convener="D"
            ),
        )
    meeting_decisions.add_statement(users["command"], m.pk, unit="D-S1", text="保证完成任务")
    meeting_decisions.issue_minutes(users["command"], m.pk)
    with pytest.raises(services.Conflict):
        meeting_decisions.add_statement(users["command"], m.pk, unit="D-S1", text="再说一句")
    with pytest.raises(services.Conflict):
        meeting_decisions.add_decision(
            users["command"], m.pk, text="x", owners=["D-S1"], deadline=deadline()
        )
    with pytest.raises(services.Conflict):
        services.record_attendance(users["command"], m.pk, [])


def test_a_draft_cannot_issue_minutes(convene, users):
    m = convene(held=False)
    with pytest.raises(services.Conflict):
        meeting_decisions.issue_minutes(users["command"], m.pk)


def test_a_failed_issue_writes_nothing(convene, users, officials):
    m = convene()
    meeting_decisions.add_decision(
        users["command"], m.pk, text="甲", owners=["D-S1"], deadline=deadline()
    )
    meeting_decisions.add_decision(
        users["command"], m.pk, text="乙", owners=["D-S2"], deadline=deadline()
    )
    # 西街道's only official leaves: the second command would reach nobody.
    officials["s2"].posts.update(end_date=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(services.MeetingError) as err:
        meeting_decisions.issue_minutes(users["command"], m.pk)
    assert err.value.field == "decisions[2].owners"
    m.refresh_from_db()
    assert m.state == State.HELD and Command.objects.count() == 0


def test_a_street_office_manages_its_own_meetings_only(convene, users, officials):
    district = convene()
    street = convene(user=users["s1_official"], convener="D-S1", attendees=[])
    assert services.can_manage(users["s1_official"], street)
    assert not services.can_manage(users["s1_official"], district)
    with pytest.raises(services.NotAllowed):
        meeting_decisions.add_statement(users["s1_official"], district.pk, unit="D-S1", text="x")
    with pytest.raises(services.MeetingError) as err:
        services.create_meeting(
            users["s1_official"],
            __import__("tests.meetings.conftest", fromlist=["x"]).meeting_input(
                convener="D-S2", attendees=[]
            ),
        )
    assert err.value.field == "convener"
    # Its decisions go to its own area only.
    with pytest.raises(services.MeetingError) as err:
        meeting_decisions.add_decision(
            users["s1_official"], street.pk, text="x", owners=["D-S2"], deadline=deadline()
        )
    assert err.value.field == "owners[0]"
