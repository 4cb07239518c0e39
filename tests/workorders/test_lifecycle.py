"""The work order's state machine: every allowed transition, forbidden ones per role, scope, and
the audit trail each step leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.inbox.models import Notification
from gridgov.workorders.models import Source, Transition, WorkOrder
from gridgov.workorders.services import (
    WorkflowError,
    allowed_actions,
    merge,
    orders_for,
    perform,
    possible_duplicates,
)
from gridgov.workorders.states import State
from tests.workorders.fixtures import G2_POINT, G3_POINT, category

pytestmark = pytest.mark.django_db


def act(order, code, user, **kw):
    order, _t = perform(order.pk, code, user, **kw)
    return order


def refused(order, code, user, status, **kw) -> WorkflowError:
    with pytest.raises(WorkflowError) as info:
        perform(order.pk, code, user, **kw)
    assert info.value.status == status, str(info.value)
    return info.value


def inbox(person):
    return list(Notification.objects.filter(person=person).values_list("kind", flat=True))


def test_patrol_report_goes_to_the_full_time_worker_of_the_grid(crew, people, report):
    order = report(user=crew["g1_part"])
    assert order.state == State.DISPATCHED
    # 专职网格员 before 兼职 (by post rank); the grid leader supervises, is not the first assignee.
    assert order.assignee == people["g1_worker"]
    assert order.unit.code == "D-S1-C1-G1"
    assert order.sent_by_unit.code == "D-S1-C1"
    assert order.step == "sign" and order.due_at > order.created_at
    assert inbox(people["g1_worker"]) == [Notification.Kind.ASSIGNED]
    trail = list(order.transitions.values_list("action", "from_state", "to_state"))
    assert trail == [("create", "", "reported"), ("auto_dispatch", "reported", "dispatched")]
    assert order.event.region.code == "D-S1-C1-G1"


def test_the_whole_loop_with_its_audit_trail(crew, people, report):
    order = report(source=Source.CITIZEN, contact_phone="13800000000")
    assert order.state == State.REPORTED and order.assignee is None
    sec, worker = crew["east_secretary"], crew["g1_worker"]
    order = act(order, "accept", sec)
    order = act(order, "dispatch", sec)
    assert order.assignee == people["g1_worker"] and order.state == State.DISPATCHED
    order = act(order, "sign", worker)
    assert order.signed_at is not None and order.step == "handle"
    order = act(order, "start", worker, lat=35.2, lon=113.05)
    order = act(order, "handle", worker, note="已苫盖并洒水")
    assert order.handled_by == people["g1_worker"] and order.step == "verify"
    assert Notification.Kind.TO_VERIFY in inbox(people["east_secretary"])
    order = act(order, "verify", sec, note="现场核查已整改")
    order = act(order, "close", sec)
    assert order.state == State.CLOSED and order.closed_at and order.due_at is None
    rows = list(Transition.objects.filter(order=order).order_by("at", "pk"))
    assert [(r.action, r.from_state, r.to_state) for r in rows] == [
        ("create", "", "reported"),
        ("accept", "reported", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("sign", "dispatched", "signed"),
        ("start", "signed", "in_progress"),
        ("handle", "in_progress", "handled"),
        ("verify", "handled", "verified"),
        ("close", "verified", "closed"),
    ]
    assert rows[3].actor == worker and rows[3].actor_name == "李专职"
    assert rows[4].lat == 35.2
    assert rows[0].actor is None and rows[0].actor_name == "系统"


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("g1_worker", "dispatch", 409),  # not in 已立案: the state is checked first
        ("g1_part", "sign", 403),  # a worker of the grid, but not the assignee
        ("east_secretary", "sign", 403),  # a superior is not the assignee either
        ("g1_worker", "verify", 409),
        ("g1_worker", "close", 409),
        ("g1_worker", "void", 403),  # only a dispatcher voids
        ("west_secretary", "void", 404),  # another community's order is invisible
        ("nobody", "sign", 404),
    ],
)
def test_forbidden_on_a_dispatched_order(crew, report, username, code, status):
    order = report()
    refused(order, code, crew[username], status, note="x")
    assert WorkOrder.objects.get(pk=order.pk).state == State.DISPATCHED


def test_grid_worker_cannot_accept_or_dispatch(crew, report):
    order = report(source=Source.CITIZEN)
    refused(order, "accept", crew["g1_worker"], 403)
    order = act(order, "accept", crew["east_secretary"])
    refused(order, "dispatch", crew["g1_worker"], 403)


def test_another_communitys_order_is_invisible_and_immutable(crew, report):
    order = report()
    west = crew["west_secretary"]
    assert not orders_for(west).filter(pk=order.pk).exists()
    for code in ("accept", "dispatch", "sign", "verify", "close", "void", "supervise"):
        refused(order, code, west, 404, note="x")
    assert orders_for(crew["east_secretary"]).filter(pk=order.pk).exists()
    assert orders_for(crew["command"]).filter(pk=order.pk).exists()
    # The assignee sees it even without a post above the grid.
    assert orders_for(crew["g1_worker"]).filter(pk=order.pk).exists()
    assert not orders_for(crew["g3_worker"]).filter(pk=order.pk).exists()


def test_the_handler_may_not_verify(crew, people, report):
    sec = crew["east_secretary"]
    order = report()
    order = act(order, "reassign", sec, assignee_id=people["east_secretary"].pk, note="我来办")
    assert order.assignee == people["east_secretary"]
    order = act(order, "sign", sec)
    order = act(order, "handle", sec, note="已处理")
    error = refused(order, "verify", sec, 403)
    assert "处置人" in str(error)
    refused(order, "reject", sec, 403, note="x")
    assert act(order, "verify", crew["command"]).state == State.VERIFIED


def test_failed_verification_sends_it_back_to_in_progress(crew, people, report):
    order = report()
    worker, sec = crew["g1_worker"], crew["east_secretary"]
    act(order, "sign", worker)
    order = act(order, "handle", worker, note="done")
    refused(order, "reject", sec, 400)  # a reason is required
    order = act(order, "reject", sec, note="仍有裸土未苫盖")
    assert order.state == State.IN_PROGRESS and order.handled_by is None
    assert order.step == "handle"
    assert Notification.Kind.REJECTED in inbox(people["g1_worker"])
    order = act(order, "handle", worker, note="全部苫盖")
    assert act(order, "verify", sec).state == State.VERIFIED


def test_return_goes_back_to_the_unit_that_sent_it(crew, people, report):
    order = report()
    worker, sec = crew["g1_worker"], crew["east_secretary"]
    refused(order, "return", worker, 400)  # the reason is required
    order = act(order, "return", worker, note="不属于本网格")
    assert order.state == State.RETURNED
    assert order.assignee is None and order.unit.code == "D-S1-C1"
    assert order.returned_count == 1 and order.step == "dispatch"
    assert Notification.Kind.RETURNED in inbox(people["east_secretary"])
    order = act(order, "dispatch", sec, assignee_id=people["g1_part"].pk)
    assert order.assignee == people["g1_part"] and order.state == State.DISPATCHED
    assert act(order, "sign", crew["g1_part"]).state == State.SIGNED


def test_reassign_needs_someone_in_scope_and_different(crew, people, report):
    order = report()
    sec = crew["east_secretary"]
    refused(order, "reassign", sec, 400, note="x")  # no assignee given
    e = refused(order, "reassign", sec, 400, note="x", assignee_id=people["g3_worker"].pk)
    assert e.field == "assignee"
    e = refused(order, "reassign", sec, 400, note="x", assignee_id=people["g1_worker"].pk)
    assert e.field == "assignee"
    order = act(order, "reassign", sec, note="换人", assignee_id=people["g1_part"].pk)
    assert order.assignee == people["g1_part"] and order.step_seq == 3


def test_void_needs_a_reason_and_keeps_the_row(crew, report):
    order = report()
    e = refused(order, "void", crew["east_secretary"], 400)
    assert e.field == "note"
    order = act(order, "void", crew["east_secretary"], note="重复上报")
    assert WorkOrder.objects.get(pk=order.pk).state == State.VOIDED
    refused(order, "sign", crew["g1_worker"], 409)


def test_extension_requested_and_approved(crew, people, report):
    order = report()
    worker, sec = crew["g1_worker"], crew["east_secretary"]
    order = act(order, "sign", worker)
    until = order.due_at + dt.timedelta(days=2)
    e = refused(order, "request_extension", worker, 400, note="需协调", until=order.due_at)
    assert e.field == "until"
    order = act(order, "request_extension", worker, note="需协调施工方", until=until)
    refused(order, "request_extension", worker, 409, note="again", until=until)
    refused(order, "approve_extension", worker, 403)
    order = act(order, "approve_extension", sec)
    assert order.due_at == until and order.extended_until == until
    assert order.extensions.get().approved is True
    assert Notification.Kind.EXTENSION in inbox(people["g1_worker"])
    refused(order, "approve_extension", sec, 409)  # nothing pending any more


def test_supervision_notifies_and_needs_a_deadline(crew, people, report):
    order = report()
    cmd = crew["command"]
    refused(order, "supervise", cmd, 400, note="加快")
    order = act(
        order, "supervise", cmd, note="今日办结", until=timezone.now() + dt.timedelta(hours=4)
    )
    assert order.supervisions.count() == 1
    assert Notification.Kind.SUPERVISED in inbox(people["g1_worker"])
    refused(order, "supervise", crew["g1_worker"], 403, note="x", until=timezone.now())


def test_allowed_actions_for_each_role(crew, report):
    order = report()
    assert {a.code for a in allowed_actions(crew["g1_worker"], order)} == {"sign", "return"}
    assert {a.code for a in allowed_actions(crew["east_secretary"], order)} == {
        "reassign",
        "void",
        "supervise",
    }
    assert allowed_actions(crew["west_secretary"], order) == []


def test_vacant_grid_falls_back_up_the_chain(crew, people, report):
    order = report(point=G2_POINT)  # G2 has no staff: its community's secretary gets it
    assert order.assignee == people["east_secretary"]
    assert order.unit.code == "D-S1-C1"


def test_bad_inputs_are_refused_with_the_field(crew, report):
    with pytest.raises(WorkflowError) as e:
        report(point=(30.0, 100.0))
    assert e.value.field == "lat"  # outside the district's extent
    with pytest.raises(WorkflowError) as e:
        report(point=(35.3, 113.5))  # in its extent (the margin), outside every grid
    assert e.value.field == "location"
    with pytest.raises(WorkflowError) as e:
        report(code="air_pollution")  # a top-level group is not a category to file under
    assert e.value.field == "category"
    with pytest.raises(WorkflowError) as e:
        report(title="  ")
    assert e.value.field == "title"
    order = report()
    with pytest.raises(WorkflowError) as e:
        perform(order.pk, "fly", crew["g1_worker"])
    assert e.value.field == "action"
    e2 = refused(order, "sign", crew["g1_worker"], 400, lat=91.0, lon=113.0)
    assert e2.field == "lat"


def test_duplicates_are_found_and_merged(crew, report):
    first = report(point=(35.2, 113.05))
    near = possible_duplicates(category("construction_dust"), 35.2005, 113.0502)
    assert [e.pk for e, _m in near] == [first.event.pk]
    assert near[0][1] < 100
    assert possible_duplicates(category("construction_dust"), 35.25, 113.05) == []
    assert possible_duplicates(category("restaurant_fumes"), 35.2, 113.05) == []
    second = report(point=(35.2005, 113.0502), user=crew["g1_worker"])
    merged = merge(second.event.pk, first.event.pk, crew["g1_worker"])
    assert merged.merged_into_id == first.event.pk
    assert WorkOrder.objects.get(pk=second.pk).state == State.VOIDED
    with pytest.raises(WorkflowError):
        merge(second.event.pk, first.event.pk, crew["g1_worker"])
    other = report(point=G3_POINT, code="restaurant_fumes")
    with pytest.raises(WorkflowError) as e:
        merge(other.event.pk, first.event.pk, crew["command"])
    assert e.value.field == "into"
