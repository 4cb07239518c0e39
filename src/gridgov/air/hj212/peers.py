"""The other receivers (其他接收进程): several `gridgov hj212` behind one address (HAProxy) share
the devices, so what one receiver decides for a client must count what the others see.

With REDIS_URL each receiver, every tick, says in Redis that it is alive and how many
connections each source address has open at it, and which addresses it has closed for their
rate and until when; it reads the same of every other live receiver. The receiver's policy
(fairness.py) then counts an address's connections at every receiver against the one
GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS, and an address cooling at one receiver is refused by all.
A receiver that starts or stops marks every device disconnected only when no other receiver
is alive (store.mark_disconnected). Without REDIS_URL there are no peers: one receiver.

What a receiver publishes expires ALIVE_SECONDS after its last tick, so a receiver killed with
kill -9 stops counting within that. The counts are a tick old (GRIDGOV_HJ212 tick, 0.5 s): two
connections from one address reaching two receivers within the same tick may both be admitted
— the limit holds across receivers from the next tick on. Redis is asked from a thread of the
receiver's own, never from its event loop; a Redis that does not answer leaves the receiver
counting its own connections only (logged), as before."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("gridgov.hj212")

RECEIVERS = "gridgov:hj212:receivers"  # sorted set: receiver id → its last tick (epoch seconds)
# Moved on by every committed save or delete of a station or gateway, in any process: the
# receivers re-read the stations at their next tick (a password changed, a device
# deactivated) instead of within GRIDGOV_HJ212_REFRESH_SECONDS.
STATIONS_REVISION = "gridgov:stations:revision"
ALIVE_SECONDS = 5.0


@dataclass
class Elsewhere:
    """What the other live receivers published at their last tick."""

    receivers: int = 0
    open_by_address: Counter[str] = field(default_factory=Counter)
    cooling: dict[str, float] = field(default_factory=dict)  # address → until (epoch seconds)
    stations_revision: int = 0


class Peers:
    def __init__(self, url: str) -> None:
        import redis

        # Any: redis-py's stubs do not follow its bytes answers (decode_responses off).
        self.redis: Any = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @staticmethod
    def _open_key(receiver: str) -> str:
        return f"gridgov:hj212:open:{receiver}"

    @staticmethod
    def _cooling_key(receiver: str) -> str:
        return f"gridgov:hj212:cooling:{receiver}"

    def others(self) -> list[str]:
        """The ids of the other live receivers."""
        now = time.time()
        members = self.redis.zrangebyscore(RECEIVERS, now - ALIVE_SECONDS, "+inf")
        return [m.decode() for m in members if m.decode() != self.id]

    def publish(self, open_by_address: dict[str, int], cooling: dict[str, float]) -> Elsewhere:
        """Say this receiver is alive, with its open connections per address and the addresses
        cooling here (until, epoch seconds); what the other live receivers said."""
        now = time.time()
        ttl = int(ALIVE_SECONDS) + 1
        opened, cooled = self._open_key(self.id), self._cooling_key(self.id)
        pipe = self.redis.pipeline()
        pipe.zadd(RECEIVERS, {self.id: now})
        pipe.zremrangebyscore(RECEIVERS, "-inf", now - ALIVE_SECONDS)
        pipe.delete(opened, cooled)
        if open_by_address:
            pipe.hset(opened, mapping=dict(open_by_address))
            pipe.expire(opened, ttl)
        if cooling:
            pipe.hset(cooled, mapping=dict(cooling))
            pipe.expire(cooled, ttl)
        pipe.get(STATIONS_REVISION)
        revision = pipe.execute()[-1]
        others = self.others()
        seen = Elsewhere(receivers=len(others), stations_revision=int(revision or 0))
        if not others:
            return seen
        pipe = self.redis.pipeline()
        for other in others:
            pipe.hgetall(self._open_key(other))
            pipe.hgetall(self._cooling_key(other))
        answers: list[dict[bytes, bytes]] = pipe.execute()
        for k, answer in enumerate(answers):
            for address, value in answer.items():
                if k % 2 == 0:
                    seen.open_by_address[address.decode()] += int(value)
                else:
                    until = float(value)
                    if until > now:
                        key = address.decode()
                        seen.cooling[key] = max(until, seen.cooling.get(key, 0.0))
        return seen

    def leave(self) -> None:
        """This receiver stops: the others stop counting it at once."""
        pipe = self.redis.pipeline()
        pipe.zrem(RECEIVERS, self.id)
        pipe.delete(self._open_key(self.id), self._cooling_key(self.id))
        pipe.execute()


_client: Any = None


def stations_changed() -> None:
    """A station or gateway was saved or deleted here: once committed, tell the receivers
    (STATIONS_REVISION). Nothing without REDIS_URL (one machine: GRIDGOV_HJ212_REFRESH_SECONDS)."""
    from django.conf import settings
    from django.db import transaction

    if settings.REDIS_URL:
        transaction.on_commit(_bump_stations_revision)


def _bump_stations_revision() -> None:
    global _client
    from django.conf import settings

    try:
        if _client is None:
            import redis

            _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        _client.incr(STATIONS_REVISION)
    except Exception:
        log.warning("HJ 212 peers: Redis did not answer; receivers re-read stations on their own")


def peers_from_settings() -> Peers | None:
    from django.conf import settings

    url = settings.REDIS_URL
    return Peers(url) if url else None


def others_alive(peers: Peers | None) -> bool:
    """Whether another receiver is running (False without peers, or when Redis is away)."""
    if peers is None:
        return False
    try:
        return bool(peers.others())
    except Exception:
        log.exception("HJ 212 peers: Redis did not answer; taking this receiver as the only one")
        return False


def safely(call: Any, *args: Any) -> Any:
    """A Redis call from the receiver's peer thread: an error is logged, never raised."""
    try:
        return call(*args)
    except Exception:
        log.exception("HJ 212 peers: Redis did not answer")
        return None
