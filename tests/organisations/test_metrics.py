"""The racing metrics: registered, and the coverage rates per street as of the period's end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.racing.metrics import REGISTRY, Reading

pytestmark = pytest.mark.django_db


def test_metrics_are_registered():
    for key in ("org_coverage_rate", "work_coverage_rate"):
        m = REGISTRY[key]
        assert m.unit == "%" and m.higher_is_better and m.sample == "organisations"


def test_metrics_values(orgs, territory):
    streets = [territory["D-S1"], territory["D-S2"]]
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    org = REGISTRY["org_coverage_rate"](streets, start, today)
    work = REGISTRY["work_coverage_rate"](streets, start, today)
    s1, s2 = territory["D-S1"].pk, territory["D-S2"].pk
    assert org == {s1: Reading(50.0, 2), s2: Reading(0.0, 1)}
    assert work == {s1: Reading(50.0, 2), s2: Reading(0.0, 1)}
    # as of a past period's end: no party organisation yet
    past = REGISTRY["org_coverage_rate"](streets, dt.date(2025, 2, 1), dt.date(2025, 2, 15))
    assert past[s1] == Reading(0.0, 2)
    # a level without organisations' units: no value
    grids = [territory["D-S1-C1-G1"]]
    assert REGISTRY["org_coverage_rate"](grids, start, today) == {grids[0].pk: Reading(None, 0)}
