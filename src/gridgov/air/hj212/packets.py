"""The data items of an HJ 212 data packet (CP=&&…&&): values, flags and wind."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from gridgov.air import factors as registry
from gridgov.air import wind
from gridgov.air.hj212 import codec
from gridgov.air.hj212.store import (
    NCOL,
)
from gridgov.air.models import Flag

if TYPE_CHECKING:
    from gridgov.air.factors import Factors
    from gridgov.air.hj212.store import Device
# HJ 212-2017 meteorological codes: wind direction (°, where it comes from) and speed (m/s).
WIND_CODES = {"a01008": wind.WD, "a01007": wind.WS}
MAX_ITEM_KEY = 40
MAX_ITEM_VALUE = 32


def read_data(
    packet: codec.Packet, device: Device, factors: Factors | None = None
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The data area → (ts, values, device flag bits, wind, untracked codes) in
    POLLUTANT_FIELDS order, with the station's codes and unit factors; FrameError("data_area")
    or ("no_values": no value of any factor). Wind (a01008 direction, a01007 speed) is (wd, ws),
    NaN where absent or out of range (never an error). Untracked codes are the factors with a
    value that are neither a pollutant nor wind (TSP, PM1, VOCs, noise…); values may be all NaN
    when a packet has only those. `factors`, when given, receives the other factors: every code
    that is not a pollutant (wind too) with a finite number: code (as the standard spells it,
    air/factors.py) → (value as sent, its `-Flag` letter, N when none), MAX_FACTORS_PER_PACKET
    of them at most."""
    items = packet.items()
    stamp = items.get("DataTime")
    if stamp is None:
        raise codec.FrameError("data_area", "no DataTime")
    ts = int(codec.parse_stamp(stamp).timestamp())
    suffix = "Rtd" if packet.cn == "2011" else "Avg"
    values = np.full(NCOL, np.nan)
    flags = np.zeros(NCOL, np.int16)
    wind_now = np.full(2, np.nan)
    untracked: list[str] = []
    other: dict[str, float] = {}
    letters: dict[str, str] = {}
    for key, text in items.items():
        if len(key) > MAX_ITEM_KEY or len(text) > MAX_ITEM_VALUE:
            raise codec.FrameError("data_area", f"item {key[:MAX_ITEM_KEY]!r} too long")
        code, dash, kind = key.rpartition("-")
        if not dash:
            continue
        j = device.codes.get(code.lower())
        if j is None:
            _other(code, kind, suffix, text, other, letters)
            w = WIND_CODES.get(code.lower())
            if w is not None and kind == suffix:
                try:
                    number = float(text)
                except ValueError:
                    continue  # a wind value that is no number is not used
                cleaned = wind.clean_direction if w == wind.WD else wind.clean_speed
                wind_now[w] = cleaned(number)
            elif w is None and kind == suffix:
                untracked.append(code)
            continue
        if kind == suffix:
            try:
                number = float(text)
            except ValueError:
                raise codec.FrameError("data_area", f"{key}={text!r} is not a number") from None
            if not math.isfinite(number):
                raise codec.FrameError("data_area", f"{key} is not a finite number")
            values[j] = number * device.factors[j]
        elif kind == "Flag":
            if len(text) > 1:
                raise codec.FrameError("data_area", f"{key}={text!r} is not a flag letter")
            flags[j] = Flag.device_code(text)
    present = ~np.isnan(values)
    if not present.any() and not untracked and np.isnan(wind_now).all():
        raise codec.FrameError("no_values", "no value of any factor")
    flags[~present] = 0
    if factors is not None:
        factors.update((c, (v, letters.get(c, "N"))) for c, v in other.items())
    return ts, values, flags, wind_now, untracked


def _other(
    code: str, kind: str, suffix: str, text: str, other: dict[str, float], letters: dict[str, str]
) -> None:
    """Keep a factor beside the six: its value (a finite number) or its flag letter."""
    if not code or len(code) > registry.MAX_CODE:
        return
    code = registry.canonical(code)
    if kind == suffix:
        try:
            number = float(text)
        except ValueError:
            return  # a status text, not a number: counted (untracked), not stored
        if math.isfinite(number) and (
            code in other or len(other) < registry.MAX_FACTORS_PER_PACKET
        ):
            other[code] = number
    elif kind == "Flag" and len(text) == 1:
        letters[code] = text.upper()
