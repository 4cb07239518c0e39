"""What a process remembers follows a change made in another process promptly: a station token
revoked elsewhere is refused by both servers within GRIDGOV_TOKEN_CACHE_SECONDS (1 here), an API
token at once (not cached), a device password changed elsewhere by both receivers at their
next tick (told through Redis; GRIDGOV_HJ212_REFRESH_SECONDS is 120 here), and a boundary
edited elsewhere is used by both servers' locate within GRIDGOV_LOCATE_REFRESH_SECONDS (0.5
here)."""

from __future__ import annotations

import json
import time

import pytest

from tests.multiproc.conftest import http_get, http_request
from tests.multiproc.devices import Link, minute_packet, minutes_back

pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("multiproc")]

SLACK = 1.5  # seconds beyond the configured delay (process scheduling on a busy machine)


def post_reading(port: int, token: str, minute) -> int:
    body = json.dumps({"readings": [{"time": minute.isoformat(), "pm25": 42.0}]}).encode()
    status, _ = http_request(
        port,
        "POST",
        "/api/v1/readings",
        body,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return status


def refused_within(check, seconds: float) -> float:
    """How long until `check()` is true (polled), failing past `seconds`."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"still accepted after {seconds:g} s"
        time.sleep(0.05)
    return time.monotonic() - start


def test_a_station_token_revoked_elsewhere_is_refused_by_both_servers(cluster):
    token = cluster.seeded["station_tokens"]["H3"]
    minutes = iter(minutes_back(40, hours_ago=9))
    for port in cluster.web_ports:  # both servers remember the token
        assert post_reading(port, token, next(minutes)) == 200
    cluster.scenario("revoke_station_token('H3')")
    for port in cluster.web_ports:
        refused_within(lambda p=port: post_reading(p, token, next(minutes)) == 401, 1 + SLACK)
        assert post_reading(port, token, next(minutes)) == 401


def test_an_api_token_revoked_elsewhere_is_refused_at_once(cluster):
    bearer = {"Authorization": f"Bearer {cluster.seeded['api_token']}"}
    for port in cluster.web_ports:
        assert http_get(port, "/api/v1/locate?lat=35.2&lon=113.3", bearer)[0] == 200
    assert cluster.scenario(f"revoke_api_token({cluster.seeded['api_token']!r})")["revoked"]
    for port in cluster.web_ports:
        assert http_get(port, "/api/v1/locate?lat=35.2&lon=113.3", bearer)[0] == 401


def test_a_device_password_changed_elsewhere_is_used_by_both_receivers(cluster):
    mn, number = "MP000005", 5
    links = [Link(port, "127.0.1.5") for port in cluster.hj212_ports]
    minutes = iter(minutes_back(40, hours_ago=7))
    try:
        for k, link in enumerate(links):
            link.send(minute_packet(mn, number, next(minutes), f"2026010100050000{k}"))
            assert link.wait_answers({f"2026010100050000{k}"})
        cluster.scenario(f"change_device_password({mn!r}, 'new-pw')")
        time.sleep(SLACK)  # told through Redis: re-read at the receivers' next tick (0.5 s)
        for k, link in enumerate(links):
            old, new = f"2026010100050010{k}", f"2026010100050020{k}"
            link.send(minute_packet(mn, number, next(minutes), old))  # the old password
            link.send(minute_packet(mn, number, next(minutes), new, pw="new-pw"))
            assert link.wait_answers({new}) == {new}
            assert old not in link.answered()
    finally:
        for link in links:
            link.close()


def grid_at(port: int, bearer: dict[str, str]) -> str:
    status, body = http_get(port, "/api/v1/locate?lat=35.2&lon=113.05", bearer)
    assert status == 200, body[:300]
    return json.loads(body)["grid"]["code"]


def test_a_boundary_edited_elsewhere_is_used_by_both_servers_locate(cluster):
    bearer = {"Authorization": f"Bearer {cluster.scenario('new_api_token()')['token']}"}
    for port in cluster.web_ports:
        assert grid_at(port, bearer) == "D-S1-C1-G1"
    cluster.scenario("swap_grids()")
    for port in cluster.web_ports:
        refused_within(lambda p=port: grid_at(p, bearer) == "D-S1-C1-G2", 0.5 + SLACK)
