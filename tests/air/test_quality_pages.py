"""The sensor-quality page and API: a month's rates, ranked, and the co-location table, over
the stations the account may see; meaningful defaults on a month's first day."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.models import CST, Reading
from gridgov.air.upkeep_models import StationOperator
from tests.air.conftest import T0

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=CST)


@pytest.fixture
def data(stations, clock):
    clock.travel(NOW, tick=False)
    StationOperator.objects.create(station=stations["micro"], name="蓝天运维")
    Reading.objects.bulk_create(
        [Reading(station=stations["micro"], ts=T0 + 60 * m, pm25=30.0) for m in range(720)]
    )
    return stations


def test_the_api_gives_the_month_ranked_and_scoped(data, client, bearer):
    body = client.get("/api/v1/air/quality", {"month": "2026-11"}, **bearer("east_secretary"))
    assert body.status_code == 200
    q = body.json()
    assert (q["month"], q["start"], q["end"]) == ("2026-11", "2026-11-01", "2026-11-21")
    codes = [s["station"] for s in q["stations"]]
    assert sorted(codes) == ["M1", "M2", "N1"] and codes[0] == "M1"  # the only one reporting
    m1 = q["stations"][0]
    assert m1["operator"] == "蓝天运维" and m1["rank"] == 1
    expected = 20 * 1440 + 720  # 20 whole days and today's first 12 hours
    assert (m1["month"]["expected"], m1["month"]["present"]) == (expected, 720)
    assert m1["month"]["online_rate"] == round(100 * 720 / expected, 2)
    day20 = next(d for d in m1["days"] if d["day"] == "2026-11-20")
    assert day20["online_rate"] == 50.0 and day20["qc_pass_rate"] == 100.0
    assert [o["operator"] for o in q["operators"]] == ["蓝天运维", "未登记运维单位"]
    assert [c["station"] for c in q["colocation"]] == ["M1", "M2"]
    assert all(c["control"] == "N1" for c in q["colocation"])
    assert [f["pollutant"] for f in q["colocation"][0]["fits"]] == ["pm25", "pm10"]
    west = client.get("/api/v1/air/quality", {"month": "2026-11"}, **bearer("west_secretary"))
    assert [s["station"] for s in west.json()["stations"]] == ["N1"]
    assert west.json()["colocation"] == []


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026-12", "x"])
def test_the_api_refuses_a_bad_or_future_month(data, client, bearer, month):
    body = client.get("/api/v1/air/quality", {"month": month}, **bearer("command"))
    assert body.status_code == 400 and body.json()["errors"][0]["field"] == "month"


def test_the_api_needs_an_account(data, client):
    assert client.get("/api/v1/air/quality").status_code == 401


def test_the_api_defaults_to_this_month_and_on_the_first_to_the_last(data, client, bearer, clock):
    assert client.get("/api/v1/air/quality", **bearer("command")).json()["month"] == "2026-11"
    clock.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST), tick=False)
    q = client.get("/api/v1/air/quality", **bearer("command")).json()
    assert (q["month"], q["end"]) == ("2026-11", "2026-11-30")


def test_the_page_ranks_the_operators_and_keeps_to_the_scope(data, login, clock):
    page = login("east_secretary").get("/air/quality/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "蓝天运维" in text and "东一微站" in text and "2026-11" in text
    assert [s.label for s in page.context["sections"]] == ["2026-11"]
    west = login("west_secretary").get("/air/quality/").content.decode()
    assert "东一微站" not in west and "市监测站" in west
    clock.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST), tick=False)
    first = login("east_secretary").get("/air/quality/")
    assert [s.label for s in first.context["sections"]] == ["2026-12", "2026-11"]
    bad = login("east_secretary").get("/air/quality/", {"month": "2099-01"})
    assert bad.status_code == 400


def test_the_page_needs_login(data, client):
    assert client.get("/air/quality/").status_code == 302


def test_the_calibrated_values_stand_beside_the_raw(data, client, bearer, users):
    from gridgov.air.upkeep_models import Calibration

    micro = data["micro"]
    Calibration.objects.create(
        station=micro,
        pollutant="pm25",
        slope=0.9,
        intercept=1.0,
        valid_from=dt.datetime(2026, 11, 20, 6, 0, tzinfo=CST),
        by=users["command"],
        note="比对后校准",
    )
    headers = bearer("east_secretary")
    body = client.get(
        "/api/v1/air/quality/calibrated",
        {"station": "M1", "date": "2026-11-20", "pollutant": "pm25"},
        **headers,
    ).json()
    assert [c["by"] for c in body["calibrations"]] == ["command"]
    values = body["values"]
    assert len(values) == 720
    assert values[0]["raw"] == values[0]["calibrated"] == 30.0
    assert values[0]["calibration"] is None
    assert values[360]["raw"] == 30.0 and values[360]["calibrated"] == pytest.approx(28.0)
    assert values[360]["calibration"] == body["calibrations"][0]["id"]
    # The quality report names the calibration in force beside the co-location.
    q = client.get("/api/v1/air/quality", {"month": "2026-11"}, **headers).json()
    m1 = next(c for c in q["colocation"] if c["station"] == "M1")
    assert m1["fits"][0]["calibration"]["slope"] == 0.9
    assert m1["fits"][1]["calibration"] is None  # PM10 has none
    # Outside the scope, the same 404 as an unknown station; a bad pollutant is a 400.
    west = bearer("west_secretary")
    query = {"station": "M1", "date": "2026-11-20"}
    assert client.get("/api/v1/air/quality/calibrated", query, **west).status_code == 404
    bad = client.get("/api/v1/air/quality/calibrated", {**query, "pollutant": "tsp"}, **headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "pollutant"
