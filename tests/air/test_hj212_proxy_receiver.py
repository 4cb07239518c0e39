"""The receiver behind HAProxy (`send-proxy-v2`): from a trusted proxy's address
(GRIDGOV_HJ212_PROXY_PROTOCOL_FROM) a connection's PROXY header names the device, whose address
then stands everywhere — the stored device status ("last seen from"), the raw packet archive,
the connections-per-address cap; without a valid header the connection is closed and counted
with its reason; from any other address a header is only garbage before a packet, as always.
The "proxy" here is the test itself connecting from 127.0.0.1 (or 127.0.0.2)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time

import pytest

from gridgov.air import packet_archive as pa
from gridgov.air.hj212 import proxy_protocol as pp
from gridgov.air.models import DeviceStatus, Reading
from tests.air.test_hj212_fairness import ended, open_from, stored_answer
from tests.air.test_hj212_receiver import Client, minute, packet, run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEVICE = ("203.0.113.9", 40123)  # the device's address as HAProxy saw it
OTHER_DEVICE = ("198.51.100.77", 5001)


@pytest.fixture
def proxied(fast, settings, tmp_path):
    """A receiver that trusts 127.0.0.1 as its proxy (the test's connections), archiving to
    tmp_path, with no network exempt from the per-address cap."""
    settings.GRIDGOV_HJ212_PROXY_PROTOCOL_FROM = ["127.0.0.1/32"]
    settings.GRIDGOV_HJ212_PROXY_PROTOCOL_SECONDS = 0.5
    settings.GRIDGOV_HJ212_TRUSTED_NETWORKS = []
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = tmp_path / "archive"
    settings.GRIDGOV_HJ212_ARCHIVE_NAME = "proxied"
    return settings


def archived(tmp_path) -> list[dict]:
    path = tmp_path / "archive" / pa.relative_path(pa.day_of(time.time()), "proxied")
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.mark.parametrize("uvloop", [False, True], ids=["asyncio", "uvloop"])
def test_a_v2_header_names_the_device_in_its_status_and_the_archive(
    devices, proxied, tmp_path, uvloop
):
    m1 = devices["micro"]
    data = packet("2051", minute(-2), {"a34004": 33})

    async def scenario(receiver):
        c = await Client.open(receiver)
        # The header and the device's first packet in one segment: nothing after it is lost.
        await c.send(pp.v2(DEVICE, ("127.0.0.1", receiver.port)) + data)
        answer = await c.answer()
        peers = {conn.peer: (conn.address, conn.via) for conn in receiver.connections}
        await receiver.flush()
        c.close()
        return answer, peers, dict(receiver.proxy_counts), receiver.summary()["proxy"]

    answer, peers, counts, summary = run(scenario, uvloop=uvloop)
    assert answer.cn == "9014"
    [(peer, (address, via))] = peers.items()
    assert peer == "203.0.113.9:40123" and address == "203.0.113.9"
    assert via.startswith("127.0.0.1:")
    assert counts == summary == {"relayed": 1}
    assert Reading.objects.get(station=m1).pm25 == 33
    assert DeviceStatus.objects.get(station=m1).peer == "203.0.113.9:40123"
    [record] = archived(tmp_path)
    assert record["peer"] == "203.0.113.9:40123" and base64.b64decode(record["raw"]) == data


def test_a_v1_header_split_across_segments_then_ipv6(devices, proxied):
    header = pp.v1(("2001:db8:7::12", 61000), ("::1", 8212))

    async def scenario(receiver):
        c = await Client.open(receiver)
        for i in range(0, len(header), 7):  # seven bytes at a time, each its own segment
            await c.send(header[i : i + 7])
            await asyncio.sleep(0.02)
        await c.send(packet("2051", minute(-2), {"a34004": 34}))
        answer = await c.answer()
        peers = [conn.peer for conn in receiver.connections]
        c.close()
        return answer, peers

    answer, peers = run(scenario)
    assert answer.cn == "9014"
    assert peers == ["2001:db8:7::12:61000"]


def test_the_cap_per_address_counts_devices_not_the_proxy(devices, proxied):
    proxied.GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS = 1

    async def scenario(receiver):
        first = await Client.open(receiver)
        await first.send(pp.v2(DEVICE))
        second = await Client.open(receiver)  # the same device address again: over its cap
        await second.send(pp.v2((DEVICE[0], DEVICE[1] + 1)))
        refused = await ended(second, 2)
        other = await Client.open(receiver)  # another device through the same proxy
        await other.send(pp.v2(OTHER_DEVICE), packet("2051", minute(-2), {"a34004": 35}))
        answer = await other.answer()
        for c in (first, other):
            c.close()
        return refused, answer.cn, receiver.fairness.summary()

    refused, cn, summary = run(scenario)
    assert refused and cn == "9014"
    assert summary["addresses"] == {"203.0.113.9": {"refused_address": 1}}


def test_a_local_header_is_the_proxy_health_check_on_its_own_address(devices, proxied):
    async def scenario(receiver):
        check = await Client.open(receiver)  # what HAProxy's check sends, then it closes
        await check.send(pp.v2(None))
        check.close()
        c = await Client.open(receiver)  # LOCAL, then a packet: the proxy's own address
        await c.send(pp.v2(None) + packet("2051", minute(-2), {"a34004": 36}))
        answer = await c.answer()
        peers = [conn.peer for conn in receiver.connections]
        await asyncio.sleep(0.1)
        c.close()
        return answer.cn, peers, dict(receiver.proxy_counts)

    cn, peers, counts = run(scenario)
    assert cn == "9014"
    assert len(peers) == 1 and peers[0].startswith("127.0.0.1:")
    assert counts == {"local": 2}


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (packet("2051", minute(-2), {"a34004": 37}), "no_header"),  # the device's data at once
        (b"\r\n\r\n\x00\r\nQUIT\r" + bytes(20), "v2_signature"),
        (b"PROXY TCP4 203.0.113.9 10.0.0.1 40123\r\n", "v1_malformed"),
        (pp.V2_SIGNATURE + b"\x21\x11\xff\xff", "v2_too_long"),
        (b"PROXY TCP4 203.0.113", "timeout"),  # half a header, then silence
        (b"", "timeout"),  # nothing at all
    ],
    ids=["packet", "signature", "v1", "oversized", "half", "silent"],
)
def test_a_trusted_proxy_without_a_valid_header_is_closed_with_its_reason(
    devices, proxied, caplog, sent, reason
):
    caplog.set_level(logging.WARNING, "gridgov.hj212")

    async def scenario(receiver):
        c = await Client.open(receiver)
        if sent:
            await c.send(sent)
        closed = await ended(c, 3)
        await asyncio.sleep(0.05)
        return closed, dict(receiver.proxy_counts), receiver.counters["connections"]

    closed, counts, admitted = run(scenario)
    assert closed and admitted == 0
    assert counts == {f"refused_{reason}": 1}
    assert not Reading.objects.exists()
    [message] = [r.getMessage() for r in caplog.records if "PROXY header" in r.getMessage()]
    assert f"PROXY header {reason} (" in message and "from proxy 127.0.0.1:" in message


def test_a_proxy_that_closes_before_its_header_is_counted(devices, proxied):
    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(b"PROXY TCP4")
        c.close()
        await asyncio.sleep(0.2)
        return dict(receiver.proxy_counts), len(receiver.handshakes)

    counts, waiting = run(scenario)
    assert counts == {"refused_closed_before_header": 1} and waiting == 0


def test_a_header_from_an_untrusted_address_is_never_honoured(devices, proxied):
    proxied.GRIDGOV_HJ212_PROXY_PROTOCOL_FROM = ["127.0.0.2/32"]  # the proxy; the test is .1
    m1 = devices["micro"]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(pp.v1(DEVICE) + packet("2051", minute(-2), {"a34004": 38}))
        answer = await c.answer()
        peers = [conn.peer for conn in receiver.connections]
        relayed = await open_from(receiver, "127.0.0.2")  # the real proxy still needs one
        await relayed.send(pp.v1(OTHER_DEVICE) + packet("2051", minute(-3), {"a34004": 39}))
        relayed_answer = await stored_answer(relayed)
        relayed_peers = sorted(conn.peer for conn in receiver.connections)
        await receiver.flush()
        c.close()
        relayed.close()
        return answer.cn, relayed_answer, peers, relayed_peers, dict(receiver.rejections)

    cn, relayed_cn, peers, relayed_peers, rejections = run(scenario)
    assert cn == relayed_cn == "9014"
    assert len(peers) == 1 and peers[0].startswith("127.0.0.1:")  # not the header's address
    assert "198.51.100.77:5001" in relayed_peers
    assert rejections == {"garbage": 1}  # the header, as any bytes before a packet
    assert Reading.objects.filter(station=m1).count() == 2


def test_a_bad_network_in_the_setting_is_an_error_naming_it(monkeypatch):
    from gridgov import config

    monkeypatch.setenv("GRIDGOV_HJ212_PROXY_PROTOCOL_FROM", "10.0.0.0/8, haproxy.local")
    with pytest.raises(ValueError, match=r"GRIDGOV_HJ212_PROXY_PROTOCOL_FROM: 'haproxy\.local'"):
        config.env_networks("GRIDGOV_HJ212_PROXY_PROTOCOL_FROM", [])
    monkeypatch.setenv("GRIDGOV_HJ212_PROXY_PROTOCOL_FROM", "10.0.0.0/8, 2001:db8::/32")
    assert config.env_networks("X_UNSET_FOR_TEST", []) == []
    assert config.env_networks("GRIDGOV_HJ212_PROXY_PROTOCOL_FROM", []) == [
        "10.0.0.0/8",
        "2001:db8::/32",
    ]


class GoneTransport:
    """A transport whose peer reset the connection before it was accepted: no peer name."""

    aborted = False

    def get_extra_info(self, name, default=None):
        return None

    def abort(self):
        self.aborted = True

    def is_closing(self):
        return self.aborted


def test_a_connection_reset_before_it_was_accepted_is_dropped_not_parsed(settings):
    """HAProxy's health check sends its LOCAL header and resets at once: by the time the
    receiver accepts, the peer's address may be unreadable — then nothing it sent is trusted
    (it cannot have been checked against the proxies) nor counted as a device's garbage."""
    from gridgov.air.hj212.connection import Connection
    from gridgov.air.hj212.receiver import Receiver

    settings.GRIDGOV_HJ212_PROXY_PROTOCOL_FROM = ["127.0.0.1/32"]
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = None
    receiver = Receiver("127.0.0.1", 0)
    conn = Connection(receiver)
    transport = GoneTransport()
    conn.connection_made(transport)
    conn.data_received(pp.v2(None))
    conn.connection_lost(None)
    assert transport.aborted and not conn.open
    assert receiver.proxy_counts == {"gone_before_accept": 1}
    assert not receiver.rejections and receiver.counters["connections"] == 0
    receiver._db.shutdown()
