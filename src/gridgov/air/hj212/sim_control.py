"""The simulated device's side of device control: its clock and upload intervals, and its answers
to the platform's commands the 2017 way (CN=9011 request answer, the value asked for, CN=9012
execution result).

| CN | the platform asks | the device |
| --- | --- | --- |
| 1011 | its time | 9011, 1011 SystemTime (its clock), 9012 |
| 1012 | set its time (SystemTime) | sets its clock; 9011, 9012 |
| 1061 / 1063 | its real-time / minute interval | 9011, 1061 RtdInterval / 1063 MinInterval, 9012 |
| 1062 / 1064 | set it (30–3600 s / 1–30 min) | sets it; 9011, 9012 (ExeRtn=3: out of range) |

A device's clock may start off (`Config.clock_offset` seconds) and drift (`Config.clock_drift`
seconds gained per real minute, from the start or from the last time it was set): its QNs and its
real-time packets' DataTime read that clock, so the platform can see it is off and set it. A
device with `Config.commands` False ignores every command (an older logger).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from gridgov.air.hj212 import codec
from gridgov.air.models import CST

if TYPE_CHECKING:
    from gridgov.air.hj212.sim_config import Config
    from gridgov.air.hj212.simulator import Device

COMMAND_CN = ("1011", "1012", "1061", "1062", "1063", "1064")
RTD_RANGE = (30, 3600)
MIN_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
OK, CONDITION_ERROR = 1, 3  # ExeRtn


class DeviceClock:
    """A logger's clock: the real time, plus an offset, plus a drift since it was last set."""

    def __init__(self, offset: float = 0.0, drift: float = 0.0) -> None:
        self.offset = offset
        self.drift = drift  # seconds gained per real minute
        self.since = time.time()

    def now(self) -> float:
        real = time.time()
        return real + self.offset + self.drift * (real - self.since) / 60

    def set(self, moment: float) -> None:
        real = time.time()
        self.offset = moment - real
        self.since = real


class DeviceSettings:
    """What the platform can read and set on a simulated logger."""

    def __init__(self, cfg: Config) -> None:
        self.clock = DeviceClock(cfg.clock_offset, cfg.clock_drift)
        self.rtd_interval = max(int(cfg.rtd_seconds or 0), 0) or 30  # seconds
        self.min_interval = 1
        self.answers = cfg.commands


def handle(device: Device, packet: codec.Packet) -> list[bytes]:
    """The device's replies to a command (empty: it ignores it)."""
    state = device.settings
    stats = device.stats
    stats.commands[packet.cn] = stats.commands.get(packet.cn, 0) + 1
    if not state.answers:
        return []
    try:
        items = packet.items()
    except codec.FrameError:
        return [device.reply(packet.qn, "9011", "QnRtn=3")]
    qn, cn = packet.qn, packet.cn
    replies = [device.reply(qn, "9011", "QnRtn=1")]
    result = OK
    if cn == "1011":
        stamp = codec.stamp(dt.datetime.fromtimestamp(state.clock.now(), CST))
        replies.append(device.upload(qn, cn, f"SystemTime={stamp}"))
    elif cn == "1012":
        try:
            moment = codec.parse_stamp(items.get("SystemTime", "")).timestamp()
        except codec.FrameError:
            result = CONDITION_ERROR
        else:
            state.clock.set(moment)
            device.last_qn_ms = 0  # its QNs follow the clock it now has
            stats.clock_sets += 1
    elif cn in ("1061", "1063"):
        if cn == "1061":
            name, value = "RtdInterval", state.rtd_interval
        else:
            name, value = "MinInterval", state.min_interval
        replies.append(device.upload(qn, cn, f"{name}={value}"))
    else:  # 1062, 1064
        name = "RtdInterval" if cn == "1062" else "MinInterval"
        text = items.get(name, "")
        value = int(text) if text.isdigit() and len(text) <= 5 else -1
        if cn == "1062" and RTD_RANGE[0] <= value <= RTD_RANGE[1]:
            state.rtd_interval = value
            if device.rtd_seconds:
                device.rtd_seconds = float(value)
        elif cn == "1064" and value in MIN_INTERVALS:
            state.min_interval = value
        else:
            result = CONDITION_ERROR
    replies.append(device.reply(qn, "9012", f"ExeRtn={result}"))
    return replies
