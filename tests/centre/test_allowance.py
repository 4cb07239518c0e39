"""目标余量测算 (the allowance planner, centre/allowance.py): the required mean on a made-up target
with a known answer, out of reach and secured, the forecast gap from DailyForecast rows, good
days, the first day of a period, the fronts ranked from made-up effects and from closed orders,
the page and the API (scope, bad parameters)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.air.effect import Effect
from gridgov.air.forecast_models import DailyForecast
from gridgov.air.models import (
    CST,
    Alarm,
    AlarmKind,
    AlarmRule,
    HourlyAggregate,
    Station,
    Target,
)
from gridgov.centre import allowance
from gridgov.centre.allowance import Standing
from gridgov.sources.models import PollutionSource
from gridgov.workorders.effect import EFFECT_HOURS, OrderEstimate, by_front
from gridgov.workorders.models import Event, WorkOrder
from gridgov.workorders.receivers import event_for_alarm
from gridgov.workorders.states import State
from tests.air.conftest import put_days

DEC = dt.date(2026, 12, 1)
END = dt.date(2026, 12, 31)
NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=CST)  # 4 days gone (1–4 December), 27 to count


@pytest.fixture
def west(territory):
    """One station in 西街道 (D-S2) and one in 东街道 (D-S1)."""
    Station.objects.create(
        code="E1", name="东站", kind="micro", lat=35.2, lon=113.05, grid=territory["D-S1-C1-G1"]
    )
    return Station.objects.create(
        code="W1", name="西站", kind="micro", lat=35.2, lon=113.3, grid=territory["D-S2-C2-G3"]
    )


def target(region, value=35.0, metric="pm25", start=DEC, end=END) -> Target:
    return Target.objects.create(region=region, metric=metric, start=start, end=end, value=value)


def forecast(station, issued, first, pm25, pm10=60.0, width=10.0):
    """One issue's daily rows from `first`, one per PM2.5 value."""
    DailyForecast.objects.bulk_create(
        DailyForecast(
            station=station, issued_at=issued, date=first + dt.timedelta(days=i), lead=i + 1,
            pm25=v, pm25_lo=v - width, pm25_hi=v + width, pm10=pm10, pm10_lo=pm10 - 10,
            pm10_hi=pm10 + 10, o3_8h=80.0, o3_8h_lo=60.0, o3_8h_hi=100.0,
        )
        for i, v in enumerate(pm25)
    )  # fmt: skip


# --- the arithmetic ----------------------------------------------------------------------------


def test_required_mean_of_a_made_up_target(territory, west):
    put_days(west, DEC, [60.0] * 4)
    a = allowance.plan(target(territory["D-S2"]), NOW)
    # (35·31 − 240) / 27 = 845 / 27 = 31.30 for the 27 days still to count
    assert (a.period_days, a.valid_days, a.remaining_days, a.days_elapsed) == (31, 4, 27, 5)
    assert a.mean_so_far == 60.0 and a.required == 31.3 and a.budget == 845.0
    assert a.forecast is not None and a.forecast.days == 0 and a.gap is None
    assert a.standing == Standing.ON_TRACK  # nothing says otherwise: no forecast, no history


def test_forecast_gap_and_share_from_daily_forecast_rows(territory, west):
    put_days(west, DEC, [60.0] * 4)
    issued = dt.datetime(2026, 12, 4, 20, 0, tzinfo=CST)
    forecast(west, issued, dt.date(2026, 12, 5), [40.0, 50.0, 60.0, 70.0])
    # An older issue is not read; nor is one issued after now.
    forecast(west, issued - dt.timedelta(days=1), dt.date(2026, 12, 4), [500.0] * 4)
    forecast(west, NOW + dt.timedelta(hours=1), dt.date(2026, 12, 6), [1.0] * 3)
    a = allowance.plan(target(territory["D-S2"]), NOW)
    fc = a.forecast
    assert fc is not None and fc.issued_at == issued
    assert fc.dates == [dt.date(2026, 12, 5), dt.date(2026, 12, 6), dt.date(2026, 12, 7)]
    assert (fc.mean, fc.low, fc.high) == (50.0, 40.0, 60.0)
    assert a.gap == pytest.approx(50 - 845 / 27, abs=0.05)  # 18.7 above what is allowed
    assert a.share == pytest.approx(150 / 845, abs=0.001)  # 17.8 % of the budget in 3 days
    assert a.fair_share == pytest.approx(3 / 27, abs=0.001)
    assert a.required_after == pytest.approx((845 - 150) / 24, abs=0.05)
    assert a.standing == Standing.AT_RISK


def test_out_of_reach_when_the_budget_is_used_up(territory, west):
    put_days(west, DEC, [300.0] * 4)  # 1200 > 35·31 = 1085
    a = allowance.plan(target(territory["D-S2"]), NOW)
    assert a.required is not None and a.required < 0
    assert a.standing == Standing.OUT_OF_REACH and "0" in a.reason


def test_secured_when_even_the_worst_day_of_the_year_would_do(territory, west):
    put_days(west, dt.date(2025, 12, 1), [20.0] * 365)  # the past year: never above 20
    put_days(west, DEC, [10.0] * 4)
    a = allowance.plan(target(territory["D-S2"]), NOW)
    assert a.required == pytest.approx((1085 - 40) / 27, abs=0.05)  # 38.7 ≥ 20
    assert a.standing == Standing.SECURED


def test_a_few_clean_days_of_history_do_not_secure_a_target(territory, west):
    put_days(west, dt.date(2026, 11, 1), [20.0] * 30)  # one clean month is not a year
    put_days(west, DEC, [10.0] * 4)
    a = allowance.plan(target(territory["D-S2"]), NOW)
    assert a.required is not None and a.required > 20 and a.standing == Standing.ON_TRACK


def test_good_days_allowance_and_forecast_good_days(territory, west):
    put_days(west, DEC, [90.0] * 3 + [30.0])  # 3 non-good days of 4
    issued = dt.datetime(2026, 12, 4, 20, 0, tzinfo=CST)
    forecast(west, issued, dt.date(2026, 12, 5), [30.0, 90.0, 100.0])  # good, not, not
    a = allowance.plan(target(territory["D-S2"], value=70, metric="good_day_ratio"), NOW)
    # ⌈0.7·31⌉ = 22 good days needed, 1 so far: 21 of the 27 left; 9 − 3 = 6 non-good allowed
    assert (a.good_needed, a.non_good_allowed) == (21, 6)
    assert a.required == pytest.approx(100 * 21 / 27, abs=0.05)
    assert a.forecast is not None and a.forecast.good_days == 1
    assert a.gap == pytest.approx(2 - 3 * 6 / 27, abs=0.01)  # 2 non-good against 0.67 fair
    assert a.share == pytest.approx(2 / 6, abs=0.001)
    assert a.standing == Standing.AT_RISK


def test_good_days_secured_and_out_of_reach(territory, west):
    put_days(west, DEC, [30.0] * 4)
    short = target(territory["D-S2"], 50, "good_day_ratio", DEC, dt.date(2026, 12, 7))
    assert allowance.plan(short, NOW).standing == Standing.SECURED  # ⌈3.5⌉ = 4 good already
    Target.objects.all().delete()
    put_days(west, dt.date(2026, 11, 28), [90.0] * 3)
    lost = target(territory["D-S2"], 90, "good_day_ratio", dt.date(2026, 11, 28), END)
    # ⌈0.9·34⌉ = 31 good: 34 − 31 = 3 non-good allowed, 3 used, none left: still possible
    assert allowance.plan(lost, NOW).standing != Standing.OUT_OF_REACH
    put_days(west, dt.date(2026, 11, 27), [95.0])
    Target.objects.all().delete()
    lost = target(territory["D-S2"], 90, "good_day_ratio", dt.date(2026, 11, 27), END)
    # ⌈0.9·35⌉ = 32 good needed: 3 non-good allowed, 4 used
    a = allowance.plan(lost, NOW)
    assert a.non_good_allowed == -1 and a.standing == Standing.OUT_OF_REACH


def test_first_day_of_the_period_requires_the_target_itself(territory, west):
    put_days(west, dt.date(2026, 11, 1), [60.0] * 30)  # November, before the period
    first = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)
    a = allowance.plan(target(territory["D-S2"]), first)
    assert a.valid_days == 0 and a.no_days_yet and a.mean_so_far is None
    assert a.remaining_days == 31 and a.required == 35.0 and a.budget == 35.0 * 31
    assert "尚无有效天数" in a.reason
    g = allowance.plan(target(territory["D-S2"], 80, "good_day_ratio"), first)
    assert (g.good_needed, g.non_good_allowed) == (25, 6) and g.no_days_yet


def test_composite_index_is_shown_without_an_allowance(territory, west):
    a = allowance.plan(target(territory["D-S2"], 4.5, "comprehensive_index"), NOW)
    assert a.standing == Standing.UNKNOWN and a.required is None and a.fronts == []


# --- the fronts --------------------------------------------------------------------------------


def made_up(front: str, did: float, se: float, path: str, pk: int) -> OrderEstimate:
    e = Effect("pm25", did, se, 24, 24, None, None, None, None, (), "improved")
    return OrderEstimate(pk, front, path, None, e)


def test_fronts_ranked_by_what_they_could_close(territory):
    s2 = territory["D-S2"]
    inside, outside = s2.path + "9/", territory["D-S1"].path + "9/"
    items = (
        [made_up("construction_site", -10.0, 2.0, inside, k) for k in range(5)]
        + [made_up("vehicle", -2.0, 0.5, inside, 10 + k) for k in range(4)]
        + [made_up("vehicle", -2.0, 0.5, outside, 20 + k) for k in range(5)]
        + [made_up("enterprise", -20.0, 1.0, inside, 30 + k) for k in range(2)]  # too few
        + [made_up("restaurant", 1.0, 0.5, inside, 40 + k) for k in range(5)]  # worse
    )
    plans = allowance.front_plans(items, s2, stations=2)
    significant = [p for p in plans if p.significant]
    assert [p.front for p in significant] == ["construction_site", "vehicle"]
    dust, vehicle = significant
    # −10 per order at 5 orders in 90 days, over 2 stations: −10 × 5/90 ÷ 2 µg/m³
    assert dust.per_order == -10.0 and dust.orders == 5 and dust.unit_orders == 5
    assert dust.change == pytest.approx(-10 * 5 / 90 / 2, abs=0.01)
    # √(5·2²)/5 = 0.894 (the spread is 0): the interval −10 ± 1.96·0.894
    assert dust.per_order_low == pytest.approx(-10 - 1.96 * 0.894, abs=0.01)
    # the vehicles' effect is pooled over the district (9 orders), its rate the street's (4)
    assert (vehicle.orders, vehicle.unit_orders) == (9, 4)
    assert vehicle.change == pytest.approx(-2 * 4 / 90 / 2, abs=0.01)
    apart = {p.front for p in plans if not p.significant}
    assert apart == {"enterprise", "restaurant"}
    assert allowance.front_label("construction_site") == "建筑工地"


def test_pooled_uncertainty_takes_the_spread_of_the_orders():
    items = [made_up("vehicle", v, 0.1, "/1/", k) for k, v in enumerate([-10.0, 0.0, 10.0])]
    f = by_front(items)["vehicle"]
    assert f.n == 3 and f.mean == 0.0 and f.se == pytest.approx(10 / 3**0.5, abs=1e-6)
    assert not f.improves


def test_the_plan_ranks_fronts_and_the_share_of_the_gap(territory, west, monkeypatch):
    put_days(west, DEC, [60.0] * 4)
    issued = dt.datetime(2026, 12, 4, 20, 0, tzinfo=CST)
    forecast(west, issued, dt.date(2026, 12, 5), [40.0, 50.0, 60.0])
    inside = territory["D-S2-C2-G3"].path
    items = [made_up("construction_site", -900.0, 10.0, inside, k) for k in range(5)]
    items += [made_up("vehicle", -90.0, 1.0, inside, 10 + k) for k in range(5)]
    monkeypatch.setattr(allowance, "recent_estimates", lambda *args: items)
    a = allowance.plan(target(territory["D-S2"]), NOW)
    assert [f.front for f in a.fronts] == ["construction_site", "vehicle"]
    # −900 × 5/90 ÷ 1 station = −50: more than the 18.7 gap, so it could close all of it
    assert a.fronts[0].change == pytest.approx(-50.0) and a.fronts[0].closes == 1.0
    assert a.fronts[1].closes == pytest.approx(5.0 / (50 - 845 / 27), abs=0.01)


def seed(station: Station, start: int, values: list[float]) -> None:
    HourlyAggregate.objects.bulk_create(
        HourlyAggregate(station=station, ts=start + 3600 * k, need=1, pm25_sum=v, pm25_n=1)
        for k, v in enumerate(values)
    )


@pytest.mark.django_db
def test_closed_alarm_orders_give_their_front(territory, crew):
    grid = territory["D-S1-C1-G1"]
    a = Station.objects.create(code="EA", name="治理站", kind="micro", lat=35.2, lon=113.095,
                               grid=grid, interval_minutes=1)  # fmt: skip
    b = Station.objects.create(code="EB", name="邻站", kind="micro", lat=35.21, lon=113.095,
                               grid=grid, interval_minutes=1)  # fmt: skip
    now = timezone.now()
    source = PollutionSource.objects.create(
        code="CS1", category="construction_site", name="某工地", geometry={}, lat=35.2,
        lon=113.095, min_lat=35.2, max_lat=35.2, min_lon=113.095, max_lon=113.095, grid=grid,
        region_path=grid.path, created_at=now, updated_at=now,
    )  # fmt: skip
    rule = AlarmRule.objects.filter(kind=AlarmKind.THRESHOLD).first()
    dispatched = (now - dt.timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    handled = dispatched + dt.timedelta(hours=6)
    alarm = Alarm.objects.create(
        station=a, grid=grid, rule=rule, pollutant="pm25", value=160, started_at=dispatched,
        last_seen_at=dispatched,
    )  # fmt: skip
    event_for_alarm(alarm)
    event = Event.objects.get(alarm=alarm)
    Event.objects.filter(pk=event.pk).update(pollution_source=source)
    WorkOrder.objects.filter(pk=event.order.pk).update(
        state=State.CLOSED, dispatched_at=dispatched, handled_at=handled,
        closed_at=handled + dt.timedelta(hours=1),
    )  # fmt: skip
    t1, t2, n = int(dispatched.timestamp()), int(handled.timestamp()), EFFECT_HOURS
    seed(a, t1 - n * 3600, [100.0 + (k % 3) for k in range(n)])
    seed(b, t1 - n * 3600, [60.0 + (k % 2) for k in range(n)])
    seed(a, t2, [70.0 + (k % 3) for k in range(n)])
    seed(b, t2, [60.0 + (k % 2) for k in range(n)])
    (found,) = allowance.recent_estimates(territory["D"], "pm25", now)
    assert found.front == "construction_site" and found.effect.did == pytest.approx(-30.0)
    # Out of the 90 days: not read.
    assert allowance.recent_estimates(territory["D"], "pm25", now + dt.timedelta(days=81)) == []


# --- the page and the API ----------------------------------------------------------------------


def in_force_today(territory, clock, region="D-S2", metric="pm25", value=35.0) -> Target:
    today = clock.today()
    return target(territory[region], value, metric, today.replace(day=1), today + dt.timedelta(30))


@pytest.mark.dates
def test_page_shows_every_target_in_force_as_a_slide(territory, west, clock, login):
    in_force_today(territory, clock)
    in_force_today(territory, clock, "D-S1", "good_day_ratio", 80)
    ended = clock.today() - dt.timedelta(days=40)
    target(territory["D-S2"], 30, "pm10", ended - dt.timedelta(days=30), ended)  # not in force
    page = login("command").get("/air/targets/allowance/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "目标余量" in text and "西街道" in text and "东街道" in text
    assert 'data-metric="pm25"' in text and 'data-metric="good_day_ratio"' in text
    assert 'data-metric="pm10"' not in text
    assert "估算假设" in text and "standing-" in text
    bad = login("command").get("/air/targets/allowance/", {"metric": "luck"})
    assert bad.status_code == 200 and "metric:" in bad.content.decode()


@pytest.mark.dates
def test_page_on_the_first_day_of_a_period(territory, west, clock, login):
    today = clock.today()
    target(territory["D-S2"], 35.0, "pm25", today, today + dt.timedelta(days=29))
    text = login("command").get("/air/targets/allowance/").content.decode()
    assert "尚无有效天数" in text and "≤ 35.0" in text


@pytest.mark.dates
def test_api_answers_the_callers_targets_only(territory, west, clock, client, bearer):
    in_force_today(territory, clock, "D-S1-C1")
    in_force_today(territory, clock, "D-S2-C2", "pm10", 60)
    rows = client.get("/api/v1/air/targets/allowance", **bearer("command")).json()
    assert {(r["region"], r["metric"]) for r in rows} == {("D-S1-C1", "pm25"), ("D-S2-C2", "pm10")}
    east = bearer("east_secretary")  # 东一社区 (D-S1-C1)
    (row,) = client.get("/api/v1/air/targets/allowance", **east).json()
    assert row["region"] == "D-S1-C1" and row["today"] == clock.today().isoformat()
    assert row["assumption"].startswith("估算假设") and row["standing"] in {
        "secured", "on_track", "at_risk", "out_of_reach", "unknown"
    }  # fmt: skip
    hidden = client.get("/api/v1/air/targets/allowance", {"region": "D-S2-C2"}, **east)
    assert hidden.status_code == 404 and hidden.json()["errors"][0]["field"] == "region"
    mine = client.get("/api/v1/air/targets/allowance", {"region": "D-S1-C1"}, **east).json()
    assert [r["region"] for r in mine] == ["D-S1-C1"]
    only = client.get("/api/v1/air/targets/allowance", {"metric": "pm10"}, **bearer("command"))
    assert [r["region"] for r in only.json()] == ["D-S2-C2"]


@pytest.mark.parametrize(
    ("query", "field"), [({"metric": "luck"}, "metric"), ({"region": "X" * 41}, "region")]
)
def test_api_refuses_bad_parameters_naming_the_field(users, client, bearer, query, field):
    r = client.get("/api/v1/air/targets/allowance", query, **bearer("command"))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == field


@pytest.mark.dates
def test_overview_targets_carry_the_forecast_gap_and_link_the_planner(
    territory, west, clock, login, client, bearer
):
    today = clock.today()
    start = today.replace(day=1)
    t = target(territory["D-S2"], 35.0, "pm25", start, today + dt.timedelta(days=30))
    issued = timezone.now() - dt.timedelta(hours=1)
    forecast(west, issued, today, [200.0, 200.0, 200.0])  # far above any allowance of 35
    body = client.get("/api/v1/overview", **bearer("command")).json()
    (row,) = [r for r in body["targets"] if r["region"] == "D-S2"]
    assert row["forecast_days"] >= 1 and row["forecast_mean"] == 200.0
    assert row["forecast_gap"] > 0 and row["standing"] == "at_risk"
    assert row["allowance_url"] == "/air/targets/allowance/?region=D-S2&metric=pm25"
    page = login("command").get("/overview/").content.decode()
    assert "目标余量测算" in page and "/air/targets/allowance/?region=D-S2&amp;metric=pm25" in page
    del t
