"""Real-time data (CN=2011) of the receiver: per station and interval, averaged and stored when
the interval has ended (plus GRIDGOV_HJ212_GRACE_SECONDS), answered once committed.

A re-sent packet (same QN; without one, the same data area) counts once. An answer means
stored: a packet for an interval already committed corrects it (hj212/corrections.py) — the
committed interval is held GRIDGOV_HJ212_LATE_SECONDS for that, so the new mean is exact; an
older one is merged with the stored reading — never answered and dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gridgov.air.hj212 import codec, corrections
from gridgov.air.hj212.connection import Connection, Interval
from gridgov.air.ingest import FUTURE_SLACK_SECONDS

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable

    import numpy as np

    from gridgov.air.factors import Factors
    from gridgov.air.hj212.store import Device, Row


class RealTime:
    """The real-time intervals of the receiver (a mixin of Receiver)."""

    intervals: dict[tuple[int, int], Interval]
    committed: dict[tuple[int, int], Interval]
    counters: Counter[str]
    grace: float
    late_seconds: float
    clock: Callable[[], float]

    if TYPE_CHECKING:  # Accounting's and the Receiver's, declared for the type checker only

        def count_rejection(self, reason: str, device: Device | None = None) -> None: ...

        def _submit(self, row: Row) -> None: ...

    def _accumulate(
        self,
        conn: Connection,
        device: Device,
        packet: codec.Packet,
        ts: int,
        values: np.ndarray,
        flags: np.ndarray,
        wind_now: np.ndarray,
        factors: Factors | None = None,
    ) -> None:
        """A real-time packet (2011) joins its interval's accumulator, answered when it closes."""
        if ts > self.clock() + FUTURE_SLACK_SECONDS:  # never held open in memory
            self.count_rejection("refused_time", device)
            return
        step = device.info.interval * 60
        start = ts - ts % step
        key = (device.info.id, start)
        acc = self.intervals.get(key)
        if acc is None:
            acc = self._open_interval(device, key, start + step + self.grace)
        seen = packet.qn or hash(packet.cp)
        if seen not in acc.seen:  # a re-sent packet is counted once (and answered again)
            acc.seen.add(seen)
            acc.add(values, flags, wind_now, factors)
        acc.waiters.append((conn, packet))

    def _open_interval(self, device: Device, key: tuple[int, int], closes_at: float) -> Interval:
        """An interval's accumulator. One already committed takes late packets as a correction
        (its mean recomputed and the stored reading replaced); one that has ended but is no
        longer held (older than GRIDGOV_HJ212_LATE_SECONDS, or from before a restart) is merged
        with whatever is stored. Either is stored at the next tick."""
        now = self.clock()
        done = self.committed.pop(key, None)
        if done is not None:
            acc = done.reopened(now)
            self.counters["late_corrections"] += 1
        elif now >= closes_at:
            acc = Interval(device, key[1], now, mode=corrections.MERGE)
            self.counters["late_corrections"] += 1
        else:
            acc = Interval(device, key[1], closes_at)
        self.intervals[key] = acc
        return acc

    def _close_intervals(self, now: float) -> None:
        """Store the intervals that have closed, keeping them for late packets; forget those
        committed more than GRIDGOV_HJ212_LATE_SECONDS ago (oldest first: insertion order)."""
        for key, acc in list(self.intervals.items()):
            if now >= acc.closes_at:
                del self.intervals[key]
                self._submit(acc.row())
                acc.waiters = []
                acc.committed_at = now
                self.committed[key] = acc
        committed = self.committed
        while committed:
            first = next(iter(committed))
            if committed[first].committed_at > now - self.late_seconds:
                break
            del committed[first]
