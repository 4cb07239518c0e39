"""The forces and supplies API: a request from a community approved and handed over by the
command office; bad input refused naming the field; 403 for those who may not act; 404 for
what is not the caller's."""

from __future__ import annotations

import pytest

from gridgov.forces.models import SupplyRequest

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_request_approve_hand_over(client, bearer, place):
    east, command = bearer("east_secretary"), bearer("command")
    body = {"kind": "fog_cannon", "unit": "D-S1-C1", "quantity": 2, "reason": "土方作业"}
    r = post(client, "/api/v1/supplies/requests", body, east)
    assert r.status_code == 201, r.content
    req = r.json()
    assert (req["status"], req["quantity"], req["next"]) == ("requested", "2.00", [])
    url = f"/api/v1/supplies/requests/{req['id']}"
    assert (
        post(client, f"{url}/approve", {"depot_id": place.district_depot.pk}, east).status_code
        == 403
    )
    r = post(client, f"{url}/approve", {"depot_id": place.district_depot.pk}, command)
    assert r.status_code == 200, r.content
    assert r.json()["next"] == ["handed_over", "rejected"]
    stock = client.get("/api/v1/supplies/stock?kind=fog_cannon", **command).json()
    district = next(s for s in stock if s["depot_id"] == place.district_depot.pk)
    assert (district["quantity"], district["reserved"], district["available"]) == (
        "5.00", "2.00", "3.00",
    )  # fmt: skip
    r = post(client, f"{url}/handover", {"received_by": "东书记"}, command)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "handed_over" and body["handover"]["received_by"] == "东书记"
    assert [s["to_status"] for s in body["steps"]] == ["requested", "approved", "handed_over"]
    ledger = client.get(f"/api/v1/supplies/depots/{place.district_depot.pk}/ledger", **command)
    assert [m["quantity"] for m in ledger.json()["items"] if m["kind"] == "fog_cannon"] == [
        "5.00", "-2.00",
    ]  # fmt: skip
    mine = client.get("/api/v1/supplies/allocations?unit=D-S1", **east).json()["items"]
    assert [(a["unit"], a["quantity"], a["request_id"]) for a in mine] == [
        ("D-S1-C1", "2.00", req["id"]),
    ]  # fmt: skip
    # handed over: nothing more to do
    assert post(client, f"{url}/handover", {"received_by": "x"}, command).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"kind": "teleporter"}, "kind"),
        ({"unit": "NOPE"}, "unit"),
        ({"unit": "D-S2-C2"}, "unit"),  # not the caller's
        ({"unit": "D-S1-C1-G1"}, "unit"),  # a grid is not a requesting unit
        ({"reason": ""}, "reason"),
        ({"reason": "a\u0001b"}, "reason"),
        ({"reason": "长" * 1001}, "reason"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(client, bearer, place, body, field):
    good = {"kind": "fog_cannon", "unit": "D-S1-C1", "quantity": 1, "reason": "需要"}
    r = post(client, "/api/v1/supplies/requests", {**good, **body}, bearer("east_secretary"))
    assert r.status_code == 400, r.content
    assert field in [e["field"].split(".")[-1] for e in r.json()["errors"]], r.json()
    assert not SupplyRequest.objects.exists()


def test_bad_approvals_and_allocations(client, bearer, place):
    command = bearer("command")
    body = {"kind": "fog_cannon", "unit": "D-S1-C1", "quantity": 3, "reason": "x"}
    r = post(client, "/api/v1/supplies/requests", body, bearer("east_secretary"))
    url = f"/api/v1/supplies/requests/{r.json()['id']}"
    for body, status, field in (
        ({"depot_id": 999999}, 400, "depot"),
        ({"depot_id": 2**70}, 400, "depot_id"),
        ({"depot_id": place.district_depot.pk, "quantity": 4}, 400, "quantity"),
        ({"depot_id": place.east_depot.pk}, 409, "quantity"),  # it holds 2
    ):
        r = post(client, f"{url}/approve", body, command)
        assert r.status_code == status, (body, r.content)
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    assert post(client, f"{url}/reject", {"note": ""}, command).status_code == 400
    allocation = {
        "depot_id": place.district_depot.pk, "kind": "dust_net", "unit": "D-S2",
        "quantity": "2000", "purpose": "苫盖",
    }  # fmt: skip
    r = post(client, "/api/v1/supplies/allocations", allocation, command)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "quantity"
    r = post(client, "/api/v1/supplies/allocations", {**allocation, "quantity": "200.5"}, command)
    assert r.status_code == 201, r.content
    r = post(client, "/api/v1/supplies/movements",
             {"depot_id": place.district_depot.pk, "kind": "dust_net", "quantity": "10",
              "reason": "theft"}, command)  # fmt: skip
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"


def test_scope_404_and_forces(client, bearer, place):
    west = bearer("west_secretary")
    body = {"kind": "fog_cannon", "unit": "D-S2-C2", "quantity": 1, "reason": "x"}
    r = post(client, "/api/v1/supplies/requests", body, west)
    west_id = r.json()["id"]
    east = bearer("east_secretary")
    assert client.get(f"/api/v1/supplies/requests/{west_id}", **east).status_code == 404
    assert client.get("/api/v1/supplies/requests/999999", **east).status_code == 404
    ledger = f"/api/v1/supplies/depots/{place.district_depot.pk}/ledger"
    assert client.get(ledger, **east).status_code == 404
    forces = client.get("/api/v1/forces", **east).json()["items"]
    assert [f["name"] for f in forces] == ["大气污染防治攻坚办"]
    assert forces[0]["seconded"] == 1
    assert client.get(f"/api/v1/forces/{place.west_force.pk}", **east).status_code == 404
    detail = client.get(f"/api/v1/forces/{place.office.pk}", **east).json()
    assert {m["name"] for m in detail["members_history"]} == {"指挥长", "王兼职"}
    seconded = client.get("/api/v1/forces/seconded", **east).json()
    assert [(s["street"], [m["name"] for m in s["staff"]]) for s in seconded] == [
        ("D-S1", ["王兼职"]),
    ]  # fmt: skip
    roster = f"/api/v1/forces/{place.office.pk}/roster"
    assert client.get(f"{roster}?from=2026-03-10&to=2026-03-01", **east).status_code == 400
    assert client.get(f"{roster}?from=2026-01-01&to=2026-06-01", **east).status_code == 400
    assert client.get(f"{roster}?from=2026-02-30", **east).status_code == 400
    assert client.get(f"{roster}?from=2026-03-01&to=2026-03-07", **east).status_code == 200
    xlsx = client.get("/api/v1/supplies/stock.xlsx", **bearer("command"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_official_cannot_approve_or_reject_his_own_request(client, bearer, place):
    official = bearer("s1_official")
    body = {"kind": "fog_cannon", "unit": "D-S1", "quantity": 1, "reason": "夜间作业"}
    r = post(client, "/api/v1/supplies/requests", body, official)
    assert r.status_code == 201, r.content
    url = f"/api/v1/supplies/requests/{r.json()['id']}"
    r = post(client, f"{url}/approve", {"depot_id": place.east_depot.pk}, official)
    assert r.status_code == 403 and "自己" in r.json()["detail"]
    r = post(client, f"{url}/reject", {"note": "不需要了"}, official)
    assert r.status_code == 403
    assert SupplyRequest.objects.get().status == "requested"
    r = post(client, f"{url}/approve", {"depot_id": place.district_depot.pk}, bearer("command"))
    assert r.status_code == 200, r.content
