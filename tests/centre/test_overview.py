"""The overview's figures: the same on the page and from the API for one scope, different for
the command office and a street, every figure's link answering, and a bounded number of queries
that does not grow with the data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from ninja.responses import NinjaJSONEncoder

import gridgov.api  # noqa: F401  (the API first: its routers import it)
from gridgov.centre import overview as ov
from gridgov.centre.api import OverviewOut
from tests.conftest import CST, PASSWORD

pytestmark = pytest.mark.django_db


def as_api(o: ov.Overview) -> dict:
    """The page's figures as the API encodes them."""
    model = OverviewOut.model_validate(dataclasses.asdict(o))
    data = json.loads(json.dumps(model.model_dump(), cls=NinjaJSONEncoder))
    data.pop("generated_at")
    return data


def api_overview(client, username: str) -> dict:
    assert client.login(username=username, password=PASSWORD)
    response = client.get("/api/v1/overview")
    assert response.status_code == 200, response.content
    data = response.json()
    data.pop("generated_at")
    client.logout()
    return data


@pytest.fixture
def uncached(settings):
    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0


def test_page_figures_equal_the_api_for_the_same_scope(client, centre, crew, uncached):
    for username in ("command", "s1_official"):
        assert client.login(username=username, password=PASSWORD)
        page = client.get("/overview/")
        assert page.status_code == 200
        client.logout()
        assert as_api(page.context["o"]) == api_overview(client, username)


@pytest.mark.dates  # its figures depend on the hour: just after midnight too
def test_command_office_and_street_see_their_own_figures(centre, crew, uncached):
    district = ov.overview(crew["command"], centre.today)
    street = ov.overview(crew["s1_official"], centre.today)
    assert [u.code for u in district.units] == ["D"]
    assert [u.code for u in street.units] == ["D-S1"]
    # stations: M1, M2 (东街道) and M3 (西街道); the street sees its two
    assert (district.air.stations, street.air.stations) == (3, 2)
    assert district.air.reporting == 3
    assert [s.code for s in street.air.worst] == ["M1", "M2"]
    assert district.air.worst[0].code == "M1" and district.air.worst[-1].code == "M3"
    # the district's AQI is the mean of its stations' values, the street's of its own
    assert district.air.aqi is not None and street.air.aqi is not None
    assert street.air.aqi > district.air.aqi
    assert sum(c.stations for c in district.air.by_level) == 3
    # orders: two in G1 (one overdue), one in G3
    assert (district.orders.open, district.orders.overdue) == (3, 1)
    assert (street.orders.open, street.orders.overdue) == (2, 1)
    assert {u.code: (u.open, u.overdue) for u in district.orders.by_unit} == {
        "D-S1": (2, 1),
        "D-S2": (1, 0),
    }
    assert {u.code: u.open for u in street.orders.by_unit} == {"D-S1-C1": 2}
    # alarms: one on M1, one on M3
    assert (district.alarms.open, street.alarms.open) == (2, 1)
    # commands: each street's grid has one awaiting receipt
    assert district.commands.commands == 2 and street.commands.commands == 1
    assert [c.title for c in street.commands.newest] == ["东边检查"]
    # targets: the district's is the command office's only; the street sees its own
    assert {t.region for t in district.targets} == {"D", "D-S1"}
    assert {t.region for t in street.targets} == {"D-S1"}
    # the ranking: streets for the district, communities for the street
    assert district.ranking.level == "street"
    assert [r.code for r in district.ranking.rows] == ["D-S2", "D-S1"]
    assert street.ranking.level == "community"
    assert [r.code for r in street.ranking.rows + street.ranking.apart] == ["D-S1-C1"]


def test_ranking_compares_with_the_previous_period(centre, crew, uncached):
    from gridgov.air.periods import default_period

    o = ov.overview(crew["command"], centre.today)
    start, end = default_period(centre.today)
    assert (o.ranking.start, o.ranking.end) == (start, end)
    assert (o.ranking.previous_start, o.ranking.previous_end) == ov.previous_period(start, end)
    for row in o.ranking.rows:
        if row.pm25 is not None and row.previous_pm25 is not None:
            assert row.pm25_change == round(row.pm25 - row.previous_pm25, 1)


def test_previous_period():
    import datetime as dt

    d = dt.date
    assert ov.previous_period(d(2026, 11, 1), d(2026, 11, 30)) == (d(2026, 10, 1), d(2026, 10, 31))
    assert ov.previous_period(d(2026, 12, 1), d(2026, 12, 10)) == (d(2026, 11, 1), d(2026, 11, 10))
    assert ov.previous_period(d(2026, 3, 1), d(2026, 3, 30)) == (d(2026, 2, 1), d(2026, 2, 28))


def test_target_risk_and_allowance(centre, crew, uncached):
    o = ov.overview(crew["command"], centre.today)
    pm25 = next(t for t in o.targets if t.metric == "pm25")
    if (centre.today.month, centre.today.day) == (1, 1):
        # The year's target on its first day: no complete day of the year yet, nothing to judge.
        assert pm25.current is None and pm25.risk == "unknown"
        return
    assert pm25.current is not None and pm25.allowance is not None
    # The risk is the targets page's (assessment.target_progress), in its words.
    from gridgov.air.assessment import target_progress
    from gridgov.air.models import Target

    p = target_progress(Target.objects.get(region__code="D", metric="pm25"), centre.today)
    assert (pm25.risk, pm25.risk_label) == (p.risk, p.risk_label)
    # the station means are 30–49 µg/m³ against a target of 35, and there is no last year to
    # measure the rest against: the risk cannot be judged, and is not said to be achievable
    assert pm25.current > pm25.target
    if centre.today.month < 12:  # in December the rest of the year is too short to matter
        assert (pm25.risk, pm25.risk_label) == ("unknown", "无法判断")
    good = next(t for t in o.targets if t.metric == "good_day_ratio")
    assert good.non_good_days_allowed is not None


def test_every_linked_figure_answers(client, centre, crew, uncached):
    o = ov.overview(crew["command"], centre.today)
    addresses = sorted(set(ov.links(o)))
    assert len(addresses) > 10
    assert client.login(username="command", password=PASSWORD)
    for address in addresses:
        resolve(urlsplit(address).path)
        assert client.get(address).status_code == 200, address


def test_queries_are_bounded_and_do_not_grow_with_orders(centre, crew, report, settings):
    from tests.workorders.fixtures import G1_POINT

    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    user = crew["command"]
    with CaptureQueriesContext(connection) as cold:
        ov.overview(user, centre.today)
    with CaptureQueriesContext(connection) as warm:
        ov.overview(user, centre.today)
    for i in range(5):
        report(G1_POINT, user=crew["g1_worker"], title=f"更多工单{i}")
    with CaptureQueriesContext(connection) as more:
        ov.overview(user, centre.today)
    assert len(warm) <= 12, [q["sql"] for q in warm.captured_queries]
    assert len(cold) <= 60, len(cold)  # the air part and the horse race, computed once a minute
    assert len(more) == len(warm)


def test_air_part_is_cached_per_scope(centre, crew, settings):
    from django.core.cache import cache

    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 60
    cache.clear()
    district = ov.overview(crew["command"], centre.today)
    street = ov.overview(crew["s1_official"], centre.today)
    assert district.air.stations != street.air.stations
    assert ov.overview(crew["command"], centre.today).air == district.air


def test_stale_air_figures_are_served_while_another_request_refreshes_them(centre, crew, settings):
    from django.core.cache import cache

    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 60
    cache.clear()
    user = crew["command"]
    fresh = ov.air_part(user, centre.today, ov.top_units(user))
    key = f"centre:air:ALL:{centre.today.isoformat()}"
    stale = dataclasses.replace(fresh, targets=[])
    cache.set(key, (0.0, stale), 180)  # gone stale
    cache.set(f"{key}:busy", 1, 30)  # and someone is recomputing it
    assert ov.air_part(user, centre.today, ov.top_units(user)).targets == []
    cache.delete(f"{key}:busy")  # nobody is: this request recomputes
    assert ov.air_part(user, centre.today, ov.top_units(user)).targets == fresh.targets
    assert cache.get(key)[0] > 0 and cache.get(f"{key}:busy") is None


@pytest.mark.dates  # its figures depend on the hour: just after midnight too
def test_the_horse_race_on_the_overview_is_the_racing_summary(client, centre, crew, uncached):
    from gridgov.racing.models import Indicator, Scorecard
    from gridgov.racing.services import card_summary
    from gridgov.territory.models import Level

    card = Scorecard.objects.create(name="街道赛马", level=Level.STREET)
    Indicator.objects.create(scorecard=card, metric="pm25", weight=100)
    o = ov.overview(crew["command"], centre.today)
    (summary,) = card_summary(crew["command"], centre.today)
    (shown,) = o.scorecards
    assert (shown.card_id, shown.name, shown.start, shown.end) == (
        card.pk,
        "街道赛马",
        summary.start,
        summary.end,
    )
    assert summary.top, "the test district ranks its two streets"
    assert shown.top == summary.top and shown.bottom == summary.bottom
    assert shown.ranked == summary.ranked
    assert resolve(urlsplit(shown.url).path).url_name == "card"
    # the page shows the card, and the API carries the same rows
    assert client.login(username="command", password=PASSWORD)
    page = client.get("/overview/")
    assert "街道赛马" in page.content.decode()
    assert as_api(page.context["o"])["scorecards"] == api_overview(client, "command")["scorecards"]


def test_stations_stop_reporting_when_their_hours_grow_old_without_any_sweep(
    centre, crew, clock, settings
):
    """ "Reporting" follows from the clock: three hours after the last data nothing is live,
    whether or not the offline sweep has run."""
    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0
    o = ov.overview(crew["command"], clock.today())
    assert o.air.reporting == 3 and o.air.aqi is not None
    later = clock.travel(clock.now() + dt.timedelta(hours=4))
    o = ov.overview(crew["command"], later.astimezone(CST).date())
    assert o.air.reporting == 0 and o.air.aqi is None and o.air.hour is None
