"""How regular a device's clock is (时钟规律计数), counted cheaply per data packet: for each day
(the QN's, China Standard Time), the packets with a QN, the distinct millisecond parts of their
QNs (two kept at most: two already tell the clock is not frozen there) and the least and greatest
spacing between successive QNs in milliseconds. Kept in memory by the receiver's loop (in its
DeviceStats) and added to DeviceStatus.clock with the device's status: no write per packet.
A real logger's QNs wander in their milliseconds and spacing; a faked stream (values written by
a script, not measured) is often exactly regular — air/tampering.py `clock` judges the days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

KEEP_DAYS = 2  # the day under way and the day before
KEEP_MILLIS = 2


@dataclass
class ClockCounter:
    day: str = ""
    packets: int = 0
    millis: set[int] = field(default_factory=set)
    gap_min: int | None = None
    gap_max: int | None = None
    last_ms: int | None = None  # the last QN's time (ms): kept across status writes
    done: list[dict[str, Any]] = field(default_factory=list)  # days ended since the last write

    def see(self, qn: str) -> None:
        """Count one data packet's QN (YYYYMMDDhhmmsszzz; a QN without milliseconds counts as
        000). A QN no later than the previous one (a re-sent or history packet) adds no gap."""
        if len(qn) < 14 or not qn.isdigit():
            return
        day, millis = qn[:8], int(qn[14:17]) if len(qn) >= 17 else 0
        if day != self.day:
            if self.packets:
                self.done.append(self._delta())
            self._reset()
            self.day = day
        self.packets += 1
        if len(self.millis) < KEEP_MILLIS:
            self.millis.add(millis)
        moment = _ms(qn)
        if moment is not None:
            if self.last_ms is not None and moment > self.last_ms:
                gap = moment - self.last_ms
                self.gap_min = gap if self.gap_min is None else min(self.gap_min, gap)
                self.gap_max = gap if self.gap_max is None else max(self.gap_max, gap)
            if self.last_ms is None or moment > self.last_ms:
                self.last_ms = moment

    def take(self) -> list[dict[str, Any]]:
        """The days' counts since the last call (deltas), then zero."""
        out = [*self.done, self._delta()] if self.packets else list(self.done)
        self.done = []
        self._reset()
        return out

    def _delta(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "packets": self.packets,
            "millis": sorted(self.millis),
            "gap_min": self.gap_min,
            "gap_max": self.gap_max,
        }

    def _reset(self) -> None:
        self.packets = 0
        self.millis = set()
        self.gap_min = self.gap_max = None


def _ms(qn: str) -> int | None:
    """A QN's time in milliseconds since an arbitrary origin (whole days since year 0, enough to
    compare and subtract QNs; no calendar check, the codec has done it)."""
    try:
        year, month, day = int(qn[0:4]), int(qn[4:6]), int(qn[6:8])
        hour, minute, second = int(qn[8:10]), int(qn[10:12]), int(qn[12:14])
        millis = int(qn[14:17]) if len(qn) >= 17 else 0
    except ValueError:
        return None
    days = _days(year, month, day)
    return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis


def _days(year: int, month: int, day: int) -> int:
    try:
        return dt.date(year, month, day).toordinal()
    except ValueError:
        return 0


def merge(saved: dict[str, Any] | None, deltas: list[dict[str, Any]]) -> dict[str, Any]:
    """DeviceStatus.clock with the deltas added: {"days": [the last KEEP_DAYS days' counts]}."""
    days = {d["day"]: dict(d) for d in (saved or {}).get("days", []) if isinstance(d, dict)}
    for delta in deltas:
        current = days.get(delta["day"])
        if current is None:
            days[delta["day"]] = dict(delta)
            continue
        current["packets"] = int(current.get("packets", 0)) + int(delta["packets"])
        millis = sorted({*current.get("millis", []), *delta["millis"]})
        current["millis"] = millis[:KEEP_MILLIS]
        for name, pick in (("gap_min", min), ("gap_max", max)):
            known = [v for v in (current.get(name), delta[name]) if v is not None]
            current[name] = pick(known) if known else None
    return {"days": [days[d] for d in sorted(days)[-KEEP_DAYS:]]}
