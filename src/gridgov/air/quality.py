"""Quality checks on values (flags, not errors). Every value is kept with its flags; invalid
values (negative, above range, not a number, a device flag other than N) enter no mean, suspect
ones (stuck, jump, far from the neighbours) do until a reviewer decides (air/review.py), and
control stations' published data are marked but never left out by these checks."""

from __future__ import annotations

import numpy as np
from django.conf import settings

from gridgov.air.models import POLLUTANT_FIELDS, Flag, StationKind

# Instrument ranges (µg/m³; CO mg/m³): above them a value is flagged, not refused.
RANGE = {"pm25": 1000.0, "pm10": 2000.0, "so2": 2620.0, "no2": 3840.0, "co": 60.0, "o3": 1200.0}
# Beyond this (in either sign) a number is no measurement at all, whatever the instrument: it
# is refused at the boundary instead of flagged (1 g/m³; CO 1,000 kg/m³ is caught earlier).
PHYSICAL_MAX = 1_000_000.0
# Largest change between consecutive readings of one station that the atmosphere makes.
MAX_JUMP = {"pm25": 500.0, "pm10": 800.0, "so2": 500.0, "no2": 500.0, "co": 20.0, "o3": 400.0}
# Consecutive readings within this many intervals count as consecutive for the jump check.
JUMP_GAP_INTERVALS = 5
# A value unchanged for this long is a stuck sensor, and never before STUCK_MIN_READINGS
# readings (hourly data rounded to 0.1 mg/m³ or 1 µg/m³ repeats for hours at clean sites).
STUCK_MINUTES = 120
STUCK_MIN_READINGS = 24
# At or below these (near analysers' detection limits) an unchanged value is normal, not stuck:
# clean air reads 2–3 µg/m³ of SO2 for many hours (µg/m³; CO mg/m³). GRIDGOV_STUCK_FLOORS
# overrides them ("so2=10,co=0.5").
STUCK_FLOOR = {"pm25": 5.0, "pm10": 10.0, "so2": 10.0, "no2": 10.0, "co": 0.5, "o3": 10.0}
# CO above this is almost certainly sent in µg/m³ instead of mg/m³: an error, not a flag.
CO_UNIT_LIMIT = 100.0


def flag_values(
    station: np.ndarray,
    ts: np.ndarray,
    values: np.ndarray,
    nan_given: np.ndarray,
    interval: np.ndarray,
    prev_ts: np.ndarray,
    prev_values: np.ndarray,
    prev_runs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Flags for rows sorted by (station, ts).

    prev_* give, per row, the station's state before this batch (used on the first row of each
    station: last ts, last values, and how many times each last value had repeated); NaN / -1
    where unknown. Returns (flags int16 (n, 6), run lengths (n, 6)).
    """
    n = len(ts)
    flags = np.zeros((n, len(POLLUTANT_FIELDS)), dtype=np.int16)
    runs = np.ones((n, len(POLLUTANT_FIELDS)), dtype=np.int64)
    if n == 0:
        return flags, runs
    first = np.ones(n, dtype=bool)
    first[1:] = station[1:] != station[:-1]
    idx = np.arange(n)
    before_ts = np.where(first, prev_ts, np.concatenate(([0], ts[:-1])))
    close = (ts - before_ts) <= interval * 60 * JUMP_GAP_INTERVALS
    need_stuck = np.maximum(STUCK_MINUTES // np.maximum(interval, 1), STUCK_MIN_READINGS)
    for j, p in enumerate(POLLUTANT_FIELDS):
        v = values[:, j]
        finite = np.isfinite(v)
        flags[:, j] |= np.where(nan_given[:, j], Flag.NOT_A_NUMBER, 0).astype(np.int16)
        flags[:, j] |= np.where(finite & (v < 0), Flag.NEGATIVE, 0).astype(np.int16)
        flags[:, j] |= np.where(finite & (v > RANGE[p]), Flag.ABOVE_RANGE, 0).astype(np.int16)
        prev = np.where(first, prev_values[:, j], np.concatenate(([np.nan], v[:-1])))
        with np.errstate(invalid="ignore"):
            jump = finite & np.isfinite(prev) & close & (np.abs(v - prev) > MAX_JUMP[p])
        flags[:, j] |= np.where(jump, Flag.JUMP, 0).astype(np.int16)
        # Run lengths of identical values, carried over from the previous batch.
        with np.errstate(invalid="ignore"):
            same = finite & (v == prev) & close
        starts = ~same | first
        carry = np.where(first & same, np.maximum(prev_runs[:, j], 0), 0)
        last_start = np.maximum.accumulate(np.where(starts, idx, 0))
        run = idx - last_start + 1 + carry[last_start]
        runs[:, j] = np.where(finite, run, 0)
        stuck = finite & (run >= need_stuck) & (v > stuck_floor(p))
        flags[:, j] |= np.where(stuck, Flag.STUCK, 0).astype(np.int16)
    return flags, runs


def stuck_floor(pollutant: str) -> float:
    """The floor in force (GRIDGOV_STUCK_FLOORS, else STUCK_FLOOR)."""
    configured = getattr(settings, "GRIDGOV_STUCK_FLOORS", {})
    return float(configured.get(pollutant, STUCK_FLOOR[pollutant]))


def exclusion_mask(kind: str) -> int:
    """The flags that leave a value out of means at a station of this kind: the invalid ones,
    and none at control stations (国控/省控), whose published data are taken as published."""
    if kind in (StationKind.NATIONAL, StationKind.PROVINCIAL):
        return 0
    return Flag.INVALID


def counted(flags: np.ndarray, mask: int | np.ndarray) -> np.ndarray:
    """Whether values with these flags enter means at a station whose exclusion mask is `mask`:
    a reviewer's decision first (rejected never, confirmed always), then the automatic flags."""
    flags = np.asarray(flags)
    automatic_ok = ((flags & mask) == 0) | ((flags & Flag.CONFIRMED) != 0)
    result: np.ndarray = automatic_ok & ((flags & Flag.REJECTED) == 0)
    return result


def counted_sql(column: str, mask: int) -> str:
    """counted() as an SQL condition on an integer flag column (the same on SQLite and
    PostgreSQL)."""
    return (
        f"((({column} & {int(mask)}) = 0 OR ({column} & {Flag.CONFIRMED}) <> 0) "
        f"AND ({column} & {Flag.REJECTED}) = 0)"
    )
