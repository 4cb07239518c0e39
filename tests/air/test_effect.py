"""治理成效: the difference-in-differences of a made-up station pair with a known step, and the
block on a closed air-alarm order's page (seeded hourly means, air_hourly)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.air import effect
from gridgov.air.models import Alarm, AlarmKind, AlarmRule, HourlyAggregate, Station
from gridgov.workorders.effect import EFFECT_HOURS, order_effect
from gridgov.workorders.models import Event, WorkOrder
from gridgov.workorders.receivers import event_for_alarm
from gridgov.workorders.states import State

H = 48
RNG = np.random.default_rng(7)


def noisy(level: float, n: int = H) -> np.ndarray:
    return level + RNG.normal(0, 5, n)


# --- the estimate, pure numpy ----------------------------------------------------------------


def test_station_drops_by_20_neighbours_unchanged_is_improved_near_minus_20():
    e = effect.estimate(
        noisy(80), np.vstack([noisy(60), noisy(62)]), noisy(60), np.vstack([noisy(60), noisy(62)])
    )
    assert e.did is not None and e.se is not None and e.low is not None and e.high is not None
    assert e.low <= -20 <= e.high
    assert abs(e.did + 20) < 4
    assert e.verdict == effect.IMPROVED and e.n_before == e.n_after == H


def test_both_drop_by_20_is_about_zero_and_no_clear_change():
    e = effect.estimate(noisy(80), noisy(70)[None], noisy(60), noisy(50)[None])
    assert e.did is not None and abs(e.did) < 4
    assert e.low is not None and e.high is not None and e.low <= 0 <= e.high
    assert e.verdict == effect.NO_CLEAR_CHANGE


def test_station_rises_is_worse():
    e = effect.estimate(noisy(50), noisy(50)[None], noisy(70), noisy(50)[None])
    assert e.verdict == effect.WORSE


def test_noise_only_is_no_clear_change():
    e = effect.estimate(noisy(50), noisy(50)[None], noisy(50), noisy(50)[None])
    assert e.verdict == effect.NO_CLEAR_CHANGE


def test_only_hours_with_station_and_a_neighbour_count():
    station = np.array([10.0, 10.0, np.nan, 10.0])
    neighbours = np.array([[5.0, np.nan, 5.0, np.nan], [7.0, np.nan, 5.0, 9.0]])
    s, n, d = effect.usable(station, neighbours)
    assert s.tolist() == [10.0, 10.0] and n.tolist() == [6.0, 9.0] and d.tolist() == [4.0, 1.0]


def test_too_few_hours_gives_no_verdict():
    few = effect.MIN_HOURS - 1
    e = effect.estimate(noisy(80, few), noisy(60, few)[None], noisy(20, H), noisy(60, H)[None])
    assert e.n_before == few and e.verdict == effect.INSUFFICIENT
    none = effect.estimate(np.full(4, np.nan), noisy(60, 4)[None], noisy(20), noisy(60)[None])
    assert none.did is None and none.verdict == effect.INSUFFICIENT


def test_autocorrelation_widens_the_interval():
    walk = np.cumsum(RNG.normal(0, 1, 200))
    plain = float(np.var(walk, ddof=1))
    assert effect.long_run_variance(walk) > plain


# --- on the database ---------------------------------------------------------------------------


def seed(station: Station, start: int, values: list[float]) -> None:
    HourlyAggregate.objects.bulk_create(
        HourlyAggregate(station=station, ts=start + 3600 * k, need=1, pm25_sum=v, pm25_n=1)
        for k, v in enumerate(values)
        if v == v
    )


@pytest.fixture
def pair(territory):
    grid = territory["D-S1-C1-G1"]

    def make(code: str, name: str, lat: float) -> Station:
        return Station.objects.create(
            code=code, name=name, kind="micro", lat=lat, lon=113.095, grid=grid, interval_minutes=1
        )

    a, b, far = make("EA", "治理站", 35.2), make("EB", "邻站", 35.21), make("EC", "远站", 35.5)
    return a, b, far


@pytest.mark.django_db
def test_did_from_hourly_rows_and_neighbours_within_the_radius(pair):
    a, b, far = pair
    assert effect.neighbours_of(a.pk) == [b.pk]
    t0 = 1_700_000_000 - 1_700_000_000 % 3600
    seed(a, t0, [80.0] * 24 + [60.0] * 24)
    seed(b, t0, [50.0] * 48)
    seed(far, t0, [10.0] * 48)
    e = effect.did(a.pk, [b.pk], (t0, t0 + 24 * 3600), (t0 + 24 * 3600, t0 + 48 * 3600))
    assert e.did == pytest.approx(-20.0) and e.verdict == effect.IMPROVED
    assert (e.n_before, e.n_after) == (24, 24)
    with pytest.raises(ValueError):
        effect.did(a.pk, [b.pk], (t0, t0 + 1), (t0, t0 + 1), "nope")


@pytest.fixture
def closed_order(pair, crew, territory):
    a, b, _far = pair
    rule = AlarmRule.objects.filter(kind=AlarmKind.THRESHOLD).first()
    dispatched = dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC)
    handled = dispatched + dt.timedelta(hours=6)
    alarm = Alarm.objects.create(
        station=a, grid=territory["D-S1-C1-G1"], rule=rule, pollutant="pm25",
        value=160, started_at=dispatched, last_seen_at=dispatched,
    )  # fmt: skip
    event_for_alarm(alarm)
    order = Event.objects.get(alarm=alarm).order
    WorkOrder.objects.filter(pk=order.pk).update(
        state=State.CLOSED, dispatched_at=dispatched, handled_at=handled,
        closed_at=handled + dt.timedelta(hours=1),
    )  # fmt: skip
    t1 = int(dispatched.timestamp())
    t2 = int(handled.timestamp())
    n = EFFECT_HOURS
    seed(a, t1 - n * 3600, [100.0 + (k % 3) for k in range(n)])
    seed(b, t1 - n * 3600, [60.0 + (k % 2) for k in range(n)])
    seed(a, t2, [70.0 + (k % 3) for k in range(n)])
    seed(b, t2, [60.0 + (k % 2) for k in range(n)])
    return WorkOrder.objects.get(pk=order.pk)


@pytest.mark.django_db
def test_closed_alarm_order_has_its_effect_and_the_page_shows_it(closed_order, login):
    e = order_effect(closed_order)
    assert e is not None and e.did == pytest.approx(-30.0) and e.verdict == effect.IMPROVED
    assert (e.n_before, e.n_after) == (24, 24)
    page = login("command").get(f"/orders/{closed_order.pk}/").content.decode()
    assert "治理成效" in page and "-30.0" in page and "好转" in page and "n = 24 / 24" in page


@pytest.mark.django_db
def test_open_order_has_no_effect(closed_order):
    WorkOrder.objects.filter(pk=closed_order.pk).update(state=State.HANDLED)
    assert order_effect(WorkOrder.objects.get(pk=closed_order.pk)) is None


# --- the endpoint ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_order_effect_and_scope(client, bearer, closed_order, report):
    r = client.get(f"/api/v1/air/effect?order={closed_order.pk}", **bearer("command"))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["kind"] == "order" and body["stations"][0]["station"] == "EA"
    assert body["stations"][0]["did"] == pytest.approx(-30.0)
    assert (
        body["stations"][0]["neighbours"] == ["EB"] and body["stations"][0]["verdict"] == "improved"
    )
    assert body["after_from"].startswith("2026-11-02T22:00:00+08:00")
    hidden = client.get(f"/api/v1/air/effect?order={closed_order.pk}", **bearer("west_secretary"))
    assert hidden.status_code == 404
    patrol = client.get(f"/api/v1/air/effect?order={report().pk}", **bearer("command"))
    assert patrol.status_code == 400 and patrol.json()["errors"][0]["field"] == "order"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [("", "order"), ("order=1&warning=1", "order"), ("order=x", "order"), ("warning=0", "warning")],
)
def test_api_effect_bad_input_names_the_field(client, bearer, crew, query, field):
    r = client.get(f"/api/v1/air/effect?{query}", **bearer("command"))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == field


@pytest.mark.django_db
def test_api_warning_effect_every_station(client, bearer, pair, crew, login):
    from gridgov.emergency.models import Warning

    a, b, _far = pair
    start = dt.datetime(2026, 11, 10, 0, tzinfo=dt.UTC)
    w = Warning.objects.create(
        level=2, starts_at=start, ends_at=start + dt.timedelta(hours=24),
        declared_at=start, declared_by=crew["command"],
    )  # fmt: skip
    t2 = int(start.timestamp())
    t0 = t2 - 7 * 86400
    seed(a, t0, [90.0 + (k % 2) for k in range(24)])
    seed(b, t0, [90.0 + (k % 3) for k in range(24)])
    seed(a, t2, [50.0 + (k % 2) for k in range(24)])
    seed(b, t2, [80.0 + (k % 3) for k in range(24)])
    r = client.get(f"/api/v1/air/effect?warning={w.pk}", **bearer("command"))
    assert r.status_code == 200, r.content
    rows = {s["station"]: s for s in r.json()["stations"]}
    assert rows["EA"]["did"] == pytest.approx(-30.0) and rows["EA"]["n_before"] == 24
    assert rows["EB"]["did"] == pytest.approx(30.0) and rows["EB"]["verdict"] == "worse"
    assert rows["EC"]["verdict"] == "insufficient"
    assert client.get("/api/v1/air/effect?warning=999999", **bearer("command")).status_code == 404
    page = login("command").get(f"/emergency/{w.pk}/").content.decode()
    assert "治理成效" in page and "治理站" in page


def _warning_queries(w, login) -> tuple[int, int]:
    from gridgov.emergency.effect import warning_effect

    with CaptureQueriesContext(connection) as direct:
        found = warning_effect(w)
    with_neighbours = [s.code for s in found.stations if s.effect.n_before == 24]
    assert len(with_neighbours) == len(found.stations) - 1  # EC has none within 5 km
    client = login("command")
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/emergency/{w.pk}/").status_code == 200
    return len(direct.captured_queries), len(page.captured_queries)


@pytest.mark.django_db
def test_warning_effect_queries_do_not_grow_with_the_stations(pair, crew, login, territory):
    """The stations, their neighbours and the hourly rows are read once for all stations (not
    ~3 queries per station): 3 stations or 11, the same number of queries."""
    from gridgov.emergency.models import Warning

    start = dt.datetime(2026, 11, 10, 0, tzinfo=dt.UTC)
    w = Warning.objects.create(
        level=2, starts_at=start, ends_at=start + dt.timedelta(hours=24),
        declared_at=start, declared_by=crew["command"],
    )  # fmt: skip
    t0, t2 = int(start.timestamp()) - 7 * 86400, int(start.timestamp())
    for s in pair:
        seed(s, t0, [90.0] * 24)
        seed(s, t2, [60.0] * 24)
    few = _warning_queries(w, login)
    grid = territory["D-S1-C1-G1"]
    for k in range(8):
        s = Station.objects.create(
            code=f"EX{k}", name=f"加站{k}", kind="micro", lat=35.2 + 0.003 * k, lon=113.1,
            grid=grid, interval_minutes=1,
        )  # fmt: skip
        seed(s, t0, [80.0 + k] * 24)
        seed(s, t2, [50.0 + k] * 24)
    many = _warning_queries(w, login)
    assert many == few


@pytest.mark.django_db
def test_horse_race_alarm_effect_is_the_mean_did_of_the_units_closed_orders(
    closed_order, territory
):
    from gridgov.racing.metrics import REGISTRY, Reading

    metric = REGISTRY["alarm_effect"]
    assert metric.higher_is_better is False and str(metric.label) == "治理实效"
    s1, s2 = territory["D-S1"], territory["D-S2"]
    day = dt.date(2026, 11, 2)
    got = metric([s1, s2], day, day)
    assert got[s1.pk] == Reading(-30.0, 1) and got[s2.pk] == Reading(None, 0)
    assert metric([s1], day + dt.timedelta(days=1), day + dt.timedelta(days=2))[s1.pk].value is None
