"""Monitoring factors (监测因子): every code a device sends, and how its values are averaged.

The six pollutants are the readings' columns (air_reading); every other factor a device sends
— meteorology (temperature a01001, humidity a01002, pressure a01006, wind speed a01007, wind
direction a01008), TSP, PM1, VOCs, noise, fume, status codes, codes nobody here knows — is
kept as a series of its own (FactorReading, one value per station, interval and code, with the
device's flag letter) and its hourly means (FactorHour), kept at ingestion in the batch's
transaction (factor_store.py) even where no rule uses it yet.

Means: of the valid values (flag N, a finite number, and for wind within its range); wind
direction is a vector mean — each direction's unit vector weighted by the wind speed sent with
it when there is one (so 350° and 10° average to 0°, never 180°), by 1 when the packet has no
speed; every other factor an arithmetic mean. An hour (or a real-time interval) with no valid
value keeps the mean of its flagged values with their flag letter, as the readings do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from gridgov.air import wind

Kind = Literal["pollutant", "meteorology", "other"]
# A reading's other factors: code → (value as sent, the device's flag letter, N when none).
Factors = dict[str, tuple[float, str]]
DIRECTION = "a01008"
SPEED = "a01007"
MAX_CODE = 40  # characters of a factor code kept (longer codes are not stored)
MAX_FACTORS_PER_PACKET = 64  # factor codes stored per packet at most (the rest are counted)


@dataclass(frozen=True)
class Factor:
    code: str
    zh: str
    en: str
    unit: str
    kind: Kind
    column: str | None = None  # the readings' column of a pollutant

    def name(self, language: str = "zh") -> str:
        return self.en if language.startswith("en") else self.zh


_KNOWN = (
    # The six pollutants (HJ 212-2017 codes): the readings' columns, in their units.
    Factor("a34004", "PM2.5", "PM2.5", "µg/m³", "pollutant", "pm25"),
    Factor("a34002", "PM10", "PM10", "µg/m³", "pollutant", "pm10"),
    Factor("a21026", "二氧化硫", "SO2", "µg/m³", "pollutant", "so2"),
    Factor("a21004", "二氧化氮", "NO2", "µg/m³", "pollutant", "no2"),
    Factor("a21005", "一氧化碳", "CO", "mg/m³", "pollutant", "co"),
    Factor("a05024", "臭氧", "O3", "µg/m³", "pollutant", "o3"),
    # Meteorology. Pressure in kPa, as HJ 212-2017 sends it (the standard's sample packet:
    # a01006-Rtd=101.380); a device sending hPa shows 1013.8 — the value is kept as sent.
    Factor("a01001", "温度", "temperature", "℃", "meteorology"),
    Factor("a01002", "湿度", "relative humidity", "%", "meteorology"),
    Factor("a01006", "气压", "pressure", "kPa", "meteorology"),
    Factor("a01007", "风速", "wind speed", "m/s", "meteorology"),
    Factor("a01008", "风向", "wind direction", "°", "meteorology"),
    # Dew point and rain have no HJ 212-2017 code: local codes (the file columns' names).
    Factor("dewp", "露点温度", "dew point", "℃", "meteorology"),
    Factor("rain", "降水量", "precipitation", "mm", "meteorology"),
    # Other ambient factors micro-stations and dust monitors send.
    Factor("a34001", "总悬浮颗粒物(TSP)", "TSP", "µg/m³", "other"),
    Factor("a34005", "PM1", "PM1", "µg/m³", "other"),  # vendor practice, not in the sheet
    Factor("a24088", "非甲烷总烃(VOCs)", "NMHC (VOCs)", "mg/m³", "other"),
    Factor("a21002", "氮氧化物", "NOx", "µg/m³", "other"),
    Factor("a21003", "一氧化氮", "NO", "µg/m³", "other"),
    # Noise (dB(A)): the A-weighted level and the usual statistics.
    Factor("LA", "噪声(A声级)", "noise (A-weighted)", "dB(A)", "other"),
    Factor("Leq", "等效声级", "equivalent noise level", "dB(A)", "other"),
    Factor("L10", "噪声L10", "noise L10", "dB(A)", "other"),
    Factor("L50", "噪声L50", "noise L50", "dB(A)", "other"),
    Factor("L90", "噪声L90", "noise L90", "dB(A)", "other"),
    # Emission monitors (CEMS): flue gas conditions.
    Factor("a01011", "烟气流速", "flue gas velocity", "m/s", "other"),
    Factor("a01012", "烟气温度", "flue gas temperature", "℃", "other"),
    Factor("a01013", "烟气压力", "flue gas pressure", "kPa", "other"),
    Factor("a01014", "烟气湿度", "flue gas humidity", "%", "other"),
    Factor("a19001", "氧气含量", "oxygen", "%", "other"),
    Factor("a00000", "废气流量", "flue gas flow", "m³/s", "other"),
)
FACTORS: dict[str, Factor] = {f.code.lower(): f for f in _KNOWN}
POLLUTANT_CODES = {f.column: f.code for f in _KNOWN if f.column}
KIND_ORDER = {"pollutant": 0, "meteorology": 1, "other": 2}


def factor(code: str) -> Factor:
    """The factor of a code (case-insensitive); an unknown code is kept under its own name."""
    known = FACTORS.get(code.lower())
    return known if known is not None else Factor(code, code, code, "", "other")


def is_factor_column(name: str) -> bool:
    """A file column that is a known factor beside the six (a01001, LA, a34001 …)."""
    known = FACTORS.get(name.lower())
    return known is not None and known.kind != "pollutant"


def canonical(code: str) -> str:
    """A known code as the standard spells it (`la` → `LA`); an unknown one as sent."""
    known = FACTORS.get(code.lower())
    return known.code if known is not None else code


def sort_key(code: str) -> tuple[int, str]:
    return KIND_ORDER[factor(code).kind], code.lower()


def valid(code: str, value: float | None, letter: str) -> bool:
    """A value that counts in means: flag N (or none), a finite number, wind in range."""
    if value is None or not math.isfinite(value) or letter.strip().upper() not in ("", "N"):
        return False
    lower = code.lower()
    if lower == DIRECTION:
        return wind.clean_direction(value) == wind.clean_direction(value)
    if lower == SPEED:
        return wind.clean_speed(value) == wind.clean_speed(value)
    return True


@dataclass
class Sums:
    """Running sums of one factor over an interval or an hour: valid values (n, total, and for
    wind direction the speed-weighted and unit vectors) and flagged ones apart."""

    n: int = 0
    total: float = 0.0
    x: float = 0.0  # Σ speed·sin(direction), over directions sent with a speed
    y: float = 0.0  # Σ speed·cos(direction)
    ux: float = 0.0  # Σ sin(direction), over every valid direction
    uy: float = 0.0
    bad_n: int = 0
    bad_total: float = 0.0
    bad_flag: str = ""

    def add(self, code: str, value: float | None, letter: str, speed: float | None) -> None:
        if valid(code, value, letter):
            assert value is not None
            self.n += 1
            self.total += value
            if code.lower() == DIRECTION:
                x, y = _vector(value)
                self.ux += x
                self.uy += y
                if speed is not None and valid(SPEED, speed, ""):
                    self.x += speed * x
                    self.y += speed * y
        elif value is not None and math.isfinite(value):
            self.bad_n += 1
            self.bad_total += value
            self.bad_flag = (letter.strip().upper() or "N")[:1]

    def merge(self, other: Sums) -> None:
        self.n += other.n
        self.total += other.total
        self.x += other.x
        self.y += other.y
        self.ux += other.ux
        self.uy += other.uy
        self.bad_n += other.bad_n
        self.bad_total += other.bad_total
        self.bad_flag = other.bad_flag or self.bad_flag

    def mean(self, code: str) -> tuple[float | None, str]:
        """(mean, flag letter): of the valid values ("N"), else of the flagged ones (their
        letter), else (None, "")."""
        if self.n:
            if code.lower() == DIRECTION:
                return direction_mean(self.x, self.y, self.ux, self.uy), "N"
            return self.total / self.n, "N"
        if self.bad_n:
            return self.bad_total / self.bad_n, self.bad_flag
        return None, ""


def _vector(direction: float) -> tuple[float, float]:
    rad = math.radians(direction)
    return math.sin(rad), math.cos(rad)


def direction_mean(x: float, y: float, ux: float, uy: float) -> float | None:
    """The mean direction (degrees, [0, 360)) of speed-weighted vectors (x, y), or of unit
    vectors (ux, uy) when no direction came with a speed (or every speed was calm); None when
    the directions cancel out."""
    for a, b in ((x, y), (ux, uy)):
        if math.hypot(a, b) > 1e-9:
            degrees = round(math.degrees(math.atan2(a, b)) % 360.0, 6)
            return 0.0 if degrees >= 360.0 else degrees + 0.0  # never -0.0 or 360
    return None


def parse_factors(given: object) -> tuple[Factors, list[tuple[str, str]]]:
    """An HTTP reading's `factors` object ({"a01001": 24.8, "LA": [57.9, "N"], …}) → factors,
    and (field, message) errors: codes of at most MAX_CODE characters, MAX_FACTORS_PER_PACKET
    of them, none of the six pollutants (they have their own fields); a finite number, or a
    number and a one-letter flag."""
    if not isinstance(given, dict):
        return {}, [("factors", 'must be an object of code: value or [value, "flag"]')]
    if len(given) > MAX_FACTORS_PER_PACKET:
        return {}, [("factors", f"at most {MAX_FACTORS_PER_PACKET} factors")]
    out: Factors = {}
    errors: list[tuple[str, str]] = []
    for code, item in given.items():
        name = f"factors.{code}"
        if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE:
            errors.append(("factors", f"a code is 1 to {MAX_CODE} characters"))
            continue
        if factor(code).kind == "pollutant":
            errors.append((name, f"send it as {factor(code).column}"))
            continue
        letter = "N"
        if isinstance(item, list | tuple) and len(item) == 2:
            item, letter = item
        if not isinstance(letter, str) or len(letter) != 1 or not letter.isalpha():
            errors.append((name, "the flag is one letter (N, F, M, D …)"))
            continue
        if isinstance(item, bool) or not isinstance(item, int | float):
            errors.append((name, "must be a number"))
            continue
        try:
            number = float(item)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            errors.append((name, "must be a finite number"))
            continue
        out[canonical(code)] = (number, letter.upper())
    return out, errors
