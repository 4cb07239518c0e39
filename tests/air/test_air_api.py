"""Air API for accounts: series with AQI, CSV export, the calculator, assessment, rankings,
targets — all scoped."""

import csv
import datetime as dt
import io

import pytest

from gridgov.air.models import Target
from tests.air.conftest import T0, make_batch, put_days


def wobble_day(station, put):
    import numpy as np

    for h in range(24):
        values = 50 + 5 * np.sin(np.arange(60) / 3.0) + h
        put(
            make_batch(
                station,
                T0 + h * 3600,
                60,
                pm25=values,
                pm10=values * 1.5,
                so2=values / 5,
                no2=values / 2,
                co=values / 60,
                o3=values * 1.2,
            )
        )


def test_hourly_series_with_realtime_aqi_and_csv(stations, put, client, bearer):
    wobble_day(stations["micro"], put)
    headers = bearer("east_secretary")
    rows = client.get(
        "/api/v1/stations/M1/hourly", {"from": "2026-11-20", "to": "2026-11-20"}, **headers
    ).json()
    assert len(rows) == 24
    assert rows[0]["time"] == "2026-11-20T00:00:00+08:00"
    assert rows[0]["aqi"] is not None and rows[0]["standard"] == "2026"
    assert rows[7]["o3_8h"] is not None and rows[6]["o3_8h"] is not None
    csv_response = client.get(
        "/api/v1/stations/M1/hourly",
        {"from": "2026-11-20", "to": "2026-11-20", "format": "csv"},
        **headers,
    )
    assert csv_response["Content-Type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(csv_response.content.decode())))) == 24


def test_daily_series(stations, put, client, bearer):
    wobble_day(stations["micro"], put)
    rows = client.get(
        "/api/v1/stations/M1/daily", {"from": "2026-11-20", "to": "2026-11-21"}, **bearer("command")
    ).json()
    assert [r["date"] for r in rows] == ["2026-11-20", "2026-11-21"]
    assert rows[0]["pm25"] == 62 and rows[1]["aqi"] is None


def test_minutes_and_latest(stations, put, client, bearer):
    wobble_day(stations["micro"], put)
    headers = bearer("command")
    minutes = client.get("/api/v1/stations/M1/minutes", {"hours": 2}, **headers).json()
    assert len(minutes) == 120 and "pm25_flag" in minutes[0]
    exported = client.get("/api/v1/stations/M1/minutes", {"hours": 2, "format": "csv"}, **headers)
    assert exported.content.decode().splitlines()[0].startswith("time,pm25,pm25_flag")
    latest = {s["code"]: s for s in client.get("/api/v1/air/latest", **headers).json()}
    assert latest["M1"]["time"] == "2026-11-20T23:00:00+08:00"
    assert latest["M1"]["aqi"] is not None and latest["M1"]["colour"].startswith("#")
    assert latest["N1"]["aqi"] is None and latest["N1"]["category"] == "NA"


def test_station_scope(stations, client, bearer):
    west = bearer("west_secretary")
    assert client.get("/api/v1/stations/M1/hourly", **west).status_code == 404
    assert client.get("/api/v1/stations/NOPE/hourly", **west).status_code == 404
    codes = [s["code"] for s in client.get("/api/v1/stations", **west).json()]
    assert codes == ["N1"]  # a reference station outside every grid is visible to all
    east = [s["code"] for s in client.get("/api/v1/stations", **bearer("east_secretary")).json()]
    assert east == ["M1", "M2", "N1"]


def test_series_refuse_bad_dates(stations, client, bearer):
    headers = bearer("command")
    bad = client.get("/api/v1/stations/M1/daily", {"from": "2026-02-30"}, **headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "from"
    backwards = client.get(
        "/api/v1/stations/M1/hourly", {"from": "2026-11-20", "to": "2026-11-01"}, **headers
    )
    assert backwards.status_code == 400


@pytest.mark.parametrize(
    ("body", "aqi"),
    [
        ({"standard": "2012", "concentrations": {"pm25": 75}}, 100),
        ({"date": "2026-06-01", "concentrations": {"pm25": 75}}, 114),
        ({"report": "hourly", "standard": "2026", "concentrations": {"so2": 900}}, 200),
    ],
)
def test_aqi_calculator(db, users, client, bearer, body, aqi):
    response = client.post(
        "/api/v1/aqi/calculate", body, content_type="application/json", **bearer("nobody")
    )
    assert response.status_code == 200 and response.json()["aqi"] == aqi


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"concentrations": {"pm25": -1}}, "concentrations.pm25"),
        ({"concentrations": {"o3": 100}}, "concentrations.o3"),
        ({"concentrations": {}}, "concentrations"),
        ({"concentrations": {"pm25": 1}, "colour": "red"}, "payload.colour"),
        ({"standard": "1999", "concentrations": {"pm25": 1}}, "payload.standard"),
    ],
)
def test_aqi_calculator_refuses_bad_input_naming_the_field(db, users, client, bearer, body, field):
    response = client.post(
        "/api/v1/aqi/calculate", body, content_type="application/json", **bearer("nobody")
    )
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


def days(station, start, pm25_values):
    put_days(
        station,
        start,
        pm25_values,
        pm10=40.0,
        so2=8.0,
        no2=20.0,
        co=0.6,
        o3_8h_max=90.0,
        o3_1h_max=110.0,
    )


def test_assessment_rankings_and_targets(stations, client, bearer, territory):
    start = dt.date(2026, 4, 1)
    days(stations["micro"], start, [30.0] * 30)
    days(stations["micro2"], start, [50.0] * 30)
    Target.objects.create(
        region=territory["D"], metric="pm25", start=start, end=dt.date(2026, 12, 31), value=35
    )
    headers = bearer("command")
    period = {"from": "2026-04-01", "to": "2026-04-30"}
    results = client.get(
        "/api/v1/air/assessment", {**period, "level": "community"}, **headers
    ).json()
    assert {r["code"]: r["pm25"] for r in results} == {"D-S1-C1": 40, "D-S2-C2": None}
    ranking = client.get("/api/v1/air/rankings", {**period, "level": "station"}, **headers).json()
    assert [(r["code"], r["rank"]) for r in ranking["ranked"]] == [("M1", 1), ("M2", 2)]
    assert [r["code"] for r in ranking["apart"]] == ["N1"]
    bad = client.get("/api/v1/air/rankings", {**period, "metric": "luck"}, **headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "metric"
    (target,) = client.get("/api/v1/air/targets", {"as_of": "2026-04-30"}, **headers).json()
    # 30 valid days at 40 over a 275-day period: (35·275 − 1200) / 245
    assert target["current"] == 40 and target["gap"] == 5
    assert target["allowance"] == pytest.approx((35 * 275 - 1200) / 245)


def test_rankings_and_targets_are_scoped(stations, client, bearer, territory):
    Target.objects.create(
        region=territory["D"],
        metric="pm25",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        value=35,
    )
    headers = bearer("east_secretary")
    assert client.get("/api/v1/air/targets", **headers).json() == []
    ranking = client.get("/api/v1/air/rankings", {"level": "street"}, **headers).json()
    assert ranking["ranked"] == [] and ranking["apart"] == []
    community = client.get("/api/v1/air/rankings", {"level": "community"}, **headers).json()
    assert [r["code"] for r in community["apart"]] == ["D-S1-C1"]


def test_an_account_without_scope_ranks_nothing(stations, client, bearer, users):
    headers = bearer("nobody")
    ranking = client.get("/api/v1/air/rankings", {"level": "station"}, **headers).json()
    # only the reference station outside every grid is visible to everyone
    assert [r["code"] for r in ranking["ranked"] + ranking["apart"]] == ["N1"]
    assert client.get("/api/v1/air/assessment", {"level": "community"}, **headers).json() == []
