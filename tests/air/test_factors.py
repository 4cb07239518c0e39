"""Issue 22 item 2, every factor kept: the factor registry and its means (wind direction as a
vector mean, across north), the factor series stored at ingestion, the API's shape and scope
and the station page. The receiver end to end is in test_factors_receiver.py."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import factor_store
from gridgov.air.factor_models import FactorHour, FactorReading
from gridgov.air.factors import Sums, canonical, direction_mean, factor
from gridgov.air.models import CST, HourlyAggregate

HOUR = int(dt.datetime(2026, 11, 20, 8, tzinfo=CST).timestamp())


# --- the registry and the means --------------------------------------------------------------


def test_registry_names_units_and_kinds():
    assert (factor("a01006").unit, factor("a01006").kind) == ("kPa", "meteorology")
    assert (factor("A01008").zh, factor("a01008").unit) == ("风向", "°")
    assert factor("a34001").en == "TSP" and factor("la").code == "LA"
    assert factor("a34004").column == "pm25" and factor("a34004").kind == "pollutant"
    unknown = factor("x99123")
    assert (unknown.code, unknown.zh, unknown.unit, unknown.kind) == (
        "x99123",
        "x99123",
        "",
        "other",
    )
    assert canonical("la") == "LA" and canonical("Foo1") == "Foo1"


def _mean(code, values):
    s = Sums()
    for value, letter, speed in values:
        s.add(code, value, letter, speed)
    return s.mean(code)


def test_wind_direction_is_a_vector_mean_across_north():
    assert _mean("a01008", [(350, "N", 2.0), (10, "N", 2.0)]) == (0.0, "N")
    assert _mean("a01008", [(350, "N", None), (10, "N", None)]) == (0.0, "N")  # no speed
    # Weighted by speed: 10° at 3 m/s pulls the mean east of north.
    mean, _ = _mean("a01008", [(350, "N", 1.0), (10, "N", 3.0)])
    assert mean == pytest.approx(5.04, abs=0.01)
    assert _mean("a01008", [(90, "N", 0.0), (180, "N", 0.0)])[0] == pytest.approx(135)  # calm
    assert direction_mean(0, 0, 0, 0) is None
    # Out of range or flagged: not counted; an arithmetic mean would have said 180°.
    assert _mean("a01008", [(350, "N", 1.0), (10, "N", 1.0), (400, "N", 1.0)]) == (0.0, "N")


def test_other_factors_are_arithmetic_means_of_valid_values():
    assert _mean("a01001", [(20.0, "N", None), (22.0, "", None), (35.0, "D", None)]) == (21.0, "N")
    assert _mean("LA", [(60.0, "M", None), (62.0, "M", None)]) == (61.0, "M")
    assert _mean("a34001", []) == (None, "")


# --- stored at ingestion ----------------------------------------------------------------------


@pytest.mark.django_db
def test_save_keeps_each_value_once_and_adds_only_new_ones_to_the_hour(stations):
    m1 = stations["micro"]
    first = [
        (m1.pk, HOUR + 60, 1, {"a01008": (350.0, "N"), "a01007": (2.0, "N"), "LA": (55.0, "N")}),
        (m1.pk, HOUR + 120, 1, {"a01008": (10.0, "N"), "a01007": (2.0, "N"), "LA": (57.0, "D")}),
    ]
    assert factor_store.save(first) == 6
    assert factor_store.save(first) == 0  # a re-sent packet changes nothing
    changed = [(m1.pk, HOUR + 60, 1, {"LA": (99.0, "N")})]
    assert factor_store.save(changed) == 0
    assert FactorReading.objects.filter(station=m1).count() == 6
    la = FactorReading.objects.get(station=m1, ts=HOUR + 120, code="LA")
    assert (la.value, la.flag, la.interval_minutes) == (57.0, "D", 1)
    hours = {h.code: h for h in FactorHour.objects.filter(station=m1, ts=HOUR)}
    assert (hours["LA"].n, hours["LA"].total, hours["LA"].bad_n, hours["LA"].bad_flag) == (
        1,
        55.0,
        1,
        "D",
    )
    rows = {s["code"]: s for s in factor_store.factor_hours(m1.pk, HOUR, HOUR + 3600)}
    assert rows["a01008"]["hours"][0]["mean"] == 0.0 and rows["a01008"]["hours"][0]["count"] == 2
    assert rows["a01007"]["hours"][0]["mean"] == 2.0
    assert rows["LA"]["hours"][0] == {
        "hour": dt.datetime.fromtimestamp(HOUR, CST),
        "mean": 55.0,
        "count": 1,
        "flag": "N",
    }


# --- the API and the station page -------------------------------------------------------------


def _seed(station):
    factor_store.save(
        [
            (station.pk, HOUR, 60, {"a34001": (120.0, "N"), "a01001": (24.8, "N")}),
            (station.pk, HOUR + 3600, 60, {"a34001": (140.0, "N"), "x9": (1.0, "F")}),
        ]
    )
    HourlyAggregate.objects.create(station=station, ts=HOUR, need=1, pm25_sum=35.0, pm25_n=1)


@pytest.mark.django_db
def test_api_lists_every_factor_with_its_hours(stations, client, bearer):
    m1 = stations["micro"]
    _seed(m1)
    east = bearer("east_secretary")
    response = client.get("/api/v1/air/stations/M1/factors?from=2026-11-20&to=2026-11-20", **east)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [f["code"] for f in body] == ["a34004", "a01001", "a34001", "x9"]  # by kind, code
    pm25, temperature, tsp, unknown = body
    assert pm25["kind"] == "pollutant" and pm25["hours"][0]["mean"] == 35.0
    assert temperature == {
        "code": "a01001",
        "name": "温度",
        "name_en": "temperature",
        "unit": "℃",
        "kind": "meteorology",
        "hours": [{"hour": "2026-11-20T08:00:00+08:00", "mean": 24.8, "count": 1, "flag": "N"}],
    }
    assert [h["mean"] for h in tsp["hours"]] == [120.0, 140.0]
    assert (unknown["name"], unknown["unit"], unknown["hours"][0]["flag"]) == ("x9", "", "F")
    one = client.get(
        "/api/v1/air/stations/M1/factors?from=2026-11-20&to=2026-11-20&code=A34001", **east
    ).json()
    assert [f["code"] for f in one] == ["a34001"]
    bad = client.get("/api/v1/air/stations/M1/factors?from=2026-11-21&to=2026-11-20", **east)
    assert bad.status_code == 400


@pytest.mark.django_db
def test_api_scope_another_users_station_is_404(stations, client, bearer):
    _seed(stations["micro"])
    west = bearer("west_secretary")
    assert client.get("/api/v1/air/stations/M1/factors", **west).status_code == 404
    assert client.get("/api/v1/air/stations/NOPE/factors", **west).status_code == 404
    assert client.get("/api/v1/air/stations/M1/factors").status_code == 401


@pytest.mark.django_db
def test_station_page_shows_other_factors(stations, login, clock):
    m1 = stations["micro"]
    now = int(dt.datetime.now(dt.UTC).timestamp())
    hour = now - now % 3600
    factor_store.save([(m1.pk, hour, 1, {"a34001": (123.4, "N"), "LA": (58.0, "D")})])
    page = login("east_secretary").get("/air/station/M1/").content.decode()
    assert "其他监测因子" in page
    section = page.split('id="other-factors"')[1]
    assert "a34001" in section and "123.4" in section and "总悬浮颗粒物(TSP)" in section
    assert "LA" in section and "dB(A)" in section


# --- HTTP ingestion --------------------------------------------------------------------------


@pytest.mark.django_db
def test_http_readings_carry_other_factors(stations, client):
    from gridgov.air.stations import issue_token
    from tests.conftest import china_minute

    m1 = stations["micro"]
    token = issue_token(m1)
    when = china_minute() - dt.timedelta(minutes=2)
    readings = [
        {
            "time": when.isoformat(),
            "pm25": 40,
            "wd": 350,
            "ws": 2,
            "factors": {"a01001": 24.8, "la": [57.9, "m"], "x1": 3},
        }
    ]

    def post(body):
        return client.post(
            "/api/v1/readings",
            {"readings": body},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post(readings).json()["stored"] == 1
    ts = int(when.timestamp())
    got = {r.code: (r.value, r.flag) for r in FactorReading.objects.filter(station=m1, ts=ts)}
    assert got == {
        "a01001": (24.8, "N"),
        "LA": (57.9, "M"),
        "x1": (3.0, "N"),
        "a01008": (350.0, "N"),
        "a01007": (2.0, "N"),
    }
    changed = [{**readings[0], "factors": {"a01001": 99}}]
    assert post(changed).json()["duplicates"] == 1  # a re-sent reading changes nothing
    assert FactorReading.objects.get(station=m1, ts=ts, code="a01001").value == 24.8
    bad = post([{"time": when.isoformat(), "factors": {"a34004": 1, "t": "x", "f": [1, "NN"]}}])
    assert bad.status_code == 400
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {
        "readings[0].factors.a34004",
        "readings[0].factors.t",
        "readings[0].factors.f",
    }


@pytest.mark.django_db
def test_group_commit_keeps_each_posts_factors(stations):
    from concurrent.futures import Future

    from gridgov.air.batches import from_records
    from gridgov.air.group_commit import _Post, commit_group
    from gridgov.air.ingest import station_infos
    from tests.conftest import china_minute

    m1, m2 = stations["micro"], stations["micro2"]
    when = china_minute() - dt.timedelta(minutes=3)
    infos = station_infos()

    def post(station, records):
        batch, errors = from_records(records, lambda r: station.pk)
        assert not errors
        return _Post(batch, infos, Future())

    plain = post(m1, [{"time": when.isoformat(), "pm25": 30}])
    with_factors = post(m2, [{"time": when.isoformat(), "pm25": 31, "factors": {"LA": 60}}])
    results = commit_group([plain, with_factors])
    assert [r.stored for r in results] == [1, 1]
    assert list(FactorReading.objects.values_list("station_id", "code", "value")) == [
        (m2.pk, "LA", 60.0)
    ]


@pytest.mark.django_db
def test_import_readings_takes_known_factor_columns(stations, tmp_path, capsys):
    from django.core.management import call_command

    text = (
        "station,time,pm25,a01001,LA\n"
        "M1,2026-11-20T08:00:00,30,12.5,55\n"
        "M1,2026-11-20T08:01:00,31,,56\n"
    )
    path = tmp_path / "readings.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import_readings", str(path))
    assert "2 stored" in capsys.readouterr().out
    t = int(dt.datetime(2026, 11, 20, 8, tzinfo=CST).timestamp())
    got = sorted(FactorReading.objects.values_list("ts", "code", "value"))
    assert got == [(t, "LA", 55.0), (t, "a01001", 12.5), (t + 60, "LA", 56.0)]
    # A factor column that is not a number: the block is read row by row, the bad row named.
    path.write_text(text + "M1,2026-11-20T08:02:00,32,warm,57\n", encoding="utf-8")
    call_command("import_readings", str(path))
    assert "row 4, a01001: not a number" in capsys.readouterr().out
    assert FactorReading.objects.filter(ts=t + 120).count() == 0
