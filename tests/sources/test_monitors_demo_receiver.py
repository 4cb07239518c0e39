"""The demo's monitors as `gridgov demo` builds them: each monitor's device a station of kind
`emission` by its MN, the last hours uploaded by those devices through an HJ 212 receiver of the
process's own, stored, answered and counted on the device status, and the last hour's dust
exceedance found by the receiver's hook with its order; no receiver thread left behind.
Transactional: the receiver's threads must see the stations."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.utils import timezone

from gridgov.air.hj212.devices import check_password
from gridgov.air.models import DeviceStatus, Reading, Station
from gridgov.demo import uploads
from gridgov.demo.alarm import DEMO_DEVICE_PW, emission_station
from gridgov.demo.monitors import RECENT_HOURS, seed_monitors
from gridgov.sources.models import MonitorFinding, SourceMonitor
from gridgov.workorders.models import WorkOrder
from tests.emergency.conftest import G1, G3, source

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def receiver_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("gridgov-hj212")]


def test_the_demo_monitors_last_hours_go_through_the_receiver(people, clock, caplog):
    source("construction_site", G1, "东一工地", phase="structure")
    source("construction_site", G3, "西一工地", phase="earthwork")
    source("restaurant", G1, "东一饭店")
    source("enterprise", G1, "丙级企业", grade="C")
    before = receiver_threads()

    made = seed_monitors(random.Random(5), None, through_receiver=True)

    now = clock.now()
    monitors = list(SourceMonitor.objects.select_related("source").order_by("mn"))
    assert [m.mn for m in monitors] == ["SMD00001", "SMD00002", "SMF00001", "SMP00001"]
    # Each monitor's device: an hourly emission station by its MN, at its source.
    stations = {s.mn: s for s in Station.objects.filter(kind="emission")}
    assert sorted(stations) == [m.mn for m in monitors]
    for m in monitors:
        s = stations[m.mn]
        assert s.interval_minutes == 60 and check_password(DEMO_DEVICE_PW, s.pw_hash)
        assert (s.lat, s.lon, s.grid_id) == (m.source.lat, m.source.lon, m.source.grid_id)
    # Every upload reached the receiver and was answered once stored; none refused.
    statuses = {d.station.mn: d for d in DeviceStatus.objects.select_related("station")}
    assert {mn: (d.packets, d.answered, d.rejections) for mn, d in statuses.items()} == {
        mn: (RECENT_HOURS, RECENT_HOURS, {}) for mn in stations
    }
    assert not any(d.connected for d in statuses.values())
    assert "demo uploads" not in caplog.text  # each device saw every answer (no warning)
    # The last hour's PM10 of the last site, stored as its device's reading.
    last = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    last -= dt.timedelta(hours=1)
    stored = Reading.objects.get(station=stations["SMD00002"], ts=int(last.timestamp()))
    assert stored.pm10 == 186.0
    # … judged by the hook the receiver feeds: the finding and its order, due within the hour.
    finding = MonitorFinding.objects.select_related("monitor").get(rule="dust", hour=last)
    assert (finding.monitor.mn, finding.value) == ("SMD00002", 186.0)
    order = WorkOrder.objects.select_related("event").get(pk=finding.order_id)
    assert order.event.source == "monitor"
    assert dt.timedelta(0) < order.extended_until - now <= dt.timedelta(hours=1, seconds=5)
    # The past day judged directly, the clean recent hours found nothing more.
    rules = sorted(MonitorFinding.objects.values_list("rule", flat=True))
    assert rules == ["dust", "dust", "purifier_off", "treatment_off"]
    assert made == len(rules) == WorkOrder.objects.count()
    assert receiver_threads() == before == []


def test_an_upload_the_receiver_refuses_is_counted_unanswered(people, clock, monkeypatch, caplog):
    monkeypatch.setattr(uploads, "ANSWER_SECONDS", 0.5)
    site = source("construction_site", G1, "东一工地", phase="structure")
    emission_station(site, "M-DUST1", "东一工地扬尘", "DUST1")
    hour = timezone.localtime(clock.now()).replace(minute=0, second=0, microsecond=0)
    hour -= dt.timedelta(hours=1)
    good = uploads.Upload("DUST1", hour, {"a34002": 80.5})
    unknown = uploads.Upload("NOSUCHMN", hour, {"a34002": 80.5})  # no station: dropped

    fed = uploads.feed([good, unknown], DEMO_DEVICE_PW)

    assert (fed.sent, fed.answered) == (2, 1)
    assert "answered 1 of 2 demo uploads" in caplog.text
    assert Reading.objects.get(station__mn="DUST1").pm10 == 80.5
    assert uploads.feed([good], "wrong-pw").answered == 0  # a wrong password: not answered
    assert receiver_threads() == []
