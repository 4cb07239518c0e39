"""One period and one eligibility rule: on any day, the overview, the wall, `/air/rankings`
(page and API), the horse race's PM2.5 indicator and the bulletin for the same period rank the
same units in the same order — and on an ordinary morning none of them is blank.

Runs at the real date, and in CI at a sweep of dates (GRIDGOV_TEST_NOW, see .ci/run)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from gridgov.air.models import Station
from gridgov.air.periods import default_period
from gridgov.bulletins import content as bulletin
from gridgov.bulletins.periods import period_for as bulletin_period
from gridgov.centre.overview import overview
from gridgov.racing import services as racing
from gridgov.racing.models import Indicator, Scorecard
from gridgov.territory.models import Level
from tests.air.conftest import put_days
from tests.conftest import PASSWORD
from tests.racing.conftest import race  # noqa: F401  (the fixture: four streets)

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

# PM2.5 of each street's station: one order before this month, the reverse order in it, so a
# ranking over the wrong days gives the wrong order.
BEFORE = {"R-S1": 30.0, "R-S2": 40.0, "R-S3": 50.0, "R-S4": 60.0}
THIS_MONTH = {"R-S1": 65.0, "R-S2": 55.0, "R-S3": 45.0, "R-S4": 35.0}


@pytest.fixture
def air(race, clock):  # noqa: F811
    today = clock.today()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = (first - dt.timedelta(days=1)).replace(day=1)  # two months of history before
    for i, code in enumerate(BEFORE, start=1):
        grid = race["regions"][f"{code}-C1-G1"]
        station = Station.objects.create(
            code=f"ST{i}", name=f"{i}号站", kind="micro", lat=35.2, lon=113.05 + 0.1 * (i - 1),
            grid=grid,
        )  # fmt: skip
        days = (today - first).days  # up to yesterday: today is never complete
        values = [
            THIS_MONTH[code] if (first + dt.timedelta(days=k)).month == today.month
            and (first + dt.timedelta(days=k)).year == today.year else BEFORE[code]
            for k in range(days)
        ]  # fmt: skip
        put_days(station, first, values)
    return race


def expected_order(start: dt.date, today: dt.date) -> list[str]:
    table = THIS_MONTH if (start.year, start.month) == (today.year, today.month) else BEFORE
    return sorted(table, key=table.__getitem__)


def test_the_five_rankings_agree_on_any_day(air, clock):
    today = clock.today()
    start, end = default_period(today)
    assert end < today and (end - start).days >= 2  # complete days only, never a blank stub
    want = expected_order(start, today)
    user = air["users"]["r_command"]
    client = Client()
    assert client.login(username="r_command", password=PASSWORD)

    # 1. the overview (and 2. the wall, which shows the same figures)
    o = overview(user, today)
    assert (o.ranking.start, o.ranking.end) == (start, end)
    assert [r.code for r in o.ranking.rows] == want and not o.ranking.apart
    assert o.ranking.days == (end - start).days + 1
    wall = client.get("/overview/wall/")
    assert wall.status_code == 200
    wall_ranking = wall.context["o"].ranking
    assert [r.code for r in wall_ranking.rows] == want
    assert o.ranking.basis in wall.content.decode()

    # 3. /air/rankings, the page and the API, by default
    page = client.get("/air/rankings/?level=street")
    assert [r.assessment.code for r in page.context["ranked"]] == want
    assert (page.context["start"], page.context["end"]) == (start, end)
    api = client.get("/api/v1/air/rankings?level=street&metric=pm25").json()
    assert (api["from"], api["to"]) == (start.isoformat(), end.isoformat())
    assert [r["code"] for r in api["ranked"]] == want

    # 4. the horse race's PM2.5 indicator, for its current monthly period
    card = Scorecard.objects.create(name="空气赛马", level=Level.STREET)
    indicator = Indicator.objects.create(scorecard=card, position=1, metric="pm25", weight=100)
    race_start, race_end = racing.period_for(card.period_kind, today)
    assert (race_start, race_end) == (start, end)
    result = racing.compute(card, race_start, race_end, with_previous=False)
    cells = sorted(
        (r for r in result.rows if r.cells[indicator.id].rank is not None),
        key=lambda r: r.cells[indicator.id].rank,
    )
    assert [r.code for r in cells] == want

    # 5. the bulletin of the month holding that period, as of today
    period = bulletin_period("month", end, on=today)
    assert (period.start, period.end) == (start, end)
    reader = bulletin.UnitReader(air["regions"]["R"])
    section = bulletin.ranking_section(air["regions"]["R"], period, reader)
    assert [r["code"] for r in section.data["street"]["ranked"]] == want
