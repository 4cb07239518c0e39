"""/api/v1/meetings: the flow from a draft to issued minutes, downloads, and bad input refused
with the field named (responses checked against the OpenAPI document by the test client)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.inbox.models import Command

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def meeting_body(**changes):
    body = {
        "title": "秋冬季攻坚第5次调度会",
        "kind": "dispatch",
        "starts_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "place": "区指挥中心",
        "convener": "D",
        "attendees": [{"unit": "D-S1"}, {"unit": "D-S2", "presence": "leave", "note": "请假"}],
        "agenda": ["通报", "表态"],
    }
    body.update(changes)
    return body


@pytest.fixture
def api_meeting(client, bearer, officials):
    h = bearer("command")
    r = post(client, "/api/v1/meetings", meeting_body(), h)
    assert r.status_code == 201, r.content
    return r.json()["id"], h


def test_a_meeting_from_draft_to_issued_minutes(client, api_meeting, officials):
    mid, h = api_meeting
    r = post(
        client,
        f"/api/v1/meetings/{mid}/statements",
        {
            "unit": "D-S1",
            "speaker": officials["s1"].pk,
            "text": "确保完成任务",
            "commitments": [{"text": "苫盖到位", "deadline": str(timezone.localdate())}],
        },
        h,
    )
    assert r.status_code == 201, r.content
    assert r.json()["commitments"][0]["text"] == "苫盖到位"
    due = str(timezone.localdate() + dt.timedelta(days=5))
    r = post(
        client,
        f"/api/v1/meetings/{mid}/decisions",
        {"text": "夜查渣土车", "owners": ["D-S1", "D-S2"], "deadline": due},
        h,
    )
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "pending" and r.json()["command"] is None
    assert post(client, f"/api/v1/meetings/{mid}/issue", {}, h).status_code == 409  # a draft
    assert post(client, f"/api/v1/meetings/{mid}/hold", {}, h).json()["state"] == "held"
    r = post(client, f"/api/v1/meetings/{mid}/issue", {}, h)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "issued" and not body["again"] and len(body["commands"]) == 1
    assert body["decisions"][0]["command"] == body["commands"][0]
    assert body["decisions"][0]["state"] == "open" and body["decisions"][0]["recipients"] == 2
    again = post(client, f"/api/v1/meetings/{mid}/issue", {}, h).json()
    assert again["again"] and again["commands"] == []
    assert Command.objects.count() == 1
    listed = client.get("/api/v1/meetings?state=issued", **h).json()
    assert [m["id"] for m in listed["items"]] == [mid]
    detail = client.get(f"/api/v1/meetings/{mid}", **h).json()
    assert detail["attendees"][1]["presence"] == "leave"
    assert detail["agenda"] == ["通报", "表态"]


def test_the_minutes_download_as_word_and_pdf(client, api_meeting):
    mid, h = api_meeting
    r = client.get(f"/api/v1/meetings/{mid}/minutes.docx", **h)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r.content[:2] == b"PK"
    assert "attachment" in r["Content-Disposition"]
    r = client.get(f"/api/v1/meetings/{mid}/minutes.pdf", **h)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "调度会\x07"}, "title"),
        ({"title": "长" * 121}, "title"),
        ({"title": ""}, "title"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": "2026-02-30T09:00:00+08:00"}, "starts_at"),
        ({"starts_at": "1800-01-01T09:00:00+08:00"}, "starts_at"),
        ({"convener": "NOPE"}, "convener"),
        ({"chair": 99999}, "chair"),
        ({"chair": 2**70}, "chair"),
        ({"attendees": [{"unit": "D-S1", "person": 1}]}, "attendees[0]"),
        ({"attendees": [{"unit": "D-S1"}, {"unit": "D-S1"}]}, "attendees[1].unit"),
        ({"attendees": [{"unit": "D-S1", "presence": "asleep"}]}, "attendees.0.presence"),
        ({"agenda": ["x" * 201]}, "agenda[0]"),
        ({"previous": 99999}, "previous"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_meeting_is_refused_naming_the_field(client, bearer, officials, changes, field):
    r = post(client, "/api/v1/meetings", meeting_body(**changes), bearer("command"))
    assert r.status_code == 400, r.content
    named = [e["field"].removeprefix("payload.") for e in r.json()["errors"]]
    assert any(f == field or f.startswith(field) for f in named), named


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x", "owners": [], "deadline": "2099-01-01"}, "owners"),
        ({"text": "x", "owners": ["D-S1"], "deadline": "2000-01-01"}, "deadline"),
        ({"text": "x", "owners": ["D-S1"], "deadline": "2026-13-01"}, "deadline"),
        ({"text": "\x00", "owners": ["D-S1"], "deadline": "2099-01-01"}, "text"),
        ({"text": "x", "owners": ["NOPE"], "deadline": "2099-01-01"}, "owners[0]"),
        ({"text": "x" * 5001, "owners": ["D-S1"], "deadline": "2099-01-01"}, "text"),
    ],
)
def test_a_bad_decision_is_refused_naming_the_field(client, api_meeting, body, field):
    mid, h = api_meeting
    r = post(client, f"/api/v1/meetings/{mid}/decisions", body, h)
    assert r.status_code == 400, r.content
    named = [e["field"].removeprefix("payload.") for e in r.json()["errors"]]
    assert any(f == field or f.startswith(field) for f in named), named


def test_a_bad_statement_is_refused_naming_the_field(client, api_meeting):
    mid, h = api_meeting
    body = {"unit": "D-S1", "text": "x", "commitments": [{"text": "y", "deadline": "2001-01-01"}]}
    r = post(client, f"/api/v1/meetings/{mid}/statements", body, h)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "commitments[0].deadline"


def test_only_the_convening_office_writes(client, api_meeting, bearer):
    mid, _h = api_meeting
    street = bearer("s1_official")
    r = post(
        client,
        f"/api/v1/meetings/{mid}/decisions",
        {"text": "x", "owners": ["D-S1"], "deadline": "2099-01-01"},
        street,
    )
    assert r.status_code == 403  # it attended, so it sees the meeting, but did not convene it
    assert post(client, "/api/v1/meetings", meeting_body(), bearer("g1_leader")).status_code == 403
    west = post(client, "/api/v1/meetings", meeting_body(convener="D-S2", attendees=[]), street)
    assert west.status_code == 400 and west.json()["errors"][0]["field"] == "convener"
    own = post(client, "/api/v1/meetings", meeting_body(convener="D-S1", attendees=[]), street)
    assert own.status_code == 201
