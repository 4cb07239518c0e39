"""HJ 212 connections (asyncio protocol), real-time intervals and split packets.

A connection from a trusted proxy (GRIDGOV_HJ212_PROXY_PROTOCOL_FROM: HAProxy with
`send-proxy-v2`) is admitted only once its PROXY header (代理协议头, proxy_protocol.py) has been
read, within GRIDGOV_HJ212_PROXY_PROTOCOL_SECONDS: from then on its peer and address are the
device's, and what followed the header in the same read is the device's first data. Without a
valid header in time it is closed, counted and logged with the reason (Receiver.proxy_refused).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np

from gridgov.air import wind
from gridgov.air.factors import SPEED, Sums
from gridgov.air.hj212 import codec, corrections, proxy_protocol
from gridgov.air.hj212.store import NCOL, Row

if TYPE_CHECKING:
    from gridgov.air.factors import Factors
    from gridgov.air.hj212.receiver import Receiver
    from gridgov.air.hj212.store import Device


# --- connections ------------------------------------------------------------------------------


class Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.transport: asyncio.Transport | None = None
        self.reader = codec.FrameReader(
            receiver.max_packet, keep_frames=receiver.archive is not None
        )
        self.peer = ""
        self.address = ""  # the source address (fairness: connections per address)
        self.via = ""  # the proxy's peer, when the connection is relayed (PROXY protocol)
        self.awaiting: bytearray | None = None  # the PROXY header read so far, while awaited
        self.header_timer: asyncio.TimerHandle | None = None
        self.open = False
        self.counted = False  # counted in the fairness policy's connections per address
        self.trusted = False  # from a trusted network (fairness: no cap, no cooling off)
        self.faults = 0
        self.tokens = float(receiver.burst)
        self.refilled = time.monotonic()
        self.last_activity = self.refilled
        self.verified: set[tuple[str, str, str]] = set()  # (MN, PW, stored hash)
        self.stations: set[int] = set()
        self.asked: set[str] = set()  # MNs asked for their missed data on this connection
        self.strikes = 0  # times over the rate since the bucket last had time to refill
        self.last_strike = -math.inf
        self.pending = 0  # rows waiting for the store
        self.holds: set[str] = set()  # why reading is paused ("rate", "store")
        self.resume: asyncio.TimerHandle | None = None

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or "")
        self.address = str(peer[0]) if isinstance(peer, tuple) else self.peer
        receiver = self.receiver
        if receiver.proxy_from and not isinstance(peer, tuple):
            # Reset before it was accepted (HAProxy's health check closes at once): whether it
            # came from a proxy cannot be known, so nothing it sent can be trusted or answered.
            receiver.proxy_counts["gone_before_accept"] += 1
            self.transport.abort()
            return
        if receiver.proxy_from and receiver.is_proxy(self.address):
            self.awaiting = bytearray()
            receiver.handshakes.add(self)
            self.header_timer = asyncio.get_running_loop().call_later(
                receiver.proxy_seconds, self._header_late
            )
            return
        self._admit()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.awaiting is not None:  # the proxy closed before its header was whole
            self._refuse_header(
                "closed_before_header", f"closed after {len(self.awaiting)} bytes of a header"
            )
        self.receiver.fairness.release(self)
        self.receiver.connection_lost(self)

    def data_received(self, data: bytes) -> None:
        self.last_activity = time.monotonic()
        if self.awaiting is not None:
            rest = self._read_header(data)
            if not rest:
                return
            data = rest
        receiver = self.receiver
        transport = self.transport
        for item in self.reader.feed(data):
            if not self.open or transport is None or transport.is_closing():
                return
            if isinstance(item, codec.FrameError):
                receiver.fault(self, item.reason, raw=item.raw)
                if receiver.archive is not None and item.raw:
                    receiver.archive.add(
                        receiver.clock(), self.peer, self.reader.frame, None, "refused", item.reason
                    )
                continue
            if not self._take_token():
                if receiver.archive is not None:
                    receiver.archive.add(
                        receiver.clock(), self.peer, self.reader.frame, None, "refused", "rate"
                    )
                receiver.fairness.over_rate(self)  # drops the rest of the read
                return
            receiver.handle(self, item)
        if len(self.reader.buffer) > receiver.read_buffer:
            receiver.count_rejection("buffer")
            self.close()

    def eof_received(self) -> bool | None:
        return None  # close our side too

    # helpers
    def _admit(self) -> None:
        if self.receiver.fairness.admit(self):
            self.receiver.connection_made(self)

    def _read_header(self, data: bytes) -> bytes:
        """Add `data` to the awaited PROXY header; once it is whole, apply it, admit the
        connection and return what followed it (else b"")."""
        buffer = self.awaiting
        assert buffer is not None
        buffer += data
        try:
            header = proxy_protocol.parse(buffer)
        except proxy_protocol.HeaderError as exc:
            self._refuse_header(exc.reason, exc.detail)
            return b""
        if header is None:
            return b""
        rest = bytes(buffer[header.length :])
        self._end_wait()
        receiver = self.receiver
        if header.source is None:  # LOCAL (a health check), UNKNOWN: the proxy's own address
            receiver.proxy_counts["local" if header.command == "LOCAL" else "unknown"] += 1
        else:
            receiver.proxy_counts["relayed"] += 1
            self.via = self.peer
            self.address, port = header.source
            self.peer = f"{self.address}:{port}"
        self._admit()
        return rest if self.open else b""

    def _header_late(self) -> None:
        self.header_timer = None
        if self.awaiting is not None:
            self._refuse_header(
                "timeout",
                f"no whole header within {self.receiver.proxy_seconds:g} s"
                f" ({len(self.awaiting)} bytes)",
            )

    def _refuse_header(self, reason: str, detail: str) -> None:
        self._end_wait()
        self.receiver.proxy_refused(self, reason, detail)
        if self.transport is not None:
            self.transport.abort()

    def _end_wait(self) -> None:
        self.awaiting = None
        self.receiver.handshakes.discard(self)
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _take_token(self) -> bool:
        now = time.monotonic()
        rate = self.receiver.rate
        self.tokens = min(self.receiver.burst, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing() or not self.open:
            return
        transport.write(data)
        if transport.get_write_buffer_size() > self.receiver.read_buffer:
            self.receiver.count_rejection("slow_reader")
            transport.abort()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


# --- real-time accumulation and split packets ------------------------------------------------


@dataclass
class Interval:
    """Real-time values of one station and interval: valid values and flagged ones apart."""

    device: Device
    ts: int
    closes_at: float
    ok_sum: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    ok_n: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    bad_sum: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    bad_n: np.ndarray = field(default_factory=lambda: np.zeros(NCOL))
    bad_flag: np.ndarray = field(default_factory=lambda: np.zeros(NCOL, np.int64))
    waiters: list[tuple[Connection, codec.Packet]] = field(default_factory=list)
    wind: np.ndarray = field(default_factory=lambda: np.full(2, np.nan))
    # The packets counted (QN, or the data area's hash without one): a re-send counts once.
    seen: set[str | int] = field(default_factory=set)
    mode: str = ""  # "" new; corrections.REPLACE / MERGE: a late correction of a stored one
    committed_at: float = 0.0
    factors: dict[str, Sums] = field(default_factory=dict)  # the other factors (factors.py)

    def reopened(self, closes_at: float) -> Interval:
        """A committed interval taking late packets: its sums go on (the stored reading is
        replaced by the new mean); a merged one starts afresh (merged again with the stored)."""
        if self.mode == corrections.MERGE:
            return Interval(self.device, self.ts, closes_at, seen=self.seen, mode=self.mode)
        return Interval(
            self.device,
            self.ts,
            closes_at,
            self.ok_sum,
            self.ok_n,
            self.bad_sum,
            self.bad_n,
            self.bad_flag,
            wind=self.wind,
            seen=self.seen,
            mode=corrections.REPLACE,
            factors=self.factors,
        )

    def add(
        self,
        values: np.ndarray,
        flags: np.ndarray,
        wind_now: np.ndarray | None = None,
        factors: Factors | None = None,
    ) -> None:
        if factors:
            speed = factors.get(SPEED, (None, ""))[0]
            for code, (value, letter) in factors.items():
                sums = self.factors.get(code)
                if sums is None:
                    sums = self.factors[code] = Sums()
                sums.add(code, value, letter, speed)
        if wind_now is not None and np.isfinite(wind_now[wind.WD]):
            self.wind = wind_now  # the interval's latest direction (and its speed)
        present = ~np.isnan(values)
        ok = present & (flags == 0)
        bad = present & (flags != 0)
        self.ok_sum[ok] += values[ok]
        self.ok_n[ok] += 1
        self.bad_sum[bad] += values[bad]
        self.bad_n[bad] += 1
        self.bad_flag[bad] = flags[bad]

    def row(self) -> Row:
        """The interval's mean: of the valid values where there are any, else of the flagged
        ones (keeping the device's flag)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            ok_mean = self.ok_sum / self.ok_n
            bad_mean = self.bad_sum / self.bad_n
        use_ok = self.ok_n > 0
        values = np.where(use_ok, ok_mean, np.where(self.bad_n > 0, bad_mean, np.nan))
        flags = np.where(use_ok, 0, np.where(self.bad_n > 0, self.bad_flag, 0))
        count = np.where(use_ok, self.ok_n, self.bad_n) if self.mode else None
        factors: Factors = {}
        for code, sums in self.factors.items():
            mean, letter = sums.mean(code)
            if mean is not None:
                factors[code] = (mean, letter)
        return Row(
            self.device,
            self.ts,
            values,
            flags.astype(np.int16),
            self.waiters,
            self.wind,
            self.mode,
            count,
            factors or None,
        )


@dataclass
class Split:
    pnum: int
    started: float
    parts: dict[int, codec.Packet] = field(default_factory=dict)

    def whole(self) -> codec.Packet:
        """The parts as one packet: the first's header, the data areas joined in PNO order,
        an answer wanted when any part wants one."""
        parts = [self.parts[i] for i in sorted(self.parts)]
        first = parts[0]
        return codec.Packet(
            qn=first.qn,
            st=first.st,
            cn=first.cn,
            pw=first.pw,
            mn=first.mn,
            flag=(first.flag & ~codec.FLAG_SPLIT)
            | (codec.FLAG_ANSWER if any(p.wants_answer for p in parts) else 0),
            cp=";".join(p.cp for p in parts if p.cp),
            fields=first.fields,
        )
