"""The PROXY protocol (代理协议, HAProxy's `send-proxy` / `send-proxy-v2`): the header a proxy
sends first on each connection it relays, naming the client's real address.

Parsed exactly as HAProxy's specification (doc/proxy-protocol.txt) says:

- **v1** (text): ``PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\\r\\n`` with single spaces, at
  most 107 bytes with the CR LF; ``PROXY UNKNOWN …\\r\\n`` (the rest of the line ignored) says
  the proxy does not know the client: the connection's own address is used.
- **v2** (binary): the 12-byte signature, the version and command byte (version 2; command LOCAL
  or PROXY), the family and transport byte, the length of what follows (network order), then the
  addresses (IPv4: 12 bytes, IPv6: 36) and TLVs, which are skipped. LOCAL is a connection the
  proxy opened itself (its health check): the connection's own address is used, whatever the
  family. PROXY with an unspecified or a UNIX family, or a datagram transport, also keeps the
  connection's own address.

`parse(buffer)` reads one header from the start of what has been received so far: the header
(with the number of bytes it took: what follows is the device's data), None while more bytes
are needed, or a HeaderError (a refusal with its reason) as soon as the bytes cannot begin a
valid header. No I/O here: the receiver's connection (connection.py) feeds it and applies it.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

V1_PREFIX = b"PROXY "
V1_MAX = 107  # the longest v1 line, CR LF included
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V2_HEAD = 16  # signature, version and command, family and transport, length
# What follows a v2 header's first 16 bytes: the addresses and the TLVs. HAProxy's own TLVs (ALPN,
# authority, SSL, unique id, CRC) fit in far less; a proxy sending more is misconfigured.
V2_MAX_BODY = 2048
V2_LOCAL, V2_PROXY = 0x0, 0x1
# Family (high nibble) and transport (low nibble).
AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX = 0x0, 0x1, 0x2, 0x3
STREAM = 0x1
ADDRESS_BYTES = {AF_INET: 12, AF_INET6: 36, AF_UNIX: 216}
MAX_HEADER = V2_HEAD + V2_MAX_BODY  # the most a header can take: the read buffer's bound


class HeaderError(ValueError):
    """A header refused: `reason` a short code (counted per reason), the message the detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Header:
    """A PROXY header read: `source` is the client's (address, port), or None when the
    connection's own address stands (LOCAL, UNKNOWN, an unsupported family); `length` is the
    number of bytes the header took."""

    version: int
    command: str  # "PROXY" or "LOCAL"
    family: str  # "TCP4", "TCP6", "UNKNOWN" (v1); "INET", "INET6", "UNIX", "UNSPEC" (v2)
    source: tuple[str, int] | None
    destination: tuple[str, int] | None
    length: int


def parse(buffer: bytes | bytearray) -> Header | None:
    """The header at the start of `buffer`; None while it may still become one; HeaderError as
    soon as it cannot."""
    data = bytes(buffer[:MAX_HEADER])
    if not data:
        return None
    if data[:1] == V2_SIGNATURE[:1]:
        return _parse_v2(data)
    if data[:1] == V1_PREFIX[:1]:
        return _parse_v1(data)
    raise HeaderError("no_header", f"no PROXY header: the connection begins {data[:16]!r}")


# --- v1: one line of text ---------------------------------------------------------------------


def _parse_v1(data: bytes) -> Header | None:
    prefix = data[: len(V1_PREFIX)]
    if prefix != V1_PREFIX[: len(prefix)]:
        raise HeaderError("no_header", f"no PROXY header: the connection begins {data[:16]!r}")
    end = data.find(b"\r\n", 0, V1_MAX)
    if end < 0:
        if len(data) >= V1_MAX:
            raise HeaderError("v1_too_long", f"v1 header without CR LF in its first {V1_MAX} bytes")
        if b"\n" in data or b"\r" in data[:-1]:
            raise HeaderError("v1_malformed", "v1 header: a lone CR or LF before its end")
        return None
    line = data[:end]
    length = end + 2
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        raise HeaderError("v1_malformed", "v1 header: not ASCII") from None
    parts = text.split(" ")
    if len(parts) >= 2 and parts[1] == "UNKNOWN":
        return Header(1, "PROXY", "UNKNOWN", None, None, length)
    if len(parts) != 6:
        raise HeaderError(
            "v1_malformed", f"v1 header: {len(parts)} fields, 6 expected (single spaces): {text!r}"
        )
    _, family, src, dst, sport, dport = parts
    if family not in ("TCP4", "TCP6"):
        raise HeaderError("v1_malformed", f"v1 header: unknown protocol {family!r}")
    version = 4 if family == "TCP4" else 6
    return Header(
        1,
        "PROXY",
        family,
        (_v1_address(src, version), _v1_port(sport)),
        (_v1_address(dst, version), _v1_port(dport)),
        length,
    )


def _v1_address(text: str, version: int) -> str:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        raise HeaderError("v1_malformed", f"v1 header: {text!r} is not an IP address") from None
    if ip.version != version:
        raise HeaderError("v1_malformed", f"v1 header: {text!r} is not an IPv{version} address")
    return str(ip)


def _v1_port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) > 65535:
        raise HeaderError("v1_malformed", f"v1 header: {text!r} is not a port (0–65535)")
    return int(text)


# --- v2: binary -------------------------------------------------------------------------------


def _parse_v2(data: bytes) -> Header | None:
    signature = data[: len(V2_SIGNATURE)]
    if signature != V2_SIGNATURE[: len(signature)]:
        raise HeaderError("v2_signature", f"v2 header: bad signature {signature!r}")
    if len(data) < V2_HEAD:
        return None
    version, command = data[12] >> 4, data[12] & 0x0F
    if version != 2:
        raise HeaderError("v2_version", f"v2 header: version {version}, 2 expected")
    if command not in (V2_LOCAL, V2_PROXY):
        raise HeaderError("v2_command", f"v2 header: unknown command {command:#x}")
    family, transport = data[13] >> 4, data[13] & 0x0F
    (body,) = struct.unpack("!H", data[14:16])
    if body > V2_MAX_BODY:
        raise HeaderError(
            "v2_too_long", f"v2 header: {body} bytes of addresses and TLVs, at most {V2_MAX_BODY}"
        )
    length = V2_HEAD + body
    if len(data) < length:
        return None
    name = {AF_UNSPEC: "UNSPEC", AF_INET: "INET", AF_INET6: "INET6", AF_UNIX: "UNIX"}.get(family)
    if command == V2_LOCAL:  # the proxy's own connection (a health check): its address stands
        return Header(2, "LOCAL", name or f"{family:#x}", None, None, length)
    if name is None:
        raise HeaderError("v2_family", f"v2 header: unknown address family {family:#x}")
    if transport not in (0x0, STREAM, 0x2):
        raise HeaderError("v2_family", f"v2 header: unknown transport {transport:#x}")
    need = ADDRESS_BYTES.get(family, 0)
    if body < need:
        raise HeaderError("v2_short", f"v2 header: {body} bytes of addresses, {name} needs {need}")
    if family not in (AF_INET, AF_INET6) or transport != STREAM:
        return Header(2, "PROXY", name, None, None, length)  # the connection's own address
    block = data[V2_HEAD : V2_HEAD + need]
    size = 4 if family == AF_INET else 16
    src = ipaddress.ip_address(block[:size])
    dst = ipaddress.ip_address(block[size : 2 * size])
    sport, dport = struct.unpack("!HH", block[2 * size : 2 * size + 4])
    return Header(2, "PROXY", name, (str(src), sport), (str(dst), dport), length)


# --- building (tests, the smoke script's device) ----------------------------------------------


def v1(source: tuple[str, int] | None, destination: tuple[str, int] = ("127.0.0.1", 0)) -> bytes:
    """A v1 header: TCP4 or TCP6 by the source's address, UNKNOWN without one."""
    if source is None:
        return b"PROXY UNKNOWN\r\n"
    family = "TCP6" if ipaddress.ip_address(source[0]).version == 6 else "TCP4"
    src, dst = source, destination
    return f"PROXY {family} {src[0]} {dst[0]} {src[1]} {dst[1]}\r\n".encode()


def v2(
    source: tuple[str, int] | None,
    destination: tuple[str, int] = ("127.0.0.1", 0),
    *,
    tlvs: bytes = b"",
) -> bytes:
    """A v2 header: PROXY over TCP from `source` (TLVs appended), or LOCAL without one (what a
    health check sends)."""
    if source is None:
        head = bytes([0x20 | V2_LOCAL, AF_UNSPEC << 4])
        return V2_SIGNATURE + head + struct.pack("!H", len(tlvs)) + tlvs
    src, dst = ipaddress.ip_address(source[0]), ipaddress.ip_address(destination[0])
    if src.version != dst.version:
        raise ValueError("source and destination must be of one IP version")
    family = AF_INET if src.version == 4 else AF_INET6
    body = src.packed + dst.packed + struct.pack("!HH", source[1], destination[1]) + tlvs
    head = bytes([0x20 | V2_PROXY, (family << 4) | STREAM])
    return V2_SIGNATURE + head + struct.pack("!H", len(body)) + body
