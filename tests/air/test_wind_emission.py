"""Wind from stations (HTTP `wd`/`ws`, HJ 212 a01008/a01007): kept apart from the pollutants,
the newest per station, out-of-range values ignored; emission monitors (ST=31) stored like the
others but never part of ambient assessment, rankings or neighbour comparisons."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from gridgov.air import assessment, wind
from gridgov.air.alarms import _applies
from gridgov.air.batches import from_records
from gridgov.air.hj212 import codec
from gridgov.air.hj212.devices import hash_password
from gridgov.air.hj212.packets import read_data
from gridgov.air.hj212.store import device_of
from gridgov.air.ingest import station_infos
from gridgov.air.models import (
    AlarmKind,
    AlarmRule,
    Reading,
    Station,
    StationKind,
    StationWind,
)
from gridgov.air.stations import issue_token
from tests.air.conftest import T0, make_batch
from tests.conftest import china_minute


def at(minutes_ago):
    return (china_minute() - dt.timedelta(minutes=minutes_ago)).isoformat()


def post(client, token, readings):
    return client.post(
        "/api/v1/readings",
        {"readings": readings},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# --- pure parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wd", "ws", "expected"),
    [
        (0, 0, (0, 0)),
        (360, 75, (0, 75)),
        (359.5, 3.2, (359.5, 3.2)),
        (-1, -0.1, (None, None)),
        (361, 75.1, (None, None)),
        (math.nan, math.inf, (None, None)),
    ],
)
def test_wind_ranges(wd, ws, expected):
    got = wind.clean_pair(wd, ws)
    assert tuple(None if math.isnan(v) else v for v in got) == expected


def test_records_carry_wind_beside_not_among_the_pollutants():
    batch, errors = from_records(
        [
            {"time": at(2), "pm25": 40, "wd": 90, "ws": 2.5},
            {"time": at(1), "pm25": 41, "wd": 400, "ws": "1e400"},
            {"time": at(0), "pm25": 42},
        ],
        lambda r: 1,
    )
    assert errors == []
    assert batch.values.shape == (3, 6)  # the pollutant array is unchanged
    assert batch.wind is not None and batch.wind[0].tolist() == [90, 2.5]
    assert np.isnan(batch.wind[1]).all() and np.isnan(batch.wind[2]).all()
    plain, _ = from_records([{"time": at(0), "pm25": 1}], lambda r: 1)
    assert plain.wind is None  # no wind sent: nothing to store


@pytest.mark.parametrize("bad", ["north", True, {"deg": 3}, [1]])
def test_a_wind_value_that_is_no_number_names_its_field(bad):
    _, errors = from_records([{"time": at(0), "pm25": 1, "wd": bad}], lambda r: 1)
    assert [e.field for e in errors] == ["wd"]


# --- HTTP ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_http_readings_store_the_latest_wind(client, stations):
    m1 = stations["micro"]
    token = issue_token(m1)
    r = post(
        client,
        token,
        [
            {"time": at(3), "pm25": 40, "wd": 10, "ws": 3},
            {"time": at(2), "pm25": 41, "wd": 20, "ws": 4},
            {"time": at(1), "pm25": 42, "wd": 999, "ws": 4},  # out of range: not used
        ],
    )
    assert r.status_code == 200 and r.json()["stored"] == 3
    w = StationWind.objects.get(station=m1)
    assert (w.wd, w.ws, w.ts) == (20, 4, int(dt.datetime.fromisoformat(at(2)).timestamp()))
    # An older back-fill does not move it; a newer reading without speed keeps ws empty.
    post(client, token, [{"time": at(30), "pm25": 1, "wd": 300}])
    assert StationWind.objects.get(station=m1).wd == 20
    post(client, token, [{"time": at(0), "pm25": 1, "wd": 180}])
    w = StationWind.objects.get(station=m1)
    assert (w.wd, w.ws) == (180, None)
    assert Reading.objects.filter(station=m1).count() == 5


@pytest.mark.django_db
def test_http_out_of_range_wind_never_rejects_the_batch(client, stations):
    token = issue_token(stations["micro"])
    r = post(client, token, [{"time": at(1), "pm25": 40, "wd": -5, "ws": 500}])
    assert r.status_code == 200 and r.json()["stored"] == 1
    assert not StationWind.objects.exists()
    bad = post(client, token, [{"time": at(0), "pm25": 40, "ws": "fast"}])
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["readings[0].ws"]


# --- HJ 212 --------------------------------------------------------------------------------


def _packet(cp: str, st: str = "22", cn: str = "2051", mn: str = "MN-M1") -> codec.Packet:
    text = codec.segment_text(qn=codec.qn_now(), st=st, cn=cn, pw="123456", mn=mn, flag=5, cp=cp)
    return codec.parse_segment(text.encode())


@pytest.mark.django_db
def test_hj212_wind_codes_are_read_apart_and_range_checked(stations):
    dev = device_of(stations["micro"], None)
    stamp = codec.stamp(china_minute())
    _, values, _, w, _ = read_data(
        _packet(f"DataTime={stamp};a34004-Avg=35,a34004-Flag=N;a01008-Avg=225;a01007-Avg=3.4"),
        dev,
    )
    assert values[0] == 35 and np.isnan(values[1:]).all()
    assert w.tolist() == [225, 3.4]
    _, _, _, w, _ = read_data(
        _packet(f"DataTime={stamp};a34004-Avg=35;a01008-Avg=361;a01007-Avg=x"), dev
    )
    assert np.isnan(w).all()  # out of range / not a number: not used, the packet still is


@pytest.fixture
def emission(stations):
    return Station.objects.create(
        code="E1",
        name="某企业排口",
        kind=StationKind.EMISSION,
        lat=35.201,
        lon=113.051,
        grid=stations["micro"].grid,
        interval_minutes=60,
        mn="MN-E1",
        pw_hash=hash_password("123456"),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_receiver_takes_st31_from_emission_monitors_only_and_stores_wind(
    stations, emission, settings
):
    settings.GRIDGOV_HJ212_GRACE_SECONDS = 0
    from tests.air.test_hj212_receiver import Client, run

    m1 = stations["micro"]
    m1.mn, m1.pw_hash = "MN-M1", hash_password("123456")
    m1.save()
    hour = china_minute().replace(minute=0) - dt.timedelta(hours=2)
    minute = china_minute() - dt.timedelta(minutes=3)

    def frame(st, cn, mn, when, cp):
        return codec.frame(
            codec.segment_text(
                qn=codec.qn_now(), st=st, cn=cn, pw="123456", mn=mn, flag=5,
                cp=f"DataTime={codec.stamp(when)};{cp}",
            )
        )  # fmt: skip

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(frame("31", "2061", "MN-E1", hour, "a21026-Avg=35.2,a21026-Flag=N"))
        emission_answer = await c.answer()
        await c.send(frame("31", "2051", "MN-M1", minute, "a34004-Avg=30"))  # ambient: no
        await c.no_answer(0.3)
        await c.send(frame("22", "2061", "MN-E1", hour, "a21026-Avg=1"))  # emission: no
        await c.no_answer(0.3)
        windy = "a34004-Avg=30;a01008-Avg=45;a01007-Avg=2"
        await c.send(frame("22", "2051", "MN-M1", minute, windy))
        ambient_answer = await c.answer()
        c.close()
        return emission_answer, ambient_answer, dict(receiver.rejections)

    e_answer, a_answer, rejections = run(scenario)
    assert e_answer.cn == a_answer.cn == "9014"
    assert rejections.get("wrong_st") == 2
    assert Reading.objects.get(station=emission).so2 == 35.2
    w = StationWind.objects.get(station=m1)
    assert (w.wd, w.ws) == (45, 2)
    assert not StationWind.objects.filter(station=emission).exists()


# --- emission monitors apart from ambient figures -------------------------------------------


@pytest.mark.django_db
def test_emission_monitors_are_no_assessment_unit_nor_ranked(stations, emission):
    codes = [u.code for u in assessment.station_units()]
    assert "E1" not in codes and "M1" in codes
    grid_unit = assessment.region_units([stations["micro"].grid])[0]
    assert emission.pk not in grid_unit.station_ids
    assert stations["micro"].pk in grid_unit.station_ids


@pytest.mark.django_db
def test_ambient_alarm_rules_leave_emission_monitors_alone(stations, emission, put):
    AlarmRule.objects.exclude(kind=AlarmKind.THRESHOLD).update(active=False)
    general = AlarmRule(kind=AlarmKind.THRESHOLD, station_kind="")
    assert _applies(general, "micro") and not _applies(general, "emission")
    assert _applies(AlarmRule(kind=AlarmKind.OFFLINE, station_kind="emission"), "emission")
    infos = station_infos()
    hours = make_batch(emission, T0, 3, step=3600, pm25=900, so2=900)
    result = put(hours) if emission.pk in infos else None
    assert result is not None and result.stored == 3
    assert result.alarms == []  # an ambient line means nothing at a stack
