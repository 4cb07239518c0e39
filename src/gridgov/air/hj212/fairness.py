"""A fair HJ 212 port: no address, crowd of idle sockets or flooding connection crowds out the
devices that behave.

- **Per address**: at most GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS connections are open at once from
  one source address (an IPv6 one by its /64; GRIDGOV_HJ212_TRUSTED_NETWORKS exempt); more are
  closed at once.
- **First packet**: a connection that has not identified a device (a packet whose MN is known
  and whose PW is right) within GRIDGOV_HJ212_FIRST_PACKET_SECONDS of connecting is closed. When
  all GRIDGOV_HJ212_MAX_CONNECTIONS are taken, a new connection takes the place of the oldest
  connection that has been open EVICT_AFTER_SECONDS without identifying a device (so a crowd
  of sockets from many addresses cannot lock the devices out either; a device that has just
  connected keeps its place long enough to send).
- **Rate strikes**: a connection over its rate (the token bucket of GRIDGOV_HJ212_RATE and
  _BURST) has the rest of what it sent dropped unparsed (counted by its packet headers) and is
  not read from for RATE_PAUSE_SECONDS: a strike. GRIDGOV_HJ212_RATE_STRIKES strikes without
  the bucket having had time to refill in between close it, and its address (unless trusted)
  may not connect again until a bucket would have refilled (BURST / RATE seconds): reconnecting
  buys no fresh burst. A flood therefore costs the loop a few reads and its sender a closed
  connection, not 12,800 parsed packets a second.
- **Across receivers**: with REDIS_URL, the connections an address has open at the other live
  receivers count against the same per-address limit, and an address cooling at one receiver
  is refused by all (hj212/peers.py; the others' counts are a tick old).
- **Store share**: a connection with GRIDGOV_HJ212_MAX_PENDING rows waiting for the store is not
  read from until half of them are committed: its rows cannot fill the store's batches, the
  other connections' rows go into the next one (TCP holds the rest; nothing is dropped).

Every refusal and close is counted (`counters`, in the receiver's stats line under "fair"), per
source address (the most refused in the stats line), logged at the 1st, 10th, 100th … of each
reason and address, and counted on the device's rejections when the connection had identified
one (shown with the station's device status).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.conf import settings

from gridgov.air.hj212 import codec
from gridgov.air.hj212.peers import Elsewhere

if TYPE_CHECKING:
    from gridgov.air.hj212.connection import Connection
    from gridgov.air.hj212.receiver import Receiver
    from gridgov.air.hj212.store import Row

log = logging.getLogger("gridgov.hj212")

RATE_PAUSE_SECONDS = 1.0
EVICT_AFTER_SECONDS = 2.0
MAX_TRACKED_ADDRESSES = 10_000  # addresses whose refusals are counted one by one
TOP_ADDRESSES = 10  # shown in the stats line

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: list[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


class Fairness:
    """The receiver's port policy; Connection and Receiver call its hooks."""

    def __init__(self, receiver: Receiver) -> None:
        s = settings
        self.receiver = receiver
        self.per_address: int = s.GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS
        self.trusted = parse_networks(list(s.GRIDGOV_HJ212_TRUSTED_NETWORKS))
        self.first_packet: float = s.GRIDGOV_HJ212_FIRST_PACKET_SECONDS
        self.max_strikes: int = s.GRIDGOV_HJ212_RATE_STRIKES
        self.max_pending: int = s.GRIDGOV_HJ212_MAX_PENDING
        self.open_by_address: Counter[str] = Counter()
        # Connections that have not identified a device yet → when they connected (oldest first).
        self.unidentified: dict[Connection, float] = {}
        self.counters: Counter[str] = Counter()
        self.by_address: dict[str, Counter[str]] = {}
        self._known: dict[str, tuple[str, bool]] = {}  # address → (its key, trusted)
        self.cooling: dict[str, float] = {}  # address closed for its rate → until (monotonic)
        self.elsewhere = Elsewhere()  # what the other receivers published (hj212/peers.py)

    # --- connecting and leaving ---

    def admit(self, conn: Connection) -> bool:
        """A new connection: True if it may stay (else it has been closed and counted)."""
        receiver = self.receiver
        now = time.monotonic()
        if len(receiver.connections) >= receiver.max_connections and not self._evict(now):
            receiver.counters["refused"] += 1
            self._refuse(conn, "refused_full")
            return False
        address, trusted = self._address(conn.address)
        conn.address, conn.trusted = address, trusted
        if address in self.cooling:
            if now < self.cooling[address]:
                receiver.counters["refused"] += 1
                self._refuse(conn, "refused_cooling")
                return False
            del self.cooling[address]
        if self.elsewhere.cooling.get(address, 0.0) > time.time():
            receiver.counters["refused"] += 1
            self._refuse(conn, "refused_cooling")
            return False
        here = self.open_by_address[address]
        if (
            self.per_address
            and not trusted
            and here + self.elsewhere.open_by_address.get(address, 0) >= self.per_address
        ):
            receiver.counters["refused"] += 1
            self._refuse(conn, "refused_address")
            return False
        self.open_by_address[address] += 1
        conn.counted = True
        self.unidentified[conn] = now
        return True

    def release(self, conn: Connection) -> None:
        """A connection has gone (idempotent)."""
        if conn.counted:
            conn.counted = False
            left = self.open_by_address[conn.address] - 1
            if left > 0:
                self.open_by_address[conn.address] = left
            else:
                del self.open_by_address[conn.address]
        self.unidentified.pop(conn, None)
        if conn.resume is not None:
            conn.resume.cancel()
            conn.resume = None

    def identified(self, conn: Connection) -> None:
        """The connection has sent a packet of a known device with its right password."""
        if self.unidentified:
            self.unidentified.pop(conn, None)

    def tick(self, mono: float) -> None:
        """Close the connections that have not identified a device in time."""
        limit = mono - self.first_packet
        late = []
        for conn, since in self.unidentified.items():
            if since > limit:
                break
            late.append(conn)
        for conn in late:
            self.unidentified.pop(conn, None)
            self.close(conn, "closed_first_packet")

    # --- rate and store share ---

    def over_rate(self, conn: Connection) -> None:
        """A packet over the connection's rate: it and the rest of the read are dropped, the
        connection is not read for a while (a strike); too many strikes close it."""
        buffer = conn.reader.buffer
        dropped = 1 + buffer.count(codec.HEADER)
        buffer.clear()
        self.receiver.rejections["rate"] += dropped
        now = time.monotonic()
        refill = self.receiver.burst / self.receiver.rate
        if now - conn.last_strike > refill + RATE_PAUSE_SECONDS:
            conn.strikes = 0
        conn.strikes += 1
        conn.last_strike = now
        if conn.strikes >= self.max_strikes:
            self.close(conn, "closed_rate")
            if not conn.trusted:
                if len(self.cooling) >= MAX_TRACKED_ADDRESSES:
                    del self.cooling[next(iter(self.cooling))]
                self.cooling[conn.address] = now + refill
            return
        self.counters["rate_strikes"] += 1
        self._hold(conn, "rate")
        if conn.resume is None:
            loop = asyncio.get_running_loop()
            conn.resume = loop.call_later(RATE_PAUSE_SECONDS, self._rate_served, conn)

    def submitted(self, row: Row) -> None:
        for conn, _ in row.waiters:
            conn.pending += 1
            if conn.pending >= self.max_pending and "store" not in conn.holds:
                self.counters["store_holds"] += 1
                self._hold(conn, "store")

    def committed(self, row: Row) -> None:
        for conn, _ in row.waiters:
            conn.pending -= 1
            if "store" in conn.holds and conn.pending <= self.max_pending // 2:
                self._unhold(conn, "store")

    # --- closing and counting ---

    def close(self, conn: Connection, reason: str) -> None:
        """Close a connection for the policy's `reason`, counted and logged."""
        devices = [d for d in self.receiver.devices.values() if d.info.id in conn.stations]
        for device in devices:
            self.receiver.count_rejection(reason, device)
        self._count(conn.address, reason, [d.mn for d in devices])
        self.receiver.connection_lost(conn)
        self.release(conn)
        if conn.transport is not None:
            conn.transport.abort()

    def summary(self) -> dict[str, Any]:
        top = sorted(self.by_address.items(), key=lambda kv: -sum(kv[1].values()))
        return {
            **dict(sorted(self.counters.items())),
            "addresses": {a: dict(c) for a, c in top[:TOP_ADDRESSES]},
        }

    def _refuse(self, conn: Connection, reason: str) -> None:
        self._count(conn.address, reason, [])
        if conn.transport is not None:
            conn.transport.abort()

    def _evict(self, now: float) -> bool:
        """Make room: close the oldest connection that has not identified a device, if it has
        had EVICT_AFTER_SECONDS to do so."""
        for conn, since in self.unidentified.items():
            if now - since < EVICT_AFTER_SECONDS:
                return False
            self.close(conn, "evicted")
            return True
        return False

    def _count(self, address: str, reason: str, mns: list[str]) -> None:
        self.counters[reason] += 1
        counts = self.by_address.get(address)
        if counts is None:
            if len(self.by_address) >= MAX_TRACKED_ADDRESSES:
                del self.by_address[next(iter(self.by_address))]
            counts = self.by_address[address] = Counter()
        counts[reason] += 1
        n = counts[reason]
        if n == 10 ** (len(str(n)) - 1):  # 1, 10, 100 …
            log.warning(
                "HJ 212 port: %s from %s (%d so far)%s",
                reason,
                address,
                n,
                f", devices {', '.join(mns)}" if mns else "",
            )

    def _address(self, address: str) -> tuple[str, bool]:
        """The address as counted (an IPv6 address by its /64: one subscriber's whole prefix)
        and whether it is in a trusted network."""
        known = self._known.get(address)
        if known is None:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                known = (address, False)
            else:
                if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                    ip = ip.ipv4_mapped
                key = str(ip)
                if isinstance(ip, ipaddress.IPv6Address):
                    key = str(ipaddress.IPv6Network((ip, 64), strict=False))
                known = (key, any(ip in net for net in self.trusted))
            if len(self._known) >= MAX_TRACKED_ADDRESSES:
                self._known.clear()
            self._known[address] = known
        return known

    def _hold(self, conn: Connection, why: str) -> None:
        transport = conn.transport
        if not conn.holds and transport is not None and not transport.is_closing():
            transport.pause_reading()
        conn.holds.add(why)

    def _unhold(self, conn: Connection, why: str) -> None:
        conn.holds.discard(why)
        transport = conn.transport
        if not conn.holds and conn.open and transport is not None and not transport.is_closing():
            transport.resume_reading()

    def _rate_served(self, conn: Connection) -> None:
        conn.resume = None
        self._unhold(conn, "rate")
