"""A November of air data, orders and a command for the bulletin tests, on the named territory
(tests/conftest.py): stations M1, M2 in G1 (东街道 > 东一社区) and M3 in G3 (西街道 > 西一社区);
a street official of 东街道 (`s1_official`)."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.models import Station, Target, TargetMetric
from gridgov.inbox import commands
from gridgov.workorders.models import WorkOrder
from tests.air.conftest import put_days, stations  # noqa: F401  (fixture)
from tests.conftest import _person
from tests.emergency.conftest import fronts  # noqa: F401  (fixture)
from tests.workorders.fixtures import G1_POINT, G3_POINT

CST = dt.timezone(dt.timedelta(hours=8))
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def s1_official(people, territory, users):
    person = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official")
    users["s1_official"] = person.user
    return person.user


@pytest.fixture
def air_data(stations, territory):  # noqa: F811
    m3 = Station.objects.create(
        code="M3",
        name="西一微站",
        kind="micro",
        lat=35.2,
        lon=113.3,
        grid=territory["D-S2-C2-G3"],
        interval_minutes=1,
    )
    start = NOVEMBER[0]
    put_days(stations["micro"], start, [40.0 + i % 5 for i in range(30)])
    put_days(stations["micro2"], start, [50.0] * 30)
    put_days(m3, start, [70.0 - i % 3 for i in range(30)])
    # October (the previous period) and November 2025 (the same period last year).
    put_days(stations["micro"], dt.date(2026, 10, 1), [60.0] * 31)
    put_days(m3, dt.date(2026, 10, 1), [65.0] * 31)
    put_days(stations["micro"], dt.date(2025, 11, 1), [55.0] * 30)
    put_days(m3, dt.date(2025, 11, 1), [80.0] * 30)
    Target.objects.create(
        region=territory["D"],
        metric=TargetMetric.PM25,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        value=38.0,
    )
    return {"M3": m3, **stations}


@pytest.fixture
def orders(crew, report):
    """Three orders in G1 (one overdue, one escalated) and two in G3, made in November."""
    at = dt.datetime(2026, 11, 10, 9, 0, tzinfo=CST)
    made = [report(G1_POINT, now=at + dt.timedelta(hours=i)) for i in range(3)]
    made += [report(G3_POINT, now=at + dt.timedelta(hours=i)) for i in range(2)]
    WorkOrder.objects.filter(pk=made[0].pk).update(ever_overdue=True)
    WorkOrder.objects.filter(pk=made[1].pk).update(escalation_level=1)
    return made


@pytest.fixture
def late_command(crew):
    """A command to 东一社区 issued on 20 November, due the next day, never acknowledged."""
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=CST)
    return commands.issue(
        crew["command"],
        title="立即清查工地苫盖",
        body="对辖区工地逐一检查苫盖情况",
        due_at=at + dt.timedelta(days=1),
        units=["D-S1-C1"],
        now=at,
    )
