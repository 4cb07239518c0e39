"""回访 from the phone's offline queue: re-sent with its `submission` key after a lost answer,
it is recorded once and answered like the first time (not 该案件没有待回访事项); a new
submission when nothing is left to visit is a 409 conflict with the reason."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gridgov.mediation import casework
from gridgov.mediation.models import FollowUp, State
from gridgov.web.models import SubmissionReceipt
from tests.mediation.conftest import mediate_to_agreement

pytestmark = pytest.mark.django_db


def test_a_followup_re_sent_is_recorded_once(login, crew, med, users, make_case):
    case = make_case()
    today = timezone.localdate()
    mediate_to_agreement(users["command"], case, med.m1, today)
    casework.sign_agreement(users["command"], case.pk, signed_on=today)
    m = login("c1_mediator")
    url = f"/mediation/m/followups/{case.pk}/"
    body = {"done_on": today.isoformat(), "findings": "协议已履行", "performed": "yes",
            "submission": "q-visit-1"}  # fmt: skip
    first, again = m.post(url, body), m.post(url, body)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == "/mediation/m/followups/"
    assert FollowUp.objects.filter(case=case, done_on__isnull=False).count() == 1
    assert SubmissionReceipt.objects.filter(key="q-visit-1", kind=f"followup:{case.pk}").exists()
    case.refresh_from_db()
    assert case.state == State.FOLLOWED_UP

    late = m.post(url, {**body, "submission": "q-visit-2"})  # the case moved on meanwhile
    assert late.status_code == 409 and "该案件没有待回访事项" in late.content.decode()
    bad = m.post(url, {**body, "findings": ""})
    assert bad.status_code == 400
