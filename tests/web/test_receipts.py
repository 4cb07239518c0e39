"""提交回执 (web/receipts.py): a phone submission carried out once by its key — the same key
twice acts once and answers the first result; two keys act twice; another account's key, or a
key for another kind of submission, is refused; a refused action leaves its key free."""

from __future__ import annotations

import pytest

from gridgov.errors import DomainError
from gridgov.web import receipts
from gridgov.web.models import SubmissionReceipt

pytestmark = pytest.mark.django_db


def counter():
    done: list[int] = []

    def act() -> tuple[str, str]:
        done.append(1)
        return f"/orders/m/{len(done)}/", f"第 {len(done)} 次"

    return done, act


def test_the_same_key_twice_acts_once_and_answers_the_first_result(users):
    done, act = counter()
    first = receipts.once(users["g1_leader"], "order-action:1", "k-1", act)
    again = receipts.once(users["g1_leader"], "order-action:1", " k-1 ", act)
    assert len(done) == 1 and SubmissionReceipt.objects.count() == 1
    assert (first.url, first.message, first.repeated) == ("/orders/m/1/", "第 1 次", False)
    assert (again.url, again.message, again.repeated) == ("/orders/m/1/", "第 1 次", True)


def test_two_keys_act_twice_and_no_key_always_acts(users):
    done, act = counter()
    receipts.once(users["g1_leader"], "followup:1", "k-1", act)
    receipts.once(users["g1_leader"], "followup:1", "k-2", act)
    assert len(done) == 2 and SubmissionReceipt.objects.count() == 2
    receipts.once(users["g1_leader"], "followup:1", "", act)  # a plain form, no JavaScript
    receipts.once(users["g1_leader"], "followup:1", None, act)
    assert len(done) == 4 and SubmissionReceipt.objects.count() == 2


def test_a_key_of_another_account_or_kind_is_refused(users):
    done, act = counter()
    receipts.once(users["g1_leader"], "order-action:1", "k-1", act)
    with pytest.raises(DomainError) as refused:
        receipts.once(users["east_secretary"], "order-action:1", "k-1", act)
    assert refused.value.kind == "invalid" and refused.value.field == "submission"
    assert "该提交编号已被使用" in refused.value.message
    with pytest.raises(DomainError):
        receipts.once(users["g1_leader"], "order-action:2", "k-1", act)
    assert len(done) == 1


def test_a_refused_action_keeps_nothing_and_leaves_its_key_free(users):
    def refuse() -> tuple[str, str]:
        SubmissionReceipt.objects.create(  # something the action wrote before refusing
            key="side", account=users["g1_leader"], kind="x", created_at="2026-01-01T00:00Z"
        )
        raise DomainError.conflict("工单已被他人处理")

    with pytest.raises(DomainError):
        receipts.once(users["g1_leader"], "order-action:1", "k-1", refuse)
    assert not SubmissionReceipt.objects.exists()  # all undone, the receipt too
    done, act = counter()
    assert not receipts.once(users["g1_leader"], "order-action:1", "k-1", act).repeated
    assert len(done) == 1


@pytest.mark.parametrize("bad", ["k\x00", "k" * 41])
def test_a_bad_key_is_refused_naming_the_field(users, bad):
    done, act = counter()
    with pytest.raises(DomainError) as refused:
        receipts.once(users["g1_leader"], "order-action:1", bad, act)
    assert refused.value.field == "submission" and not done
