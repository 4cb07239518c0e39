"""The demo's seed on the small named territory: 128 organisations with history, instructors,
visits (some lapsed), meetings and volunteers with reports; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gridgov.demo.organisations import seed_organisations
from gridgov.organisations import services, volunteering
from gridgov.organisations.models import Assignment, EventKind, JointMeeting, OrgEvent, Volunteer
from gridgov.workorders.models import Event

pytestmark = pytest.mark.django_db


def test_seed_organisations(users, instructors, s1_official):
    today = timezone.localdate().replace(day=1)  # the demo looks alive on the 1st of a month too
    command = users["command"]
    made = seed_organisations(random.Random(7), today, command)
    assert made == 128
    kinds = services.organisations_for(command).values_list("kind", flat=True)
    assert sorted(set(kinds)) == ["economic", "social"] and list(kinds).count("social") == 4
    assert OrgEvent.objects.filter(kind=EventKind.CLOSED).count() == 2
    assert OrgEvent.objects.filter(kind=EventKind.MOVED).count() >= 1
    # every organisation got an instructor
    assert Assignment.objects.values("organisation").distinct().count() == 128
    cov = services.coverage(command, today)
    assert cov.total.total == 126  # two closed
    assert 30 < (cov.total.org_rate or 0) < 80
    assert cov.uncovered and 0 < cov.total.work_covered < cov.total.total
    # a year ago there were fewer organisations
    assert services.coverage(command, today - dt.timedelta(days=365)).total.total < 128
    assert JointMeeting.objects.count() == 6  # three per street
    assert Volunteer.objects.count() == 60
    reported = Event.objects.filter(reported_by__person__gig_volunteering__isnull=False)
    assert reported.exists() and all(e.created_at.date() <= today for e in reported)
    _rows, total = volunteering.volunteer_stats(command, today - dt.timedelta(days=29), today)
    assert total.total == 60 and total.reports > 0
    assert seed_organisations(random.Random(7), today, command) == 0
