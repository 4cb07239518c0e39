"""The Chinese AQI exactly as HJ 633-2012 and HJ 633-2026 prescribe, vectorised over numpy arrays.

Every number here is from ../shared/standards/AIR_STANDARDS.md. Concentrations are rounded per
GB/T 8170 (half to even, on the decimal value) to integers (CO: tenths) first; the IAQI is then
computed in exact integer arithmetic and rounded up. Missing values are NaN in, -1 out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any

import numpy as np

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
DISPLAY = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3": "O3"}
BIT = {p: 1 << i for i, p in enumerate(POLLUTANTS)}
MISSING = -1
CHANGEOVER = dt.date(2026, 3, 1)


class Standard(StrEnum):
    HJ633_2012 = "2012"
    HJ633_2026 = "2026"


def standard_for(day: dt.date) -> Standard:
    """The standard in force for data of that (China Standard Time) day."""
    return Standard.HJ633_2026 if day >= CHANGEOVER else Standard.HJ633_2012


IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)

# indicator -> breakpoints, by standard where they differ. None past the end: see special rules.
_BP_COMMON: dict[str, tuple[int, ...]] = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_8h": (0, 100, 160, 215, 265, 800),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
}
_BP_PM = {
    Standard.HJ633_2012: {
        "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
        "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
    },
    Standard.HJ633_2026: {
        "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
        "pm25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
    },
}
INDICATORS = (*_BP_COMMON, "pm10_24h", "pm25_24h")


def breakpoints(indicator: str, standard: Standard) -> tuple[int, ...]:
    if indicator in _BP_COMMON:
        return _BP_COMMON[indicator]
    return _BP_PM[standard][indicator]


def pollutant_of(indicator: str) -> str:
    return indicator.split("_")[0]


# --- rounding (GB/T 8170) ---------------------------------------------------------------------


def decimals_for(pollutant: str) -> int:
    return 1 if pollutant == "co" else 0


def round_decimal(value: float | str | Decimal, digits: int) -> Decimal:
    """Exact scalar rounding of the decimal value as written (repr of a float), half to even."""
    text = value if isinstance(value, (str, Decimal)) else repr(float(value))
    return Decimal(text).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)


# A mean computed in binary carries rounding error from its sum (24 hourly means, 1,440 minutes:
# about 1e-13 of the value); a value that close to a tie is the tie it was computed from. Real
# near-ties of measured data lie far further out (75.4999999 is 1.3e-9 away).
TIE_TOLERANCE = 1e-11


def round_scaled(values: np.ndarray, digits: int) -> np.ndarray:
    """Values × 10^digits rounded per GB/T 8170 (half to even) on the decimal value.

    Ties are decided on the decimal value, not the binary one: 1.15 is stored as
    1.149999999999999911…, yet it is a tie, and goes to the even neighbour (1.15 → 1.2,
    2.25 → 2.2, 74.5 → 74). So is a mean whose binary sum landed a few units in the last place
    beside the tie (an exact 1.05 computed as 1.0500000000000003 → 1.0). Every other value goes
    to its nearest neighbour (75.4999999 → 75). NaN stays NaN.
    """
    scale = 10**digits
    v = np.asarray(values, dtype=float)
    scaled = v * scale
    lower = np.floor(scaled)
    with np.errstate(invalid="ignore"):
        tie = np.abs(scaled - (lower + 0.5)) <= TIE_TOLERANCE * np.maximum(1.0, np.abs(scaled))
    even = np.where(np.mod(lower, 2) == 0, lower, lower + 1)
    rounded: np.ndarray = np.where(tie, even, np.round(scaled))
    return rounded


def round_units(values: np.ndarray, pollutant: str) -> np.ndarray:
    """Concentrations rounded per GB/T 8170, as integers in units of the last kept digit
    (µg/m³, or tenths of mg/m³ for CO). NaN stays NaN (returned as a float array)."""
    return round_scaled(values, decimals_for(pollutant))


def round_concentration(values: np.ndarray, pollutant: str) -> np.ndarray:
    """Rounded concentrations in their own unit (e.g. CO 2.25 → 2.2)."""
    scaled: np.ndarray = round_units(values, pollutant) / 10 ** decimals_for(pollutant)
    return scaled


# --- IAQI ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IaqiResult:
    iaqi: np.ndarray  # int64, MISSING where no value
    capped: np.ndarray  # bool: above the top breakpoint, reported as 500
    beyond: np.ndarray  # bool: above the last breakpoint of so2_1h / o3_8h (special rules)


def iaqi_units(indicator: str, units: np.ndarray, standard: Standard) -> IaqiResult:
    """IAQI of concentrations already rounded to integer units (see round_units)."""
    pollutant = pollutant_of(indicator)
    scale = 10 ** decimals_for(pollutant)
    bp = np.array(breakpoints(indicator, standard), dtype=np.int64) * scale
    steps = np.array(IAQI_STEPS[: len(bp)], dtype=np.int64)
    units = np.asarray(units, dtype=float)
    valid = np.isfinite(units) & (units >= 0)
    c = np.where(valid, units, 0).astype(np.int64)
    hi = np.searchsorted(bp, c, side="left")
    beyond = valid & (hi >= len(bp))
    hi_c = np.clip(hi, 1, len(bp) - 1)
    lo_c = hi_c - 1
    numerator = (steps[hi_c] - steps[lo_c]) * (c - bp[lo_c])
    denominator = bp[hi_c] - bp[lo_c]
    value = steps[lo_c] - (-numerator // denominator)  # lo + ceil(num / den), exactly
    value = np.where(c == 0, 0, value)
    capped = beyond & (len(bp) == len(IAQI_STEPS))
    value = np.where(capped, 500, value)
    value = np.where(valid, value, MISSING)
    return IaqiResult(value.astype(np.int64), capped, beyond & ~capped)


def iaqi(indicator: str, concentrations: np.ndarray, standard: Standard) -> IaqiResult:
    """IAQI of raw concentrations (rounded here first)."""
    return iaqi_units(indicator, round_units(concentrations, pollutant_of(indicator)), standard)


# --- levels ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    category: str
    category_en: str
    colour: str
    rgb: tuple[int, int, int]

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


LEVELS = (
    Level(1, "一级", "优", "Excellent", "绿色", (0, 228, 0)),
    Level(2, "二级", "良", "Good", "黄色", (255, 255, 0)),
    Level(3, "三级", "轻度污染", "Lightly polluted", "橙色", (255, 126, 0)),
    Level(4, "四级", "中度污染", "Moderately polluted", "红色", (255, 0, 0)),
    Level(5, "五级", "重度污染", "Heavily polluted", "紫色", (153, 0, 76)),
    Level(6, "六级", "严重污染", "Severely polluted", "褐红色", (126, 0, 35)),
)
_LEVEL_UPPER = np.array([50, 100, 150, 200, 300], dtype=np.int64)


def level_numbers(aqi: np.ndarray) -> np.ndarray:
    """1–6 for each AQI, 0 where the AQI is missing/NA."""
    aqi = np.asarray(aqi, dtype=np.int64)
    return np.where(aqi < 0, 0, np.searchsorted(_LEVEL_UPPER, aqi, side="left") + 1)


def level(number: int) -> Level | None:
    return LEVELS[number - 1] if 1 <= number <= 6 else None


# --- reports ---------------------------------------------------------------------------------

# Which indicator enters which report, per standard: (indicator, input key).
DAILY = {
    Standard.HJ633_2012: (
        ("so2_24h", "so2"),
        ("no2_24h", "no2"),
        ("co_24h", "co"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
        ("o3_1h", "o3_1h_max"),
        ("o3_8h", "o3_8h_max"),
    ),
    Standard.HJ633_2026: (
        ("so2_24h", "so2"),
        ("no2_24h", "no2"),
        ("co_24h", "co"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
        ("o3_8h", "o3_8h_max"),
    ),
}
HOURLY = {
    Standard.HJ633_2012: (
        ("so2_1h", "so2"),
        ("no2_1h", "no2"),
        ("co_1h", "co"),
        ("o3_1h", "o3"),
        ("o3_8h", "o3_8h"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
    ),
    Standard.HJ633_2026: (
        ("so2_1h", "so2"),
        ("no2_1h", "no2"),
        ("co_1h", "co"),
        ("o3_1h", "o3"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
    ),
}


@dataclass(frozen=True)
class AqiReport:
    """Arrays of one report over n records."""

    standard: Standard
    iaqi: dict[str, np.ndarray]  # pollutant -> int64 IAQI (MISSING = none)
    aqi: np.ndarray  # int64; MISSING where NA
    level: np.ndarray  # 1–6, 0 = NA
    primary: np.ndarray  # bitmask of POLLUTANTS (BIT), 0 = none (AQI ≤ 50 or NA)
    exceeding: np.ndarray  # bitmask, IAQI > 100 (2012 only; zeros for 2026)
    capped: np.ndarray  # bool: some IAQI was above the top breakpoint
    complete: np.ndarray  # bool: every pollutant had a valid value

    def __len__(self) -> int:
        return len(self.aqi)


def _report(
    spec: tuple[tuple[str, str], ...],
    data: dict[str, np.ndarray],
    standard: Standard,
    extra_24h_so2: np.ndarray | None = None,
) -> AqiReport:
    n = len(next(iter(data.values())))
    per: dict[str, np.ndarray] = {p: np.full(n, MISSING, dtype=np.int64) for p in POLLUTANTS}
    capped = np.zeros(n, dtype=bool)
    results: dict[str, IaqiResult] = {}
    for indicator, key in spec:
        values = data.get(key)
        if values is None:
            values = np.full(n, np.nan)
        results[indicator] = iaqi(indicator, np.asarray(values, dtype=float), standard)
    # Special rules above the last breakpoint of SO2 1-h and O3 8-h.
    if "so2_1h" in results:
        r = results["so2_1h"]
        fallback_capped = np.zeros(n, dtype=bool)
        if standard == Standard.HJ633_2026:
            fixed = np.where(r.beyond, 200, r.iaqi)
        else:
            if extra_24h_so2 is not None:
                daily = iaqi("so2_24h", extra_24h_so2, standard)
                fallback, fallback_capped = daily.iaqi, r.beyond & daily.capped
            else:
                fallback = np.full(n, MISSING)
            fixed = np.where(r.beyond, fallback, r.iaqi)
        results["so2_1h"] = IaqiResult(fixed, r.capped | fallback_capped, r.beyond)
    if "o3_8h" in results:
        r = results["o3_8h"]
        if standard == Standard.HJ633_2026:
            fixed = np.where(r.beyond, 300, r.iaqi)
        else:
            one_hour = results.get("o3_1h")
            fallback = one_hour.iaqi if one_hour is not None else np.full(n, MISSING)
            fixed = np.where(r.beyond, fallback, r.iaqi)
        results["o3_8h"] = IaqiResult(fixed, r.capped, r.beyond)
    for indicator, r in results.items():
        p = pollutant_of(indicator)
        per[p] = np.maximum(per[p], r.iaqi)
        capped |= r.capped
    stack = np.stack([per[p] for p in POLLUTANTS])
    aqi = stack.max(axis=0)
    complete: np.ndarray = np.asarray((stack >= 0).all(axis=0))
    if standard == Standard.HJ633_2026:
        # §5.3.1: with a pollutant missing, publish the AQI only if it is above 100.
        aqi = np.where(complete | (aqi > 100), aqi, MISSING)
    bits = np.array([BIT[p] for p in POLLUTANTS], dtype=np.int64)[:, None]
    primary = np.where((stack == aqi) & (aqi > 50), bits, 0).sum(axis=0)
    exceeding = (
        np.where(stack > 100, bits, 0).sum(axis=0)
        if standard == Standard.HJ633_2012
        else np.zeros(n, dtype=np.int64)
    )
    return AqiReport(standard, per, aqi, level_numbers(aqi), primary, exceeding, capped, complete)


def daily_report(data: dict[str, np.ndarray], standard: Standard) -> AqiReport:
    """Daily AQI (日报). Keys: so2, no2, co, pm10, pm25 (24-h means), o3_8h_max, and for 2012
    o3_1h_max. Arrays of equal length; NaN = missing or invalid."""
    return _report(DAILY[standard], data, standard)


def hourly_report(data: dict[str, np.ndarray], standard: Standard) -> AqiReport:
    """Real-time AQI (实时报). Keys: so2, no2, co, o3, pm10, pm25 (1-h means; PM read on the 24-h
    breakpoints), for 2012 also o3_8h (moving mean) and so2_24h (for SO2 1-h above 800)."""
    return _report(HOURLY[standard], data, standard, extra_24h_so2=data.get("so2_24h"))


def pollutant_names(bitmask: int) -> list[str]:
    return [DISPLAY[p] for p in POLLUTANTS if int(bitmask) & BIT[p]]


def record(report: AqiReport, i: int) -> dict[str, Any]:
    """One record of a report as plain values (for the API and the CLI)."""
    lvl = level(int(report.level[i]))
    aqi = int(report.aqi[i])
    return {
        "iaqi": {p: (int(v[i]) if v[i] >= 0 else None) for p, v in report.iaqi.items()},
        "aqi": aqi if aqi >= 0 else None,
        "level": lvl.number if lvl else None,
        "level_name": lvl.name if lvl else "NA",
        "category": lvl.category if lvl else "NA",
        "category_en": lvl.category_en if lvl else "NA",
        "colour": lvl.hex if lvl else None,
        "primary_pollutants": pollutant_names(report.primary[i]),
        "exceeding_pollutants": pollutant_names(report.exceeding[i]),
        "capped": bool(report.capped[i]),
        "standard": report.standard.value,
    }
