"""Maintenance issues and their work orders: one per station and condition per episode,
whatever the number of sweeps; a new episode makes a new order."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import maintenance
from gridgov.air.models import CST, DeviceStatus, Station, StationState
from gridgov.air.upkeep_models import Calibration, MaintenanceIssue, StationOperator
from gridgov.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=CST)


def recent_state(station, now):
    StationState.objects.create(
        station=station, last_ts=int(now.timestamp()) - 300, last_values=[], runs=[]
    )


@pytest.fixture
def world(stations, people, clock):
    clock.travel(NOW, tick=False)
    micro, micro2, national = stations["micro"], stations["micro2"], stations["national"]
    Station.objects.filter(pk__in=[micro.pk, national.pk]).update(
        created_at=NOW - dt.timedelta(days=10)
    )
    Station.objects.filter(pk=micro2.pk).update(created_at=NOW - dt.timedelta(days=200))
    StationOperator.objects.create(station=micro, name="蓝天运维", contact="赵工 13800000000")
    # M1: its device's packets were refused an hour ago; it reports.
    fault = {"at": (NOW - dt.timedelta(hours=1)).isoformat(), "reason": "crc", "raw": "##0101"}
    DeviceStatus.objects.create(station=micro, faults=[fault])
    recent_state(micro, NOW)
    # M2: calibrated 100 days ago (due after 90); it reports.
    Calibration.objects.create(
        station=micro2, pollutant="pm25", valid_from=NOW - dt.timedelta(days=100)
    )
    recent_state(micro2, NOW)
    # N1 (outside every grid) never sent anything in its 10 days.
    return stations


def kinds():
    return sorted((i.station.code, i.kind) for i in MaintenanceIssue.objects.filter(ended_at=None))


def test_one_issue_and_one_order_per_episode(world, people):
    first = maintenance.sweep(NOW)
    assert kinds() == [("M1", "device_fault"), ("M2", "calibration_due"), ("N1", "offline")]
    # N1 is in no grid: its issue is shown, but no one on our chain gets an order.
    assert (first.opened, first.orders) == (3, 2)
    orders = WorkOrder.objects.select_related("event", "event__category")
    assert orders.count() == 2
    fault_order = orders.get(event__title__contains="设备故障")
    assert fault_order.event.category.code == "station_fault"
    assert fault_order.event.source == "upkeep"  # 监测设备运维, not an air-quality alarm
    assert fault_order.event.region.code == "D-S1-C1-G1"
    assert fault_order.assignee is not None
    assert "蓝天运维" in fault_order.event.description and "crc" in fault_order.event.description
    issue = MaintenanceIssue.objects.get(station=world["micro"], kind="device_fault")
    assert issue.order_id == fault_order.pk and issue.order_reference == fault_order.event.reference
    # Swept again (and again): nothing new.
    for _ in range(2):
        again = maintenance.sweep(NOW + dt.timedelta(minutes=15))
        assert (again.opened, again.ended, again.orders) == (0, 0, 0)
    assert WorkOrder.objects.count() == 2 and MaintenanceIssue.objects.count() == 3
    # The fault clears: the episode ends. A new fault is a new episode with its own order.
    DeviceStatus.objects.filter(station=world["micro"]).update(faults=[])
    cleared = maintenance.sweep(NOW + dt.timedelta(minutes=30))
    assert cleared.ended == 1 and ("M1", "device_fault") not in kinds()
    later = NOW + dt.timedelta(hours=2)
    fault = {"at": later.isoformat(), "reason": "length", "raw": "##"}
    DeviceStatus.objects.filter(station=world["micro"]).update(faults=[fault])
    renewed = maintenance.sweep(later)
    assert (renewed.opened, renewed.orders) == (1, 1)
    assert MaintenanceIssue.objects.filter(station=world["micro"], kind="device_fault").count() == 2
    assert WorkOrder.objects.count() == 3


def test_a_fresh_calibration_and_data_end_the_issues(world):
    maintenance.sweep(NOW)
    Calibration.objects.create(station=world["micro2"], pollutant="pm25", valid_from=NOW)
    recent_state(world["national"], NOW)
    done = maintenance.sweep(NOW + dt.timedelta(minutes=15))
    assert done.ended == 2
    assert kinds() == [("M1", "device_fault")]


def test_an_old_fault_is_no_condition(world):
    old = {"at": (NOW - dt.timedelta(hours=30)).isoformat(), "reason": "crc", "raw": ""}
    DeviceStatus.objects.filter(station=world["micro"]).update(faults=[old])
    maintenance.sweep(NOW)
    assert ("M1", "device_fault") not in kinds()


def test_the_thresholds_are_settings(world, settings):
    settings.GRIDGOV_CALIBRATION_DUE_DAYS = 120
    settings.GRIDGOV_MAINTENANCE_OFFLINE_HOURS = 24 * 11
    maintenance.sweep(NOW)
    assert kinds() == [("M1", "device_fault")]


def test_the_command_sweeps(world, capsys):
    from django.core.management import call_command

    call_command("air", "maintenance")
    assert "3 issue(s) opened" in capsys.readouterr().out
    call_command("air", "maintenance")
    assert "0 issue(s) opened" in capsys.readouterr().out
