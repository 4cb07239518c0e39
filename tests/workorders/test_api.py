"""API v1 for events and work orders: scoped, transitions as POSTs, errors naming the field."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gridgov.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def reported(client, crew, bearer):
    # Reported by G1's part-time worker and routed to its full-time one (李专职); a report
    # routed to its own reporter is signed for at once (test_report_on_the_spot.py).
    headers = bearer("g1_part")
    r = post(
        client,
        "/api/v1/events",
        {
            "source": "patrol",
            "category": "construction_dust",
            "title": "工地裸土未苫盖",
            "lat": 35.2,
            "lon": 113.05,
        },
        headers,
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_report_then_sign_and_handle_by_api(client, crew, bearer, reported):
    worker = bearer("g1_worker")
    assert reported["state"] == "dispatched"
    assert reported["assignee"] == "李专职" and reported["grid"] == "D-S1-C1-G1"
    assert reported["actions"] == []  # the reporter is not the assignee
    seen = client.get(f"/api/v1/orders/{reported['id']}", **worker).json()
    assert set(seen["actions"]) == {"sign", "return"}
    url = f"/api/v1/orders/{reported['id']}/transitions"
    r = post(client, url, {"action": "sign"}, worker)
    assert r.status_code == 200 and r.json()["state"] == "signed"
    r = post(client, url, {"action": "handle"}, worker)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"
    r = post(
        client, url, {"action": "handle", "note": "已苫盖", "lat": 35.2, "lon": 113.05}, worker
    )
    assert r.json()["state"] == "handled"
    timeline = [t["action"] for t in r.json()["transitions"]]
    assert timeline == ["create", "auto_dispatch", "sign", "handle"]
    r = post(client, url, {"action": "verify"}, worker)
    assert r.status_code == 403  # a grid worker does not verify
    assert r.json()["errors"][0]["field"] == "action"
    r = post(client, url, {"action": "verify"}, bearer("east_secretary"))
    assert r.status_code == 200 and r.json()["state"] == "verified"
    r = post(client, url, {"action": "fly"}, worker)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "action"
    r = post(client, url, {"action": "close", "extra": 1}, worker)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "payload.extra"


def test_errors_name_the_field(client, crew, bearer):
    h = bearer("g1_worker")
    base = {"source": "patrol", "category": "construction_dust", "title": "x", "lat": 35.2}
    cases = [
        ({**base, "lon": 113.05, "source": "air_alarm"}, "source"),
        ({**base, "lon": 113.05, "category": "nope"}, "category"),
        ({**base, "lon": 113.05, "category": "air_pollution"}, "category"),
        ({**base, "lon": 100.0}, "lon"),  # outside the district's extent
        ({**base, "lon": 113.5}, "location"),  # in its extent, outside every grid
        ({**base, "lon": 113.05, "grid": "NOPE"}, "grid"),
        ({**base, "lon": 113.05, "priority": 7}, "priority"),
        ({**base, "lon": 113.05, "colour": "red"}, "colour"),
        (base, "lon"),
    ]
    for body, field in cases:
        r = post(client, "/api/v1/events", body, h)
        assert r.status_code == 400, (body, r.content)
        named = [e["field"].removeprefix("payload.") for e in r.json()["errors"]]
        assert field in named, (body, r.json())
    assert WorkOrder.objects.count() == 0


def test_scope_of_lists_and_details(client, crew, bearer, reported):
    west = bearer("west_secretary")
    assert client.get("/api/v1/orders", **west).json()["count"] == 0
    assert client.get(f"/api/v1/orders/{reported['id']}", **west).status_code == 404
    r = post(
        client,
        f"/api/v1/orders/{reported['id']}/transitions",
        {"action": "void", "note": "x"},
        west,
    )
    assert r.status_code == 404
    east = bearer("east_secretary")
    listed = client.get("/api/v1/orders?state=dispatched", **east).json()
    assert [o["reference"] for o in listed["items"]] == [reported["reference"]]
    assert client.get("/api/v1/orders?state=bogus", **east).status_code == 400
    mine = client.get("/api/v1/orders?mine=true", **bearer("g1_worker")).json()
    assert mine["count"] == 1
    assert client.get("/api/v1/orders").status_code == 401


def test_bulk_dispatch_reports_each_order(client, crew, bearer):
    sec = bearer("east_secretary")
    ids = []
    for i in range(3):
        r = post(
            client,
            "/api/v1/events",
            {
                "source": "hotline",
                "category": "sanitation",
                "title": f"垃圾{i}",
                "lat": 35.2,
                "lon": 113.05,
            },
            sec,
        )
        assert r.json()["state"] == "reported"
        ids.append(r.json()["id"])
    r = post(client, "/api/v1/orders/bulk", {"ids": ids, "action": "accept"}, sec)
    assert all(x["ok"] for x in r.json())
    r = post(client, "/api/v1/orders/bulk", {"ids": [*ids, 999999], "action": "dispatch"}, sec)
    results = {x["id"]: x for x in r.json()}
    assert all(results[i]["ok"] for i in ids)
    assert results[999999]["status"] == 404
    assert WorkOrder.objects.filter(state="dispatched").count() == 3


def test_inbox_and_mark_read(client, crew, bearer, reported):
    h = bearer("g1_worker")
    items = client.get("/api/v1/inbox?unread=true", **h).json()["items"]
    assert [i["kind"] for i in items] == ["assigned"]
    assert items[0]["order_id"] == reported["id"]
    assert post(client, "/api/v1/inbox/read", {}, h).json() == {"marked": 1}
    assert client.get("/api/v1/inbox?unread=true", **h).json()["count"] == 0


def test_duplicates_and_export(client, crew, bearer, reported):
    h = bearer("east_secretary")
    found = client.get(
        "/api/v1/events/duplicates?category=construction_dust&lat=35.2003&lon=113.0501", **h
    ).json()
    assert [d["reference"] for d in found] == [reported["reference"]]
    assert (
        client.get(
            "/api/v1/events/duplicates?category=construction_dust&lat=35.2003&lon=113.0501",
            **bearer("west_secretary"),
        ).json()
        == []
    )
    r = client.get("/api/v1/orders.xlsx", **h)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "编号" and rows[1][0] == reported["reference"]


def test_categories_tree(client, crew, bearer):
    cats = client.get("/api/v1/categories", **bearer("g1_worker")).json()
    by_code = {c["code"]: c for c in cats}
    for code in (
        "construction_dust",
        "road_dust",
        "industrial_emission",
        "restaurant_fumes",
        "straw_burning",
        "ritual_burning",
        "high_emission_vehicle",
        "fireworks",
        "neighbour_dispute",
        "safety_hazard",
        "sanitation",
        "illegal_construction",
    ):
        assert by_code[code]["parent"] is not None
    assert by_code["construction_dust"]["line"] == "environment"
    assert by_code["air_pollution"]["parent"] is None


def test_transition_and_bulk_bad_inputs(client, crew, bearer, reported):
    url = f"/api/v1/orders/{reported['id']}/transitions"
    worker = bearer("g1_worker")
    sec = bearer("east_secretary")
    cases = [
        (
            worker,
            {"action": "request_extension", "note": "x", "until": "2026-12-01T09:00:00"},
            "until",
        ),
        (worker, {"action": "sign", "lat": "north", "lon": 113.0}, "lat"),
        (sec, {"action": "reassign", "note": "x", "assignee": "someone"}, "assignee"),
        (worker, {"note": "no action"}, "action"),
    ]
    for headers, body, field in cases:
        r = post(client, url, body, headers)
        assert r.status_code == 400, (body, r.content)
        assert field in [e["field"].removeprefix("payload.") for e in r.json()["errors"]], body
    assert (
        post(client, "/api/v1/orders/999999/transitions", {"action": "sign"}, worker).status_code
        == 404
    )
    r = post(client, "/api/v1/orders/bulk", {"ids": list(range(501)), "action": "close"}, sec)
    assert r.status_code == 400
    r = post(client, "/api/v1/orders/bulk", {"ids": [reported["id"]], "action": "fly"}, sec)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "action"
    # Nothing changed on the order through any of these.
    detail = client.get(f"/api/v1/orders/{reported['id']}", **sec).json()
    assert detail["state"] == "dispatched" and len(detail["transitions"]) == 2
