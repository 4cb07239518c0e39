"""The PROXY protocol parser (air/hj212/proxy_protocol.py), against HAProxy's specification
(doc/proxy-protocol.txt): v1 and v2, IPv4 and IPv6, LOCAL, UNKNOWN and the families that keep
the connection's own address, and every way a header can be refused — as soon as the bytes
received cannot begin a valid one, not only once they are all there."""

from __future__ import annotations

import struct

import pytest

from gridgov.air.hj212 import proxy_protocol as pp
from gridgov.air.hj212.proxy_protocol import HeaderError, parse

PACKET = b"##0101QN=20261207223600001;ST=22;CN=2051;PW=123456;MN=MN-M1;Flag=5;CP=&&&&ABCD\r\n"


def refused(data: bytes) -> str:
    with pytest.raises(HeaderError) as info:
        parse(data)
    return info.value.reason


def v2_raw(ver_cmd: int, fam: int, body: bytes, length: int | None = None) -> bytes:
    size = len(body) if length is None else length
    return pp.V2_SIGNATURE + bytes([ver_cmd, fam]) + struct.pack("!H", size) + body


# --- v1 ---------------------------------------------------------------------------------------


def test_v1_tcp4_names_the_client_and_its_length():
    data = b"PROXY TCP4 192.0.2.7 10.0.0.5 51234 9212\r\n"
    header = parse(data + PACKET)
    assert header == pp.Header(
        1, "PROXY", "TCP4", ("192.0.2.7", 51234), ("10.0.0.5", 9212), len(data)
    )


def test_v1_tcp6_normalises_the_address():
    data = b"PROXY TCP6 2001:DB8:0:0::1 2001:db8::2 65535 0\r\n"
    header = parse(data)
    assert header is not None
    assert header.source == ("2001:db8::1", 65535) and header.destination == ("2001:db8::2", 0)
    assert header.length == len(data)


def test_v1_unknown_keeps_the_connection_address_and_ignores_the_rest_of_the_line():
    assert parse(b"PROXY UNKNOWN\r\n") == pp.Header(1, "PROXY", "UNKNOWN", None, None, 15)
    line = b"PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"
    header = parse(line + PACKET)
    assert header is not None and header.source is None and header.length == len(line)


def test_v1_longest_header_is_accepted_and_one_byte_more_is_refused():
    full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    tcp6 = f"PROXY TCP6 {full} {full} 65535 65535\r\n".encode()
    header = parse(tcp6)
    assert header is not None and header.length == len(tcp6) == 104
    longest = f"PROXY UNKNOWN {full} {full} 65535 65535\r\n".encode()
    assert len(longest) == pp.V1_MAX == 107  # the specification's worst case
    header = parse(longest)
    assert header is not None and header.length == 107
    assert refused(b"PROXY UNKNOWN " + b"x" * 93 + b"\r\n") == "v1_too_long"
    assert refused(b"PROXY TCP4 " + b"1" * 200) == "v1_too_long"


@pytest.mark.parametrize(
    "line",
    [
        b"PROXY TCP4 192.0.2.7 10.0.0.5 51234\r\n",  # a port missing
        b"PROXY TCP4  192.0.2.7 10.0.0.5 51234 9212\r\n",  # two spaces
        b"PROXY TCP4 192.0.2.7 10.0.0.5 51234 9212 \r\n",  # a trailing space
        b"PROXY UDP4 192.0.2.7 10.0.0.5 51234 9212\r\n",  # not a protocol of v1
        b"PROXY TCP4 2001:db8::1 10.0.0.5 51234 9212\r\n",  # IPv6 said to be IPv4
        b"PROXY TCP6 192.0.2.7 2001:db8::2 51234 9212\r\n",  # IPv4 said to be IPv6
        b"PROXY TCP4 192.0.2.300 10.0.0.5 51234 9212\r\n",  # not an address
        b"PROXY TCP4 192.0.2.7 10.0.0.5 65536 9212\r\n",  # port out of range
        b"PROXY TCP4 192.0.2.7 10.0.0.5 -1 9212\r\n",  # not a port
        b"PROXY TCP4 192.0.2.7 10.0.0.5 \xd9\xa1 9212\r\n",  # not ASCII
        b"PROXY TCP4 192.0.2.7 10.0.0.5 51234 9212\n",  # LF without CR
    ],
)
def test_v1_malformed_lines_are_refused(line):
    assert refused(line) == "v1_malformed"


def test_v1_cut_anywhere_waits_for_the_rest():
    data = b"PROXY TCP4 192.0.2.7 10.0.0.5 51234 9212\r\n"
    for cut in range(1, len(data)):
        assert parse(data[:cut]) is None, cut
    assert parse(data) is not None


# --- v2 ---------------------------------------------------------------------------------------


def test_v2_ipv4_over_tcp():
    data = pp.v2(("198.51.100.20", 40000), ("10.0.0.5", 9212))
    assert len(data) == 16 + 12
    assert parse(data + PACKET) == pp.Header(
        2, "PROXY", "INET", ("198.51.100.20", 40000), ("10.0.0.5", 9212), 28
    )


def test_v2_ipv6_over_tcp():
    data = pp.v2(("2001:db8:1::7", 443), ("2001:db8::2", 9212))
    header = parse(data)
    assert header is not None and header.family == "INET6" and header.length == 16 + 36
    assert header.source == ("2001:db8:1::7", 443)


def test_v2_tlvs_after_the_addresses_are_skipped():
    tlvs = bytes([0x01, 0x00, 0x02]) + b"h2" + bytes([0x04, 0x00, 0x00])  # ALPN, NOOP
    data = pp.v2(("198.51.100.20", 40000), ("10.0.0.5", 9212), tlvs=tlvs)
    header = parse(data + PACKET)
    assert header is not None and header.length == len(data) == 16 + 12 + len(tlvs)
    assert header.source == ("198.51.100.20", 40000)


def test_v2_local_is_a_health_check_on_the_proxy_own_address():
    header = parse(pp.v2(None))
    assert header == pp.Header(2, "LOCAL", "UNSPEC", None, None, 16)
    # LOCAL with an address block (which the receiver must ignore), as some proxies send.
    block = bytes(12)
    local = v2_raw(0x20, 0x11, block)
    assert parse(local) == pp.Header(2, "LOCAL", "INET", None, None, 28)


@pytest.mark.parametrize(
    ("fam", "body", "family"),
    [(0x00, b"", "UNSPEC"), (0x31, bytes(216), "UNIX"), (0x12, bytes(12), "INET")],
    ids=["unspec", "unix", "udp4"],
)
def test_v2_families_without_a_tcp_client_keep_the_connection_address(fam, body, family):
    header = parse(v2_raw(0x21, fam, body))
    assert header == pp.Header(2, "PROXY", family, None, None, 16 + len(body))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\r\n\r\n\x00\r\nQUIT\r" + bytes(16), "v2_signature"),
        (b"\r\n\r\n\x01", "v2_signature"),  # refused at the first wrong byte
        (v2_raw(0x11, 0x11, bytes(12)), "v2_version"),
        (v2_raw(0x22, 0x11, bytes(12)), "v2_command"),
        (v2_raw(0x21, 0x41, bytes(12)), "v2_family"),
        (v2_raw(0x21, 0x13, bytes(12)), "v2_family"),
        (v2_raw(0x21, 0x11, bytes(8)), "v2_short"),  # IPv4 needs 12 bytes
        (v2_raw(0x21, 0x21, bytes(12)), "v2_short"),  # IPv6 needs 36
        (v2_raw(0x21, 0x11, b"", length=pp.V2_MAX_BODY + 1), "v2_too_long"),
    ],
    ids=[
        "signature",
        "signature-early",
        "version",
        "command",
        "family",
        "transport",
        "short-ipv4",
        "short-ipv6",
        "oversized",
    ],
)
def test_v2_malformed_headers_are_refused(data, reason):
    assert refused(data) == reason


def test_v2_cut_anywhere_waits_for_the_rest():
    data = pp.v2(("2001:db8:1::7", 443), ("2001:db8::2", 9212), tlvs=bytes([4, 0, 1, 0]))
    for cut in range(1, len(data)):
        assert parse(data[:cut]) is None, cut
    header = parse(data)
    assert header is not None and header.length == len(data)


# --- neither ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [PACKET, b"GET / HTTP/1.1\r\n", b"PROX\x00", b"proxy TCP4"], ids=repr
)
def test_a_connection_that_does_not_begin_with_a_header_is_refused_at_once(data):
    assert refused(data) == "no_header"


def test_nothing_received_is_not_yet_a_refusal():
    assert parse(b"") is None
