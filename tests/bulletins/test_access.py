"""The API and the page: scope (a street official sees only its street's bulletins; 404
otherwise), downloads, generating (the command office only), bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from gridgov.bulletins import services
from gridgov.bulletins.models import Bulletin

TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def stored(territory):
    day = dt.date(2026, 11, 25)
    return {
        code: services.generate("day", day, territory[code], on=TODAY)[0]
        for code in ("D", "D-S1", "D-S2")
    }


def test_a_street_official_sees_only_its_streets_bulletins(stored, s1_official):
    client = Client()
    client.force_login(s1_official)
    listed = client.get("/api/v1/bulletins").json()
    assert [b["region"] for b in listed] == ["D-S1"]
    own = stored["D-S1"].pk
    assert client.get(f"/api/v1/bulletins/{own}").status_code == 200
    assert client.get(f"/api/v1/bulletins/{own}/pdf").status_code == 200
    assert client.get(f"/bulletins/{own}.xlsx").status_code == 200
    for code in ("D", "D-S2"):
        other = stored[code].pk
        assert client.get(f"/api/v1/bulletins/{other}").status_code == 404
        assert client.get(f"/api/v1/bulletins/{other}/xlsx").status_code == 404
        assert client.get(f"/bulletins/{other}.pdf").status_code == 404
    page = client.get("/bulletins/").content.decode()
    assert "东街道" in page and "西街道" not in page and "立即生成通报" not in page


def test_the_command_office_sees_all_and_downloads(stored, login):
    client = login("command")
    listed = client.get("/api/v1/bulletins?kind=day").json()
    assert sorted(b["region"] for b in listed) == ["D", "D-S1", "D-S2"]
    detail = client.get(f"/api/v1/bulletins/{stored['D'].pk}").json()
    assert detail["number"] == 1
    assert [s["key"] for s in detail["sections"]] == [
        "air",
        "ranking",
        "work",
        "emergency",
        "commands",
    ]
    assert detail["sections"][0]["title"].startswith("一、")
    assert detail["sections"][1]["tables"][0]["headers"][:2] == ["排名", "单位"]
    response = client.get(detail["pdf_url"])
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "立即生成通报" in client.get("/bulletins/").content.decode()


def test_generate_through_the_api(territory, login):
    client = login("command")
    body = {"kind": "month", "date": "2026-11-30", "region": "D-S2"}
    first = client.post("/api/v1/bulletins", body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["start"] == "2026-11-01" and first.json()["region"] == "D-S2"
    again = client.post("/api/v1/bulletins", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    forced = client.post(
        "/api/v1/bulletins", {**body, "force": True}, content_type="application/json"
    )
    assert forced.status_code == 201 and Bulletin.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "year", "date": "2026-11-30"}, "kind"),
        ({"kind": "day", "date": "2026-02-30"}, "date"),
        ({"kind": "day", "date": "2099-01-01"}, "date"),
        ({"kind": "day", "date": "2026-11-30", "region": "D-S1-C1"}, "region"),
        ({"kind": "day", "date": "2026-11-30", "region": "NOPE"}, "region"),
    ],
)
def test_bad_generate_requests_name_the_field(territory, login, body, field):
    client = login("command")
    response = client.post("/api/v1/bulletins", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert any(e["field"].split(".")[-1] == field for e in response.json()["errors"])


def test_only_the_command_office_generates(territory, s1_official):
    client = Client()
    client.force_login(s1_official)
    body = {"kind": "day", "date": "2026-11-30", "region": "D-S1"}
    assert client.post("/api/v1/bulletins", body, content_type="application/json").status_code == (
        403
    )
    assert client.post("/bulletins/", {**body}).status_code == 403
    assert not Bulletin.objects.exists()


def test_the_page_form_generates(territory, login):
    client = login("command")
    response = client.post("/bulletins/", {"kind": "week", "date": "2026-11-18", "region": "D"})
    assert response.status_code == 302
    b = Bulletin.objects.get()
    assert (b.start, b.end, b.region.code) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22), "D")
    page = client.get("/bulletins/").content.decode()
    assert "2026年第1期" in page
    bad = client.post("/bulletins/", {"kind": "week", "date": "2099-11-18", "region": "D"})
    assert bad.status_code == 200 and "in the future" in bad.content.decode()
