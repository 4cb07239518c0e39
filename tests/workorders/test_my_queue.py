"""The desk's first queue, 待我处理: the orders whose next step is the viewer's to take — exactly
those whose page offers the viewer a button that moves them on, never an order waiting for
someone else (a worker does not see the check that waits for the community)."""

from __future__ import annotations

import pytest

from gridgov.workorders.models import WorkOrder
from gridgov.workorders.services import allowed_actions, perform, waiting_for
from gridgov.workorders.states import FORWARD_ACTIONS, State
from tests.workorders.fixtures import G3_POINT

pytestmark = pytest.mark.django_db

EVERYONE = ["command", "east_secretary", "west_secretary", "g1_leader", "g1_worker", "g1_part"]


def _orders(crew, report):
    """An order awaiting the G1 worker's 签收, one he has handled (awaiting the community's
    核查), one verified (awaiting 结案), and a hotline report in G3 awaiting 受理."""
    to_sign = report(title="待签收的")
    handled = report(title="已处置的")
    handled_by = handled.assignee.user
    perform(handled.pk, "sign", handled_by)
    perform(handled.pk, "handle", handled_by, note="已苫盖")
    verified = report(title="已核查的")
    perform(verified.pk, "sign", verified.assignee.user)
    perform(verified.pk, "handle", verified.assignee.user, note="已洒水")
    perform(verified.pk, "verify", crew["east_secretary"])
    from gridgov.workorders.models import Source

    reported = report(point=G3_POINT, source=Source.HOTLINE, title="热线来的", user=crew["command"])
    return to_sign, WorkOrder.objects.get(pk=handled.pk), verified, reported


def test_worker_waits_for_his_sign_not_for_someone_elses_check(client, crew, login, report):
    to_sign, handled, _verified, _reported = _orders(crew, report)
    worker = to_sign.assignee.user
    assert handled.state == State.HANDLED
    mine = set(waiting_for(worker).values_list("pk", flat=True))
    assert to_sign.pk in mine
    assert handled.pk not in mine
    # the community secretary checks it; the worker's 签收 is not the secretary's
    secretary = set(waiting_for(crew["east_secretary"]).values_list("pk", flat=True))
    assert handled.pk in secretary and to_sign.pk not in secretary
    # the page: the first queue, chosen by default, with its count
    login(worker.username)
    page = client.get("/orders/").content.decode()
    assert page.index("待我处理") < page.index("办理中")
    # the table's rows link to their orders (the map beside it shows every open order)
    assert f'href="/orders/{to_sign.pk}/"' in page
    assert f'href="/orders/{handled.pk}/"' not in page
    assert 'class="active">待我处理 <b>1</b>' in page
    assert 'class="bulk"' not in page  # the bulk actions are the dispatcher's
    # the old address of the first queue shows the same
    assert f'href="/orders/{handled.pk}/"' not in client.get("/orders/?queue=todo").content.decode()


def test_dispatcher_waits_for_acceptance_and_closing(crew, report):
    _to_sign, _handled, verified, reported = _orders(crew, report)
    command = set(waiting_for(crew["command"]).values_list("pk", flat=True))
    assert {verified.pk, reported.pk} <= command
    # the east community sees neither the G3 hotline report nor … its own verified one to close
    east = set(waiting_for(crew["east_secretary"]).values_list("pk", flat=True))
    assert reported.pk not in east
    assert verified.pk in east  # 结案 is the community's too (dispatch permission, in scope)


def test_the_queue_agrees_with_the_buttons_on_every_order(crew, report):
    _orders(crew, report)
    orders = list(WorkOrder.objects.select_related("event"))
    assert len(orders) == 4
    for username in EVERYONE:
        user = crew[username]
        queue = set(waiting_for(user).values_list("pk", flat=True))
        for order in orders:
            offered = {a.code for a in allowed_actions(user, order)} & FORWARD_ACTIONS
            assert (order.pk in queue) == bool(offered), (username, order.event.title, offered)
