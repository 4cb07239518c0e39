"""Deadlines, warnings and escalation under a frozen clock, across a weekend, the National Day
holiday and a make-up working Saturday; and no double escalation with two workers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from gridgov.core.workcal import CST
from gridgov.inbox.models import Notification
from gridgov.workorders import lateness
from gridgov.workorders.models import Escalation, WorkOrder
from gridgov.workorders.services import perform
from gridgov.workorders.sweep import sweep

pytestmark = pytest.mark.django_db


def at(m, d, hh, mm=0):
    return dt.datetime(2026, m, d, hh, mm, tzinfo=CST)


def kinds(person):
    return sorted(Notification.objects.filter(person=person).values_list("kind", flat=True))


def test_sign_deadline_in_working_time_skips_the_holiday(crew, report):
    # 一般 sanitation: 120 working minutes to sign. 60 left on Wednesday 30 September, then
    # 1–7 October are holidays: due Thursday 8 October 09:30.
    order = report(code="sanitation", now=at(9, 30, 16, 30))
    assert order.due_at == at(10, 8, 9, 30)
    assert order.warn_at == at(10, 8, 9, 6)  # 80 %: 96 working minutes


def test_make_up_saturday_is_a_working_day(crew, report):
    order = report(code="sanitation", now=at(10, 9, 16, 30))
    assert order.due_at == at(10, 10, 9, 30)


def test_weekend_is_skipped(crew, report):
    order = report(code="sanitation", now=at(11, 27, 16, 30))  # a Friday
    assert order.due_at == at(11, 30, 9, 30)


def test_urgent_deadlines_run_in_natural_minutes(crew, report):
    order = report(code="straw_burning", now=at(10, 3, 23, 50))  # holiday, at night
    assert order.due_at == at(10, 4, 0, 5)  # 15 minutes to sign


def test_warning_then_escalation_one_level_at_a_time(crew, people, report):
    order = report(code="sanitation", now=at(9, 30, 16, 30))
    worker, leader = people["g1_worker"], people["g1_leader"]
    assert sweep(at(10, 3, 12)).warned == 0  # in the holiday nothing is due
    r = sweep(at(10, 8, 9, 10))
    assert (r.warned, r.escalated) == (1, 0)
    assert kinds(worker) == ["assigned", "warning"]
    assert sweep(at(10, 8, 9, 12)).warned == 0  # once per step

    r = sweep(at(10, 8, 9, 31))
    assert (r.newly_overdue, r.escalated) == (1, 1)
    order.refresh_from_db()
    assert order.overdue_noticed and order.escalation_level == 1
    assert lateness.is_overdue(order, at(10, 8, 9, 31))
    assert kinds(worker) == ["assigned", "overdue", "warning"]
    assert kinds(leader) == ["escalated"]  # 网格长 first

    assert sweep(at(10, 8, 11, 0)).escalated == 0  # not yet another step-length late
    assert sweep(at(10, 8, 11, 31)).escalated == 1
    assert kinds(people["east_secretary"]) == ["escalated"]  # then the community
    assert sweep(at(10, 8, 11, 32)).escalated == 0

    assert sweep(at(10, 8, 20, 0)).escalated == 2  # street, then the district
    assert kinds(people["command"]) == ["escalated"]
    levels = list(
        Escalation.objects.filter(order=order)
        .order_by("level")
        .values_list("level", "region__code")
    )
    assert levels == [(1, "D-S1-C1-G1"), (2, "D-S1-C1"), (3, "D-S1"), (4, "D")]
    assert sweep(at(10, 9, 20, 0)).escalated == 0  # nothing above the district

    # Signing late starts the handling step afresh: not overdue, level 0, but marked late.
    order, _t = perform(order.pk, "sign", crew["g1_worker"], now=at(10, 9, 20, 5))
    order.refresh_from_db()
    assert order.sign_late and order.ever_overdue
    assert not lateness.is_overdue(order, at(10, 9, 20, 5))
    assert order.escalation_level == 0 and order.step == "handle"
    trail = list(order.transitions.values_list("action", flat=True))
    assert trail.count("escalate") == 4 and trail.count("warn") == 1


def test_undispatched_citizen_report_escalates_above_its_unit(crew, people, report):
    order = report(source="citizen", code="straw_burning", now=at(11, 2, 10, 0))
    assert order.due_at == at(11, 2, 10, 10)  # 特急: 10 minutes to dispatch
    r = sweep(at(11, 2, 10, 11))
    assert r.escalated == 1
    assert Escalation.objects.get(order=order).region.code == "D-S1"  # above the community


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sweeping_at_once_escalate_once(crew, people, report):
    orders = [report(code="sanitation", now=at(9, 30, 16, 30)) for _ in range(5)]
    moment = at(10, 8, 20, 0)
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(sweep(moment))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.escalated for r in results) == 5 * 4
    assert sum(r.newly_overdue for r in results) == 5
    assert Escalation.objects.count() == 5 * 4
    assert Notification.objects.filter(person=people["command"]).count() == 5
    assert WorkOrder.objects.filter(escalation_level=4).count() == len(orders)
    assert sweep(moment).escalated == 0
