"""The HJ 212 simulator's configuration and its counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from gridgov.air.models import CST


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8212  # the receiver's default (GRIDGOV_HJ212_PORT)
    devices: int = 1
    prefix: str = "SIM"
    first: int = 1  # number of the first device
    digits: int = 6  # MN = prefix + number, zero-padded to this many digits
    pw: str = "123456"
    # None: real time (each minute once it is over). A time: catch up from that minute.
    start: dt.datetime | None = None
    # Per-device start minute (device index → time), overriding `start` for those devices.
    starts: dict[int, dt.datetime] = field(default_factory=dict)
    rate: float | None = None  # packets/s per device while catching up (None: window-bound)
    window: int = 1  # unanswered packets a device allows itself
    minutes: int | None = None  # minute packets per device, then the device stops
    seconds: float | None = None  # stop sending new minutes after this long
    drain: float = 30.0  # after the last minute, wait this long for missing answers
    timeout: float = 5.0  # re-send a packet unanswered for this long
    retries: int | None = None  # re-sends of one packet before giving it up (None: no limit)
    backoff: float = 0.5  # first reconnection delay, doubled up to backoff_max
    backoff_max: float = 30.0
    ramp: float = 0.0  # devices start evenly spread over this many seconds
    rtd_seconds: float | None = None  # also send CN=2011 real-time packets this often
    hot: Callable[[int], bool] = lambda index: False  # devices with PM2.5 over the thresholds
    quirks: frozenset[str] = frozenset()
    # Per-device quirks (device index → quirks), overriding `quirks`: a mix of logger eras.
    quirks_of: Callable[[int], frozenset[str]] | None = None
    # The devices' clocks (sim_control.py): seconds ahead of the real time (negative: behind),
    # and seconds gained per real minute (after a sync too); whether they answer commands.
    clock_offset: float = 0.0
    clock_drift: float = 0.0
    commands: bool = True

    def mn(self, index: int) -> str:
        return f"{self.prefix}{self.first + index:0{self.digits}d}"

    def start_of(self, index: int) -> dt.datetime | None:
        start = self.starts.get(index, self.start)
        if start is None:
            return None
        start = start.astimezone(CST)
        return start.replace(second=0, microsecond=0)


@dataclass
class Stats:
    """What the devices saw. Keys are (MN, DataTime as YYYYMMDDhhmmss)."""

    devices: int = 0
    connections: int = 0  # connections opened
    connect_failures: int = 0
    drops: int = 0  # connections lost while in use
    sent: int = 0  # minute packets sent for the first time
    resent: int = 0  # after a timeout or on a new connection (back-fills are counted apart)
    given_up: int = 0  # packets dropped after `retries` re-sends
    answered: int = 0
    late_answers: int = 0  # answers to a QN already answered (or unknown)
    history_requests: int = 0
    backfilled: int = 0  # minute packets sent because the platform asked for them
    rtd_sent: int = 0
    frame_errors: int = 0  # unreadable bytes from the platform
    commands: dict[str, int] = field(default_factory=dict)  # the platform's commands, by CN
    clock_sets: int = 0  # times the platform set a device's clock (CN=1012)
    first_sent: dict[tuple[str, str], float] = field(default_factory=dict)  # wall clock
    answered_at: dict[tuple[str, str], float] = field(default_factory=dict)  # wall clock
    latencies: list[float] = field(default_factory=list)  # first send → answer, seconds
    last_try_latencies: list[float] = field(default_factory=list)  # last (re-)send → answer
    answer_clock: list[float] = field(default_factory=list)  # monotonic times of answers
    started: float = 0.0  # monotonic
    all_started: float = 0.0  # monotonic: the last device has begun (end of the ramp)
    stopped_sending: float = 0.0  # monotonic: no new minutes after this
    finished: float = 0.0  # monotonic
    connected: int = 0  # devices connected right now

    @property
    def sent_keys(self) -> set[tuple[str, str]]:
        return set(self.first_sent)

    @property
    def answered_keys(self) -> set[tuple[str, str]]:
        return set(self.answered_at)

    @property
    def unanswered_keys(self) -> set[tuple[str, str]]:
        return set(self.first_sent) - set(self.answered_at)

    def rate(self, since: float | None = None, until: float | None = None) -> float:
        """Answered packets/s between two monotonic times (default: from the end of the ramp
        to when the devices stopped sending new minutes, or to the last answer)."""
        since = self.all_started if since is None else since
        if until is None:
            until = self.stopped_sending or self.finished
        if until <= since:
            return 0.0
        n = sum(1 for t in self.answer_clock if since <= t <= until)
        return n / (until - since)

    def percentile(self, q: float, values: list[float] | None = None) -> float:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return float("nan")
        k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
        return values[k]

    def summary(self) -> str:
        lines = [
            f"{self.devices:,} devices, {self.connections:,} connections opened "
            f"({self.connect_failures:,} refused or failed, {self.drops:,} dropped)",
            f"minute packets: {self.sent:,} sent, {self.resent:,} re-sent, "
            f"{self.answered:,} answered, {len(self.unanswered_keys):,} unanswered"
            + (f", {self.given_up:,} given up" if self.given_up else ""),
            f"answered packets/s (sustained, after the ramp): {self.rate():,.0f}",
            f"packet → answer (first send): p50 {self.percentile(50) * 1000:.0f} ms, "
            f"p99 {self.percentile(99) * 1000:.0f} ms; last (re-)send → answer p99 "
            f"{self.percentile(99, self.last_try_latencies) * 1000:.0f} ms",
        ]
        if self.history_requests or self.backfilled:
            lines.append(
                f"history requests: {self.history_requests:,}, "
                f"minutes back-filled: {self.backfilled:,}"
            )
        if self.rtd_sent:
            lines.append(f"real-time packets (CN=2011, no answer wanted): {self.rtd_sent:,}")
        if self.commands:
            done = ", ".join(f"CN={cn} ×{n}" for cn, n in sorted(self.commands.items()))
            lines.append(f"platform commands: {done}; clocks set: {self.clock_sets}")
        if self.late_answers or self.frame_errors:
            lines.append(
                f"answers to no unanswered packet: {self.late_answers:,}; "
                f"unreadable bytes from the platform: {self.frame_errors:,}"
            )
        return "\n".join(lines)
