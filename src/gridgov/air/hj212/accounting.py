"""What the receiver counts per device: refusals with the last raw packets, tolerated variants
and factor codes it does not track.

Every refusal whose MN can be read is counted on that device (the station page then tells a
technician what is wrong: a byte-swapping logger is no longer "0 packets, no rejections"), with
the last few refused packets kept (KEEP_FAULTS, each cut to codec.RAW_KEEP bytes). The
variants a station tolerates (a CRC variant, the other length convention, a 2005-era header, an
empty password) are counted per packet that needed one.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from gridgov.air.hj212 import codec
from gridgov.air.hj212.store import KEEP_FAULTS, DeviceStats
from gridgov.air.models import CST

if TYPE_CHECKING:
    from gridgov.air.hj212.archive import ArchiveWriter
    from gridgov.air.hj212.connection import Connection
    from gridgov.air.hj212.fairness import Fairness, Network
    from gridgov.air.hj212.store import Device

MN_PATTERN = re.compile(rb"MN=([^;&,=\s]{1,24})[;&]")
MAX_UNTRACKED_CODES = 64  # distinct untracked codes counted per device between status writes
# Variant counters (DeviceStatus.variants).
CRC_MODBUS = "crc_modbus"
CRC_SWAPPED = "crc_swapped"
LENGTH_WITH_CRC = "length_with_crc"
NO_QN = "header_2005_no_qn"
NO_FLAG = "header_2005_no_flag"
EMPTY_PW = "empty_pw"


COUNTER_NAMES = (
    "connections",
    "refused",
    "packets",
    "answered",
    "rows_stored",
    "device_answers",
    "notices",
    "untracked_only",
    "backfill_requests",
    "commands_sent",
    "command_answers",
    "clock_syncs",
    "late_corrections",
    "closed_faults",
    "closed_idle",
)


class Accounting:
    """Counters of the receiver (a mixin of Receiver): by reason overall and per device."""

    devices: dict[str, Device]
    stats: dict[int, DeviceStats]
    rejections: Counter[str]
    counters: Counter[str]
    max_faults: int
    connections: set[Connection]
    started: float
    store_enabled: bool
    _pending_rows: int
    fairness: Fairness
    proxy_from: tuple[Network, ...]
    proxy_counts: Counter[str]
    outcome: tuple[str, str]
    archive: ArchiveWriter | None

    if TYPE_CHECKING:  # the Receiver's, declared for the type checker only

        @property
        def port(self) -> int: ...

    def summary(self) -> dict[str, Any]:
        return {
            "event": "hj212_stats",
            "time": dt.datetime.now(CST).isoformat(timespec="seconds"),
            "uptime": round(time.monotonic() - self.started, 1),
            "port": self.port,
            "store": self.store_enabled,
            "open": len(self.connections),
            "devices": len(self.devices),
            **{k: self.counters[k] for k in COUNTER_NAMES},
            "pending": self._pending_rows,
            "rejected": dict(sorted(self.rejections.items())),
            "fair": self.fairness.summary(),
            "proxy": dict(sorted(self.proxy_counts.items())) if self.proxy_from else None,
            "archive": self.archive.summary() if self.archive is not None else None,
        }

    def _stats(self, sid: int) -> DeviceStats:
        stats = self.stats.get(sid)
        if stats is None:
            stats = self.stats[sid] = DeviceStats()
        return stats

    def count_rejection(self, reason: str, device: Device | None = None) -> None:
        self.rejections[reason] += 1
        self.outcome = ("refused", reason)  # the packet being handled, for the archive
        if device is not None:
            stats = self._stats(device.info.id)
            stats.rejections[reason] += 1
            stats.dirty = True

    def fault(
        self, conn: Connection, reason: str, device: Device | None = None, raw: bytes = b""
    ) -> None:
        """A packet that is dropped unanswered; too many in a row close the connection. The
        packet's device is the one named by its MN where that can be read; its raw bytes are
        kept on that device."""
        if device is None and raw:
            found = MN_PATTERN.search(raw[: codec.RAW_KEEP])
            if found is not None:
                device = self.devices.get(found.group(1).decode("ascii", "replace"))
        self.count_rejection(reason, device)
        if device is not None and raw:
            self.keep_raw(device, reason, raw)
        conn.faults += 1
        if conn.faults >= self.max_faults:
            self.counters["closed_faults"] += 1
            conn.close()

    def keep_raw(self, device: Device, reason: str, raw: bytes) -> None:
        stats = self._stats(device.info.id)
        stats.faults.append(
            {
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "reason": reason,
                "raw": raw[: codec.RAW_KEEP].decode("ascii", "backslashreplace"),
            }
        )
        del stats.faults[:-KEEP_FAULTS]
        stats.dirty = True

    def count_variants(self, device: Device, packet: codec.Packet, crc: str, length: str) -> None:
        """The tolerated variants this packet needed, on its device."""
        variants = self._stats(device.info.id).variants
        if crc == codec.CRC_MODBUS:
            variants[CRC_MODBUS] += 1
        elif crc == codec.CRC_SWAPPED:
            variants[CRC_SWAPPED] += 1
        if length == codec.LENGTH_WITH_CRC:
            variants[LENGTH_WITH_CRC] += 1
        if not packet.qn:
            variants[NO_QN] += 1
        if "Flag" not in packet.fields:
            variants[NO_FLAG] += 1
        if not packet.pw:
            variants[EMPTY_PW] += 1

    def count_clock(self, device: Device, qn: str) -> None:
        """A data packet's QN on its device's clock counters (hj212/clock.py): in memory, written
        with the device's status."""
        if qn:
            self._stats(device.info.id).clock.see(qn)

    def count_untracked(self, device: Device, codes: list[str]) -> None:
        counter = self._stats(device.info.id).untracked
        for code in codes:
            if code in counter or len(counter) < MAX_UNTRACKED_CODES:
                counter[code] += 1
