"""Gateways over HTTP: one token posts the readings of several stations — only its own (bound
to it, or inside its region) — with the same per-row checks and all or nothing per post."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from gridgov.air.gateways import gateway_for_token, issue_gateway_token, revoke_gateway_token
from gridgov.air.models import CST, Gateway, Reading
from gridgov.air.stations import issue_token
from tests.air.conftest import T0

pytestmark = pytest.mark.django_db

TIME = dt.datetime.fromtimestamp(T0, CST).isoformat()


def post(client, token, readings):
    return client.post(
        "/api/v1/readings",
        json.dumps({"readings": readings}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def gateway(stations):
    g = Gateway.objects.create(name="厂商平台")
    g.stations.set([stations["micro"], stations["national"]])
    return g, issue_gateway_token(g)


def test_a_gateway_posts_readings_of_its_stations(client, gateway):
    _g, token = gateway
    r = post(client, token, [{"station": "M1", "time": TIME, "pm25": 40},
                             {"station": "N1", "time": TIME, "pm25": 55}])  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["stored"] == 2
    assert sorted(Reading.objects.values_list("station__code", "pm25")) == [
        ("M1", 40.0),
        ("N1", 55.0),
    ]
    again = post(client, token, [{"station": "M1", "time": TIME, "pm25": 40}])
    assert again.json()["duplicates"] == 1


def test_a_station_not_its_own_rejects_the_whole_post(client, gateway):
    _g, token = gateway
    r = post(client, token, [{"station": "M1", "time": TIME, "pm25": 40},
                             {"station": "M2", "time": TIME, "pm25": 41},
                             {"time": TIME, "pm25": 42}])  # fmt: skip
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"readings[1].station", "readings[2].station"}
    assert not Reading.objects.exists()


def test_a_region_gateway_serves_every_station_in_it(client, territory, stations):
    g = Gateway.objects.create(name="街道平台", region=territory["D-S1"])
    token = issue_gateway_token(g)
    r = post(client, token, [{"station": "M2", "time": TIME, "pm25": 40}])
    assert r.status_code == 200 and r.json()["stored"] == 1
    outside = post(client, token, [{"station": "N1", "time": TIME, "pm25": 40}])
    assert outside.status_code == 400  # the control station lies outside every grid


def test_revoked_or_inactive_gateways_are_refused(client, gateway):
    g, token = gateway
    revoke_gateway_token(g)
    r = post(client, token, [{"station": "M1", "time": TIME, "pm25": 40}])
    assert r.status_code == 401 and r.json()["errors"][0]["field"] == "Authorization"
    token = issue_gateway_token(g)
    Gateway.objects.filter(pk=g.pk).update(active=False)
    assert gateway_for_token(token) is None


def test_a_station_token_posts_only_for_its_station(client, stations):
    token = issue_token(stations["micro"])
    r = post(client, token, [{"station": "M2", "time": TIME, "pm25": 40}])
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "readings[0].station"
    ok = post(client, token, [{"station": "M1", "time": TIME, "pm25": 40}])
    assert ok.status_code == 200


def test_gateway_token_command(stations, territory, capsys):
    call_command("gateway_token", "平台A", "--stations", "M1,M2")
    raw = capsys.readouterr().out.strip()
    g = gateway_for_token(raw)
    assert g is not None and sorted(g.stations.values_list("code", flat=True)) == ["M1", "M2"]
    with pytest.raises(CommandError, match="no station"):
        call_command("gateway_token", "平台B", "--stations", "M1,NOPE")
    with pytest.raises(CommandError, match="needs --stations or --region"):
        call_command("gateway_token", "平台C")
    assert not Gateway.objects.filter(name__in=["平台B", "平台C"]).exists()
    call_command("gateway_token", "平台A", "--revoke")
    assert gateway_for_token(raw) is None
