"""API authentication: bearer tokens (issued once, revocable), sessions, the error format."""

from gridgov.people.models import ApiToken


def test_token_is_issued_for_good_credentials_and_stored_hashed(client, users):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "command", "password": "correct horse battery"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=users["command"])
    assert token.startswith(stored.prefix)
    assert token not in stored.key_hash


def test_wrong_password_is_401_naming_the_field(client, users):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "command", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "password"


def test_missing_fields_are_400_naming_them(client, db):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["payload.password"]


def test_no_credentials_is_401(client, territory):
    for url in [
        "/api/v1/regions",
        "/api/v1/locate?lat=35&lon=113",
        "/api/v1/people",
        "/api/v1/grids.geojson",
        "/api/v1/export/people.xlsx",
    ]:
        assert client.get(url).status_code == 401, url


def test_a_made_up_token_is_401(client, territory):
    response = client.get("/api/v1/regions", HTTP_AUTHORIZATION="Bearer ggv_made_up")
    assert response.status_code == 401


def test_revoked_token_stops_working(client, bearer):
    headers = bearer("command")
    assert client.get("/api/v1/auth/me", **headers).status_code == 200
    assert client.delete("/api/v1/auth/token", **headers).status_code == 204
    assert client.get("/api/v1/auth/me", **headers).status_code == 401


def test_inactive_account_token_stops_working(client, bearer, users):
    headers = bearer("command")
    users["command"].is_active = False
    users["command"].save()
    assert client.get("/api/v1/auth/me", **headers).status_code == 401


def test_session_login_works_for_the_api(client, login):
    me = login("east_secretary").get("/api/v1/auth/me").json()
    assert me["username"] == "east_secretary"
    assert me["scope"] == ["D-S1-C1"]
    assert me["person"] == "东书记"


def test_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/auth/token",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/grids.geojson",
        "/api/v1/locate",
        "/api/v1/people",
    ]:
        assert path in schema["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_regions_filter_by_level_and_parent(client, bearer, territory):
    headers = bearer("command")
    grids = client.get("/api/v1/regions", {"level": 4}, **headers).json()
    assert grids["count"] == 3
    children = client.get("/api/v1/regions", {"parent": "D-S1-C1"}, **headers).json()
    assert [r["code"] for r in children["items"]] == ["D-S1-C1-G1", "D-S1-C1-G2"]
    assert client.get("/api/v1/regions", {"parent": "NOPE"}, **headers).status_code == 404
    bad = client.get("/api/v1/regions", {"level": 7}, **headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "level"


def test_people_filter_by_post(client, bearer, people):
    items = client.get("/api/v1/people", {"post": "grid_leader"}, **bearer("command")).json()
    assert [p["name"] for p in items["items"]] == ["张网格"]
    bad = client.get("/api/v1/people", {"post": "admiral"}, **bearer("command"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "post"


def test_region_detail_has_chain_people_and_history(client, bearer, people):
    body = client.get("/api/v1/regions/D-S1-C1-G1", **bearer("command")).json()
    assert [c["code"] for c in body["chain"]] == ["D", "D-S1", "D-S1-C1", "D-S1-C1-G1"]
    assert body["responsible"][0]["name"] == "张网格"
    assert body["history"][0]["version"] == 1
    assert body["kind_name"] == "城市社区网格"


def test_the_openapi_check_catches_a_response_that_breaks_the_schema():
    import jsonschema
    import pytest
    from django.http import JsonResponse

    from tests.openapi_check import check_response

    good = JsonResponse(
        {"token": "ggv_x", "prefix": "ggv_x", "id": 1, "expires_at": "2026-12-31T00:00:00+08:00"}
    )
    check_response("POST", "/api/v1/auth/token", good)
    with pytest.raises(jsonschema.ValidationError):
        check_response("POST", "/api/v1/auth/token", JsonResponse({"token": 5}))
    with pytest.raises(jsonschema.ValidationError):  # an undocumented status must be an error body
        check_response("POST", "/api/v1/auth/token", JsonResponse({"x": 1}, status=418))
