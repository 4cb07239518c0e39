"""Two people acting on one order at the same moment never produce an impossible state."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gridgov.workorders.models import Transition, WorkOrder
from gridgov.workorders.services import WorkflowError, perform
from gridgov.workorders.states import State

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(*calls):
    """Run the calls at once; returns ("ok"|status) for each, in order."""
    barrier = threading.Barrier(len(calls))
    outcome: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            fn()
            outcome[i] = "ok"
        except WorkflowError as e:
            outcome[i] = e.status
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_signing_on_two_phones_at_once_one_wins(crew, report):
    order = report()
    worker = crew["g1_worker"]
    outcome = race(
        lambda: perform(order.pk, "sign", worker), lambda: perform(order.pk, "sign", worker)
    )
    assert sorted(outcome, key=str) == [409, "ok"]
    assert WorkOrder.objects.get(pk=order.pk).state == State.SIGNED
    assert Transition.objects.filter(order=order, action="sign").count() == 1


def test_sign_against_reassign_exactly_one_wins(crew, people, report):
    order = report()
    outcome = race(
        lambda: perform(order.pk, "sign", crew["g1_worker"]),
        lambda: perform(
            order.pk,
            "reassign",
            crew["east_secretary"],
            note="换人",
            assignee_id=people["g1_part"].pk,
        ),
    )
    fresh = WorkOrder.objects.get(pk=order.pk)
    if outcome == ["ok", "ok"]:
        # Not a race after all (a loaded machine ran the threads one after the other): signing
        # first and then reassigning the signed order is a legal sequence, and it must show.
        assert fresh.state == State.DISPATCHED and fresh.assignee == people["g1_part"]
        assert list(fresh.transitions.values_list("action", flat=True).order_by("pk"))[-2:] == [
            "sign",
            "reassign",
        ]
        return
    # The loser either lost the conditional update (409) or, arriving a moment later, found
    # the order no longer its own (403): never both winning, never an impossible state.
    assert outcome.count("ok") == 1 and {o for o in outcome if o != "ok"} <= {403, 409}
    if outcome[0] == "ok":
        assert fresh.state == State.SIGNED and fresh.assignee == people["g1_worker"]
    else:
        assert fresh.state == State.DISPATCHED and fresh.assignee == people["g1_part"]
    assert fresh.transitions.count() == 3  # create, auto_dispatch, and the winner
