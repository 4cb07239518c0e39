"""The racing metrics of mediation read the statistics: 化解率 and the follow-up on-time rate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.mediation import casework, services
from gridgov.racing.metrics import REGISTRY

pytestmark = pytest.mark.django_db


def test_metrics_registered_and_computed(make_case, users, med, territory):
    today = timezone.localdate()
    early = today - dt.timedelta(days=40)
    user = users["command"]
    for outcome in ("agreement", "agreement", "failed"):
        case = make_case(received_on=early)
        casework.add_session(user, case.pk, date=early, place="x", mediator_ids=[med.m1.pk],
                             notes="x")  # fmt: skip
        casework.record_outcome(user, case.pk, outcome=outcome, date=early, terms="x",
                                perform_by=today)  # fmt: skip
        if outcome == "agreement":
            casework.sign_agreement(user, case.pk, signed_on=early, followup_days=30)
    first = services.open_followups(user).first()
    assert first is not None
    casework.record_followup(user, first.case_id, done_on=early + dt.timedelta(days=5),
                             findings="已履行")  # fmt: skip
    rate = REGISTRY["mediation_rate"]
    assert rate.sample == "cases" and rate.higher_is_better and rate.unit == "%"
    streets = [territory["D-S1"], territory["D-S2"]]
    values = rate(streets, early, today)
    assert values[territory["D-S1"].pk].value == pytest.approx(66.7)
    assert values[territory["D-S1"].pk].sample == 3
    assert values[territory["D-S2"].pk].value is None
    assert values[territory["D-S2"].pk].sample == 0
    on_time = REGISTRY["followup_on_time_rate"](streets, early, today)
    assert on_time[territory["D-S1"].pk].value == 50.0
    assert on_time[territory["D-S1"].pk].sample == 2
    communities = [territory["D-S1-C1"], territory["D-S2-C2"]]
    assert rate(communities, early, today)[territory["D-S1-C1"].pk].sample == 3
