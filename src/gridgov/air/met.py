"""Meteorology columns of a readings file (气象要素列): wd, ws, temp, rh, dewp, pres, rain.

Each column is a factor (air/factors.py) stored with flag N through the factor path
(FactorReading, FactorHour; wind direction as a vector mean):

    wd   → a01008 风向 (°): degrees 0–360, or the 16-point compass N, NNE … NNW
           (case-insensitive); "calm", "C", "静风" = calm: no direction, the speed is kept
    ws   → a01007 风速 (m/s): 0–75
    temp → a01001 温度 (℃)
    rh   → a01002 湿度 (%): 0–100
    dewp → dewp    露点温度 (℃)   HJ 212-2017 has no code for it: a local code
    pres → a01006 气压: given in hPa, stored in kPa as HJ 212 sends it (÷ 10); 300–1100 hPa
    rain → rain    降水量 (mm): ≥ 0   HJ 212-2017 has no code for it: a local code

A value that is not a number (or compass word), not finite, or out of its range refuses its
row, naming the column; empty = missing.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from gridgov.air import wind
from gridgov.air.factors import DIRECTION, SPEED

COMPASS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
           "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")  # fmt: skip
BEARING = {name: i * 22.5 for i, name in enumerate(COMPASS)}
CALM_WORDS = {"calm", "c", "静风"}
PRES_HPA = (300.0, 1100.0)  # surface pressure in hPa (a kPa value, ~101, is refused)


def _number(text: str) -> float:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _within(lo: float | None, hi: float | None, unit: str) -> Callable[[float], float]:
    def check(value: float) -> float:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            span = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"
            raise ValueError(f"{value:g} is outside {span} {unit}".rstrip())
        return value

    return check


# column → (factor code, check and conversion of a finite number)
COLUMNS: dict[str, tuple[str, Callable[[float], float]]] = {
    "wd": (DIRECTION, _within(0.0, wind.WD_MAX, "°")),
    "ws": (SPEED, _within(0.0, wind.WS_MAX, "m/s")),
    "temp": ("a01001", _within(-90.0, 70.0, "℃")),
    "rh": ("a01002", _within(0.0, 100.0, "%")),
    "dewp": ("dewp", _within(-90.0, 70.0, "℃")),
    "pres": ("a01006", lambda hpa: _within(*PRES_HPA, "hPa")(hpa) / 10.0),
    "rain": ("rain", _within(0.0, None, "mm")),
}


def is_met_column(name: str) -> bool:
    return name.lower() in COLUMNS


def code_of(column: str) -> str:
    return COLUMNS[column.lower()][0]


def parse(column: str, raw: object) -> float | None:
    """A cell of a meteorology column → the value to store (pres in kPa), or None when it is
    empty or calm (wd). Raises ValueError with the reason for a bad value."""
    if raw is None:
        return None
    name = column.lower()
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
    else:
        text = str(raw).strip()
        if not text:
            return None
        if name == "wd":
            if text.lower() in CALM_WORDS:
                return None
            if text.upper() in BEARING:
                return BEARING[text.upper()]
            try:
                value = _number(text)
            except ValueError:
                raise ValueError(
                    f"{text!r} is neither degrees nor a 16-point compass word"
                ) from None
        else:
            value = _number(text)
    return COLUMNS[name][1](value)
