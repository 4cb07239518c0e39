"""The demo's month of inspections: made through the real service, deterministic, with failures,
rectifications closed by re-inspection and some still open."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gridgov.demo.inspections import seed_inspections
from gridgov.inspections.models import Inspection, Rectification
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import State
from tests.inspections.conftest import make_source

pytestmark = pytest.mark.django_db


def test_a_month_of_inspections(people, monkeypatch):
    import gridgov.demo.inspections as demo

    monkeypatch.setattr(demo, "FAIL_SHARE", 0.5)  # a small district: make failures certain
    monkeypatch.setattr(demo, "SKIP_SHARE", 0.0)
    for n in range(4):
        make_source("construction_site", (35.1 + n * 0.05, 113.05), f"工地{n}")
    make_source("restaurant", (35.2, 113.3), "西一饭店")
    today = timezone.localdate()
    result = seed_inspections(random.Random(3), today)
    assert result.inspections == Inspection.objects.count() > 10
    assert result.failed > 0 and result.rectifications == Rectification.objects.count() > 0
    assert result.closed + result.open == result.rectifications
    assert result.closed > 0
    first = Inspection.objects.order_by("at").first()
    assert first.at.date() >= today - dt.timedelta(days=30)
    assert Inspection.objects.filter(at__gt=timezone.now()).count() == 0
    assert Inspection.objects.filter(distance_m__gt=300, far=False).count() == 0
    # A grid worker of the source's grid inspected each.
    for i in Inspection.objects.select_related("source"):
        assert i.inspector.posts.filter(region=i.source.grid).exists()
    closed = Rectification.objects.filter(state="closed").first()
    assert WorkOrder.objects.get(pk=closed.order_id).state == State.CLOSED
