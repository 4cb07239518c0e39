"""Tampering detection (干扰监测): the detectors, plain functions on arrays.

A station whose values drop sharply while its neighbours' do not, with its humidity jumping
(a water spray or a fog cannon near the inlet), or whose values or clock are implausibly
regular, is suspect. Each detector returns findings (station, kind, start, end, pollutants,
evidence with the numbers); tamper_scan.py reads the data, marks the values Flag.TAMPER and
opens the findings for a reviewer. Control stations (国控/省控) and emission monitors are not
judged: their published data are not a micro-station's to doubt.

Thresholds are the module's constants; GRIDGOV_TAMPER_THRESHOLDS overrides any of them by its
lower-case name ("spray_drop=0.6,flat_cv=0.02").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings

from gridgov.air.models import CST

HOUR = 3600
DAY = 86400
# spray: the hour's PM2.5 or PM10 mean falls by this share and this much (µg/m³) against the
# mean of the two hours before, while the neighbours' median change stays within NEIGHBOUR_CHANGE
# and the station's own humidity rises by SPRAY_RH_RISE points (or stands at SPRAY_RH_WET while
# the neighbours' median is at most SPRAY_RH_NEIGHBOURS).
SPRAY_DROP = 0.5
SPRAY_DROP_MIN = 20.0
NEIGHBOUR_CHANGE = 0.2
SPRAY_RH_RISE = 15.0
SPRAY_RH_WET = 95.0
SPRAY_RH_NEIGHBOURS = 80.0
RADIUS_KM = 5.0
MIN_NEIGHBOURS = 2
# flat: a day of at least FLAT_MIN_HOURS valid hourly means whose coefficient of variation is
# under FLAT_CV while the neighbours' median is at least FLAT_NEIGHBOUR_CV; a day repeating the
# day before in at least REPEAT_SHARE of its hours; a ramp of RAMP_HOURS hours.
FLAT_MIN_HOURS = 18.0
FLAT_CV = 0.03
FLAT_NEIGHBOUR_CV = 0.15
REPEAT_SHARE = 0.9
RAMP_HOURS = 12.0
# clock: a day of at least CLOCK_MIN_PACKETS data packets whose QNs share their milliseconds or
# are spaced exactly alike.
CLOCK_MIN_PACKETS = 60.0

PM = ("pm25", "pm10")


def limit(name: str) -> float:
    """A threshold in force: GRIDGOV_TAMPER_THRESHOLDS[name], else the constant NAME."""
    configured = getattr(settings, "GRIDGOV_TAMPER_THRESHOLDS", {})
    return float(configured.get(name.lower(), globals()[name.upper()]))


@dataclass(frozen=True)
class Finding:
    """What a detector saw: kind is spray, flat or clock; [start, end) epoch seconds."""

    station_id: int
    kind: str
    start: int
    end: int
    pollutants: tuple[str, ...]
    evidence: dict[str, Any] = field(default_factory=dict)


def _r(value: float, digits: int = 1) -> float | None:
    return round(float(value), digits) if np.isfinite(value) else None


def spray(
    station_id: int,
    hours: np.ndarray,
    own: np.ndarray,
    rh: np.ndarray,
    neighbours: np.ndarray,
    neighbour_rh: np.ndarray,
) -> list[Finding]:
    """Spray episodes of one station over consecutive hours.

    hours (T,) hour starts; own (T, 2) the station's PM2.5 and PM10 hourly means; rh (T,) its
    relative humidity (%); neighbours (K, T, 2) the neighbours' PM means; neighbour_rh (K, T).
    NaN where unknown. An hour is judged from its third on (it needs the two before)."""
    hours = np.asarray(hours, dtype=np.int64)
    own, rh = np.asarray(own, dtype=float), np.asarray(rh, dtype=float)
    near = np.asarray(neighbours, dtype=float).reshape(-1, len(hours), len(PM))
    near_rh = np.asarray(neighbour_rh, dtype=float).reshape(-1, len(hours))
    drop_share, drop_min = limit("spray_drop"), limit("spray_drop_min")
    calm, least = limit("neighbour_change"), int(limit("min_neighbours"))
    out: list[Finding] = []
    for t in range(2, len(hours)):
        base = own[t - 2 : t].mean(axis=0)  # NaN unless both hours are known
        with np.errstate(invalid="ignore", divide="ignore"):
            drop = base - own[t]
            share = drop / base
            falls = np.isfinite(share) & (share >= drop_share) & (drop >= drop_min)
        if not falls.any():
            continue
        near_base = near[:, t - 2 : t].mean(axis=1)  # (K, 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            change = (near[:, t] - near_base) / near_base
            known = np.isfinite(change) & (near_base > 0)
        kept: list[str] = []
        evidence: dict[str, Any] = {}
        for j, p in enumerate(PM):
            if not falls[j] or known[:, j].sum() < least:
                continue
            median = float(np.median(change[known[:, j], j]))
            if abs(median) >= calm:
                continue
            kept.append(p)
            evidence[p] = {
                "before": _r(base[j]),
                "at": _r(own[t, j]),
                "drop_pct": _r(100 * share[j]),
                "neighbours": int(known[:, j].sum()),
                "neighbour_change_pct": _r(100 * median),
            }
        if not kept:
            continue
        wet = _wet(rh, near_rh, t)
        if wet is None:
            continue
        evidence.update(wet)
        out.append(
            Finding(station_id, "spray", int(hours[t]), int(hours[t]) + HOUR, tuple(kept), evidence)
        )
    return out


def _wet(rh: np.ndarray, near_rh: np.ndarray, t: int) -> dict[str, Any] | None:
    """The humidity evidence of hour t, or None when the humidity says nothing of water."""
    now, before = rh[t], rh[t - 1]
    column = near_rh[:, t]
    near_median = (
        float(np.median(column[np.isfinite(column)])) if np.isfinite(column).any() else np.nan
    )
    numbers = {"rh_before": _r(before), "rh_at": _r(now), "neighbour_rh": _r(near_median)}
    if not np.isfinite(now):
        return None
    if np.isfinite(before) and now - before >= limit("spray_rh_rise"):
        return numbers
    wet, dry_around = limit("spray_rh_wet"), limit("spray_rh_neighbours")
    if now >= wet and np.isfinite(near_median) and near_median <= dry_around:
        return numbers
    return None


def cv(values: np.ndarray) -> np.ndarray:
    """Coefficients of variation of each row's finite values (NaN below FLAT_MIN_HOURS of them
    or a mean that is not positive)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    n = finite.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(finite, values, 0.0).sum(axis=-1) / np.maximum(n, 1)
        centred = np.where(finite, values - mean[..., None], 0.0)
        spread = np.sqrt((centred**2).sum(axis=-1) / np.maximum(n, 1))
        out = np.where((n >= limit("flat_min_hours")) & (mean > 0), spread / mean, np.nan)
    return np.asarray(out)


def flat_day(
    day: np.ndarray, previous: np.ndarray, neighbours: np.ndarray, floor: float
) -> dict[str, Any] | None:
    """Why one pollutant's day (24 hourly means) is implausibly regular, or None.

    previous (24,) the day before; neighbours (K, 24) the neighbours' same day; floor the
    pollutant's level at or below which repeated values are normal (quality.stuck_floor)."""
    day, previous = np.asarray(day, dtype=float), np.asarray(previous, dtype=float)
    known = np.isfinite(day)
    n = int(known.sum())
    if n < limit("flat_min_hours"):
        return None
    values = day[known]
    if np.ptp(values) == 0:
        return None  # one value all day: the stuck check's (Flag.STUCK), not this one
    own_cv = float(cv(day[None, :])[0])
    near_cv = cv(np.asarray(neighbours, dtype=float).reshape(-1, len(day)))
    near_cv = near_cv[np.isfinite(near_cv)]
    if (
        np.isfinite(own_cv)
        and float(values.mean()) > floor  # near the detection limit steady values are normal
        and own_cv < limit("flat_cv")
        and len(near_cv) >= limit("min_neighbours")
        and float(np.median(near_cv)) >= limit("flat_neighbour_cv")
    ):
        return {
            "rule": "cv",
            "hours": n,
            "cv": round(own_cv, 4),
            "neighbour_cv": round(float(np.median(near_cv)), 4),
            "neighbours": len(near_cv),
        }
    both = known & np.isfinite(previous)
    same = both & (day == previous) & (day > floor)
    if both.sum() >= limit("flat_min_hours") and same.sum() >= limit("repeat_share") * both.sum():
        return {"rule": "repeat", "hours": int(both.sum()), "equal": int(same.sum())}
    ramp = longest_ramp(day)
    if ramp >= limit("ramp_hours"):
        return {"rule": "ramp", "hours": ramp}
    return None


def longest_ramp(values: np.ndarray) -> int:
    """The most consecutive known values whose first differences are equal and not zero."""
    values = np.asarray(values, dtype=float)
    diff = np.diff(values)
    with np.errstate(invalid="ignore"):
        steady = (
            np.isfinite(diff[1:])
            & np.isfinite(diff[:-1])
            & (diff[1:] != 0)
            & np.isclose(diff[1:], diff[:-1], rtol=1e-6, atol=1e-9)
        )
    best = run = 0
    for ok in steady.tolist():
        run = run + 1 if ok else 0
        best = max(best, run)
    return best + 2 if best else 0


@dataclass(frozen=True)
class ClockDay:
    """A device's QN counters for one day (hj212/store.py DeviceStats): data packets with a QN,
    the distinct millisecond parts seen (at most two kept), the least and greatest spacing
    between successive QNs (ms; None before the second packet)."""

    day: str  # YYYYMMDD, the QN's day (China Standard Time)
    packets: int
    millis: tuple[int, ...]
    gap_min: int | None
    gap_max: int | None


def clock(station_id: int, days: list[ClockDay]) -> list[Finding]:
    """Days whose QNs are implausibly regular: identical milliseconds, or identical spacing."""
    out = []
    for d in days:
        if d.packets < limit("clock_min_packets"):
            continue
        same_ms = len(d.millis) == 1
        same_gap = d.gap_min is not None and d.gap_min == d.gap_max
        if not (same_ms or same_gap):
            continue
        try:
            day = dt.datetime.strptime(d.day, "%Y%m%d").replace(tzinfo=CST)
        except ValueError:
            continue  # not a day a QN names (a device's garbage, counted as sent)
        start = int(day.timestamp())
        evidence = {
            "packets": d.packets,
            "millis": list(d.millis) if same_ms else None,
            "gap_ms": d.gap_min if same_gap else None,
        }
        out.append(Finding(station_id, "clock", start, start + DAY, (), evidence))
    return out
