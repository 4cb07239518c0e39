"""Alarms become work orders: one alarm, one event and one order (not one per minute), dispatched
to the grid's worker the moment the ingestion commits; the loop closes back on the alarm."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from gridgov.air.models import Alarm, AlarmKind, AlarmRule, Reading
from gridgov.inbox.models import Notification
from gridgov.workorders.models import Event, WorkOrder
from gridgov.workorders.receivers import events_for_alarms
from gridgov.workorders.services import perform
from gridgov.workorders.states import State
from tests.air.conftest import T0, make_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def threshold_only(db):
    AlarmRule.objects.exclude(kind=AlarmKind.THRESHOLD).update(active=False)


def bad_hour(put, station, capture, minutes=45, start=T0, value=150.0):
    with capture(execute=True):
        return put(make_batch(station, start, minutes, pm25=value + np.zeros(minutes)))


def test_an_alarm_raises_one_event_and_a_dispatched_order(
    stations, put, people, django_capture_on_commit_callbacks
):
    m = stations["micro"]
    r = bad_hour(put, m, django_capture_on_commit_callbacks)
    [alarm] = r.alarms
    event = Event.objects.get(alarm=alarm)
    assert event.source == "air_alarm" and event.category.code == "air_quality_alarm"
    assert event.region.code == "D-S1-C1-G1" and "东一微站" in event.title
    order = event.order
    assert order.state == State.DISPATCHED and order.assignee == people["g1_worker"]
    assert order.priority == 1  # 特急: 15 minutes to sign
    assert Notification.objects.filter(person=people["g1_worker"], order=order).exists()
    # The condition goes on: more minutes, still one alarm, one event, one order.
    for k in range(45, 60, 5):
        with django_capture_on_commit_callbacks(execute=True):
            put(make_batch(m, T0 + k * 60, 5, pm25=160 + np.zeros(5)))
    assert Alarm.objects.filter(station=m).count() == 1
    assert Event.objects.count() == WorkOrder.objects.count() == 1


def test_station_outside_every_grid_raises_no_order(
    stations, put, people, django_capture_on_commit_callbacks
):
    n = stations["national"]
    with django_capture_on_commit_callbacks(execute=True):
        r = put(make_batch(n, T0, 1, step=3600, pm25=300))
    assert r.alarms and r.alarms[0].grid_id is None
    assert Event.objects.count() == 0


def test_closing_the_order_closes_the_loop_on_the_alarm(
    stations, put, crew, django_capture_on_commit_callbacks
):
    [alarm] = bad_hour(put, stations["micro"], django_capture_on_commit_callbacks).alarms
    order = Event.objects.get(alarm=alarm).order
    worker, sec = crew["g1_worker"], crew["east_secretary"]
    perform(order.pk, "sign", worker)
    perform(order.pk, "handle", worker, note="工地已停工洒水")
    perform(order.pk, "verify", sec)
    perform(order.pk, "close", sec)
    alarm.refresh_from_db()
    assert alarm.acknowledged_at is not None and alarm.acknowledged_by == sec
    assert order.event.reference in alarm.note


def test_a_failure_making_the_order_loses_no_reading_and_the_sweep_catches_up(
    stations, put, people, django_capture_on_commit_callbacks
):
    m = stations["micro"]
    with mock.patch(
        "gridgov.workorders.receivers.event_for_alarm", side_effect=RuntimeError("boom")
    ):
        r = bad_hour(put, m, django_capture_on_commit_callbacks)
    assert r.stored == 45 and Reading.objects.filter(station=m).count() == 45
    assert r.alarms and Event.objects.count() == 0
    assert events_for_alarms() == 1  # what the every-minute sweep does
    assert events_for_alarms() == 0
    assert WorkOrder.objects.get().assignee == people["g1_worker"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dispatcher_thread_makes_the_order_after_the_readings_commit(
    stations, put, people, settings
):
    from gridgov.workorders.dispatcher import dispatcher

    settings.GRIDGOV_ALARM_ORDERS_ASYNC = True
    r = put(make_batch(stations["micro"], T0, 45, pm25=150 + np.zeros(45)))
    assert r.stored == 45 and len(r.alarms) == 1
    dispatcher.drain()
    order = WorkOrder.objects.get(event__alarm=r.alarms[0])
    assert order.assignee == people["g1_worker"]


def test_an_alarm_storm_takes_the_bulk_path_with_the_same_records(
    territory, people, django_capture_on_commit_callbacks
):
    """Twenty-five stations alarm in one ingestion: orders, audit rows and notices are the same
    as one at a time would make, routed to each grid's person."""
    from gridgov.air.ingest import ingest, station_infos
    from gridgov.air.models import Station
    from gridgov.workorders.models import Transition

    grids = [territory["D-S1-C1-G1"], territory["D-S1-C1-G2"], territory["D-S2-C2-G3"]]
    made = [
        Station.objects.create(
            code=f"S{i:02d}",
            name=f"微站{i:02d}",
            kind="micro",
            lat=35.2,
            lon=(113.05, 113.15, 113.3)[i % 3],
            grid=grids[i % 3],
        )
        for i in range(25)
    ]
    infos = station_infos()
    first = make_batch(made[0], T0, 45, pm25=150 + np.zeros(45))
    batch = type(first)(
        np.concatenate([np.full(45, s.pk) for s in made]),
        np.tile(first.ts, 25),
        np.tile(first.values, (25, 1)),
        np.tile(first.nan_given, (25, 1)),
        np.arange(45 * 25),
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = ingest(batch, infos, now=float(T0 + 40 * 86400))
    assert len(r.alarms) == 25
    orders = WorkOrder.objects.select_related("event", "assignee")
    assert orders.count() == 25 and {o.state for o in orders} == {State.DISPATCHED}
    by_grid = {o.event.region.code: o.assignee for o in orders}
    assert by_grid["D-S1-C1-G1"] == people["g1_worker"]
    assert by_grid["D-S1-C1-G2"] == people["east_secretary"]  # G2 is vacant: its community
    assert by_grid["D-S2-C2-G3"] == people["g3_worker"]
    assert Transition.objects.filter(action="create").count() == 25
    assert Transition.objects.filter(action="auto_dispatch").count() == 25
    assert Notification.objects.filter(kind="assigned").count() == 25
    o = orders.first()
    assert o.step == "sign" and o.due_at and o.next_escalation_at == o.due_at
