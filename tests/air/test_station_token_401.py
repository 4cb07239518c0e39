"""A station's ingestion endpoint refuses a bad `ggs_` token with 401 in the error format."""

import pytest

from gridgov.air.stations import issue_token, revoke_token
from tests.openapi_check import OpenAPICheckedClient


@pytest.fixture
def csrf_client():
    return OpenAPICheckedClient(enforce_csrf_checks=True)


def post(client, token):
    return client.post(
        "/api/v1/readings",
        {"readings": [{"time": "2026-11-27T09:13:00+08:00", "pm25": 81}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_made_up_station_token_is_401_naming_the_header(csrf_client, stations):
    response = post(csrf_client, "ggs_made_up")
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["field"] == "Authorization"
    assert "station token" in body["detail"]


def test_a_revoked_station_token_is_401(csrf_client, stations):
    token = issue_token(stations["micro"])
    revoke_token(stations["micro"])
    assert post(csrf_client, token).status_code == 401


def test_an_account_token_is_no_station_token(csrf_client, client, users, stations):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "command", "password": "correct horse battery"},
        content_type="application/json",
    )
    assert post(csrf_client, response.json()["token"]).status_code == 401
