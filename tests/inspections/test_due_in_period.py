"""Inspections against what fell due in a period (the bulletins' 应检/已检): the sources whose
interval came due in it, from their last inspection before it, and which of them were
inspected in it — not every source of the district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.inspections.models import Inspection
from gridgov.inspections.plans import due_in_period, statistics
from gridgov.territory.models import Level

pytestmark = pytest.mark.django_db


def _backdate(inspection: Inspection, days: int) -> None:
    Inspection.objects.filter(pk=inspection.pk).update(at=timezone.now() - dt.timedelta(days=days))


def test_a_day_owes_the_sources_due_that_day_not_every_source(sources, inspect, crew):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The site (every 7 days) was last inspected 8 days ago: due yesterday, and inspected then.
    _backdate(inspect(sources["site"]).inspection, 8)
    _backdate(inspect(sources["site"]).inspection, 1)
    # The enterprise (every 14 days) was inspected 3 days ago: not due yesterday.
    _backdate(inspect(sources["enterprise"], point=(35.21, 113.06)).inspection, 3)
    # The restaurant (every 30 days) was never inspected since it was registered 60 days ago:
    # overdue, so owed, and not inspected.
    *streets, total = due_in_period(crew["command"], yesterday, yesterday, Level.STREET)
    assert (total.due, total.done, total.share) == (2, 1, 0.5)
    assert [(r.unit_code, r.due, r.done) for r in streets] == [("D-S1", 1, 1), ("D-S2", 1, 0)]
    # The old figure, sources inspected ÷ every source, said a third.
    assert statistics(crew["command"], yesterday, yesterday)[-1].coverage == 33.3
    # Nothing inspected and nothing due: no share at all, not 0 %.
    long_ago = yesterday - dt.timedelta(days=400)
    assert due_in_period(crew["command"], long_ago, long_ago)[-1].share is None
    # The scope: the G1 worker is owed only G1's site.
    (mine, mine_total) = due_in_period(crew["g1_worker"], yesterday, yesterday)
    assert (mine.unit_code, mine_total.due, mine_total.done) == ("D-S1", 1, 1)
