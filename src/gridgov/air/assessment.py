"""Assessment over any period and unit (HJ 663): period statistics, percentiles, the
comprehensive index, good-day ratio, days by level, year-on-year change; targets and the
allowance for the remaining days; rankings.

A unit (station, community, street/town, district) has one value per day: the mean of its
stations' valid daily values. Everything is computed from the daily aggregates, never minutes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gridgov.air import aqi, months
from gridgov.air.aggregate import DAILY_KEYS_ORDER, date_number
from gridgov.air.aggregate import day_date as date_from_number
from gridgov.air.models import AMBIENT_KINDS, Station, Target, TargetMetric
from gridgov.air.stats import (
    RANK_METRICS,
    YOY_KEYS,
    DailySeries,
    Limits,
    Unit,
    comprehensive_indices,
    percentiles,
    rounded,
    rounded_all,
    same_period_last_year,
)
from gridgov.territory.models import Level, Region

DAILY_KEYS = DAILY_KEYS_ORDER
MEAN_KEYS = ("so2", "no2", "pm10", "pm25")


LIMITS_2012 = Limits("GB 3095-2012", so2=60, no2=40, pm10=70, pm25=35)
LIMITS_2026_TRANSITION = Limits("GB 3095-2026 (2026–2030)", so2=60, no2=40, pm10=60, pm25=30)
LIMITS_2031 = Limits("GB 3095-2026 (2031–)", so2=20, no2=30, pm10=50, pm25=25)


def limits_for(day: dt.date) -> Limits:
    """Grade-II limits in force on a day (a period uses the limits in force on its last day)."""
    if day < aqi.CHANGEOVER:
        return LIMITS_2012
    if day < dt.date(2031, 1, 1):
        return LIMITS_2026_TRANSITION
    return LIMITS_2031


# --- required valid days ---------------------------------------------------------------------


def required_days(start: dt.date, end: dt.date) -> int:
    """Valid days a period needs: a calendar month 27 (February 25), a calendar year 324,
    any other period the same share as a year (324/365), rounded up."""
    days = (end - start).days + 1
    if start.day == 1 and end == start.replace(day=calendar.monthrange(start.year, start.month)[1]):
        return 25 if start.month == 2 else 27
    if (
        (start.month, start.day) == (1, 1)
        and (end.month, end.day) == (12, 31)
        and (start.year == end.year)
    ):
        return 324
    return math.ceil(days * 324 / 365)


def station_units(codes: list[str] | None = None) -> list[Unit]:
    """Stations as units: the given codes, or every active station when codes is None."""
    qs = Station.objects.filter(active=True, kind__in=AMBIENT_KINDS)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return [
        Unit(code, name, "station", (pk,))
        for pk, code, name in qs.order_by("code").values_list("pk", "code", "name")
    ]


def region_units(regions: list[Region]) -> list[Unit]:
    """Each region with the stations inside its subtree (by their grid's path of ancestors)."""
    inside: dict[int, list[int]] = defaultdict(list)
    for pk, path in Station.objects.filter(
        active=True, grid__isnull=False, kind__in=AMBIENT_KINDS
    ).values_list("pk", "grid__path"):
        for ancestor in path.strip("/").split("/"):
            inside[int(ancestor)].append(pk)
    return [
        Unit(r.code, r.name, Level(r.level).name.lower(), tuple(sorted(inside.get(r.pk, ()))))
        for r in regions
    ]


def level_units(level: int) -> list[Unit]:
    return region_units(list(Region.objects.active().filter(level=level).order_by("code")))


def daily_series(units: list[Unit], start: dt.date, end: dt.date) -> DailySeries:
    """Each unit's daily values over the period, from the monthly store."""
    first, last = date_number(start), date_number(end)
    days = np.arange(first, last + 1)
    ids = sorted({sid for u in units for sid in u.station_ids})
    per_station = months.read(ids, start, end)  # (stations, days, keys)
    # A unit's daily value is the mean of its stations' valid values (HJ 663): sum over the
    # (unit, station) pairs, grouped by unit.
    position = {sid: i for i, sid in enumerate(ids)}
    pairs = [(u, position[sid]) for u, unit in enumerate(units) for sid in unit.station_ids]
    values = {k: np.full((len(units), len(days)), np.nan) for k in DAILY_KEYS}
    if pairs and len(pairs) == len(units) and all(len(u.station_ids) == 1 for u in units):
        # One station per unit (a station ranking): its values are the unit's values.
        picked = per_station[[p for _, p in pairs]]
        for j, k in enumerate(DAILY_KEYS):
            values[k] = picked[:, :, j]
        return DailySeries(units, days, values, picked[:, :, months.AQI_COLUMN])
    elif pairs:
        unit_of, station_of = (np.array(column) for column in zip(*pairs, strict=True))
        starts = np.flatnonzero(np.r_[True, unit_of[1:] != unit_of[:-1]])
        block = per_station[station_of]  # (pairs, days, keys)
        finite = np.isfinite(block)
        sums = np.add.reduceat(np.where(finite, block, 0.0), starts, axis=0)
        counts = np.add.reduceat(finite, starts, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(counts > 0, sums / counts, np.nan)
        for j, k in enumerate(DAILY_KEYS):
            values[k][unit_of[starts]] = means[:, :, j]
    return DailySeries(units, days, values)


def daily_aqi(series: DailySeries, standard: aqi.Standard | None = None) -> aqi.AqiReport:
    """Daily AQI of every unit-day, flattened (units × days); the standard by each day's date
    unless forced."""
    flat = {k: v.ravel() for k, v in series.values.items()}
    n_days = len(series.days)
    if standard is None and series.stored_aqi is not None:
        # Station units: the AQI was computed at ingestion under each day's standard.
        stored = series.stored_aqi.ravel()
        aqi_values = np.where(np.isfinite(stored), stored, aqi.MISSING).astype(np.int64)
        empty = np.zeros(len(aqi_values), dtype=np.int64)
        return aqi.AqiReport(
            standard=aqi.standard_for(date_from_number(int(series.days[-1]))),
            iaqi={},
            aqi=aqi_values,
            level=aqi.level_numbers(aqi_values),
            primary=empty,
            exceeding=empty,
            capped=empty.astype(bool),
            complete=empty.astype(bool),
        )
    if standard is not None:
        return aqi.daily_report(flat, standard)
    dates = np.tile(series.days, len(series.units))
    changeover = date_number(aqi.CHANGEOVER)
    if len(series.days) and series.days[0] >= changeover:
        return aqi.daily_report(flat, aqi.Standard.HJ633_2026)
    if len(series.days) and series.days[-1] < changeover:
        return aqi.daily_report(flat, aqi.Standard.HJ633_2012)
    reports = {s: aqi.daily_report(flat, s) for s in aqi.Standard}
    new = dates >= changeover
    old_r, new_r = reports[aqi.Standard.HJ633_2012], reports[aqi.Standard.HJ633_2026]

    def pick(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(new if a.ndim == 1 else new[None, :], b, a)

    del n_days
    return aqi.AqiReport(
        standard=aqi.Standard.HJ633_2026 if new.all() else aqi.Standard.HJ633_2012,
        iaqi={p: pick(old_r.iaqi[p], new_r.iaqi[p]) for p in aqi.POLLUTANTS},
        aqi=pick(old_r.aqi, new_r.aqi),
        level=pick(old_r.level, new_r.level),
        primary=pick(old_r.primary, new_r.primary),
        exceeding=pick(old_r.exceeding, new_r.exceeding),
        capped=pick(old_r.capped, new_r.capped),
        complete=pick(old_r.complete, new_r.complete),
    )


# --- period statistics -----------------------------------------------------------------------


@dataclass
class Assessment:
    code: str
    name: str
    start: dt.date
    end: dt.date
    valid_days: int
    required_days: int
    so2: float
    no2: float
    pm10: float
    pm25: float
    co_p95: float
    o3_8h_p90: float
    comprehensive_index: float
    good_days: int
    aqi_days: int
    good_day_ratio: float
    days_by_level: dict[int, int]
    limits: str
    year_on_year: dict[str, float] = field(default_factory=dict)

    @property
    def enough_data(self) -> bool:
        return self.valid_days >= self.required_days

    def as_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, dict):
                return {str(k): clean(x) for k, x in v.items()}
            if isinstance(v, dt.date):
                return v.isoformat()
            return v

        data = {k: clean(v) for k, v in self.__dict__.items()}
        data["enough_data"] = self.enough_data
        return data


def _stats(series: DailySeries, report: aqi.AqiReport, limits: Limits) -> dict[str, np.ndarray]:
    """Period statistics of every unit at once (arrays over units)."""
    n_units, n_days = len(series.units), len(series.days)
    v = series.values
    stats: dict[str, np.ndarray] = {}
    for k in MEAN_KEYS:
        finite = np.isfinite(v[k])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(finite, v[k], 0.0).sum(axis=1) / finite.sum(axis=1)
        stats[k] = rounded_all(mean, k)
    stats["co_p95"] = rounded_all(percentiles(v["co"], 95), "co")
    stats["o3_8h_p90"] = rounded_all(percentiles(v["o3_8h_max"], 90), "o3")
    stats["comprehensive_index"] = comprehensive_indices(stats, limits)
    aqi_u = report.aqi.reshape(n_units, n_days)
    levels = report.level.reshape(n_units, n_days)
    valid_aqi = aqi_u >= 0
    stats["aqi_days"] = valid_aqi.sum(axis=1)
    stats["good_days"] = (valid_aqi & (aqi_u <= 100)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = 100.0 * stats["good_days"] / stats["aqi_days"]
    stats["good_day_ratio"] = aqi.round_scaled(ratio, 1) / 10
    stats["days_by_level"] = np.stack([(levels == lvl).sum(axis=1) for lvl in range(1, 7)], 1)
    # A valid day: all six pollutants' daily values valid.
    six = ("pm25", "pm10", "so2", "no2", "co", "o3_8h_max")
    stats["valid_days"] = np.all([np.isfinite(v[k]) for k in six], axis=0).sum(axis=1)
    return stats


_STATS_CACHE: dict[tuple[Any, ...], dict[str, np.ndarray]] = {}
_STATS_CACHE_SIZE = 64


def clear_cache() -> None:
    _STATS_CACHE.clear()


def period_stats(
    units: list[Unit], start: dt.date, end: dt.date, standard: aqi.Standard | None
) -> dict[str, np.ndarray]:
    """Statistics of every unit over a period, cached until a month of the period is rewritten
    (last year's period, which year-on-year needs, practically never is)."""
    key = (tuple(u.station_ids for u in units), start, end, standard, months.revisions(start, end))
    cached = _STATS_CACHE.get(key)
    if cached is not None:
        return cached
    series = daily_series(units, start, end)
    stats = _stats(series, daily_aqi(series, standard), limits_for(end))
    if len(_STATS_CACHE) >= _STATS_CACHE_SIZE:
        _STATS_CACHE.pop(next(iter(_STATS_CACHE)))
    _STATS_CACHE[key] = stats
    return stats


def assess(
    units: list[Unit],
    start: dt.date,
    end: dt.date,
    standard: aqi.Standard | None = None,
    year_on_year: bool = True,
) -> list[Assessment]:
    limits = limits_for(end)
    s = period_stats(units, start, end, standard)
    before: dict[str, np.ndarray] | None = None
    if year_on_year:
        last_start, last_end = same_period_last_year(start, end)
        before = period_stats(units, last_start, last_end, standard)
    need = required_days(start, end)
    changes: dict[str, np.ndarray] = {}
    if before is not None:
        for key in YOY_KEYS:
            with np.errstate(invalid="ignore", divide="ignore"):
                change = 100.0 * (s[key] - before[key]) / before[key]
            changes[key] = np.where(np.isfinite(change), np.round(change, 1), np.nan)
    out = []
    for u, unit in enumerate(units):
        yoy = {k: float(v[u]) for k, v in changes.items() if math.isfinite(v[u])}
        out.append(
            Assessment(
                code=unit.code,
                name=unit.name,
                start=start,
                end=end,
                valid_days=int(s["valid_days"][u]),
                required_days=need,
                so2=float(s["so2"][u]),
                no2=float(s["no2"][u]),
                pm10=float(s["pm10"][u]),
                pm25=float(s["pm25"][u]),
                co_p95=float(s["co_p95"][u]),
                o3_8h_p90=float(s["o3_8h_p90"][u]),
                comprehensive_index=float(s["comprehensive_index"][u]),
                good_days=int(s["good_days"][u]),
                aqi_days=int(s["aqi_days"][u]),
                good_day_ratio=float(s["good_day_ratio"][u]),
                days_by_level={lvl: int(s["days_by_level"][u, lvl - 1]) for lvl in range(1, 7)},
                limits=limits.name,
                year_on_year=yoy,
            )
        )
    return out


@dataclass
class RankedRow:
    rank: int | None
    value: float
    assessment: Assessment


def rank(assessments: list[Assessment], metric: str) -> tuple[list[RankedRow], list[RankedRow]]:
    """(ranked, listed apart). Equal values rank equal (1, 2, 2, 4); units without enough valid
    days, or without a value, are listed apart and not ranked."""
    if metric not in RANK_METRICS:
        raise ValueError(f"unknown metric {metric!r}; one of {', '.join(RANK_METRICS)}")
    get, ascending = RANK_METRICS[metric]
    ok = [a for a in assessments if a.enough_data and math.isfinite(get(a))]
    ranked_ids = {id(a) for a in ok}
    apart = [RankedRow(None, get(a), a) for a in assessments if id(a) not in ranked_ids]
    ok.sort(key=lambda a: (get(a) if ascending else -get(a), a.code))
    ranked: list[RankedRow] = []
    for i, a in enumerate(ok):
        value = get(a)
        same_as_previous = ranked and ranked[-1].value == value
        ranked.append(RankedRow(ranked[-1].rank if same_as_previous else i + 1, value, a))
    return ranked, apart


# --- targets and the allowance ---------------------------------------------------------------


class Risk:
    """How likely a target is to be met, from the cut the rest of the period needs against the
    same days of last year (`target_risk`)."""

    ACHIEVABLE = "achievable"
    PRESSURE = "pressure"
    HIGH = "high"
    OUT_OF_REACH = "out_of_reach"
    UNKNOWN = "unknown"


# The one wording of a target's risk: the targets page, the overview (and the wall) and the
# bulletins all say it with `risk_label`, so the same target reads the same everywhere.
RISK_LABELS = {
    Risk.ACHIEVABLE: _("可达成"),
    Risk.PRESSURE: _("有压力"),
    Risk.HIGH: _("风险高"),
    Risk.OUT_OF_REACH: _("基本无法达成"),
    Risk.UNKNOWN: _("无法判断"),
}


def risk_label(risk: str) -> str:
    """What a risk level (`Risk`) is called, in the active language."""
    return str(RISK_LABELS.get(risk, RISK_LABELS[Risk.UNKNOWN]))


def target_risk(cut: float | None, steps: tuple[float, float, float] | None = None) -> str:
    """The risk level of a required cut (percent below the same days of last year; negative:
    the rest of the period may be worse than last year). With the default steps
    (GRIDGOV_TARGET_RISK_*: 0, 15, 30): a cut ≤ 0 % is achievable (last year's weather and
    emissions would do), up to 15 % is under pressure, up to 30 % is high risk, beyond 30 %
    out of reach (no district has cut a season's PM2.5 by a third in a month). None: unknown."""
    if cut is None or not math.isfinite(cut):
        return Risk.UNKNOWN
    pressure, high, out = steps or settings.GRIDGOV_TARGET_RISK_STEPS
    if cut > out:
        return Risk.OUT_OF_REACH
    if cut > high:
        return Risk.HIGH
    if cut > pressure:
        return Risk.PRESSURE
    return Risk.ACHIEVABLE


@dataclass
class TargetProgress:
    target: Target
    as_of: dt.date
    period_days: int
    elapsed_valid_days: int
    remaining_days: int
    current: float
    gap: float  # current − target (µg/m³ for concentrations; percentage points; index)
    allowance: float | None  # what the remaining days may average (concentrations)
    non_good_days_allowed: int | None  # good-day-ratio targets
    on_track: bool
    # The rest of the period (calendar days after as_of) against the same days of last year:
    # their mean (concentrations) or their non-good days (good-day ratio), whose data it is
    # ("unit", "district" or "" when neither had enough), and the cut needed (percent below
    # last year; negative: room to spare).
    days_left: int = 0
    last_year: float | None = None
    last_year_basis: str = ""
    required_cut: float | None = None
    risk: str = Risk.UNKNOWN

    @property
    def risk_label(self) -> str:
        return risk_label(self.risk)

    def as_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        return {
            "region": self.target.region.code,
            "region_name": self.target.region.name,
            "metric": self.target.metric,
            "target": self.target.value,
            "start": self.target.start.isoformat(),
            "end": self.target.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "period_days": self.period_days,
            "elapsed_valid_days": self.elapsed_valid_days,
            "remaining_days": self.remaining_days,
            "current": clean(self.current),
            "gap": clean(self.gap),
            "allowance": clean(self.allowance) if self.allowance is not None else None,
            "non_good_days_allowed": self.non_good_days_allowed,
            "on_track": self.on_track,
            "days_left": self.days_left,
            "last_year": clean(self.last_year) if self.last_year is not None else None,
            "last_year_basis": self.last_year_basis or None,
            "required_cut": clean(self.required_cut) if self.required_cut is not None else None,
            "risk": self.risk,
            "risk_label": self.risk_label,
        }


def _district_of(region: Region) -> Region | None:
    """The wider unit a region's target falls back on: the district-level unit it lies in (its
    区/县, at whatever depth the tree starts), else its tree's root (a district's city); None
    for a root."""
    ids = [i for i in region.ancestor_ids() if i != region.pk]
    found = Region.objects.filter(pk__in=ids, level=Level.DISTRICT).first()
    if found is None and ids:
        found = Region.objects.filter(pk=ids[0]).first()
    return found


def _last_year_rest(target: Target, unit: Unit, rest: tuple[dt.date, dt.date]) -> tuple[float, str]:
    """The rest of the period one year earlier, for the unit or else its district: the mean
    of the valid daily values (concentrations) or the count of non-good days (good-day ratio).
    A unit counts when at least half of those days were valid; (nan, "") when neither does."""
    first, last = same_period_last_year(*rest)
    days = (last - first).days + 1
    candidates = [("unit", unit)]
    district = _district_of(target.region)
    if district is not None:
        candidates.append(("district", region_units([district])[0]))
    for basis, candidate in candidates:
        if not candidate.station_ids:
            continue
        series = daily_series([candidate], first, last)
        if target.metric == TargetMetric.GOOD_DAY_RATIO:
            report = daily_aqi(series)
            valid = report.aqi >= 0
            if 2 * int(valid.sum()) >= days:
                # Scaled to every remaining day: the valid days' share of non-good days.
                return float((valid & (report.aqi > 100)).sum()) * days / int(valid.sum()), basis
            continue
        values = series.values[target.metric][0]
        finite = values[np.isfinite(values)]
        if 2 * len(finite) >= days:
            return float(finite.mean()), basis
    return math.nan, ""


def target_progress(target: Target, as_of: dt.date) -> TargetProgress:
    """AIR_STANDARDS.md, last section: with target T over N days, D elapsed days with valid daily
    means summing to S, the remaining R = N − D days may average at most (T·N − S) / R; with a
    good-day ratio target r, at most (N − ⌈r·N⌉) − (non-good days so far) non-good days.

    The risk compares that allowance with the same calendar days of last year (the unit's own
    data, else its district's; `_last_year_rest`): the required cut is 1 − allowance ÷ last
    year's mean (or, for good days, 1 − non-good days allowed ÷ last year's non-good days), and
    `target_risk` turns it into a level. An allowance at or below zero is out of reach; a period
    already over is achievable or out of reach by its result. The comprehensive index has no
    allowance and its risk is unknown until the period ends."""
    progress = _progress(target, as_of)
    if as_of < target.start:
        progress.days_left = progress.period_days
    else:
        progress.days_left = max(0, (target.end - as_of).days)
    if progress.days_left == 0:
        finished = math.isfinite(progress.current)
        progress.risk = (
            (Risk.ACHIEVABLE if progress.on_track else Risk.OUT_OF_REACH)
            if finished
            else Risk.UNKNOWN
        )
        return progress
    if target.metric == TargetMetric.COMPOSITE_INDEX:
        return progress
    rest = (target.end - dt.timedelta(days=progress.days_left - 1), target.end)
    unit = region_units([target.region])[0]
    last_year, basis = _last_year_rest(target, unit, rest)
    # The room left: the mean the rest may have, or the non-good days it may still have (zero
    # of those is a real possibility; a mean of zero µg/m³ is not).
    good_days = target.metric == TargetMetric.GOOD_DAY_RATIO
    if good_days:
        allowed = progress.non_good_days_allowed
        room = float(allowed) if allowed is not None else math.nan
    else:
        room = progress.allowance if progress.allowance is not None else math.nan
    if not math.isfinite(room) or room < 0 or (room == 0 and not good_days):
        progress.risk = Risk.OUT_OF_REACH
    if basis:
        progress.last_year = round(last_year, 1)
        progress.last_year_basis = basis
        if last_year > 0:
            progress.required_cut = round(100.0 * (1 - max(room, 0.0) / last_year), 1)
        elif math.isfinite(room) and room >= 0:
            progress.required_cut = 0.0  # last year had none: staying as good is enough
    if progress.risk != Risk.OUT_OF_REACH:
        progress.risk = target_risk(progress.required_cut)
    return progress


def _progress(target: Target, as_of: dt.date) -> TargetProgress:
    unit = region_units([target.region])[0]
    n = (target.end - target.start).days + 1
    until = min(as_of, target.end)
    metric = target.metric
    if until < target.start:  # not begun: the whole period may average the target
        allowance = target.value if metric in (TargetMetric.PM25, TargetMetric.PM10) else None
        non_good = None
        if metric == TargetMetric.GOOD_DAY_RATIO:
            ratio = target.value / 100.0 if target.value > 1 else target.value
            non_good = n - math.ceil(ratio * n)
        return TargetProgress(target, as_of, n, 0, n, math.nan, math.nan, allowance, non_good, True)
    series = daily_series([unit], target.start, until)
    allowance = None
    non_good_allowed = None
    if metric in (TargetMetric.PM25, TargetMetric.PM10):
        values = series.values[metric][0]
        valid = values[np.isfinite(values)]
        d, s = len(valid), float(valid.sum())
        remaining = n - d
        current = rounded(s / d, metric) if d else math.nan
        allowance = (target.value * n - s) / remaining if remaining > 0 else math.nan
        gap = current - target.value
        on_track = (allowance >= 0) if remaining > 0 else current <= target.value
    elif metric == TargetMetric.GOOD_DAY_RATIO:
        report = daily_aqi(series)
        valid = report.aqi >= 0
        d = int(valid.sum())
        good = int((valid & (report.aqi <= 100)).sum())
        remaining = n - d
        current = round(100.0 * good / d, 1) if d else math.nan
        ratio = target.value / 100.0 if target.value > 1 else target.value
        non_good_allowed = (n - math.ceil(ratio * n)) - (d - good)
        gap = current - (ratio * 100)
        on_track = non_good_allowed >= 0
    else:
        result = assess([unit], target.start, until, year_on_year=False)[0]
        d = result.valid_days
        remaining = n - d
        current = result.comprehensive_index
        gap = current - target.value
        on_track = math.isfinite(current) and current <= target.value
    return TargetProgress(
        target, as_of, n, d, remaining, current, gap, allowance, non_good_allowed, on_track
    )
