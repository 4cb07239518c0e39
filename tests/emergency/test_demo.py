"""The demo's past orange warning: declared through the real path, commands mostly answered on
time, inspections at the sources by their grid's workers, an imperfect record."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gridgov.demo.emergency import seed_emergency
from gridgov.emergency import services
from gridgov.emergency.models import Level
from gridgov.inbox.models import Notification
from gridgov.inspections.models import ChecklistItem, Inspection
from tests.emergency.conftest import G3, source

pytestmark = pytest.mark.django_db


def test_seed_emergency(fronts, users, s1_official, people):
    for i in range(6):
        source("construction_site", (35.1 + i * 0.04, 113.05), f"东一工地{i}", phase="earthwork")
        source("restaurant", (35.1 + i * 0.04, 113.3), f"西一餐馆{i}")
    source("enterprise", G3, "西一丁级企业", grade="D")
    # The default checklists (a data migration) already hold these; made here if not.
    ChecklistItem.objects.get_or_create(category="construction_site", code="fencing")
    ChecklistItem.objects.get_or_create(category="construction_site", code="covering")
    today = dt.date(2026, 12, 1)
    w = seed_emergency(random.Random(7), today, users["command"])
    assert w is not None and w.level == Level.ORANGE
    length = w.ends_at - w.starts_at
    assert dt.timedelta(days=3) <= length <= dt.timedelta(days=4)
    assert (
        dt.timedelta(days=14)
        <= today - timezone.localtime(w.starts_at).date()
        <= dt.timedelta(days=21)
    )
    assert w.commands.count() == 2
    record = services.compliance(w, users["command"], now=w.ends_at + dt.timedelta(days=5))
    assert not record.ongoing and record.total.sources == 8 + 6 + 6 + 1
    assert 0.3 < record.total.coverage < 1  # real, imperfect
    assert record.total.acknowledged >= 1
    inspections = Inspection.objects.filter(at__gte=w.starts_at, at__lt=w.ends_at)
    assert inspections.count() == record.total.inspections
    for i in inspections.select_related("source", "inspector"):
        assert i.distance_m <= 41
        grids = set(i.inspector.posts.values_list("region_id", flat=True))
        assert i.source.grid_id in grids
    notices = Notification.objects.filter(key__in=[f"cmd:{c.pk}" for c in w.commands.all()])
    assert notices.exists() and not notices.filter(read_at__isnull=True).exists()
    assert not notices.filter(created_at__gt=w.starts_at).exists()
    # the same call again changes nothing
    assert seed_emergency(random.Random(7), today, users["command"]) is None
