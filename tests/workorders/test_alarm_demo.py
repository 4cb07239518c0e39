"""The demo's alarm → source seeding (winds, emission monitors linked by MN, named sources) and
the MN link between enterprises and emission stations."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from gridgov.air.models import Alarm, AlarmKind, AlarmRule, Station, StationKind, StationWind
from gridgov.demo.alarm import seed_alarm_sources
from gridgov.sources.monitors import monitor_stations, sources_of_monitor
from gridgov.sources.services import SourceInput, create_source, point_geometry
from gridgov.workorders.models import Event
from gridgov.workorders.receivers import event_for_alarm
from gridgov.workorders.services import perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(territory, crew):
    station = Station.objects.create(
        code="S1", name="微站", kind="micro", lat=35.2, lon=113.05,
        grid=territory["D-S1-C1-G1"], interval_minutes=1,
    )  # fmt: skip
    works = create_source(
        SourceInput(
            category="enterprise",
            name="某铸造厂",
            geometry=point_geometry(35.205, 113.05),
            attributes={"grade": "D", "industry": "铸造"},
        )
    )
    clean = create_source(
        SourceInput(
            category="enterprise",
            name="某电子厂",
            geometry=point_geometry(35.19, 113.06),
            attributes={"grade": "A"},
        )
    )
    rule = AlarmRule.objects.filter(kind=AlarmKind.THRESHOLD).first()
    now = timezone.now()
    alarm = Alarm.objects.create(
        station=station, grid=territory["D-S1-C1-G1"], rule=rule, pollutant="pm25",
        value=160, started_at=now, last_seen_at=now,
    )  # fmt: skip
    event_for_alarm(alarm)
    order = Event.objects.get(alarm=alarm).order
    perform(order.pk, "sign", crew["g1_worker"])
    perform(order.pk, "handle", crew["g1_worker"], note="已处理")
    return {"station": station, "works": works, "clean": clean, "order": order}


def test_seed_is_deterministic_and_links_what_exists(district):
    now = time.time()
    first = seed_alarm_sources(7, now=now, monitors=1)
    assert (first.winds, first.monitors, first.named) == (1, 1, 1)
    wind = StationWind.objects.get(station=district["station"])
    assert 0 <= wind.wd < 360 and 1 <= wind.ws <= 6
    # The grade-D enterprise gets the monitor, linked both ways by MN.
    works = district["works"]
    works.refresh_from_db()
    [monitor] = monitor_stations(works)
    assert monitor.kind == StationKind.EMISSION and monitor.mn in works.attributes["monitor_mns"]
    assert sources_of_monitor(monitor.mn) == [works]
    assert list(monitor_stations(district["clean"])) == []
    event = Event.objects.get(pk=district["order"].event_id)
    assert event.pollution_source_id in (works.pk, district["clean"].pk)
    # Again with the same seed: the same wind, nothing made twice.
    again = seed_alarm_sources(7, now=now, monitors=1)
    assert StationWind.objects.get(station=district["station"]).wd == wind.wd
    assert (again.monitors, again.named) == (1, 0)  # the next enterprise; the order is named
    assert Station.objects.filter(kind=StationKind.EMISSION).count() == 2
