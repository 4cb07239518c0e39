"""The ingestion token cache (air/stations.py TokenCache): a process remembers which station or
gateway a token belongs to, confirms them all in one query every GRIDGOV_TOKEN_CACHE_SECONDS,
and refuses a token revoked in the same process at once, one revoked elsewhere within that
delay."""

import pytest

from gridgov.air.gateways import gateway_tokens, issue_gateway_token, revoke_gateway_token
from gridgov.air.models import Gateway, Station
from gridgov.air.stations import TokenCache, issue_token, revoke_token, station_tokens
from tests.conftest import china_minute


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """A stand-in for the database: token hash → holder, counting the queries."""

    def __init__(self, rows: dict[str, str]) -> None:
        self.rows = rows
        self.queries: list[list[str]] = []

    def __call__(self, digests: list[str]) -> dict[str, str]:
        self.queries.append(sorted(digests))
        return {d: self.rows[d] for d in digests if d in self.rows}


@pytest.fixture
def seconds(settings):
    settings.GRIDGOV_TOKEN_CACHE_SECONDS = 5
    return 5


def test_a_working_token_is_looked_up_once_and_confirmed_with_the_others(seconds):
    clock, db = Clock(), Loader({"a": "station A", "b": "station B"})
    cache = TokenCache(db, clock)
    assert cache.get("a") == "station A" and cache.get("b") == "station B"
    for _ in range(10):
        assert cache.get("a") == "station A"
    assert db.queries == [["a"], ["b"]]
    clock.now += seconds  # time to confirm: one query for every remembered token
    assert cache.get("a") == "station A"
    assert db.queries[2:] == [["a", "b"]]
    assert cache.get("b") == "station B" and len(db.queries) == 3


def test_a_token_revoked_elsewhere_is_refused_at_the_next_confirmation(seconds):
    clock, db = Clock(), Loader({"a": "station A"})
    cache = TokenCache(db, clock)
    assert cache.get("a") == "station A"
    del db.rows["a"]  # revoked by another process
    clock.now += seconds - 0.1
    assert cache.get("a") == "station A"  # still within the documented delay
    clock.now += 0.1
    assert cache.get("a") is None
    assert cache.get("a") is None  # and not remembered as a holder


def test_unknown_tokens_are_never_remembered(seconds):
    db = Loader({})
    cache = TokenCache(db, Clock())
    assert cache.get("x") is None and cache.get("x") is None
    assert db.queries == [["x"], ["x"]]
    db.rows["x"] = "issued elsewhere"
    assert cache.get("x") == "issued elsewhere"  # works at once


def test_clear_forgets_and_a_lookup_racing_it_is_not_kept(seconds):
    db = Loader({"a": "station A"})
    cache = TokenCache(db, Clock())
    assert cache.get("a") == "station A"
    cache.clear()
    assert cache.get("a") == "station A" and len(db.queries) == 2

    def slow_loader(digests):  # the row was read, then the token revoked here, then stored
        found = Loader({"b": "station B"})(digests)
        racing.clear()
        return found

    racing = TokenCache(slow_loader, Clock())
    assert racing.get("b") == "station B"
    assert racing._entries == {}


def test_zero_seconds_turns_the_cache_off(settings):
    settings.GRIDGOV_TOKEN_CACHE_SECONDS = 0
    db = Loader({"a": "station A"})
    cache = TokenCache(db, Clock())
    assert cache.get("a") == cache.get("a") == "station A"
    assert len(db.queries) == 2


def test_many_tokens_are_confirmed_in_chunks(seconds):
    clock = Clock()
    db = Loader({f"t{i}": f"s{i}" for i in range(TokenCache.CHUNK + 7)})
    cache = TokenCache(db, clock)
    for i in range(TokenCache.CHUNK + 7):
        cache.get(f"t{i}")
    db.queries.clear()
    clock.now += seconds
    assert cache.get("t0") == "s0"
    assert [len(q) for q in db.queries] == [TokenCache.CHUNK, 7]


# --- through the endpoint ----------------------------------------------------------------------


def post(client, token, station=None):
    reading = {"time": china_minute().isoformat(), "pm25": 40}
    if station:
        reading["station"] = station
    return client.post(
        "/api/v1/readings",
        {"readings": [reading]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def cache_clock(monkeypatch, seconds):
    clock = Clock()
    monkeypatch.setattr(station_tokens, "_clock", clock)
    monkeypatch.setattr(gateway_tokens, "_clock", clock)
    return clock


def test_a_token_revoked_in_this_process_is_refused_at_once(client, stations, cache_clock):
    token = issue_token(stations["micro"])
    assert post(client, token).status_code == 200  # remembered now
    revoke_token(stations["micro"])
    assert post(client, token).status_code == 401


def test_a_station_deactivated_here_is_refused_at_once(client, stations, cache_clock):
    token = issue_token(stations["micro"])
    assert post(client, token).status_code == 200
    station = Station.objects.get(pk=stations["micro"].pk)
    station.active = False
    station.save()  # as the admin does
    assert post(client, token).status_code == 401


def test_a_revocation_in_another_process_is_honoured_within_the_delay(
    client, stations, cache_clock, seconds
):
    token = issue_token(stations["micro"])
    assert post(client, token).status_code == 200
    # Another process revokes (`gridgov station-token --revoke`): no signal reaches this one.
    Station.objects.filter(pk=stations["micro"].pk).update(token_hash="", active=False)
    cache_clock.now += seconds - 1
    assert post(client, token).status_code == 200  # the documented window
    cache_clock.now += 1
    response = post(client, token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"


def test_a_gateway_revoked_here_or_elsewhere_is_refused(client, stations, cache_clock, seconds):
    g = Gateway.objects.create(name="平台")
    g.stations.add(stations["micro"])
    token = issue_gateway_token(g)
    assert post(client, token, "M1").status_code == 200
    revoke_gateway_token(g)
    assert post(client, token, "M1").status_code == 401
    token = issue_gateway_token(g)
    assert post(client, token, "M1").status_code == 200
    Gateway.objects.filter(pk=g.pk).update(active=False)  # elsewhere
    cache_clock.now += seconds
    assert post(client, token, "M1").status_code == 401


def test_the_revoke_commands_say_when_servers_refuse_the_token(stations, seconds, capsys):
    from django.core.management import call_command

    issue_token(stations["micro"])
    call_command("station_token", "M1", "--revoke")
    assert "refuse it within 5 s" in capsys.readouterr().out
    Gateway.objects.create(name="平台")
    call_command("gateway_token", "平台", "--revoke")
    assert "refuse it within 5 s" in capsys.readouterr().out
