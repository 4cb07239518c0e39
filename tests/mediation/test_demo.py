"""The demo's mediation on the small named territory: committees everywhere, the four
trainings attended by every mediator, the year's cases all resolved, open ones in the flow,
dispute orders handed over; seeded once."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from gridgov.demo.mediation import MEDIATED, seed_mediation
from gridgov.mediation import services
from gridgov.mediation.models import Attendance, Case, CaseSource, Committee, State, Training
from gridgov.territory.models import Level, Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [dt.date(2026, 12, 2), dt.date(2027, 1, 1)])
def test_seed(users, med, crew, today):
    Committee.objects.all().delete()
    made = seed_mediation(random.Random(3), today, users["command"])
    units = Region.objects.filter(level__in=[Level.STREET, Level.COMMUNITY]).count()
    assert Committee.objects.count() == units
    assert Training.objects.count() == 4
    assert Attendance.objects.values("person").distinct().count() == 3  # every mediator
    start = min(today.replace(month=1, day=1), today - dt.timedelta(days=120))
    year = services.statistics(users["command"], start, today)[-1]
    assert (year.mediated, year.resolved, year.rate) == (MEDIATED, MEDIATED, 100.0)
    assert made == Case.objects.count() == MEDIATED + 6 + 2
    assert Case.objects.filter(state__in=[State.RECEIVED, State.MEDIATING]).count() >= 3
    done = Case.objects.filter(state__in=[State.FOLLOWED_UP, State.ARCHIVED])
    assert done.count() == MEDIATED - Case.objects.filter(state=State.SUCCEEDED).count()
    assert done.filter(steps__action="followup").distinct().count() == done.count()
    assert Case.objects.filter(state=State.SUCCEEDED).count() < MEDIATED // 2
    assert Case.objects.filter(source=CaseSource.WORK_ORDER, order__isnull=False).count() == 2
    visits = services.open_followups(users["command"])
    assert 0 < visits.count() < MEDIATED // 2  # mostly done, a few due
    assert not services.overdue_followups(users["command"], today).exists()
    assert seed_mediation(random.Random(3), today, users["command"]) == 0
