"""Calibrated values beside the raw ones (校准).

A calibration (upkeep_models.Calibration) says: from `valid_from` (to `valid_to`), this
station's pollutant reads calibrated = slope × raw + intercept. Calibrated values are computed
**when read**, never written over the readings: the raw value stays what the device sent (the
evidence, and what the quality flags were computed on), a calibration entered late with an
earlier `valid_from` applies to the past at once, and correcting a wrong factor is editing one
row instead of rewriting millions. Where two calibrations overlap, the later `valid_from` wins;
where none is in force, the value is shown uncalibrated (calibrated = raw, `applied` False).

Only the series read through here are calibrated: hourly and daily aggregates, assessment and
rankings stay on the raw values (see the report's "left out")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection

from gridgov.air.models import POLLUTANT_FIELDS, Station
from gridgov.air.upkeep_models import Calibration
from gridgov.errors import INVALID, DomainError


@dataclass(frozen=True)
class Applied:
    """A series with its calibrated values: `calibration` holds, per value, the id of the
    calibration applied (0 where none)."""

    ts: np.ndarray
    raw: np.ndarray
    calibrated: np.ndarray
    calibration: np.ndarray

    @property
    def applied(self) -> np.ndarray:
        result: np.ndarray = self.calibration != 0
        return result


def _epoch(moment: dt.datetime | None, default: float) -> float:
    return moment.timestamp() if moment is not None else default


def in_force(station_id: int, pollutant: str) -> list[Calibration]:
    """The station's calibrations of the pollutant, oldest first."""
    return list(
        Calibration.objects.filter(station_id=station_id, pollutant=pollutant)
        .select_related("by")
        .order_by("valid_from", "pk")
    )


def in_force_of(
    station_ids: list[int], pollutants: tuple[str, ...]
) -> dict[tuple[int, str], list[Calibration]]:
    """{(station, pollutant): its calibrations, oldest first} for every pair, in one query."""
    out: dict[tuple[int, str], list[Calibration]] = {
        (sid, p): [] for sid in station_ids for p in pollutants
    }
    if not station_ids:
        return out
    found = (
        Calibration.objects.filter(station_id__in=station_ids, pollutant__in=pollutants)
        .select_related("by")
        .order_by("valid_from", "pk")
    )
    for c in found:
        out[(c.station_id, c.pollutant)].append(c)
    return out


def apply(calibrations: list[Calibration], ts: np.ndarray, raw: np.ndarray) -> Applied:
    """Calibrated values of a series (epoch seconds, raw values): the latest-starting
    calibration in force at each time, raw where none is (NaN stays NaN)."""
    ts = np.asarray(ts, dtype=np.int64)
    raw = np.asarray(raw, dtype=float)
    slope = np.ones(len(ts))
    intercept = np.zeros(len(ts))
    used = np.zeros(len(ts), dtype=np.int64)
    for c in sorted(calibrations, key=lambda c: (c.valid_from, c.pk)):
        lo = _epoch(c.valid_from, -np.inf)
        hi = _epoch(c.valid_to, np.inf)
        where = (ts >= lo) & (ts < hi)
        slope[where], intercept[where], used[where] = c.slope, c.intercept, c.pk
    calibrated = np.where(used != 0, slope * raw + intercept, raw)
    return Applied(ts, raw, calibrated, used)


def minute_series(station: Station, pollutant: str, start: int, end: int) -> Applied:
    """A station's stored (raw) values of a pollutant with start ≤ ts < end, calibrated."""
    if pollutant not in POLLUTANT_FIELDS:
        raise DomainError(INVALID, f"unknown pollutant {pollutant!r}", "pollutant")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ts, {pollutant} FROM air_reading WHERE station_id = %s "  # noqa: S608
            "AND ts >= %s AND ts < %s ORDER BY ts",
            [station.pk, start, end],
        )
        rows = np.array(
            [(t, np.nan if v is None else v) for t, v in cursor.fetchall()], dtype=float
        ).reshape(-1, 2)
    return apply(in_force(station.pk, pollutant), rows[:, 0].astype(np.int64), rows[:, 1])


def current(station_ids: list[int], at: dt.datetime) -> dict[tuple[int, str], Calibration]:
    """The calibration in force at `at` per (station, pollutant)."""
    found: dict[tuple[int, str], Calibration] = {}
    qs = (
        Calibration.objects.filter(station_id__in=station_ids, valid_from__lte=at)
        .select_related("by")
        .order_by("valid_from", "pk")
    )
    for c in qs:
        if c.valid_to is None or c.valid_to > at:
            found[(c.station_id, c.pollutant)] = c
    return found
