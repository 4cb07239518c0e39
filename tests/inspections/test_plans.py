"""Due and overdue sources by plan (tighter in a warning), and the statistics per unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.air.models import CST
from gridgov.emergency.models import Measure, Warning
from gridgov.inspections.models import Inspection
from gridgov.inspections.plans import due_sources, statistics
from gridgov.territory.models import Level

pytestmark = pytest.mark.django_db


def _backdate(inspection: Inspection, days: int) -> None:
    Inspection.objects.filter(pk=inspection.pk).update(at=timezone.now() - dt.timedelta(days=days))


def _warn(crew, level=2, **kw):
    """A warning in force since today's first minute (China time) at the latest."""
    now = timezone.now()
    today_start = dt.datetime.combine(timezone.localdate(), dt.time(0), tzinfo=CST)
    return Warning.objects.create(
        level=level,
        starts_at=kw.get("starts_at", max(now - dt.timedelta(hours=1), today_start)),
        ends_at=now + dt.timedelta(days=3),
        declared_by=crew["command"],
        declared_at=now,
    )


def test_due_by_plan(sources, inspect, crew):
    _backdate(inspect(sources["site"]).inspection, 10)  # every 7 days: 3 days overdue
    rows = {d.source.code: d for d in due_sources(crew["command"])}
    site = rows[sources["site"].code]
    today = timezone.localdate()
    assert site.interval == 7 and not site.emergency
    assert site.last == today - dt.timedelta(days=10)
    assert site.next_due == today - dt.timedelta(days=3)
    assert site.overdue_days == 3 and site.status == "overdue"
    # Never inspected: due an interval after it was registered (60 days ago).
    restaurant = rows[sources["restaurant"].code]
    assert restaurant.last is None and restaurant.overdue_days == 30
    enterprise = rows[sources["enterprise"].code]
    assert enterprise.overdue_days == 60 - 14
    assert next(iter(rows)) == sources["enterprise"].code  # most overdue first
    # Scope: the G1 worker does not see G3's restaurant.
    assert sources["restaurant"].code not in {d.source.code for d in due_sources(crew["g1_worker"])}


def test_inspected_today_is_not_due(sources, inspect, crew):
    inspect(sources["site"])
    site = next(d for d in due_sources(crew["g1_worker"]) if d.source == sources["site"])
    assert site.overdue_days == 0 and site.status == "ok" and site.days_left == 7


@pytest.mark.dates  # its figures depend on the hour: just after midnight too
def test_an_emergency_tightens_the_interval_from_its_first_day(sources, inspect, crew):
    _backdate(inspect(sources["site"]).inspection, 3)
    before = next(d for d in due_sources(crew["g1_worker"]) if d.source == sources["site"])
    assert before.status == "ok" and before.days_left == 4
    _warn(crew)
    during = next(d for d in due_sources(crew["g1_worker"]) if d.source == sources["site"])
    today = timezone.localdate()
    # 1 day in a warning: due today (the warning started today), not 2 days overdue.
    assert during.emergency and during.interval == 1
    assert during.next_due == today and during.status == "due"
    # A measure of the level may ask for less (here: the enterprise, grade C, every day, while
    # its plan's emergency interval is 3 days).
    from gridgov.inspections.models import InspectionPlan

    InspectionPlan.objects.filter(category="enterprise").update(emergency_interval_days=3)
    Measure.objects.filter(category="enterprise").delete()  # only the measure below
    Measure.objects.create(level=1, category="enterprise", text="C级企业限产", grades="CD",
                           inspection_interval_days=1)  # fmt: skip
    ent = next(d for d in due_sources(crew["g1_worker"]) if d.source == sources["enterprise"])
    assert ent.interval == 1
    Measure.objects.filter(grades="CD").update(grades="D")  # not its grade any more
    ent = next(d for d in due_sources(crew["g1_worker"]) if d.source == sources["enterprise"])
    assert ent.interval == 3


def test_statistics_per_unit_and_category(sources, inspect, crew):
    from tests.inspections.conftest import make_source

    second = make_source("construction_site", (35.25, 113.05), "东一二号工地")
    rect = inspect(sources["site"], failed=["covering"]).rectification
    inspect(sources["site"], rectification_id=rect.pk)  # closed the same day: on time
    inspect(sources["enterprise"], point=(35.21, 113.06), failed=["treatment_running"])
    from django.test import override_settings

    with override_settings(GRIDGOV_INSPECTION_MAX_METRES=50):
        inspect(sources["site"])  # ~100 m: flagged
    today = timezone.localdate()
    rows = statistics(crew["command"], today - dt.timedelta(days=7), today, Level.STREET)
    by = {(r.unit_name, r.category): r for r in rows}
    east_sites = by[("东街道", "construction_site")]
    assert east_sites.sources == 2 and east_sites.inspected == 1 and east_sites.coverage == 50.0
    assert east_sites.inspections == 3 and east_sites.failed == 1 and east_sites.far == 1
    assert east_sites.rect_opened == 1 and east_sites.rect_closed == 1
    assert east_sites.rect_on_time == 1
    assert east_sites.overdue_now == 1  # the second site, never inspected (60 days)
    east = by[("东街道", "")]
    assert east.sources == 3 and east.inspected == 2 and east.inspections == 4
    assert east.failed == 2 and east.rect_opened == 2 and east.rect_closed == 1
    west = by[("西街道", "")]
    assert west.sources == 1 and west.inspected == 0 and west.overdue_now == 1
    total = rows[-1]
    assert total.unit_name == "" and total.sources == 4 and total.inspections == 4
    # A community official of 东一社区 sees only its own street's figures, per community.
    mine = statistics(crew["east_secretary"], today - dt.timedelta(days=7), today, Level.COMMUNITY)
    assert {r.unit_name for r in mine[:-1]} == {"东一社区"}
    assert mine[-1].sources == 3
    assert second.pk
