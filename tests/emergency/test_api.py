"""The emergency API: current, list, detail with measures and record, declare, end early,
preview; typed errors naming fields, 403 for non-command accounts, 404 for unknown ids."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.emergency.models import Warning
from gridgov.inbox.models import Command

pytestmark = pytest.mark.django_db


def _period(hours_from_now=0, days=3):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours_from_now)
    return start.isoformat(), (start + dt.timedelta(days=days)).isoformat()


def _declare(client, headers, level=2, **over):
    start, end = _period()
    body = {"level": level, "starts_at": start, "ends_at": end, "reason": "预计连续重度污染"}
    body.update(over)
    return client.post(
        "/api/v1/emergency/warnings", body, content_type="application/json", **headers
    )


def test_declare_then_read_it_back(client, bearer, fronts, s1_official):
    command = bearer("command")
    assert client.get("/api/v1/emergency/current", **command).json()["warning"] is None
    preview = client.get("/api/v1/emergency/preview?level=2", **command).json()
    assert [(p["street"], p["sources"], p["suspend"], p["units"]) for p in preview] == [
        ("D-S1", 7, 3, ["D-S1"]),
        ("D-S2", 1, 1, ["D-S2-C2"]),
    ]
    r = _declare(client, command)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["colour"] == "orange" and body["in_force"] and body["affected_sources"] == 8
    assert len(body["commands"]) == 2 and body["unreached"] == [] and body["superseded"] == []
    assert body["compliance"]["total"]["sources"] == 8
    assert body["compliance"]["total"]["recipients"] == 2
    assert {m["text"] for m in body["measures"]} >= {"渣土车禁止上路", "禁止露天烧烤"}
    current = client.get("/api/v1/emergency/current", **command).json()
    assert current["warning"]["id"] == body["id"]
    listed = client.get("/api/v1/emergency/warnings", **command).json()
    assert [w["id"] for w in listed["items"]] == [body["id"]]
    # a grid leader sees the level and the record of its own grid only
    leader = bearer("g1_leader")
    detail = client.get(f"/api/v1/emergency/warnings/{body['id']}", **leader).json()
    assert detail["compliance"]["total"]["sources"] == 4  # G1: two sites, C and D
    assert [s["key"] for s in detail["compliance"]["streets"]] == ["D-S1"]
    assert client.get("/api/v1/emergency/warnings/999999", **leader).status_code == 404
    # the inspection tasks it created, in the caller's scope, due first
    tasks = client.get(f"/api/v1/emergency/warnings/{body['id']}/sources?due=true", **leader)
    assert tasks.status_code == 200, tasks.content
    items = tasks.json()["items"]
    assert len(items) == 4 and all(t["due"] and t["required"] == 1 for t in items)
    assert {t["name"] for t in items} == {"东一土方工地", "东一装修工地", "丙级企业", "丁级企业"}
    everything = client.get(f"/api/v1/emergency/warnings/{body['id']}/sources", **command)
    assert everything.json()["count"] == 8
    missing = client.get("/api/v1/emergency/warnings/999999/sources", **command)
    assert missing.status_code == 404


def test_declare_supersedes_and_end_early(client, bearer, fronts, s1_official):
    command = bearer("command")
    first = _declare(client, command, level=1).json()
    second = _declare(client, command, level=3).json()
    assert second["superseded"] == [first["id"]]
    old = client.get(f"/api/v1/emergency/warnings/{first['id']}", **command).json()
    assert old["superseded_by"] == second["id"] and not old["in_force"]
    r = client.post(
        f"/api/v1/emergency/warnings/{second['id']}/end",
        {"reason": "冷空气到达"},
        content_type="application/json",
        **command,
    )
    assert r.status_code == 200, r.content
    assert r.json()["end_reason"] == "冷空气到达" and not r.json()["in_force"]
    again = client.post(
        f"/api/v1/emergency/warnings/{second['id']}/end",
        {"reason": "again"},
        content_type="application/json",
        **command,
    )
    assert again.status_code == 409
    missing = client.post(
        "/api/v1/emergency/warnings/999999/end",
        {"reason": "x"},
        content_type="application/json",
        **command,
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"level": 4}, "level"),
        ({"level": 9223372036854775808}, "level"),
        ({"starts_at": "2026-02-30T00:00:00+08:00"}, "starts_at"),
        ({"starts_at": "2026-11-10T00:00:00"}, "starts_at"),  # no offset
        ({"starts_at": "2020-01-01T00:00:00+08:00"}, "starts_at"),
        ({"ends_at": "9999-01-01T00:00:00+08:00"}, "ends_at"),
        ({"reason": ""}, "reason"),
        ({"reason": "坏\u0000字"}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_declarations_name_the_field(client, bearer, fronts, over, field):
    r = _declare(client, bearer("command"), **over)
    assert r.status_code == 400, r.content
    assert field in [e["field"] for e in r.json()["errors"]] or field in r.json()["detail"]
    assert not Warning.objects.exists() and not Command.objects.exists()


def test_ends_before_starts_and_too_long(client, bearer, fronts):
    command = bearer("command")
    start, _end = _period()
    r = _declare(client, command, ends_at=start)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "ends_at"
    _start, far = _period(days=15)
    r = _declare(client, command, ends_at=far)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "ends_at"


def test_only_the_command_office(client, bearer, fronts, s1_official):
    for name in ("s1_official", "east_secretary", "g1_leader", "nobody"):
        headers = bearer(name)
        assert _declare(client, headers).status_code == 403
        assert client.get("/api/v1/emergency/preview?level=2", **headers).status_code == 403
        # everyone may read the level
        assert client.get("/api/v1/emergency/current", **headers).status_code == 200
    assert not Warning.objects.exists()
    w = _declare(client, bearer("command")).json()
    r = client.post(
        f"/api/v1/emergency/warnings/{w['id']}/end",
        {"reason": "x"},
        content_type="application/json",
        **bearer("s1_official"),
    )
    assert r.status_code == 403
    assert client.get("/api/v1/emergency/current").status_code == 401
