"""The demo's own monitors: registered through the write path, a day of uploads judged, the
past warning's stop and limit broken, and the last hour through the receiver's hook."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gridgov.demo.monitors import seed_monitors
from gridgov.emergency import declaring, services
from gridgov.emergency.models import Level
from gridgov.sources.models import MonitorFinding, SourceMonitor
from gridgov.workorders.models import WorkOrder
from tests.emergency.conftest import G1, G3, source

pytestmark = pytest.mark.django_db


def test_the_demo_monitors_find_each_kind_of_violation(people, users):
    source("construction_site", G1, "东一工地", phase="structure")
    source("construction_site", G3, "西一工地", phase="earthwork")
    source("restaurant", G1, "东一饭店")
    source("enterprise", G1, "丙级企业", grade="C")
    source("enterprise", G3, "丁级企业", grade="D")
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= dt.timedelta(days=10)
    done = declaring.declare(
        users["command"],
        Level.ORANGE,
        start,
        start + dt.timedelta(days=3),
        "重污染",
        now=start - dt.timedelta(hours=3),
    )
    made = seed_monitors(random.Random(5), done.warning)
    kinds = sorted(SourceMonitor.objects.values_list("kind", flat=True))
    assert kinds == ["dust", "dust", "fume", "power", "power"]
    rules = sorted(MonitorFinding.objects.values_list("rule", flat=True))
    assert rules == sorted(
        ["dust", "dust", "purifier_off", "treatment_off", "warning_stop", "warning_limit"]
    )
    assert made == len(rules)
    assert WorkOrder.objects.count() == len(rules)
    assert all(f.order_id for f in MonitorFinding.objects.all())
    record = services.compliance(done.warning, users["command"], now)
    assert sorted(m.rule for m in record.monitored) == ["warning_limit", "warning_stop"]
    # the last hour's exceedance, through the hook: its order is due within the hour from now
    last = MonitorFinding.objects.filter(rule="dust").order_by("-hour").first()
    order = WorkOrder.objects.get(pk=last.order_id)
    assert dt.timedelta(0) < order.extended_until - now <= dt.timedelta(hours=1, seconds=5)
    assert seed_monitors(random.Random(5), done.warning) == 0  # once
