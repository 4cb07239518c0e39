"""The same queued submission sent twice at the same moment (two tabs, a retry overtaking a
slow answer): the receipt is written before the action, so the second request waits for the
first one's commit, finds the receipt and is answered with the first result — one action."""

from __future__ import annotations

import pytest

from gridgov.web import receipts
from gridgov.workorders.models import Transition
from gridgov.workorders.services import perform
from tests.workorders.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_one_key_sent_twice_at_once_acts_once(crew, report):
    order = report()
    worker = crew["g1_worker"]
    answers: list[receipts.Outcome] = []

    def send() -> None:
        def act() -> tuple[str, str]:
            perform(order.pk, "sign", worker)
            return f"/orders/m/{order.pk}/", "已签收"

        answers.append(receipts.once(worker, f"order-action:{order.pk}", "q-race-1", act))

    assert race(send, send) == ["ok", "ok"]
    assert sorted(a.repeated for a in answers) == [False, True]
    assert {a.url for a in answers} == {f"/orders/m/{order.pk}/"}
    assert Transition.objects.filter(order=order, action="sign").count() == 1
