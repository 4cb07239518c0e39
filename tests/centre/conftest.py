"""The command centre's district: on the named territory (tests/conftest.py) and crew
(tests/workorders/fixtures.py), stations M1/M2 in G1 (东街道) and M3 in G3 (西街道) with today's
hours, a month of daily values and last month's, a district target, an open alarm on M1 and one
on M3, orders in G1 (one overdue) and G3, a command to each street's grid, a street official of
东街道 (`s1_official`).

`eight_streets`: a second district of eight ranked streets, for the wall's lists."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
import pytest
from django.utils import timezone

from gridgov.air.aggregate import HOUR
from gridgov.air.ingest import ingest, station_infos
from gridgov.air.models import CST, Alarm, AlarmRule, DailyAggregate, Station, Target
from gridgov.air.periods import today
from gridgov.inbox import commands
from gridgov.territory.models import GridKind, Level, Region
from gridgov.territory.services import RegionSpec, apply_plan
from gridgov.workorders.models import Source, WorkOrder
from tests.air.conftest import make_batch, put_days, stations  # noqa: F401  (fixtures)
from tests.conftest import _person, box
from tests.workorders.fixtures import G1_POINT, G3_POINT


@dataclass
class Centre:
    today: dt.date
    g1_order: int
    g3_order: int
    g1_command: int
    g3_command: int


def _alarm(station: Station) -> None:
    now = timezone.now()
    Alarm.objects.create(
        station=station,
        grid=station.grid,
        rule=AlarmRule.objects.order_by("pk").first(),
        pollutant="pm25",
        value=150.0,
        peak=160.0,
        reference=115.0,
        started_at=now,
        last_seen_at=now,
    )


@pytest.fixture
def centre(crew, territory, people, stations, report):  # noqa: F811
    official = _person(
        "街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official"
    )
    people["s1_official"] = official
    crew["s1_official"] = official.user
    m3 = Station.objects.create(
        code="M3", name="西一微站", kind="micro", lat=35.2, lon=113.3, grid=territory["D-S2-C2-G3"]
    )
    day = today()
    # Daily values for this month to date and the whole previous month.
    first = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    days = (day - first).days  # up to yesterday: today has its hours
    daily = {
        stations["micro"]: [40.0 + (i % 7) for i in range(days)],
        stations["micro2"]: [45.0 + (i % 5) for i in range(days)],
        m3: [30.0 + (i % 3) for i in range(days)],
    }
    for station, values in daily.items():
        put_days(station, first, values)
    # Today's hours: the two hours before the current one, at every station.
    now = int(time.time())
    start = now - now % HOUR - 2 * HOUR
    infos = station_infos()  # M3 included
    for station, pm25 in ((stations["micro"], 80.0), (stations["micro2"], 60.0), (m3, 20.0)):
        wobble = np.arange(120) % 7  # values that move, or the stuck check flags them
        batch = make_batch(
            station,
            start,
            120,
            pm25=pm25 + wobble,
            pm10=90.0 + wobble,
            so2=10.0 + wobble,
            no2=30.0 + wobble,
            co=0.8 + wobble / 10,
            o3=60.0 + wobble,
        )
        ingest(batch, infos, now=float(now))
    yesterday = day - dt.timedelta(days=1)
    if dt.datetime.fromtimestamp(start, CST).date() == yesterday:
        # Just after midnight these hours belong to yesterday, and their ingestion recomputed
        # that day from two hours (an incomplete day): the complete day is written again.
        DailyAggregate.objects.filter(station__in=list(daily), day=yesterday).delete()
        for station, values in daily.items():
            put_days(station, yesterday, values[-1:])
    Target.objects.create(
        region=territory["D"],
        metric="pm25",
        start=day.replace(month=1, day=1),
        end=day.replace(month=12, day=31),
        value=35,
    )
    Target.objects.create(
        region=territory["D-S1"],
        metric="good_day_ratio",
        start=day.replace(month=1, day=1),
        end=day.replace(month=12, day=31),
        value=80,
    )
    _alarm(stations["micro"])
    _alarm(m3)
    g1 = report(G1_POINT, source=Source.PATROL, user=crew["g1_worker"])
    report(G1_POINT, source=Source.PATROL, user=crew["g1_worker"], title="道路积尘")
    g3 = report(G3_POINT, source=Source.PATROL, user=crew["command"], title="西边的工地")
    WorkOrder.objects.filter(pk=g1.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    due = timezone.now() + dt.timedelta(days=2)
    c1 = commands.issue(
        crew["command"], title="东边检查", body="检查", due_at=due, units=["D-S1-C1-G1"]
    )
    c3 = commands.issue(
        crew["command"], title="西边检查", body="检查", due_at=due, units=["D-S2-C2-G3"]
    )
    return Centre(day, g1.pk, g3.pk, c1.pk, c3.pk)


STREETS = ["一街道", "二街道", "三街道", "四街道", "五街道", "六街道", "七街道", "八街道"]


@pytest.fixture
def eight_streets(crew):
    """墙区 (W), eight streets side by side, each with one community, one grid and one station
    whose PM2.5 rises street by street (八街道 the worst), every day of last month and this
    month to today, so that all eight are ranked."""
    specs = [RegionSpec("W", "墙区", Level.DISTRICT, None, box(114.0, 35.0, 114.8, 35.4))]
    for i, name in enumerate(STREETS):
        shape = box(114.0 + 0.1 * i, 35.0, 114.1 + 0.1 * i, 35.4)
        s = f"W-S{i + 1}"
        specs += [
            RegionSpec(s, name, Level.STREET, "W", shape),
            RegionSpec(f"{s}-C1", f"{name}社区", Level.COMMUNITY, s, shape),
            RegionSpec(
                f"{s}-C1-G1", f"{name}网格", Level.GRID, f"{s}-C1", shape, GridKind.URBAN, []
            ),
        ]
    apply_plan(specs)
    day = today()
    first = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    days = (day - first).days + 1
    for i, name in enumerate(STREETS):
        station = Station.objects.create(
            code=f"W{i + 1}",
            name=f"{name}站",
            kind="micro",
            lat=35.2,
            lon=114.05 + 0.1 * i,
            grid=Region.objects.get(code=f"W-S{i + 1}-C1-G1"),
        )
        put_days(station, first, [30.0 + 5 * i] * days)
    return STREETS
