"""Every reading stored once and counted once in the hourly aggregates, whichever process
stored it: the same posts sent to both `gridgov serve` at once (each one's group committer),
the same packets sent to both `gridgov hj212` at once (each one's store thread). And a receiver
that starts or stops leaves the devices connected to the other one connected."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.multiproc.conftest import http_request
from tests.multiproc.devices import Link, minute_packet, minutes_back

pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("multiproc")]

POSTS_PER_STATION = 12
READINGS_PER_POST = 5

# The hourly rows as the ingestion keeps them (added to, batch by batch) and as they would be
# recomputed from the stored minutes: equal when every reading was counted exactly once.
HOURS_MATCH = """
SELECT count(*) FROM air_hourly h
JOIN air_station s ON s.id = h.station_id AND s.code = ANY(%(codes)s)
LEFT JOIN (
    SELECT station_id, ts - ts %% 3600 AS hour, count(pm25) AS n, sum(pm25) AS total
    FROM air_reading GROUP BY 1, 2
) r ON r.station_id = h.station_id AND r.hour = h.ts
WHERE h.pm25_n IS DISTINCT FROM r.n OR abs(h.pm25_sum - coalesce(r.total, 0)) > 1e-6
"""


def readings_of(codes: list[str], cluster) -> int:
    return cluster.one(
        "SELECT count(*) FROM air_reading r JOIN air_station s ON s.id = r.station_id "
        "WHERE s.code = ANY(%s)",
        [codes],
    )


def test_the_same_posts_to_two_servers_store_each_reading_once(cluster):
    tokens = {c: t for c, t in cluster.seeded["station_tokens"].items() if c != "H3"}  # H3:
    # test_caches revokes it
    minutes = minutes_back(POSTS_PER_STATION * READINGS_PER_POST, hours_ago=5)
    posts = []
    for n, (_code, token) in enumerate(sorted(tokens.items())):
        for k in range(POSTS_PER_STATION):
            chunk = minutes[k * READINGS_PER_POST : (k + 1) * READINGS_PER_POST]
            readings = [
                {"time": m.isoformat(), "pm25": 30 + n + i % 7, "pm10": 60.0, "o3": 80.0}
                for i, m in enumerate(chunk)
            ]
            posts.append((token, json.dumps({"readings": readings}).encode()))
    barrier = threading.Barrier(2 * len(posts))

    def post(job):
        (token, body), port = job
        barrier.wait()
        status, text = http_request(
            port,
            "POST",
            "/api/v1/readings",
            body,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert status == 200, text[:500]
        return json.loads(text)

    jobs = [(p, port) for p in posts for port in cluster.web_ports]  # each post to both servers
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(post, jobs))
    total = len(tokens) * len(minutes)
    assert sum(a["stored"] for a in answers) == total  # each reading stored by one server
    assert sum(a["duplicates"] for a in answers) == total  # and a duplicate at the other
    assert readings_of(sorted(tokens), cluster) == total
    assert cluster.one(HOURS_MATCH, {"codes": sorted(tokens)}) == 0


def test_the_same_packets_to_two_receivers_store_each_reading_once(cluster):
    minutes = minutes_back(30, hours_ago=4)
    devices = [(f"MP{i + 1:06d}", i + 1) for i in range(3)]  # M0…M2; the others are other tests'
    links: list[tuple[Link, set[str]]] = []
    for mn, number in devices:
        source = f"127.0.1.{number}"
        pair = [Link(port, source) for port in cluster.hj212_ports]
        qns = set()
        for k, minute in enumerate(minutes):
            qn = f"20260101000{number}{k:04d}"
            packet = minute_packet(mn, number, minute, qn)
            for link in pair:
                link.send(packet)
            qns.add(qn)
        links += [(link, qns) for link in pair]
    try:
        for link, qns in links:  # each receiver answers each packet: stored or a duplicate
            assert link.wait_answers(qns) == qns
        codes = [f"M{number - 1}" for _, number in devices]
        assert readings_of(codes, cluster) == len(devices) * len(minutes)
        assert cluster.one(HOURS_MATCH, {"codes": codes}) == 0
        deadline = time.monotonic() + 10  # both receivers' status deltas written, added once
        while time.monotonic() < deadline:
            counted = cluster.sql(
                "SELECT s.mn, d.packets, d.answered FROM air_device_status d "
                "JOIN air_station s ON s.id = d.station_id WHERE s.mn = ANY(%s) ORDER BY 1",
                [[mn for mn, _ in devices]],
            )
            if counted == [(mn, 60, 60) for mn, _ in devices]:
                break
            time.sleep(0.2)
        assert counted == [(mn, 60, 60) for mn, _ in devices]
    finally:
        for link, _ in links:
            link.close()


def test_a_receiver_restarting_leaves_the_other_receivers_devices_connected(cluster):
    """A starting (or stopping) receiver may mark as disconnected only what it knows to be:
    not the devices connected to the other receiver at that moment."""
    mn, number = "MP000004", 4
    link = Link(cluster.hj212_ports[0], "127.0.1.4")
    try:
        (minute,) = minutes_back(1, hours_ago=2)
        link.send(minute_packet(mn, number, minute, "20260101000400001"))
        assert link.wait_answers({"20260101000400001"}) == {"20260101000400001"}

        def connected() -> bool:
            rows = cluster.sql(
                "SELECT d.connected FROM air_device_status d JOIN air_station s "
                "ON s.id = d.station_id WHERE s.mn = %s",
                [mn],
            )
            return bool(rows and rows[0][0])

        deadline = time.monotonic() + 10
        while not connected() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert connected()
        cluster.restart("hj212-2")  # stopped, then started again: the other one
        time.sleep(1.5)  # the other's status writes (every 0.5 s) have nothing new to say
        assert connected(), "the device on receiver 1 was marked disconnected by receiver 2"
        assert link.is_open()
    finally:
        link.close()
