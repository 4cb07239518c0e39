"""Issuing the forecast from the stored data: models trained and versioned, the daily forecast
of the latest 20:00 (three days) and the hourly one (24 hours) written once each, read per
station and unit with the AQI and level, over the API and the CLI; imported weather forecasts
used when there are some; bad requests refused."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from gridgov.air import forecast, forecast_issue
from gridgov.air.factor_models import FactorHour
from gridgov.air.forecast_models import DailyForecast, ForecastModel, HourlyForecast
from gridgov.air.met_forecast_models import MetForecast
from gridgov.air.models import CST, HourlyAggregate, Station
from gridgov.territory.models import Region

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 20, 21, 30, tzinfo=CST)
DAYS = 90


@pytest.fixture
def small(settings):
    settings.GRIDGOV_FORECAST_MAX_ROWS = 3000
    settings.GRIDGOV_FORECAST_ENSEMBLE = 1


_TRAINED: list[dict] = []  # the models trained once on `history` (it is the same every time)


@pytest.fixture
def trained(history, clock):
    """`history` with its models (trained on the first use, then stored again from memory)."""
    clock.travel(NOW)
    if not _TRAINED:
        made = forecast_issue.train()
        _TRAINED.extend(
            {
                f.name: getattr(m, f.name)
                for f in ForecastModel._meta.concrete_fields
                if f.name != "id"
            }
            for m in made
        )
    else:
        ForecastModel.objects.bulk_create(ForecastModel(**values) for values in _TRAINED)
    return history


@pytest.fixture
def history(territory, small):
    """Three micro-stations in the district with 90 days of hourly PM2.5, PM10, O3 and wind
    before NOW: a level that swings with a northerly wind."""
    grids = [territory["D-S1-C1-G1"], territory["D-S1-C1-G2"], territory["D-S2-C2-G3"]]
    stations = [
        Station.objects.create(
            code=f"F{i}",
            name=f"预报站{i}",
            kind="micro",
            lat=35.1 + 0.05 * i,
            lon=113.05 + 0.1 * i,
            grid=g,
            interval_minutes=60,
        )
        for i, g in enumerate(grids)
    ]
    rng = np.random.default_rng(3)
    start = int(
        dt.datetime.combine(NOW.date() - dt.timedelta(days=DAYS), dt.time(), CST).timestamp()
    )
    hours = DAYS * 24 + 21  # up to 21:00 of NOW's day
    north = np.repeat(rng.normal(0, 2, DAYS + 1), 24)[:hours]
    level = 70 - 15 * north + rng.normal(0, 8, hours)
    rows, wind = [], []
    for i, st in enumerate(stations):
        for k in range(hours):
            v = max(1.0, level[k] * (1 + 0.1 * i))
            rows.append(
                HourlyAggregate(
                    station=st,
                    ts=start + 3600 * k,
                    need=1,
                    pm25_sum=v,
                    pm25_n=1,
                    pm10_sum=1.7 * v,
                    pm10_n=1,
                    o3_sum=60 + 20 * np.sin(k / 24 * 6.28),
                    o3_n=1,
                )
            )
            speed = abs(float(north[k])) + 0.6
            wind.append(
                FactorHour(station=st, ts=start + 3600 * k, code="a01007", n=1, total=speed)
            )
    HourlyAggregate.objects.bulk_create(rows)
    FactorHour.objects.bulk_create(wind)
    return stations


def test_issue_trains_then_writes_three_days_and_24_hours_once(history, clock):
    clock.travel(NOW)
    done = forecast_issue.issue()
    assert done.trained == 10  # 3 targets × 3 leads + the hourly model
    assert done.daily_at == dt.datetime(2026, 6, 20, 20, tzinfo=CST)
    assert done.hourly_at == dt.datetime(2026, 6, 20, 21, tzinfo=CST)
    assert DailyForecast.objects.count() == 3 * 3
    dates = sorted(set(DailyForecast.objects.values_list("date", flat=True)))
    assert dates == [dt.date(2026, 6, 21), dt.date(2026, 6, 22), dt.date(2026, 6, 23)]
    assert HourlyForecast.objects.count() == 3 * 24
    first_hour = HourlyForecast.objects.order_by("ts").first()
    assert first_hour.ts == int(dt.datetime(2026, 6, 20, 21, tzinfo=CST).timestamp())
    row = DailyForecast.objects.first()
    assert row.pm25_lo <= row.pm25 <= row.pm25_hi
    assert set(row.models_used) == {"pm25", "pm10", "o3_8h"}
    again = forecast_issue.issue()
    assert (again.trained, again.daily_rows, again.hourly_rows) == (0, 0, 0)
    assert DailyForecast.objects.count() == 9


def test_models_are_versioned_with_their_skill(trained, clock):
    forecast_issue.train(variants=(False,))
    pm25 = ForecastModel.objects.filter(target="pm25", lead=1)
    assert pm25.count() == 2
    skill = pm25.first().skill
    assert skill["persistence_rmse"] > 0 and 0 < skill["ratio"] < 2
    used, fitted = forecast_issue.in_use("pm25", 1, False)
    assert used.pk == pm25.order_by("-pk").first().pk
    assert fitted.names == used.features


def test_a_unit_reads_the_mean_of_its_stations_with_the_aqi(trained, clock):
    forecast_issue.issue()
    street = Region.objects.get(code="D-S1")
    unit = forecast.for_region(street)
    assert unit.stations == 2 and len(unit.days) == 3
    day = unit.days[0]
    rows = DailyForecast.objects.filter(date=day.date, station__code__in=["F0", "F1"])
    assert day.values["pm25"].value == pytest.approx(np.mean([r.pm25 for r in rows]), abs=0.06)
    expected, _ = forecast.forecast_aqi({k: b.value for k, b in day.values.items()}, day.date)
    assert day.aqi == expected and day.level is not None
    # the next morning the same issue shows today and the two days after
    clock.travel(dt.datetime(2026, 6, 21, 9, tzinfo=CST))
    assert forecast.for_region(street).days[0].date == dt.date(2026, 6, 21)


def test_forecast_aqi_follows_hj633():
    # PM2.5 80 µg/m³ under the 2026 standard (60–115 → IAQI 100–150): 100 + 50·20/55 → 119
    assert forecast.forecast_aqi({"pm25": 80.0}, dt.date(2026, 12, 1)) == (119, ["PM2.5"])
    assert forecast.forecast_aqi({"pm25": 20.0, "o3_8h": 90.0}, dt.date(2026, 12, 1))[0] == 45
    assert forecast.forecast_aqi({}, dt.date(2026, 12, 1)) == (None, [])


def test_imported_weather_forecasts_are_used(trained, clock):
    issued = int(dt.datetime(2026, 6, 20, 8, tzinfo=CST).timestamp())
    t0 = int(dt.datetime(2026, 6, 20, 20, tzinfo=CST).timestamp())
    MetForecast.objects.bulk_create(
        MetForecast(station=s, issued_at=issued, ts=t0 + 3600 * k, code="a01007", value=3.0)
        for s in trained
        for k in range(80)
    )
    assert len(forecast_issue.train(variants=(True,))) == 10
    done = forecast_issue.issue()
    assert done.daily_rows == 9
    assert set(DailyForecast.objects.values_list("met", flat=True)) == {True}
    assert forecast.for_stations([trained[0].pk]).met is True


def test_no_history_no_models_and_no_forecast(territory, small, clock):
    clock.travel(NOW)
    done = forecast_issue.issue()
    assert (done.trained, done.daily_rows, done.hourly_rows) == (0, 0, 0)
    assert forecast.for_stations([]).issued_at is None


def test_the_api_answers_per_station_region_and_scope(trained, client, login):
    forecast_issue.issue()
    login("command")
    body = client.get("/api/v1/air/forecast", {"region": "D-S1"}).json()
    assert body["stations"] == 2 and len(body["days"]) == 3 and len(body["hours"]) == 24
    assert {"pm25", "pm10", "o3_8h", "aqi", "level"} <= set(body["days"][0])
    assert any(s["model"] == "pm25" for s in body["skill"])
    one = client.get("/api/v1/air/forecast", {"station": "F2"}).json()
    assert one["station"] == "F2" and one["stations"] == 1
    both = client.get("/api/v1/air/forecast", {"station": "F2", "region": "D-S1"})
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "region"
    assert client.get("/api/v1/air/forecast", {"region": "NOPE"}).status_code == 404


def test_a_community_account_reads_only_its_own(trained, client, login):
    forecast_issue.issue()
    login("east_secretary")  # 东一社区 (D-S1-C1)
    assert client.get("/api/v1/air/forecast", {"station": "F2"}).status_code == 404
    assert client.get("/api/v1/air/forecast", {"region": "D-S2"}).status_code == 404
    assert client.get("/api/v1/air/forecast", {"station": "F0"}).status_code == 200


def test_cli_forecast_and_backtest(trained, clock):
    out, err = io.StringIO(), io.StringIO()
    call_command("air", "forecast", "--issue", "--format", "json", stdout=out, stderr=err)
    body = json.loads(out.getvalue())
    assert len(body["days"]) == 3 and "daily rows 9" in err.getvalue()
    out = io.StringIO()
    call_command("air", "forecast", "--station", "F1", stdout=out)
    assert "F1: issued 2026-06-20 20:00" in out.getvalue() and "AQI" in out.getvalue()
    out = io.StringIO()
    call_command(
        "air",
        "backtest",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-10",
        "--station",
        "F0",
        "F1",
        "--retrain-days",
        "5",
        stdout=out,
        stderr=io.StringIO(),
    )
    rows = json.loads(out.getvalue())
    assert len(rows) == 20
    assert set(rows[0]) == {
        "station",
        "issued_at",
        "date",
        "lead",
        "pm25_forecast",
        "pm25_lo",
        "pm25_hi",
        "pm25_observed",
        "pm25_persistence",
    }
    assert rows[0]["issued_at"] == "2026-05-31T20:00:00+08:00"
    assert all(r["pm25_forecast"] is not None for r in rows)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-06-10", "--to", "2026-06-01"], "--to is before --from"),
        (["--from", "2026-02-30", "--to", "2026-06-01"], "--from: '2026-02-30' is not a date"),
        (["--from", "2026-06-01", "--to", "2026-06-02", "--station", "XX"], "XX"),
        (["--from", "2026-06-01", "--to", "2026-06-02", "--retrain-days", "0"], "retrain"),
        (["--from", "2020-06-01", "--to", "2020-06-02"], "no data before --from"),
    ],
)
def test_cli_backtest_refuses_bad_input(history, clock, args, message):
    clock.travel(NOW)
    with pytest.raises(CommandError, match=message):
        call_command("air", "backtest", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_forecast_page_and_the_overview_strip(trained, client, login):
    forecast_issue.issue()
    login("command")
    page = client.get("/air/forecast/", {"region": "D-S1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "空气质量预报" in html and "东街道" in html and "预报检验" in html
    assert html.count('class="lvl-') >= 3  # the three days
    assert "forecast-data" in html  # the 24-hour chart's data
    unit = forecast.for_region(Region.objects.get(code="D-S1"))
    assert f'<b class="aqi">{unit.days[0].aqi}</b>' in html
    overview = client.get("/api/v1/overview").json()
    strip = overview["forecast"]
    assert strip["unit"] == "测试区" and len(strip["days"]) == 3
    assert strip["days"][0]["date"] == "2026-06-21" and strip["days"][0]["aqi"] is not None
    assert "未来三天预报" in client.get("/overview/").content.decode()
    bad = client.get("/air/forecast/", {"region": "NOPE"})
    assert bad.status_code == 200 and "no region with code" in bad.content.decode()


def test_before_any_forecast_the_strip_says_so(territory, people, client, login, clock):
    clock.travel(NOW)
    login("command")
    assert client.get("/api/v1/overview").json()["forecast"]["days"] == []
    assert "尚未发布预报" in client.get("/overview/").content.decode()
    assert "尚未发布预报" in client.get("/air/forecast/").content.decode()


def test_the_demo_trains_light_models_and_issues_at_once(history, clock):
    from gridgov.demo.forecast import generate

    clock.travel(NOW)
    done = generate()
    assert done.trained == 10 and done.daily_rows == 9 and done.hourly_rows == 72
    assert forecast.for_stations([s.pk for s in history]).days


def test_each_stations_next_day_is_read_in_two_queries(trained, django_assert_num_queries):
    forecast_issue.issue()
    ids = [s.pk for s in trained]
    with django_assert_num_queries(2):
        days = forecast.next_day_by_station(ids)
    assert sorted(days) == sorted(ids)
    for sid in ids:
        assert days[sid] == forecast.for_stations([sid]).days[0]
