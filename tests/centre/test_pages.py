"""The overview's map endpoint, its refusals, the wall and the desktop inbox."""

from __future__ import annotations

import pytest

from gridgov.inbox.models import Notification
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_map_layers_are_scoped(client, centre, crew):
    client.login(username="s1_official", password=PASSWORD)
    data = client.get("/api/v1/overview/map?layers=grids,stations,orders,sources").json()
    assert data["layers"] == ["grids", "stations", "orders", "sources"]
    assert {g["code"] for g in data["grids"]} == {"D-S1-C1-G1", "D-S1-C1-G2"}
    assert {s["code"] for s in data["stations"]} == {"M1", "M2"}
    assert len(data["orders"]) == 2
    client.logout()
    client.login(username="command", password=PASSWORD)
    data = client.get("/api/v1/overview/map").json()
    assert data["layers"] == ["stations", "orders"] and data["grids"] == []
    assert {s["code"] for s in data["stations"]} == {"M1", "M2", "M3"}
    assert len(data["orders"]) == 3


@pytest.mark.parametrize("layers", ["bogus", "grids,people", "stations\x07"])
def test_map_refuses_unknown_layers(client, crew, layers):
    client.login(username="command", password=PASSWORD)
    response = client.get("/api/v1/overview/map", {"layers": layers})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "layers"


def test_map_refuses_overlong_layers(client, crew):
    client.login(username="command", password=PASSWORD)
    response = client.get("/api/v1/overview/map", {"layers": "stations," * 20})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "layers"


def test_overview_api_needs_an_account(client, db):
    assert client.get("/api/v1/overview").status_code == 401


def test_wall_page_refreshes_by_script_not_by_reload(client, centre, crew):
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    assert 'data-refresh="60"' in html and "http-equiv" not in html
    assert 'id="clock"' in html and "centre/overview.js" in html


def test_desktop_inbox_lists_and_marks_read(client, crew, people):
    from django.utils import timezone

    person = people["east_secretary"]
    Notification.objects.create(
        person=person, kind="command", title="东边检查", key="k1", created_at=timezone.now()
    )
    client.login(username="east_secretary", password=PASSWORD)
    page = client.get("/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "东边检查" in html and "workorders/phone" not in html
    assert 'class="inbox-table"' in html
    assert client.post("/inbox/").url == "/inbox/"
    assert not Notification.objects.filter(person=person, read_at__isnull=True).exists()


def test_header_menu_keeps_every_link(client, crew):
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/", HTTP_USER_AGENT="x").content.decode()
    for address in (
        "/overview/",
        "/map/",
        "/air/",
        "/air/targets/",
        "/air/rankings/",
        "/air/alarms/",
        "/sources/",
        "/orders/",
        "/orders/commands/",
        "/orders/stats/",
        "/inspections/",
        "/emergency/",
        "/orders/m/",
        "/inbox/",
        "/admin/",
        "/api/v1/docs",
        "/overview/wall/",
    ):
        assert f'href="{address}"' in html, address
    assert "<!-- centre: command links -->" in html
    assert "data-nav-toggle" in html
