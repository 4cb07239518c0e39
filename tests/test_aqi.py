"""The AQI engine (gridgov.air.aqi) against /work/shared/standards/AIR_STANDARDS.md.

Every expected number in the tables below was worked out by hand from the breakpoint table, the
rounding rules and the level table of AIR_STANDARDS.md, never by calling the engine. The properties
and sweeps compare the engine with `ref_*`, an independent transcription of the same document in
exact Decimal / Fraction arithmetic.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.air.aqi import (
    Standard,
    daily_report,
    hourly_report,
    iaqi,
    level_numbers,
    record,
    round_concentration,
    round_decimal,
    round_units,
    standard_for,
)

S12 = Standard.HJ633_2012
S26 = Standard.HJ633_2026
BOTH = pytest.mark.parametrize("standard", [S12, S26], ids=["2012", "2026"])
NAN = math.nan

# --- the document, transcribed ---------------------------------------------------------------

STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
DOC_BP = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),  # (a) above 800
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_8h": (0, 100, 160, 215, 265, 800),  # (b) above 800
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
}
DOC_PM = {
    S12: {
        "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
        "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
    },
    S26: {
        "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
        "pm25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
    },
}
ALL_INDICATORS = (*DOC_BP, "pm10_24h", "pm25_24h")
DISPLAY = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3": "O3"}
# (upper AQI, level, name, category, RGB)
DOC_LEVELS = (
    (50, 1, "一级", "优", (0, 228, 0)),
    (100, 2, "二级", "良", (255, 255, 0)),
    (150, 3, "三级", "轻度污染", (255, 126, 0)),
    (200, 4, "四级", "中度污染", (255, 0, 0)),
    (300, 5, "五级", "重度污染", (153, 0, 76)),
    (math.inf, 6, "六级", "严重污染", (126, 0, 35)),
)
# Which indicator enters which report: (indicator, input key).
REF_SPEC = {
    ("daily", S12): (
        ("so2_24h", "so2"),
        ("no2_24h", "no2"),
        ("co_24h", "co"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
        ("o3_1h", "o3_1h_max"),
        ("o3_8h", "o3_8h_max"),
    ),
    ("daily", S26): (
        ("so2_24h", "so2"),
        ("no2_24h", "no2"),
        ("co_24h", "co"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
        ("o3_8h", "o3_8h_max"),
    ),
    ("hourly", S12): (
        ("so2_1h", "so2"),
        ("no2_1h", "no2"),
        ("co_1h", "co"),
        ("o3_1h", "o3"),
        ("o3_8h", "o3_8h"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
    ),
    ("hourly", S26): (
        ("so2_1h", "so2"),
        ("no2_1h", "no2"),
        ("co_1h", "co"),
        ("o3_1h", "o3"),
        ("pm10_24h", "pm10"),
        ("pm25_24h", "pm25"),
    ),
}
REPORT = {"daily": daily_report, "hourly": hourly_report}


def ref_bp(indicator: str, standard: Standard) -> tuple[int, ...]:
    return DOC_BP[indicator] if indicator in DOC_BP else DOC_PM[standard][indicator]


def ref_scale(indicator: str) -> int:
    return 10 if indicator.startswith("co") else 1


def ref_units(value: float, pollutant: str) -> int | None:
    """GB/T 8170 on the decimal value as written: integer µg/m³, or tenths of mg/m³ for CO."""
    if math.isnan(value):
        return None
    digits = 1 if pollutant == "co" else 0
    exact = Decimal(repr(float(value))).scaleb(digits)
    units = int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))
    return units if units >= 0 else None


def ref_formula(bp: tuple[int, ...], c: Fraction) -> int:
    """IAQI_Lo + ceil((IAQI_Hi − IAQI_Lo)·(C − BP_Lo)/(BP_Hi − BP_Lo)), exactly; c ≤ bp[-1]."""
    k = next(i for i in range(1, len(bp)) if c <= bp[i])
    return STEPS[k - 1] + math.ceil(
        (STEPS[k] - STEPS[k - 1]) * (c - bp[k - 1]) / (bp[k] - bp[k - 1])
    )


def ref_iaqi(indicator: str, standard: Standard, value: float) -> tuple[int | None, bool, bool]:
    """(IAQI, capped, beyond) of one raw concentration; IAQI None when missing or beyond (a)/(b)."""
    units = ref_units(value, indicator.split("_")[0])
    if units is None:
        return None, False, False
    c = Fraction(units, ref_scale(indicator))
    bp = ref_bp(indicator, standard)
    if c > bp[-1]:
        if len(bp) < len(STEPS):
            return None, False, True
        return 500, True, False
    return ref_formula(bp, c), False, False


def ref_level(aqi: int | None) -> tuple[int, str, str, str] | None:
    if aqi is None:
        return None
    for upper, number, name, category, rgb in DOC_LEVELS:
        if aqi <= upper:
            return number, name, category, "#{:02x}{:02x}{:02x}".format(*rgb)
    raise AssertionError("unreachable")


def ref_record(kind: str, standard: Standard, data: dict[str, float]) -> dict[str, object]:
    per: dict[str, int | None] = dict.fromkeys(DISPLAY)
    capped = False
    for indicator, key in REF_SPEC[kind, standard]:
        value, cap, beyond = ref_iaqi(indicator, standard, data.get(key, NAN))
        if beyond and indicator == "so2_1h":  # note (a)
            if standard is S26:
                value = 200
            else:
                value, cap, _ = ref_iaqi("so2_24h", standard, data.get("so2_24h", NAN))
        elif beyond:  # o3_8h, note (b)
            if standard is S26:
                value = 300
            else:
                one_hour = data.get("o3_1h_max" if kind == "daily" else "o3", NAN)
                value, cap, _ = ref_iaqi("o3_1h", standard, one_hour)
        capped = capped or cap
        p = indicator.split("_")[0]
        if value is not None and (per[p] is None or value > per[p]):
            per[p] = value
    present = [v for v in per.values() if v is not None]
    aqi = max(present, default=None)
    if standard is S26 and len(present) < len(per) and (aqi is None or aqi <= 100):
        aqi = None  # 2026 §5.3.1
    lvl = ref_level(aqi)
    return {
        "iaqi": per,
        "aqi": aqi,
        "level": lvl[0] if lvl else None,
        "level_name": lvl[1] if lvl else "NA",
        "category": lvl[2] if lvl else "NA",
        "colour": lvl[3] if lvl else None,
        "primary": {
            DISPLAY[p] for p, v in per.items() if aqi is not None and aqi > 50 and v == aqi
        },
        "exceeding": {
            DISPLAY[p] for p, v in per.items() if standard is S12 and v is not None and v > 100
        },
        "capped": capped,
    }


# --- helpers ---------------------------------------------------------------------------------


def run(kind: str, standard: Standard, **columns: object) -> list[dict[str, object]]:
    """Records of a report; each column a scalar or a list (one entry per record)."""
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in columns.items()}
    n = max(len(a) for a in arrays.values())
    data = {k: np.broadcast_to(a, (n,)).copy() for k, a in arrays.items()}
    report = REPORT[kind](data, standard)
    return [record(report, i) for i in range(len(report))]


def one(kind: str, standard: Standard, **columns: float) -> dict[str, object]:
    (rec,) = run(kind, standard, **columns)
    return rec


def values(indicator: str, concentrations: list[float], standard: Standard) -> list[int]:
    return iaqi(indicator, np.array(concentrations, dtype=float), standard).iaqi.tolist()


# --- 1. IAQI at, just below and just above every breakpoint ------------------------------------

# (indicator, concentrations, IAQIs): breakpoint − 1 unit, breakpoint, breakpoint + 1 unit.
COMMON_CASES = [
    ("so2_24h", (0, 1), (0, 1)),
    ("so2_24h", (49, 50, 51), (49, 50, 51)),
    ("so2_24h", (149, 150, 151), (100, 100, 101)),
    ("so2_24h", (474, 475, 476), (150, 150, 151)),
    ("so2_24h", (799, 800, 801), (200, 200, 201)),
    ("so2_24h", (1599, 1600, 1601), (300, 300, 301)),
    ("so2_24h", (2099, 2100, 2101), (400, 400, 401)),
    ("so2_24h", (2619, 2620, 2621), (500, 500, 500)),
    ("so2_1h", (0, 1), (0, 1)),
    ("so2_1h", (149, 150, 151), (50, 50, 51)),
    ("so2_1h", (499, 500, 501), (100, 100, 101)),
    ("so2_1h", (649, 650, 651), (150, 150, 151)),
    ("so2_1h", (799, 800), (200, 200)),  # above 800: note (a), see the report tests
    ("no2_24h", (0, 1), (0, 2)),
    ("no2_24h", (39, 40, 41), (49, 50, 52)),
    ("no2_24h", (79, 80, 81), (99, 100, 101)),
    ("no2_24h", (179, 180, 181), (150, 150, 151)),
    ("no2_24h", (279, 280, 281), (200, 200, 201)),
    ("no2_24h", (564, 565, 566), (300, 300, 301)),
    ("no2_24h", (749, 750, 751), (400, 400, 401)),
    ("no2_24h", (939, 940, 941), (500, 500, 500)),
    ("no2_1h", (0, 1), (0, 1)),
    ("no2_1h", (99, 100, 101), (50, 50, 51)),
    ("no2_1h", (199, 200, 201), (100, 100, 101)),
    ("no2_1h", (699, 700, 701), (150, 150, 151)),
    ("no2_1h", (1199, 1200, 1201), (200, 200, 201)),
    ("no2_1h", (2339, 2340, 2341), (300, 300, 301)),
    ("no2_1h", (3089, 3090, 3091), (400, 400, 401)),
    ("no2_1h", (3839, 3840, 3841), (500, 500, 500)),
    ("co_24h", (0.0, 0.1), (0, 3)),
    ("co_24h", (1.9, 2.0, 2.1), (48, 50, 53)),
    ("co_24h", (3.9, 4.0, 4.1), (98, 100, 101)),
    ("co_24h", (13.9, 14.0, 14.1), (150, 150, 151)),
    ("co_24h", (23.9, 24.0, 24.1), (200, 200, 201)),
    ("co_24h", (35.9, 36.0, 36.1), (300, 300, 301)),
    ("co_24h", (47.9, 48.0, 48.1), (400, 400, 401)),
    ("co_24h", (59.9, 60.0, 60.1), (500, 500, 500)),
    ("co_1h", (0.0, 0.1), (0, 1)),
    ("co_1h", (4.9, 5.0, 5.1), (49, 50, 51)),
    ("co_1h", (9.9, 10.0, 10.1), (99, 100, 101)),
    ("co_1h", (34.9, 35.0, 35.1), (150, 150, 151)),
    ("co_1h", (59.9, 60.0, 60.1), (200, 200, 201)),
    ("co_1h", (89.9, 90.0, 90.1), (300, 300, 301)),
    ("co_1h", (119.9, 120.0, 120.1), (400, 400, 401)),
    ("co_1h", (149.9, 150.0, 150.1), (500, 500, 500)),
    ("o3_8h", (0, 1), (0, 1)),
    ("o3_8h", (99, 100, 101), (50, 50, 51)),
    ("o3_8h", (159, 160, 161), (100, 100, 101)),
    ("o3_8h", (214, 215, 216), (150, 150, 151)),
    ("o3_8h", (264, 265, 266), (199, 200, 201)),
    ("o3_8h", (799, 800), (300, 300)),  # above 800: note (b), see the report tests
    ("o3_1h", (0, 1), (0, 1)),
    ("o3_1h", (159, 160, 161), (50, 50, 52)),
    ("o3_1h", (199, 200, 201), (99, 100, 101)),
    ("o3_1h", (299, 300, 301), (150, 150, 151)),
    ("o3_1h", (399, 400, 401), (200, 200, 201)),
    ("o3_1h", (799, 800, 801), (300, 300, 301)),
    ("o3_1h", (999, 1000, 1001), (400, 400, 401)),
    ("o3_1h", (1199, 1200, 1201), (500, 500, 500)),
]

PM_CASES = [
    (S12, "pm10_24h", (0, 1), (0, 1)),
    (S12, "pm10_24h", (49, 50, 51), (49, 50, 51)),
    (S12, "pm10_24h", (149, 150, 151), (100, 100, 101)),
    (S12, "pm10_24h", (249, 250, 251), (150, 150, 151)),
    (S12, "pm10_24h", (349, 350, 351), (200, 200, 202)),
    (S12, "pm10_24h", (419, 420, 421), (299, 300, 302)),
    (S12, "pm10_24h", (499, 500, 501), (399, 400, 401)),
    (S12, "pm10_24h", (599, 600, 601), (499, 500, 500)),
    (S12, "pm25_24h", (0, 1), (0, 2)),
    (S12, "pm25_24h", (34, 35, 36), (49, 50, 52)),
    (S12, "pm25_24h", (74, 75, 76), (99, 100, 102)),
    (S12, "pm25_24h", (114, 115, 116), (149, 150, 152)),
    (S12, "pm25_24h", (149, 150, 151), (199, 200, 201)),
    (S12, "pm25_24h", (249, 250, 251), (299, 300, 301)),
    (S12, "pm25_24h", (349, 350, 351), (399, 400, 401)),
    (S12, "pm25_24h", (499, 500, 501), (500, 500, 500)),
    (S26, "pm10_24h", (0, 1), (0, 1)),
    (S26, "pm10_24h", (49, 50, 51), (49, 50, 51)),
    (S26, "pm10_24h", (119, 120, 121), (100, 100, 101)),
    (S26, "pm10_24h", (249, 250, 251), (150, 150, 151)),
    (S26, "pm10_24h", (349, 350, 351), (200, 200, 202)),
    (S26, "pm10_24h", (419, 420, 421), (299, 300, 302)),
    (S26, "pm10_24h", (499, 500, 501), (399, 400, 401)),
    (S26, "pm10_24h", (599, 600, 601), (499, 500, 500)),
    (S26, "pm25_24h", (0, 1), (0, 2)),
    (S26, "pm25_24h", (34, 35, 36), (49, 50, 52)),
    (S26, "pm25_24h", (59, 60, 61), (98, 100, 101)),
    (S26, "pm25_24h", (114, 115, 116), (150, 150, 152)),
    (S26, "pm25_24h", (149, 150, 151), (199, 200, 201)),
    (S26, "pm25_24h", (249, 250, 251), (299, 300, 301)),
    (S26, "pm25_24h", (349, 350, 351), (399, 400, 401)),
    (S26, "pm25_24h", (499, 500, 501), (500, 500, 500)),
]


@BOTH
@pytest.mark.parametrize(("indicator", "concentrations", "expected"), COMMON_CASES)
def test_iaqi_around_each_breakpoint(standard, indicator, concentrations, expected):
    assert values(indicator, list(concentrations), standard) == list(expected)


@pytest.mark.parametrize(("standard", "indicator", "concentrations", "expected"), PM_CASES)
def test_pm_iaqi_around_each_breakpoint(standard, indicator, concentrations, expected):
    assert values(indicator, list(concentrations), standard) == list(expected)


@pytest.mark.parametrize(
    ("standard", "indicator", "concentration", "expected"),
    [
        (S12, "pm25_24h", 28, 40),
        (S26, "pm25_24h", 28, 40),
        (S12, "pm25_24h", 36, 52),
        (S12, "pm25_24h", 75, 100),
        (S26, "pm25_24h", 75, 114),
        (S12, "co_24h", 2.5, 63),
        (S26, "co_24h", 2.5, 63),
        (S12, "co_24h", 3.9, 98),
        (S26, "co_24h", 3.9, 98),
    ],
)
def test_worked_values_of_the_document(standard, indicator, concentration, expected):
    assert values(indicator, [concentration], standard) == [expected]


@BOTH
def test_missing_or_negative_concentration_has_no_iaqi(standard):
    result = iaqi("pm25_24h", np.array([NAN, -1.0, 20.0]), standard)
    assert result.iaqi.tolist() == [-1, -1, 29]  # 50·20/35 = 28.57… → 29
    assert not result.capped.any()


# --- 2. above the top breakpoint ---------------------------------------------------------------

CAPPED = [
    ("so2_24h", 2620, 2621),
    ("no2_24h", 940, 941),
    ("no2_1h", 3840, 3841),
    ("co_24h", 60.0, 60.1),
    ("co_1h", 150.0, 150.1),
    ("o3_1h", 1200, 1201),
    ("pm10_24h", 600, 601),
    ("pm25_24h", 500, 501),
]


@BOTH
@pytest.mark.parametrize(("indicator", "top", "above"), CAPPED)
def test_above_the_top_breakpoint_caps_at_500_and_flags(standard, indicator, top, above):
    # top + half a unit rounds (half to even) back to the top: not above.
    half = 0.05 if indicator.startswith("co") else 0.5
    result = iaqi(indicator, np.array([top, top + half, above, 10 * top]), standard)
    assert result.iaqi.tolist() == [500, 500, 500, 500]
    assert result.capped.tolist() == [False, False, True, True]
    assert not result.beyond.any()


@BOTH
@pytest.mark.parametrize(
    ("indicator", "top", "at_top"), [("so2_1h", 800, 200), ("o3_8h", 800, 300)]
)
def test_so2_1h_and_o3_8h_above_800_are_beyond_not_capped(standard, indicator, top, at_top):
    result = iaqi(indicator, np.array([top, top + 0.5, top + 1, 5 * top]), standard)
    assert result.iaqi.tolist()[:2] == [at_top, at_top]
    assert result.beyond.tolist() == [False, False, True, True]
    assert not result.capped.any()


LOW_HOURLY = {"no2": 20, "co": 0.5, "o3": 50, "pm10": 30, "pm25": 20}  # IAQI 10, 5, 16, 30, 29


def test_2012_hourly_so2_above_800_takes_the_iaqi_of_the_24h_mean():
    recs = run(
        "hourly",
        S12,
        so2=[799, 800, 800.5, 801, 900, 5000, 900],
        so2_24h=[100, 100, 100, 100, 100, 2000, NAN],
        o3_8h=50,
        **LOW_HOURLY,
    )
    # 1-h 799 → 150 + ⌈50·149/150⌉ = 200; 800.5 rounds to 800; above 800 the 24-h mean decides:
    # 100 → 50 + ⌈50·50/100⌉ = 75; 2000 → 300 + ⌈100·400/500⌉ = 380; no 24-h mean → no SO2 IAQI.
    assert [r["iaqi"]["so2"] for r in recs] == [200, 200, 200, 75, 75, 380, None]
    assert [r["aqi"] for r in recs[:6]] == [200, 200, 200, 75, 75, 380]
    assert [r["primary_pollutants"] for r in recs[:6]] == [["SO2"]] * 6
    assert not any(r["capped"] for r in recs)


def test_2012_hourly_so2_rule_is_not_monotone_by_design():
    # The standard itself makes the AQI drop when SO2 1-h crosses 800 with a low 24-h mean.
    low, high = run("hourly", S12, so2=[800, 801], so2_24h=100, o3_8h=50, **LOW_HOURLY)
    assert (low["aqi"], high["aqi"]) == (200, 75)


def test_2012_hourly_so2_fallback_above_the_top_of_the_24h_column_is_flagged_capped():
    rec = one("hourly", S12, so2=900, so2_24h=3000, o3_8h=50, **LOW_HOURLY)
    assert (rec["iaqi"]["so2"], rec["aqi"], rec["level"]) == (500, 500, 6)
    assert rec["capped"] is True  # "cap at 500 and flag it"


def test_2026_hourly_so2_above_800_is_200():
    recs = run("hourly", S26, so2=[800, 801, 900, 5000], so2_24h=2000, **LOW_HOURLY)
    assert [r["iaqi"]["so2"] for r in recs] == [200, 200, 200, 200]
    assert [r["aqi"] for r in recs] == [200, 200, 200, 200]
    assert not any(r["capped"] for r in recs)


LOW_DAILY = {"so2": 10, "no2": 20, "co": 0.5, "pm10": 40, "pm25": 30}  # IAQI 10, 25, 13, 40, 43


def test_2012_daily_o3_8h_above_800_takes_the_iaqi_of_the_1h_value():
    recs = run(
        "daily",
        S12,
        o3_8h_max=[800, 801, 850, 1000, 1300, 850],
        o3_1h_max=[800, 801, 850, 1100, 1300, NAN],
        **LOW_DAILY,
    )
    # 1-h: 801 → 300 + ⌈100·1/200⌉ = 301; 850 → 325; 1100 → 450; 1300 → 500 capped; none → none.
    assert [r["iaqi"]["o3"] for r in recs] == [300, 301, 325, 450, 500, None]
    assert [r["capped"] for r in recs] == [False, False, False, False, True, False]


def test_2012_hourly_o3_8h_above_800_takes_the_iaqi_of_the_1h_value():
    rec = one("hourly", S12, so2=10, no2=20, co=0.5, o3=900, o3_8h=850, pm10=30, pm25=20)
    assert rec["iaqi"]["o3"] == 350  # 300 + ⌈100·100/200⌉
    assert rec["aqi"] == 350


def test_2026_daily_o3_8h_above_800_is_300():
    recs = run("daily", S26, o3_8h_max=[800, 801, 850, 5000], o3_1h_max=1300, **LOW_DAILY)
    assert [r["iaqi"]["o3"] for r in recs] == [300, 300, 300, 300]
    assert [r["aqi"] for r in recs] == [300, 300, 300, 300]
    assert not any(r["capped"] for r in recs)


def test_capped_pollutant_in_reports():
    rec = one("daily", S12, o3_8h_max=50, o3_1h_max=80, **{**LOW_DAILY, "pm25": 600})
    assert (rec["aqi"], rec["level"], rec["capped"]) == (500, 6, True)
    assert (rec["category"], rec["colour"]) == ("严重污染", "#7e0023")
    rec = one("hourly", S26, so2=10, no2=20, co=0.5, o3=1300, pm10=30, pm25=20)
    assert (rec["iaqi"]["o3"], rec["aqi"], rec["capped"]) == (500, 500, True)


# --- 3. rounding (GB/T 8170, in decimal) -------------------------------------------------------


def test_rounding_is_half_to_even_on_the_decimal_value():
    pm = np.array([74.5, 75.5, 1234.5, 1235.5, 74.51])
    assert round_concentration(pm, "pm25").tolist() == [74, 76, 1234, 1236, 75]
    # the binary values of 0.15 and 1.05 are just off the tie, so binary rounding goes astray
    assert (round(0.15, 1), round(1.05, 1)) == (0.1, 1.1)
    co = np.array([2.25, 2.35, 0.15, 1.05, 0.45, 2.251])
    assert round_units(co, "co").tolist() == [22, 24, 2, 10, 4, 23]
    assert round_concentration(co, "co").tolist() == [2.2, 2.4, 0.2, 1.0, 0.4, 2.3]
    assert np.isnan(round_units(np.array([NAN]), "pm25")).all()


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (74.5, 0, "74"),
        (75.5, 0, "76"),
        (2.25, 1, "2.2"),
        (2.35, 1, "2.4"),
        (0.15, 1, "0.2"),
        (1.05, 1, "1.0"),
        ("2.25", 1, "2.2"),
        (Decimal("0.45"), 1, "0.4"),
        (2.675, 2, "2.68"),
    ],
)
def test_round_decimal(value, digits, expected):
    result = round_decimal(value, digits)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("standard", "indicator", "concentration", "expected"),
    [
        (S12, "pm25_24h", 74.5, 99),  # → 74: 50 + ⌈50·39/40⌉
        (S12, "pm25_24h", 75.5, 102),  # → 76: 100 + ⌈50·1/40⌉
        (S26, "pm25_24h", 74.5, 113),  # → 74: 100 + ⌈50·14/55⌉
        (S26, "pm25_24h", 75.5, 115),  # → 76: 100 + ⌈50·16/55⌉
        (S12, "co_24h", 2.25, 55),  # → 2.2: 50 + ⌈50·2/20⌉ (2.3 would give 58)
        (S12, "co_24h", 2.35, 60),  # → 2.4: 50 + ⌈50·4/20⌉
        (S26, "co_24h", 0.15, 5),  # → 0.2: ⌈50·2/20⌉ (0.1 would give 3)
        (S26, "co_24h", 1.05, 25),  # → 1.0: ⌈50·10/20⌉ (1.1 would give 28)
    ],
)
def test_concentrations_are_rounded_before_the_iaqi(standard, indicator, concentration, expected):
    assert values(indicator, [concentration], standard) == [expected]


def test_rounding_does_not_turn_near_ties_into_ties():
    assert [round_decimal(v, 0) for v in (75.4999999, 74.5000001)] == [75, 75]
    assert round_units(np.array([75.4999999, 74.5000001]), "pm25").tolist() == [75, 75]
    assert round_units(np.array([2.34999999, 2.25000001]), "co").tolist() == [23, 23]
    # PM2.5 75.4999999 is 75 → 100 (2012), not 76 → 102
    assert values("pm25_24h", [75.4999999], S12) == [100]


thousandths = st.one_of(
    st.integers(0, 10**9),
    st.integers(0, 2 * 10**7).map(lambda n: 50 * n),  # ties for CO (and every 10th for integers)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(thousandths, min_size=1, max_size=40), st.sampled_from(["pm25", "co"]))
def test_round_units_is_exact_decimal_half_even(ks, pollutant):
    xs = [k / 1000 for k in ks]
    digits = 1 if pollutant == "co" else 0
    expected = [
        int(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN).scaleb(digits))
        for x in xs
    ]
    assert round_units(np.array(xs), pollutant).tolist() == expected


# --- 4. reports --------------------------------------------------------------------------------


def test_daily_report_2012_and_2026_on_the_same_day():
    day = {"so2": 20, "no2": 50, "co": 1.2, "pm10": 120, "pm25": 70, "o3_8h_max": 120}
    r12 = one("daily", S12, o3_1h_max=180, **day)
    # 2012: SO2 20; NO2 50 + ⌈50·10/40⌉ = 63; CO ⌈50·12/20⌉ = 30; PM10 50 + ⌈50·70/100⌉ = 85;
    # PM2.5 50 + ⌈50·35/40⌉ = 94; O3 max(1-h 50 + ⌈50·20/40⌉ = 75, 8-h 50 + ⌈50·20/60⌉ = 67)
    assert r12["iaqi"] == {"pm25": 94, "pm10": 85, "so2": 20, "no2": 63, "co": 30, "o3": 75}
    assert (r12["aqi"], r12["level"], r12["level_name"]) == (94, 2, "二级")
    assert (r12["category"], r12["colour"]) == ("良", "#ffff00")
    assert r12["primary_pollutants"] == ["PM2.5"]
    assert r12["exceeding_pollutants"] == []
    assert r12["standard"] == "2012"
    r26 = one("daily", S26, o3_1h_max=180, **day)
    # 2026: PM10 50 + ⌈50·70/70⌉ = 100; PM2.5 100 + ⌈50·10/55⌉ = 110; O3 from 8-h only: 67
    assert r26["iaqi"] == {"pm25": 110, "pm10": 100, "so2": 20, "no2": 63, "co": 30, "o3": 67}
    assert (r26["aqi"], r26["level"], r26["level_name"]) == (110, 3, "三级")
    assert (r26["category"], r26["colour"]) == ("轻度污染", "#ff7e00")
    assert r26["primary_pollutants"] == ["PM2.5"]
    assert r26["exceeding_pollutants"] == []  # removed in 2026
    assert r26["standard"] == "2026"


def test_exceeding_pollutants_are_those_above_100_in_2012_only():
    day = {"so2": 100, "no2": 100, "co": 4.0, "pm10": 200, "pm25": 120, "o3_8h_max": 160}
    r12 = one("daily", S12, o3_1h_max=200, **day)
    # PM2.5 150 + ⌈50·5/35⌉ = 158; PM10 100 + ⌈50·50/100⌉ = 125; NO2 100 + ⌈50·20/100⌉ = 110;
    # SO2 50 + ⌈50·50/100⌉ = 75; CO 100 and O3 100 are not above 100.
    assert r12["iaqi"] == {"pm25": 158, "pm10": 125, "so2": 75, "no2": 110, "co": 100, "o3": 100}
    assert (r12["aqi"], r12["level"]) == (158, 4)
    assert (r12["category"], r12["colour"]) == ("中度污染", "#ff0000")
    assert r12["primary_pollutants"] == ["PM2.5"]
    assert set(r12["exceeding_pollutants"]) == {"PM2.5", "PM10", "NO2"}
    r26 = one("daily", S26, **day)
    assert r26["iaqi"]["pm10"] == 131  # 100 + ⌈50·80/130⌉
    assert r26["aqi"] == 158
    assert r26["exceeding_pollutants"] == []


@pytest.mark.parametrize(
    ("standard", "columns", "aqi", "primary"),
    [
        # PM2.5 75 → 100 and PM10 150 → 100 (2012); 60 → 100 and 120 → 100 (2026)
        (S12, {"pm25": 75, "pm10": 150}, 100, {"PM2.5", "PM10"}),
        (S26, {"pm25": 60, "pm10": 120}, 100, {"PM2.5", "PM10"}),
        # SO2 800, NO2 280, PM2.5 150 → 200 each
        (S12, {"so2": 800, "no2": 280, "pm25": 150}, 200, {"SO2", "NO2", "PM2.5"}),
        (S26, {"so2": 800, "no2": 280, "pm25": 150}, 200, {"SO2", "NO2", "PM2.5"}),
        # AQI 50: no primary pollutant even with a tie
        (S12, {"pm25": 35, "pm10": 50}, 50, set()),
        (S26, {"pm25": 35, "pm10": 50}, 50, set()),
        # AQI 51: PM10 51 → 51
        (S12, {"pm25": 30, "pm10": 51}, 51, {"PM10"}),
        (S26, {"pm25": 30, "pm10": 51}, 51, {"PM10"}),
    ],
)
def test_primary_pollutants_only_above_50_and_ties_together(standard, columns, aqi, primary):
    low = {"so2": 10, "no2": 20, "co": 0.5, "pm10": 0, "pm25": 0, "o3_8h_max": 50, "o3_1h_max": 80}
    rec = one("daily", standard, **{**low, **columns})
    assert rec["aqi"] == aqi
    assert set(rec["primary_pollutants"]) == primary
    assert len(rec["primary_pollutants"]) == len(primary)


ZERO_DAILY = {"so2": 0, "no2": 0, "co": 0, "pm25": 0, "o3_8h_max": 0, "o3_1h_max": 0}


@pytest.mark.parametrize(
    ("pm10", "aqi", "number", "name", "category", "rgb"),
    [
        (50, 50, 1, "一级", "优", (0, 228, 0)),
        (51, 51, 2, "二级", "良", (255, 255, 0)),
        (150, 100, 2, "二级", "良", (255, 255, 0)),
        (151, 101, 3, "三级", "轻度污染", (255, 126, 0)),
        (250, 150, 3, "三级", "轻度污染", (255, 126, 0)),
        (251, 151, 4, "四级", "中度污染", (255, 0, 0)),
        (350, 200, 4, "四级", "中度污染", (255, 0, 0)),
        (351, 202, 5, "五级", "重度污染", (153, 0, 76)),
        (420, 300, 5, "五级", "重度污染", (153, 0, 76)),
        (421, 302, 6, "六级", "严重污染", (126, 0, 35)),
        (600, 500, 6, "六级", "严重污染", (126, 0, 35)),
    ],
)
def test_level_category_and_colour_from_the_level_table(pm10, aqi, number, name, category, rgb):
    rec = one("daily", S12, pm10=pm10, **ZERO_DAILY)
    assert rec["aqi"] == aqi
    assert (rec["level"], rec["level_name"], rec["category"]) == (number, name, category)
    assert rec["colour"] == "#{:02x}{:02x}{:02x}".format(*rgb)


def test_2026_missing_pollutant_publishes_the_aqi_only_above_100():
    recs = run(
        "daily",
        S26,
        so2=10,
        no2=20,
        co=0.5,
        pm10=40,
        pm25=NAN,
        o3_8h_max=[120, 160, 161, 200],
    )
    # O3 8-h 120 → 67; 160 → 100; 161 → 100 + ⌈50·1/55⌉ = 101; 200 → 100 + ⌈50·40/55⌉ = 137
    assert [r["iaqi"]["o3"] for r in recs] == [67, 100, 101, 137]
    assert all(r["iaqi"]["pm25"] is None for r in recs)
    assert all(r["iaqi"]["pm10"] == 40 for r in recs)  # single-pollutant IAQIs still published
    assert [r["aqi"] for r in recs] == [None, None, 101, 137]
    assert [r["level"] for r in recs] == [None, None, 3, 3]
    assert [r["level_name"] for r in recs] == ["NA", "NA", "三级", "三级"]
    assert [r["category"] for r in recs] == ["NA", "NA", "轻度污染", "轻度污染"]
    assert [r["colour"] for r in recs] == [None, None, "#ff7e00", "#ff7e00"]
    assert [r["primary_pollutants"] for r in recs] == [[], [], ["O3"], ["O3"]]


def test_2026_missing_key_and_hourly_missing_data():
    # CO not reported at all: same as missing.
    rec = one("daily", S26, so2=10, no2=20, pm10=40, pm25=30, o3_8h_max=120)
    assert (rec["aqi"], rec["level"], rec["level_name"], rec["category"]) == (
        None,
        None,
        "NA",
        "NA",
    )
    assert rec["primary_pollutants"] == []
    assert rec["iaqi"]["o3"] == 67
    recs = run("hourly", S26, so2=10, no2=20, co=0.5, o3=NAN, pm10=30, pm25=[20, 130])
    # PM2.5 20 → 29 (NA); 130 → 150 + ⌈50·15/35⌉ = 172 (published)
    assert [r["aqi"] for r in recs] == [None, 172]
    assert [r["primary_pollutants"] for r in recs] == [[], ["PM2.5"]]
    # With everything present the AQI ≤ 100 is published.
    rec = one("hourly", S26, so2=10, no2=20, co=0.5, o3=50, pm10=30, pm25=20)
    assert (rec["aqi"], rec["level"]) == (30, 1)


def test_2012_daily_uses_the_o3_1h_max_and_2026_does_not():
    day = {**LOW_DAILY, "o3_8h_max": 150, "o3_1h_max": 350}
    r12 = one("daily", S12, **day)
    # 1-h max 350 → 150 + ⌈50·50/100⌉ = 175 decides; the 8-h max 150 → 50 + ⌈50·50/60⌉ = 92
    assert (r12["iaqi"]["o3"], r12["aqi"], r12["level"]) == (175, 175, 4)
    assert r12["primary_pollutants"] == ["O3"]
    assert r12["exceeding_pollutants"] == ["O3"]
    r26 = one("daily", S26, **day)
    assert (r26["iaqi"]["o3"], r26["aqi"], r26["level"]) == (92, 92, 2)
    assert r26["primary_pollutants"] == ["O3"]


def test_hourly_report_indicators_2012_and_2026():
    hour = {"so2": 100, "no2": 80, "co": 1.0, "o3": 150, "o3_8h": 200, "pm10": 60, "pm25": 40}
    r12 = one("hourly", S12, **hour)
    # 1-h breakpoints: SO2 ⌈50·100/150⌉ = 34, NO2 ⌈50·80/100⌉ = 40, CO ⌈50·10/50⌉ = 10,
    # O3 max(1-h ⌈50·150/160⌉ = 47, 8-h 100 + ⌈50·40/55⌉ = 137); PM on the 24-h breakpoints:
    # PM10 50 + ⌈50·10/100⌉ = 55, PM2.5 50 + ⌈50·5/40⌉ = 57.
    assert r12["iaqi"] == {"pm25": 57, "pm10": 55, "so2": 34, "no2": 40, "co": 10, "o3": 137}
    assert r12["aqi"] == 137
    assert r12["primary_pollutants"] == r12["exceeding_pollutants"] == ["O3"]
    r26 = one("hourly", S26, **hour)
    # no O3 8-h in 2026; PM10 50 + ⌈50·10/70⌉ = 58, PM2.5 50 + ⌈50·5/25⌉ = 60
    assert r26["iaqi"] == {"pm25": 60, "pm10": 58, "so2": 34, "no2": 40, "co": 10, "o3": 47}
    assert (r26["aqi"], r26["level"], r26["primary_pollutants"]) == (60, 2, ["PM2.5"])


@pytest.mark.parametrize(
    ("day", "standard"),
    [
        (dt.date(2013, 1, 1), S12),
        (dt.date(2025, 12, 31), S12),
        (dt.date(2026, 2, 28), S12),
        (dt.date(2026, 3, 1), S26),
        (dt.date(2026, 3, 2), S26),
        (dt.date(2031, 1, 1), S26),
    ],
)
def test_standard_for_switches_on_2026_03_01(day, standard):
    assert standard_for(day) is standard


# --- 5. properties of the reports ----------------------------------------------------------------

KEYS = {
    (kind, standard): tuple(key for _, key in spec) for (kind, standard), spec in REF_SPEC.items()
}
KEYS["hourly", S12] += ("so2_24h",)
KEY_MAX = {
    "so2": 3000,
    "so2_24h": 3000,
    "no2": 4200,
    "co": 170,
    "pm10": 700,
    "pm25": 600,
    "o3": 1400,
    "o3_1h_max": 1400,
    "o3_8h": 1000,
    "o3_8h_max": 1000,
}


def concentration(key: str) -> st.SearchStrategy[float]:
    hi = KEY_MAX[key]
    if key == "co":
        return st.one_of(
            st.integers(0, 10 * hi).map(lambda k: k / 10),
            st.integers(0, 20 * hi).map(lambda k: k / 20),
            st.integers(0, 1000 * hi).map(lambda k: k / 1000),
        )
    return st.one_of(
        st.integers(0, 300).map(float),
        st.integers(0, hi).map(float),
        st.integers(0, 2 * hi).map(lambda k: k / 2),
        st.integers(0, 1000 * hi).map(lambda k: k / 1000),
    )


kinds = st.sampled_from(list(REF_SPEC))


@st.composite
def report_inputs(draw, allow_missing: bool = True):
    kind, standard = draw(kinds)
    data = {key: draw(concentration(key)) for key in KEYS[kind, standard]}
    if allow_missing and standard is S26:  # 2012 defines no missing-data rule
        for key in draw(st.lists(st.sampled_from(KEYS[kind, standard]), max_size=3)):
            data[key] = NAN
    return kind, standard, data


@settings(max_examples=200, deadline=None)
@given(report_inputs())
def test_reports_match_the_reference(case):
    kind, standard, data = case
    got = one(kind, standard, **data)
    want = ref_record(kind, standard, data)
    assert got["iaqi"] == want["iaqi"]
    assert got["aqi"] == want["aqi"]
    for field in ("level", "level_name", "category", "colour"):
        assert got[field] == want[field], field
    assert set(got["primary_pollutants"]) == want["primary"]
    assert set(got["exceeding_pollutants"]) == want["exceeding"]
    assert got["capped"] == want["capped"]


@settings(max_examples=100, deadline=None)
@given(report_inputs(allow_missing=False))
def test_aqi_is_the_max_of_the_pollutant_iaqis(case):
    kind, standard, data = case
    got = one(kind, standard, **data)
    assert all(v is not None and 0 <= v <= 500 for v in got["iaqi"].values())
    assert got["aqi"] == max(got["iaqi"].values())


@st.composite
def raised_inputs(draw):
    kind, standard = draw(kinds)
    keys = KEYS[kind, standard]
    base = {key: draw(concentration(key)) for key in keys}
    key = draw(st.sampled_from(keys))
    raised = {**base, key: base[key] + draw(concentration(key))}
    for data in (base, raised):
        if (kind, standard) == ("daily", S12):
            # the day's max 1-h value is never below an 8-h mean inside the same day
            data["o3_1h_max"] = max(data["o3_1h_max"], data["o3_8h_max"])
        if (kind, standard) == ("hourly", S12):
            # rules (a)/(b) of 2012 switch to another value above 800 (not monotone by design)
            data["so2"] = min(data["so2"], 800)
            data["o3_8h"] = min(data["o3_8h"], 800)
    return kind, standard, base, raised


@settings(max_examples=150, deadline=None)
@given(raised_inputs())
def test_aqi_never_drops_when_a_concentration_rises(case):
    kind, standard, base, raised = case
    columns = {key: [base[key], raised[key]] for key in base}
    before, after = run(kind, standard, **columns)
    assert after["aqi"] >= before["aqi"]
    for p in DISPLAY:
        assert after["iaqi"][p] >= before["iaqi"][p]


@pytest.mark.parametrize(
    ("aqi", "number"),
    [
        (0, 1),
        (50, 1),
        (51, 2),
        (100, 2),
        (101, 3),
        (150, 3),
        (151, 4),
        (200, 4),
        (201, 5),
        (300, 5),
        (301, 6),
        (500, 6),
        (-1, 0),
    ],
)
def test_level_number_boundaries(aqi, number):
    assert level_numbers(np.array([aqi])).tolist() == [number]


@given(st.lists(st.integers(-1, 1000), min_size=1, max_size=50))
def test_level_numbers_follow_the_level_table(aqis):
    expected = [0 if a < 0 else ref_level(a)[0] for a in aqis]
    assert level_numbers(np.array(aqis)).tolist() == expected


# --- 6. exactness: every unit over the whole range, against Fractions -------------------------


def test_the_exactness_trap():
    # finite-precision decimal (28 digits): 50/35 × 28 = 40.00000000000000000000000001
    assert math.ceil(Decimal(50) / Decimal(35) * 28) == 41
    assert math.ceil(Fraction(50, 35) * 28) == 40
    assert values("pm25_24h", [28], S12) == values("pm25_24h", [28], S26) == [40]


@BOTH
@pytest.mark.parametrize("indicator", ALL_INDICATORS)
def test_every_unit_of_the_range_matches_exact_fractions(standard, indicator):
    bp = ref_bp(indicator, standard)
    scale = ref_scale(indicator)
    units = np.arange(0, bp[-1] * scale + 6)
    result = iaqi(indicator, units / scale, standard)
    inside = units <= bp[-1] * scale
    expected = [ref_formula(bp, Fraction(int(u), scale)) for u in units[inside]]
    assert result.iaqi[inside].tolist() == expected
    if len(bp) == len(STEPS):
        assert (result.iaqi[~inside] == 500).all()
        assert result.capped.tolist() == (~inside).tolist()
    else:
        assert result.beyond.tolist() == (~inside).tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(ALL_INDICATORS),
    st.sampled_from([S12, S26]),
    st.lists(st.integers(0, 4_000_000), min_size=1, max_size=30),
)
def test_iaqi_of_three_decimal_concentrations_matches_the_reference(indicator, standard, ks):
    xs = [k / 1000 for k in ks]
    result = iaqi(indicator, np.array(xs), standard)
    for x, got, capped, beyond in zip(
        xs, result.iaqi.tolist(), result.capped, result.beyond, strict=True
    ):
        want, want_capped, want_beyond = ref_iaqi(indicator, standard, x)
        assert (bool(capped), bool(beyond)) == (want_capped, want_beyond)
        if not want_beyond:
            assert got == want
