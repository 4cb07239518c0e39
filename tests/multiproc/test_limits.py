"""A client's limit is one limit across processes: the public page's reports per address over
both `gridgov serve` (counted in Redis), and the HJ 212 connections per source address over
both `gridgov hj212` (each receiver publishes its open connections per address in Redis and
counts the others')."""

from __future__ import annotations

import time

import pytest

from tests.multiproc.conftest import MAX_CONN_PER_ADDRESS
from tests.multiproc.devices import Link
from tests.web.test_ratelimit import check, thirty_reports

pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("multiproc")]

PUBLISHED_WITHIN = 1.5  # seconds: a receiver's connection counts reach the others (ticks of 0.5 s)


def test_thirty_reports_over_two_servers_get_one_limit_of_ten(cluster):
    before = cluster.one("SELECT count(*) FROM workorders_event")
    check(thirty_reports(cluster.web_ports, "198.51.100.30"))
    assert cluster.one("SELECT count(*) FROM workorders_event") - before == 10


def test_connections_from_one_address_are_limited_across_both_receivers(cluster):
    first, second = cluster.hj212_ports
    source = "127.0.2.1"
    links = []
    try:
        ones = [Link(first, source) for _ in range(3)]
        links += ones
        assert all(link.is_open() for link in ones)
        time.sleep(PUBLISHED_WITHIN)
        twos = [Link(second, source) for _ in range(3)]
        links += twos
        open_twos = [link for link in twos if link.is_open(0.5)]
        # One limit: 3 open at the first receiver leave room for 1 at the second.
        assert len(open_twos) == MAX_CONN_PER_ADDRESS - 3
        assert all(link.is_open() for link in ones)
        for link in ones:  # the first receiver's connections go: the room comes back
            link.close()
        time.sleep(PUBLISHED_WITHIN)
        more = [Link(second, source) for _ in range(3)]
        links += more
        assert sum(link.is_open(0.5) for link in more) == MAX_CONN_PER_ADDRESS - len(open_twos)
    finally:
        for link in links:
            link.close()
