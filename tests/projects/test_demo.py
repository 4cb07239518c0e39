"""The demo's projects on the named territory: the 25 R&D projects of the city S&T plan and the
construction projects, located in grids, with milestones, spending and histories that add up."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Max, Sum
from django.utils import timezone

from gridgov.demo.projects import seed_projects
from gridgov.projects import listing, services
from gridgov.projects.listing import Filters
from gridgov.projects.models import Milestone, Project, Spending, StatusChange

pytestmark = pytest.mark.django_db


def test_seed_projects(territory, people, users):
    today = timezone.localdate()
    assert seed_projects(random.Random(7), today, users["command"]) == 30
    assert seed_projects(random.Random(7), today, users["command"]) == 0  # already there
    rd = Project.objects.filter(kind="rd")
    assert rd.count() == 25 and set(rd.values_list("plan", flat=True)) == {"city_st"}
    assert Project.objects.filter(kind="construction").count() == 5
    assert not Project.objects.filter(grid__isnull=True).exists()
    for p in Project.objects.all():
        assert services.spent_of(p) <= p.granted, p.code
        assert p.owner.path in p.grid.path
        dates = [h.date for h in p.history.all()]
        assert dates == sorted(dates) and dates[-1] <= today
        assert p.history.last().to_status == p.status
        if p.status == "completed":
            assert not p.milestones.filter(done__isnull=True).exists()
    assert Spending.objects.aggregate(m=Max("date"))["m"] <= today
    assert Spending.objects.aggregate(s=Sum("amount"))["s"] > 0
    overdue = listing.portfolio(users["command"], Filters(overdue=True), today)
    assert 1 <= overdue.count() <= 2
    assert Milestone.objects.filter(done__isnull=False, done__gt=dt.date.max).count() == 0
    statuses = set(StatusChange.objects.values_list("to_status", flat=True))
    assert statuses == {"applied", "approved", "ongoing", "acceptance", "completed", "terminated"}


def test_seed_on_the_first_of_a_month(territory, people, users):
    first = timezone.localdate().replace(day=1)
    assert seed_projects(random.Random(3), first, users["command"]) == 30
    assert Spending.objects.aggregate(m=Max("date"))["m"] <= first
