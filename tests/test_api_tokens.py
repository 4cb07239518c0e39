"""API tokens expire, their owner lists and revokes them; a request naming a bad bearer token is
refused with 401 in the API's error format (never the session's "CSRF check failed")."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gridgov.people.models import ApiToken
from tests.conftest import PASSWORD
from tests.openapi_check import OpenAPICheckedClient


def issue(client, username: str, name: str = "") -> dict:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD, "name": name},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def auth(body: dict) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {body['token']}"}


def test_a_token_expires_after_the_configured_number_of_days(client, users, settings):
    settings.GRIDGOV_API_TOKEN_DAYS = 7
    body = issue(client, "command")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - timezone.now() - dt.timedelta(days=7)) < dt.timedelta(minutes=1)
    assert ApiToken.objects.get(pk=body["id"]).expires_at == expires
    assert client.get("/api/v1/auth/me", **auth(body)).status_code == 200

    ApiToken.objects.filter(pk=body["id"]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/api/v1/auth/me", **auth(body))
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"
    assert "expired" in response.json()["detail"]


def test_owner_lists_own_tokens_only_newest_first(client, users):
    first = issue(client, "command", "laptop")
    second = issue(client, "command", "phone")
    other = issue(client, "east_secretary", "theirs")
    listed = client.get("/api/v1/auth/tokens", **auth(second)).json()
    assert [t["id"] for t in listed] == [second["id"], first["id"]]
    assert other["id"] not in [t["id"] for t in listed]
    row = listed[0]
    assert row["name"] == "phone" and second["token"].startswith(row["prefix"])
    assert row["current"] is True and listed[1]["current"] is False
    assert row["active"] is True and row["revoked_at"] is None
    assert row["expires_at"] == second["expires_at"]
    assert set(row) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "active",
        "current",
    }
    assert second["token"] not in str(listed)


def test_session_users_list_their_tokens_too(client, login):
    issue(client, "east_secretary", "script")
    listed = login("east_secretary").get("/api/v1/auth/tokens").json()
    assert [t["name"] for t in listed] == ["script"]
    assert listed[0]["current"] is False


def test_owner_revokes_a_token_by_id(client, users):
    keep = issue(client, "command", "keep")
    drop = issue(client, "command", "drop")
    response = client.delete(f"/api/v1/auth/tokens/{drop['id']}", **auth(keep))
    assert response.status_code == 204
    assert client.get("/api/v1/auth/me", **auth(drop)).status_code == 401
    assert client.get("/api/v1/auth/me", **auth(keep)).status_code == 200
    listed = {t["id"]: t for t in client.get("/api/v1/auth/tokens", **auth(keep)).json()}
    assert listed[drop["id"]]["active"] is False and listed[drop["id"]]["revoked_at"]
    # Again: nothing changes, the first revocation time stays.
    revoked_at = ApiToken.objects.get(pk=drop["id"]).revoked_at
    assert client.delete(f"/api/v1/auth/tokens/{drop['id']}", **auth(keep)).status_code == 204
    assert ApiToken.objects.get(pk=drop["id"]).revoked_at == revoked_at


def test_someone_elses_token_id_is_404_like_no_token_at_all(client, users):
    mine = issue(client, "command")
    theirs = issue(client, "east_secretary")
    for token_id in [theirs["id"], 999_999]:
        response = client.delete(f"/api/v1/auth/tokens/{token_id}", **auth(mine))
        assert response.status_code == 404
        assert response.json()["errors"][0]["field"] == "token_id"
    assert client.get("/api/v1/auth/me", **auth(theirs)).status_code == 200


def test_token_endpoints_need_authentication(client, db):
    assert client.get("/api/v1/auth/tokens").status_code == 401
    assert client.delete("/api/v1/auth/tokens/1").status_code == 401


def _replaced_migrations(executor: Any) -> Any:
    """The executor on the migrations an existing database went through (people 0004 sets the
    expiry), not on the squash that a new database runs instead."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(executor.connection, replace_migrations=False)
    for key, squash in loader.replacements.items():
        loader.graph.remove_replacement_node(key, squash.replaces)
        loader.applied_migrations.pop(key, None)
    executor.loader = loader
    return executor


# Like every transactional test here: serialized_rollback, so that the flush at its end leaves
# the database as the next such test expects.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_tokens_get_their_expiry_from_their_creation_date(settings):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.GRIDGOV_API_TOKEN_DAYS = 10
    executor = _replaced_migrations(MigrationExecutor(connection))
    executor.migrate([("people", "0003_post_line")])
    old = executor.loader.project_state([("people", "0003_post_line")]).apps
    user = get_user_model().objects.create_user("old-client")
    OldToken = old.get_model("people", "ApiToken")
    OldToken.objects.create(user_id=user.pk, key_hash="x" * 64, prefix="ggv_abcd")
    created = timezone.now() - dt.timedelta(days=3)  # created_at is auto_now_add: set it after
    OldToken.objects.filter(key_hash="x" * 64).update(created_at=created)

    executor = _replaced_migrations(MigrationExecutor(connection))
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get(key_hash="x" * 64)
    assert token.expires_at == created + dt.timedelta(days=10)


# --- a bad bearer token is 401, on GET and POST, with or without a session ----------------------


@pytest.fixture
def csrf_client():
    """A client that, like a browser or a script, gets CSRF checks (the default one skips them)."""
    return OpenAPICheckedClient(enforce_csrf_checks=True)


BAD = ["ggv_made_up", "not-even-our-prefix", ""]


@pytest.mark.parametrize("raw", BAD)
def test_a_post_with_a_bad_bearer_token_is_401_not_a_csrf_403(csrf_client, crew, raw):
    response = csrf_client.post(
        "/api/v1/events",
        {"category": "sanitation", "title": "x", "lat": 35.2, "lon": 113.05},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["errors"] == [{"field": "Authorization", "message": body["detail"]}]
    assert "CSRF" not in body["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_bad_bearer_token_is_401_even_with_a_session(csrf_client, users):
    assert csrf_client.login(username="command", password=PASSWORD)
    response = csrf_client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer ggv_made_up")
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"
    # Without the header the session still works.
    assert csrf_client.get("/api/v1/auth/me").status_code == 200


def test_an_expired_or_revoked_token_is_401_on_post(csrf_client, client, users):
    body = issue(client, "command")
    ApiToken.objects.filter(pk=body["id"]).update(revoked_at=timezone.now())
    response = csrf_client.post(
        "/api/v1/orders/bulk", {}, content_type="application/json", **auth(body)
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"


def test_a_good_bearer_token_needs_no_csrf_token(csrf_client, client, users):
    body = issue(client, "command")
    response = csrf_client.delete(f"/api/v1/auth/tokens/{body['id']}", **auth(body))
    assert response.status_code == 204


def test_a_session_post_without_its_csrf_token_is_403_in_the_error_format(csrf_client, users):
    assert csrf_client.login(username="command", password=PASSWORD)
    response = csrf_client.post("/api/v1/orders/bulk", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed", "errors": []}
