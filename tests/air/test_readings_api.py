"""POST /api/v1/readings: the station's token, whole-batch rejection, duplicates."""

import datetime as dt

import pytest

from gridgov.air.models import Reading
from gridgov.air.stations import issue_token, revoke_token
from tests.conftest import china_minute as minute


def at(minutes_ago):
    return (minute() - dt.timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def token(stations):
    return issue_token(stations["micro"])


def post(client, token, readings, **extra):
    return client.post(
        "/api/v1/readings",
        {"readings": readings, **extra},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_batch_is_stored_and_resending_it_changes_nothing(client, token, stations):
    readings = [{"time": at(k), "pm25": 81 + k, "co": 0.9} for k in range(3)]
    first = post(client, token, readings)
    assert first.status_code == 200
    assert first.json() == {"stored": 3, "duplicates": 0, "flagged": 0, "alarms": 0, "errors": []}
    again = post(client, token, readings).json()
    assert (again["stored"], again["duplicates"]) == (0, 3)
    assert Reading.objects.filter(station=stations["micro"]).count() == 3


def test_one_reading_is_a_batch_of_one(client, token):
    assert post(client, token, [{"time": at(0), "pm25": 50}]).json()["stored"] == 1


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (lambda: {"time": at(1), "pm25": 50, "humidity": 80}, "humidity"),
        (lambda: {"time": at(1), "co": 1200}, "co"),
        (lambda: {"time": (minute() + dt.timedelta(days=2)).isoformat(), "pm25": 1}, "time"),
        (
            lambda: {"time": (minute() - dt.timedelta(seconds=30)).isoformat(), "pm25": 1},
            "time",
        ),
        (lambda: {"time": "yesterday", "pm25": 1}, "time"),
        (lambda: {"time": at(1), "pm25": "lots"}, "pm25"),
    ],
    ids=["unknown-field", "co-unit", "future", "off-interval", "bad-time", "not-a-number"],
)
def test_a_malformed_row_rejects_the_whole_batch_naming_it(client, token, bad, field):
    readings = [{"time": at(5), "pm25": 40}, {"time": at(4), "pm25": 41}, bad()]
    response = post(client, token, readings)
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert f"readings[2].{field}" in fields
    assert not Reading.objects.exists()


def test_unknown_top_level_fields_and_empty_batches_are_400(client, token):
    assert post(client, token, [{"time": at(0), "pm25": 1}], extra=1).status_code == 400
    assert post(client, token, []).status_code == 400


def test_ingestion_needs_the_stations_token(client, token, stations, bearer):
    assert post(client, "ggs_wrong", [{"time": at(0), "pm25": 1}]).status_code == 401
    # an account's token is not a station's token
    account = bearer("command")["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    assert post(client, account, [{"time": at(0), "pm25": 1}]).status_code == 401
    revoke_token(stations["micro"])
    assert post(client, token, [{"time": at(0), "pm25": 1}]).status_code == 401


def test_a_new_token_replaces_the_old_one(client, token, stations):
    fresh = issue_token(stations["micro"])
    assert post(client, token, [{"time": at(0), "pm25": 1}]).status_code == 401
    assert post(client, fresh, [{"time": at(0), "pm25": 1}]).status_code == 200
    stations["micro"].refresh_from_db()
    assert fresh not in stations["micro"].token_hash
