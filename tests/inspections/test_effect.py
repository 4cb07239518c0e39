"""治理成效 of inspection-driven rectifications (inspections/effect.py): a made-up station pair
with a known step after the rectification, recovered within its interval; shown on the
inspection page, summed per unit and front on the desk, offered to workorders' hook (order page,
API, the horse race's 治理实效); a rectification far from any station has no estimate, with the
reason."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from gridgov.air import effect as air_effect
from gridgov.air.models import CST, HourlyAggregate, Station
from gridgov.inspections.effect import plan, pollutant_of, rectification_effect
from gridgov.inspections.models import Rectification
from gridgov.workorders.effect import order_effect
from gridgov.workorders.models import WorkOrder
from tests.workorders.fixtures import G3_POINT

pytestmark = pytest.mark.django_db

FOUND = dt.datetime(2026, 11, 10, 10, 0, tzinfo=CST)  # the failing inspection
DONE = dt.datetime(2026, 11, 13, 10, 0, tzinfo=CST)  # the passing re-inspection
STEP = -25.0  # the station's change beyond its neighbour's
RNG = np.random.default_rng(23)


def seed(station: Station, start: dt.datetime, values) -> None:
    t0 = int(start.timestamp())
    HourlyAggregate.objects.bulk_create(
        HourlyAggregate(station=station, ts=t0 + 3600 * k, need=1, pm10_sum=v, pm10_n=1)
        for k, v in enumerate(values)
    )


@pytest.fixture
def pair(territory):
    """A by the G1 site (~0.3 km), B its neighbour ~3.6 km east; both within 5 km."""
    grid = territory["D-S1-C1-G1"]
    a = Station.objects.create(
        code="RA", name="工地旁站", kind="micro", lat=35.203, lon=113.05, grid=grid
    )
    b = Station.objects.create(
        code="RB", name="对照站", kind="micro", lat=35.2, lon=113.09, grid=grid
    )
    return a, b


def noisy(level: float, n: int) -> list[float]:
    return (level + RNG.normal(0, 5, n)).tolist()


@pytest.fixture
def rectified(pair, sources, inspect, clock):
    """The G1 site failed on FOUND and passed its re-inspection on DONE; A 90 → 75 while B went
    60 → 70 (the neighbourhood got worse by 10): a step of −25 at A."""
    a, b = pair
    clock.travel(FOUND)
    rect = inspect(sources["site"], failed=["covering"]).rectification
    clock.travel(DONE)
    inspect(sources["site"], username="g1_leader", rectification_id=rect.pk)
    before = FOUND - dt.timedelta(hours=24)
    seed(a, before, noisy(90, 24))
    seed(b, before, noisy(60, 24))
    seed(a, DONE, noisy(75, 30))
    seed(b, DONE, noisy(70, 30))
    clock.travel(DONE + dt.timedelta(days=2))
    return Rectification.objects.select_related("source", "inspection", "order").get(pk=rect.pk)


def test_the_step_after_a_rectification_is_recovered_within_its_uncertainty(rectified, pair):
    found = rectification_effect(rectified)
    e = found.effect
    assert found.reason == "" and found.station_code == "RA" and found.distance_km < 0.5
    assert pollutant_of("construction_site") == "pm10" and e is not None and e.pollutant == "pm10"
    assert e.did is not None and e.se is not None and e.low is not None and e.high is not None
    assert e.low <= STEP <= e.high
    assert abs(e.did - STEP) < 6 and e.se < 3
    assert e.verdict == air_effect.IMPROVED
    assert e.neighbour_ids == (pair[1].pk,) and e.n_before == 24 and e.n_after >= 24
    assert found.windows.before[1] == int(FOUND.timestamp())
    assert abs(found.windows.after[0] - int(DONE.timestamp())) < 60


def test_the_inspection_page_shows_it_and_the_desk_sums_it_per_unit_and_front(rectified, login):
    c = login("command")
    page = c.get(f"/inspections/{rectified.inspection_id}/").content.decode()
    assert 'id="effect"' in page and "工地旁站" in page and "好转" in page
    did = rectification_effect(rectified).effect.did
    assert f"{did:.1f}" in page
    desk = c.get("/inspections/?from=2026-11-01&to=2026-11-14").content.decode()
    # The site's street, its category (front) and the district's total each sum the one estimate.
    assert desk.count(f"{did:.1f} ±") == 3 and desk.count("n=1<") == 3


def test_the_rectification_order_carries_it_to_the_order_page_api_and_horse_race(
    rectified, login, client, bearer, territory
):
    from gridgov.racing.metrics import REGISTRY, Reading

    order = WorkOrder.objects.select_related("event").get(pk=rectified.order_id)
    e = order_effect(order)
    assert e is not None and e.did == pytest.approx(rectification_effect(rectified).effect.did)
    page = login("command").get(f"/orders/{order.pk}/").content.decode()
    assert "治理成效" in page and "检查发现问题前" in page
    body = client.get(f"/api/v1/air/effect?order={order.pk}", **bearer("command")).json()
    assert body["stations"][0]["station"] == "RA" and body["stations"][0]["pollutant"] == "pm10"
    s1, s2 = territory["D-S1"], territory["D-S2"]
    got = REGISTRY["alarm_effect"]([s1, s2], DONE.date(), DONE.date())
    assert got[s1.pk] == Reading(round(e.did, 1), 1) and got[s2.pk] == Reading(None, 0)


def test_a_rectification_with_no_station_nearby_has_no_estimate_with_the_reason(
    pair, sources, inspect, clock, login
):
    clock.travel(FOUND)
    far = inspect(
        sources["restaurant"], username="command", point=G3_POINT, failed=["purifier_running"]
    )
    rect = far.rectification
    assert plan(rect).reason == "整改尚未完成" and rectification_effect(rect).effect is None
    clock.travel(DONE)
    inspect(sources["restaurant"], username="command", point=G3_POINT, rectification_id=rect.pk)
    rect.refresh_from_db()
    found = rectification_effect(rect)
    assert found.effect is None and found.reason == "污染源 5 公里内没有监测站点"
    page = login("command").get(f"/inspections/{rect.inspection_id}/").content.decode()
    assert "暂无估算" in page and "污染源 5 公里内没有监测站点" in page
    # Its order offers nothing to the order page or the horse race.
    assert order_effect(WorkOrder.objects.get(pk=rect.order_id)) is None


def test_a_station_without_neighbours_says_so(pair, sources, inspect, clock):
    Station.objects.filter(code="RB").update(active=False)
    clock.travel(FOUND)
    rect = inspect(sources["site"], failed=["covering"]).rectification
    clock.travel(DONE)
    inspect(sources["site"], username="g1_leader", rectification_id=rect.pk)
    rect.refresh_from_db()
    found = rectification_effect(rect)
    assert found.effect is None and found.station_code == "RA"
    assert found.reason == "站点 5 公里内没有可对照的站点"
