"""The horse race's project metrics: registered, and reading the projects' figures per unit."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.racing.metrics import REGISTRY

pytestmark = pytest.mark.django_db


def test_metrics_registered():
    on_time, spend = REGISTRY["project_milestone_on_time_rate"], REGISTRY["project_spend_rate"]
    assert (on_time.unit, on_time.higher_is_better, on_time.sample) == ("%", True, "milestones")
    assert (spend.unit, spend.higher_is_better) == ("%", True)


def test_metric_values(place, territory):
    streets = [territory["D-S1"], territory["D-S2"]]
    start, end = place.today - dt.timedelta(days=60), place.today
    on_time = REGISTRY["project_milestone_on_time_rate"](streets, start, end)
    east, west = territory["D-S1"].pk, territory["D-S2"].pk
    assert (on_time[east].value, on_time[east].sample) == (50.0, 2)
    assert (on_time[west].value, on_time[west].sample) == (None, 0)
    spend = REGISTRY["project_spend_rate"](streets, start, end)
    assert (spend[east].value, spend[east].sample) == (40.0, 1)
    assert spend[west].value is None
    # Spending is counted up to the period's end: 30 of 100 three weeks ago.
    spend = REGISTRY["project_spend_rate"](streets, start, place.today - dt.timedelta(days=20))
    assert spend[east].value == 30.0
    # The district is one unit holding everything.
    district = REGISTRY["project_spend_rate"]([territory["D"]], start, end)
    assert district[territory["D"].pk].sample == 1
