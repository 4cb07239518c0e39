"""The registry's API: filters, scope (404 outside it), near, the map layers, and the writes
(create, replace, amend, 409 on a stale version, status), bad input refused naming the field."""

from __future__ import annotations

import pytest

from gridgov.sources.models import PollutionSource, SourceChange, Status
from gridgov.sources.services import SourceInput, create_source, point_geometry

pytestmark = pytest.mark.django_db

G1 = (35.2, 113.05)
G2 = (35.2, 113.15)
G3 = (35.2, 113.3)


def make(name: str, point=G1, category="construction_site", **attributes) -> PollutionSource:
    return create_source(
        SourceInput(
            category=category,
            name=name,
            geometry=point_geometry(*point),
            attributes=attributes
            or ({"registration": "豫A12345"} if category == "vehicle" else {}),
            address="建设路1号",
        )
    )


@pytest.fixture
def registry(people, territory):
    road = create_source(
        SourceInput(
            category="road_section",
            name="人民路",
            geometry={"type": "LineString", "coordinates": [[113.05, 35.1], [113.35, 35.1]]},
            attributes={"cleaning_class": "1"},
        )
    )
    return {
        "site": make("东一花园工地", G1, phase="structure"),
        "site2": make("东二工地", G2),
        "west": make("西边工地", G3),
        "restaurant": make("老王饭店", G1, category="restaurant", seats=40),
        "road": road,
    }


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["items"]}


def test_list_is_scoped_and_filtered(client, bearer, registry):
    east = bearer("east_secretary")
    everyone = {s.code for s in registry.values()}
    assert codes(client.get("/api/v1/sources", **bearer("command"))) == everyone
    # The road crosses into 东街道, so the east sees it; the west's site it does not.
    seen = codes(client.get("/api/v1/sources", **east))
    assert seen == everyone - {registry["west"].code}
    sites = codes(client.get("/api/v1/sources", {"category": "construction_site"}, **east))
    assert sites == {registry["site"].code, registry["site2"].code}
    in_g1 = codes(client.get("/api/v1/sources", {"region": "D-S1-C1-G1"}, **east))
    assert in_g1 == {registry["site"].code, registry["restaurant"].code, registry["road"].code}
    assert codes(client.get("/api/v1/sources", {"q": "饭店"}, **east)) == {
        registry["restaurant"].code
    }
    assert codes(client.get("/api/v1/sources", {"q": registry["site2"].code}, **east)) == {
        registry["site2"].code
    }
    page = client.get("/api/v1/sources", {"limit": 2, "offset": 0}, **east).json()
    assert page["count"] == 4 and len(page["items"]) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"category": "spaceship"}, "category"),
        ({"status": "sleeping"}, "status"),
        ({"region": "D-S2"}, "code"),  # outside the east's scope: the same 404 as unknown
        ({"q": "a\x01b"}, "q"),
        ({"q": "长" * 101}, "q"),
    ],
)
def test_list_refuses_bad_filters_naming_them(client, bearer, registry, query, field):
    response = client.get("/api/v1/sources", query, **bearer("east_secretary"))
    assert response.status_code in (400, 404)
    assert response.json()["errors"][0]["field"] == field


def test_detail_has_everything_and_404_outside_scope(client, bearer, registry):
    site = registry["site"]
    body = client.get(f"/api/v1/sources/{site.pk}", **bearer("east_secretary")).json()
    assert body["code"] == site.code and body["category_name"] == "建筑工地"
    assert body["attributes"]["phase"] == "structure"
    assert body["geometry"] == {"type": "Point", "coordinates": [113.05, 35.2]}
    assert body["grids"] == [{"code": "D-S1-C1-G1", "name": "东一第1网格"}]
    assert body["responsible"]["name"] == "张网格" and body["responsible"]["phone"] == "13900000004"
    assert body["responsible"]["assigned"] is False
    assert body["history"][0]["action"] == "created"
    assert body["inspections"] == 0 and body["open_rectifications"] == 0
    west = registry["west"]
    for username in ("east_secretary", "g1_leader", "nobody"):
        hidden = client.get(f"/api/v1/sources/{west.pk}", **bearer(username))
        assert hidden.status_code == 404
        missing = client.get("/api/v1/sources/999999", **bearer(username))
        assert missing.status_code == 404 and missing.json() == hidden.json()


def test_near_with_metres_and_bearing(client, bearer, registry):
    response = client.get(
        "/api/v1/sources/near", {"lat": 35.2, "lon": 113.04, "radius": 2000}, **bearer("command")
    )
    rows = response.json()
    # Both at the same point: equally near, then by code.
    assert [r["source"]["code"] for r in rows] == sorted(
        [registry["site"].code, registry["restaurant"].code]
    )
    assert 900 < rows[0]["metres"] < 925  # 0.01° of longitude at 35.2°N
    assert rows[0]["bearing"] == pytest.approx(90, abs=0.1)
    too_far = client.get(
        "/api/v1/sources/near", {"lat": 35.2, "lon": 113.04, "radius": 20001}, **bearer("command")
    )
    assert too_far.status_code == 400 and too_far.json()["errors"][0]["field"] == "radius"
    nan = client.get("/api/v1/sources/near", {"lat": "nan", "lon": 113.0}, **bearer("command"))
    assert nan.status_code == 400 and nan.json()["errors"][0]["field"] == "lat"
    # Scope applies: the west's site is within reach of G3's point, but not for the east.
    west = client.get(
        "/api/v1/sources/near",
        {"lat": 35.2, "lon": 113.3, "radius": 100},
        **bearer("east_secretary"),
    )
    assert west.json() == []


def test_geojson_layer_per_category(client, bearer, registry):
    body = client.get(
        "/api/v1/sources.geojson", {"category": "road_section"}, **bearer("east_secretary")
    ).json()
    assert body["type"] == "FeatureCollection"
    (feature,) = body["features"]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["code"] == registry["road"].code
    # (the test client checks every answer against its OpenAPI schema, this one included)


def test_excel_download(client, bearer, registry):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get(
        "/api/v1/sources.xlsx", {"category": "construction_site"}, **bearer("east_secretary")
    )
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["construction_site"]
    rows = list(wb["construction_site"].iter_rows(values_only=True))
    assert rows[0][0] == "编号 code" and len(rows) == 3  # header + the east's two sites


def create_body(**over):
    body = {
        "category": "enterprise",
        "name": "宏达化工",
        "lat": 35.21,
        "lon": 113.06,
        "attributes": {"credit_code": "91350100M000100Y43", "grade": "B", "monitor_mns": ["QY001"]},
    }
    body.update(over)
    return body


def test_create_update_and_stale_version(client, bearer, people):
    headers = bearer("east_secretary")
    created = client.post(
        "/api/v1/sources", create_body(), content_type="application/json", **headers
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"] == "QY-00001" and body["grid"] == "D-S1-C1-G1" and body["version"] == 0
    pk = body["id"]
    patched = client.patch(
        f"/api/v1/sources/{pk}",
        {"version": 0, "attributes": {"grade": "A"}, "note": "复核升级"},
        content_type="application/json",
        **headers,
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["attributes"]["grade"] == "A"
    assert patched.json()["attributes"]["monitor_mns"] == ["QY001"]  # merged, not replaced
    assert patched.json()["version"] == 1
    change = patched.json()["history"][0]
    assert change["action"] == "updated" and change["note"] == "复核升级"
    # Someone else's copy (version 0) is stale now.
    stale = client.put(
        f"/api/v1/sources/{pk}",
        {**create_body(name="另一个名字"), "version": 0},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert PollutionSource.objects.get(pk=pk).name == "宏达化工"
    put = client.put(
        f"/api/v1/sources/{pk}",
        {**create_body(name="宏达化工有限公司"), "version": 1},
        content_type="application/json",
        **headers,
    )
    assert put.status_code == 200 and put.json()["name"] == "宏达化工有限公司"
    assert put.json()["attributes"]["grade"] == "B"  # PUT replaces the whole set
    status = client.post(
        f"/api/v1/sources/{pk}/status",
        {"status": "suspended", "note": "橙色预警停产", "version": 2},
        content_type="application/json",
        **headers,
    )
    assert status.status_code == 200 and status.json()["status"] == "suspended"
    assert SourceChange.objects.filter(source_id=pk, action="status").get().note == "橙色预警停产"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"category": "spaceship"}, "category"),
        ({"name": ""}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"lat": 20.0, "lon": 120.0}, "geometry"),  # outside the district's extent
        ({"lat": 35.3, "lon": 113.5}, "geometry"),  # in its extent, outside every grid
        ({"lat": 35.2, "lon": 113.3}, "geometry"),  # a grid outside the east's area
        ({"lat": 95.0}, "lat"),
        ({"lat": None, "lon": None}, "geometry"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0]]]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [1]}}, "geometry"),
        ({"attributes": {"grade": "E"}}, "attributes.grade"),
        ({"attributes": {"credit_code": "91350100M000100Y44"}}, "attributes.credit_code"),
        ({"attributes": {"surprise": 1}}, "attributes.surprise"),
        ({"attributes": {"monitor_mns": ["a b"]}}, "attributes.monitor_mns"),
        ({"status": "sleeping"}, "status"),
        ({"responsible_post": 10**15}, "responsible_post"),
        ({"responsible_post": 10**20}, "responsible_post"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(client, bearer, people, over, field):
    response = client.post(
        "/api/v1/sources",
        create_body(**over),
        content_type="application/json",
        **bearer("east_secretary"),
    )
    assert response.status_code == 400, response.content
    # Schema violations are named as ninja names them (payload.name), the rest by the services.
    assert response.json()["errors"][0]["field"].removeprefix("payload.") == field
    assert not PollutionSource.objects.exists()


def test_create_checks_impossible_dates_and_huge_numbers(client, bearer, people):
    headers = bearer("command")
    body = {
        "category": "restaurant",
        "name": "小吃店",
        "lat": 35.2,
        "lon": 113.05,
        "attributes": {"cleaning_dates": ["2026-02-30"]},
    }
    bad_date = client.post("/api/v1/sources", body, content_type="application/json", **headers)
    assert bad_date.status_code == 400
    assert bad_date.json()["errors"][0]["field"].startswith("attributes.cleaning_dates")
    body["attributes"] = {"seats": 10**30}
    huge = client.post("/api/v1/sources", body, content_type="application/json", **headers)
    assert huge.status_code == 400
    assert "seats" in huge.json()["errors"][0]["field"]
    assert not PollutionSource.objects.exists()


def test_writing_needs_the_permission(client, bearer, registry):
    site = registry["site"]
    for username in ("g1_leader", "nobody"):
        response = client.post(
            "/api/v1/sources", create_body(), content_type="application/json", **bearer(username)
        )
        assert response.status_code == 403, username
    leader = client.patch(
        f"/api/v1/sources/{site.pk}",
        {"version": 0, "name": "x"},
        content_type="application/json",
        **bearer("g1_leader"),
    )
    assert leader.status_code == 403
    west = client.patch(
        f"/api/v1/sources/{registry['west'].pk}",
        {"version": 0, "name": "x"},
        content_type="application/json",
        **bearer("east_secretary"),
    )
    assert west.status_code == 404
    assert PollutionSource.objects.get(pk=site.pk).name == "东一花园工地"


def test_status_refused_naming_the_field(client, bearer, registry):
    site = registry["site"]
    response = client.post(
        f"/api/v1/sources/{site.pk}/status",
        {"status": "dancing"},
        content_type="application/json",
        **bearer("command"),
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"
    assert PollutionSource.objects.get(pk=site.pk).status == Status.ACTIVE


def test_schema_names_do_not_shadow_other_apps():
    """ninja names components by class name: a second `ResponsibleOut` would replace the
    territory's in the document (and its answers would be checked against ours)."""
    from gridgov.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    assert "region_code" in components["ResponsibleOut"]["properties"]
    assert "assigned" in components["SourceResponsibleOut"]["properties"]
    assert components["PolygonOut"]["properties"]["coordinates"].get("description")
