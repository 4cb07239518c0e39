"""Co-location comparison (比对) of a micro-station against the nearest control station (国控/
省控), hour by hour, for PM2.5 and PM10: the ordinary least-squares line micro = slope ×
control + intercept, Pearson's r, n, and the mean bias (micro − control) by relative-humidity
band. Light-scattering sensors read high in humid air (particles take up water), so hours above
70 % RH are **marked** and listed with their values — never dropped or corrected: the fit uses
every paired hour, and the bands show how much of the bias the humidity explains.

Humidity comes from `humidity(station_id, start, end)`: the registered sources (the first that
knows an hour wins), the micro-station's own first, then the control station's. The air app
registers the stations' own humidity hours (HJ 212 a01002, FactorHour: tamper_data.
factor_humidity); an hour no source knows falls in the "unknown" band; tests and callers with a
series pass `humidity=` directly. The humidity, the hourly means and the calibrations of all the
stations compared are read in one query each, however many micro-stations there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gridgov.air import aggregate
from gridgov.air.calibration import apply as apply_calibration
from gridgov.air.calibration import in_force_of
from gridgov.air.geodesy import distance_km
from gridgov.air.models import POLLUTANT_FIELDS, Station
from gridgov.air.sensor_quality import DAY, day_start_ts
from gridgov.air.upkeep_models import Calibration

POLLUTANTS = ("pm25", "pm10")
HUMID = 70.0  # % RH above which an hour is marked
UNKNOWN = "unknown"
BANDS = ("<50", "50–70", ">70", UNKNOWN)  # 50 and 70 % fall in the middle band
MIN_PAIRS = 3

# (station ids, start, end epoch seconds) → {station: {hour start: relative humidity %}}, read
# for all the stations at once
ByStation = dict[int, dict[int, float]]
HumiditySource = Callable[[list[int], int, int], ByStation]
_humidity_sources: list[HumiditySource] = []


def register_humidity_source(source: HumiditySource) -> None:
    if source not in _humidity_sources:
        _humidity_sources.append(source)


def humidity_by_station(
    station_ids: list[int], start: int, end: int
) -> dict[int, dict[int, float]]:
    """{station: {hour: RH}} from the registered sources (the first that knows an hour wins),
    each source asked once for all the stations."""
    found: ByStation = {int(sid): {} for sid in station_ids}
    for source in _humidity_sources:
        for sid, hours in source(station_ids, start, end).items():
            known = found.setdefault(int(sid), {})
            for hour, rh in hours.items():
                known.setdefault(int(hour), float(rh))
    return found


def first_known(
    by_station: dict[int, dict[int, float]], station_ids: list[int]
) -> dict[int, float]:
    """Hourly RH for the first of `station_ids` that knows each hour."""
    found: dict[int, float] = {}
    for sid in station_ids:
        for hour, rh in by_station.get(sid, {}).items():
            found.setdefault(int(hour), float(rh))
    return found


def humidity(station_ids: list[int], start: int, end: int) -> dict[int, float]:
    """Hourly RH for the first of `station_ids` that knows each hour, from the registered
    sources (see the module's note)."""
    return first_known(humidity_by_station(station_ids, start, end), station_ids)


def nearest_control(station: Station, controls: list[Station]) -> tuple[Station, float] | None:
    """The nearest control station and its distance (km), or None when there is none."""
    if not controls:
        return None
    dist = distance_km(
        station.lat, station.lon, np.array([c.lat for c in controls]), [c.lon for c in controls]
    )
    k = int(np.argmin(dist))
    return controls[k], float(dist[k])


@dataclass(frozen=True)
class Band:
    name: str
    n: int
    bias: float | None


@dataclass(frozen=True)
class HumidHour:
    ts: int
    rh: float
    micro: float
    control: float


@dataclass
class Fit:
    """One pollutant's comparison."""

    pollutant: str
    n: int
    slope: float | None = None
    intercept: float | None = None
    r: float | None = None
    bias: float | None = None
    bands: list[Band] = field(default_factory=list)
    humid_hours: list[HumidHour] = field(default_factory=list)
    calibrated_bias: float | None = None  # after the calibrations in force (None: none apply)
    calibrated_n: int = 0
    calibration: Calibration | None = None  # the one in force now (set by the report)


def compare(
    pollutant: str,
    hours: np.ndarray,
    micro: np.ndarray,
    control: np.ndarray,
    rh: dict[int, float] | None = None,
    calibrated: np.ndarray | None = None,
    calibrated_mask: np.ndarray | None = None,
) -> Fit:
    """The comparison over hours where both means exist (NaN elsewhere)."""
    hours = np.asarray(hours, dtype=np.int64)
    micro, control = np.asarray(micro, dtype=float), np.asarray(control, dtype=float)
    pair = np.isfinite(micro) & np.isfinite(control)
    x, y, t = control[pair], micro[pair], hours[pair]
    fit = Fit(pollutant, int(pair.sum()))
    if fit.n:
        fit.bias = float(np.mean(y - x))
    if fit.n >= MIN_PAIRS and np.ptp(x) > 0 and np.ptp(y) > 0:
        fit.slope, fit.intercept, fit.r = ols(x, y)
    rh = rh or {}
    humidity_of = np.array([rh.get(int(h), np.nan) for h in t])
    known = np.isfinite(humidity_of)
    with np.errstate(invalid="ignore"):
        humid = known & (humidity_of > HUMID)
        masks = {
            "<50": known & (humidity_of < 50.0),
            "50–70": known & (humidity_of >= 50.0) & (humidity_of <= HUMID),
            ">70": humid,
            UNKNOWN: ~known,
        }
    fit.bands = [_band(name, y[inside] - x[inside]) for name, inside in masks.items()]
    for k in np.flatnonzero(humid).tolist():
        fit.humid_hours.append(
            HumidHour(int(t[k]), float(humidity_of[k]), float(y[k]), float(x[k]))
        )
    if calibrated is not None and calibrated_mask is not None:
        used = pair & np.asarray(calibrated_mask, dtype=bool) & np.isfinite(calibrated)
        if used.any():
            fit.calibrated_bias = float(np.mean(np.asarray(calibrated)[used] - control[used]))
            fit.calibrated_n = int(used.sum())
    return fit


def ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Ordinary least squares y = slope × x + intercept, and Pearson's r (numpy only: the
    closed form on centred values, as scipy.stats.linregress computes it)."""
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    slope = sxy / sxx
    r = max(-1.0, min(1.0, sxy / np.sqrt(sxx * syy)))
    return slope, float(y.mean() - slope * x.mean()), r


def _band(name: str, diffs: np.ndarray) -> Band:
    return Band(name, len(diffs), float(np.mean(diffs)) if len(diffs) else None)


@dataclass
class Comparison:
    station: Station
    control: Station | None
    distance_km: float | None
    fits: list[Fit] = field(default_factory=list)


def hourly_means(station_ids: list[int], start: int, end: int) -> dict[int, dict[int, np.ndarray]]:
    """{station: {hour: means (6,)}} of the valid hourly means with start ≤ hour < end."""
    rows = aggregate.fetch_hours(station_ids, start, end) if station_ids else np.empty((0, 15))
    means = aggregate.hourly_means(rows)
    out: dict[int, dict[int, np.ndarray]] = {sid: {} for sid in station_ids}
    for k in range(len(rows)):
        out[int(rows[k, 0])][int(rows[k, 1])] = means[k]
    return out


def colocate(
    micros: list[Station],
    controls: list[Station],
    start: dt.date,
    end: dt.date,
    humidity_of: HumiditySource = humidity_by_station,
) -> list[Comparison]:
    """Each micro-station against its nearest control station over the days start..end (CST)."""
    lo, hi = day_start_ts(start), day_start_ts(end) + DAY
    hours = np.arange(lo, hi, aggregate.HOUR, dtype=np.int64)
    pairs = [(m, nearest_control(m, controls)) for m in micros]
    wanted = sorted({m.pk for m in micros} | {p[0].pk for _, p in pairs if p is not None})
    means = hourly_means(wanted, lo, hi)
    known = humidity_of(wanted, lo, hi)
    calibrations = in_force_of([m.pk for m in micros], POLLUTANTS)
    out = []
    for m, near in pairs:
        if near is None:
            out.append(Comparison(m, None, None))
            continue
        control, km = near
        rh = first_known(known, [m.pk, control.pk])
        comparison = Comparison(m, control, round(km, 2))
        for p in POLLUTANTS:
            j = POLLUTANT_FIELDS.index(p)
            own = np.array([means[m.pk].get(int(h), _NAN6)[j] for h in hours])
            ref = np.array([means[control.pk].get(int(h), _NAN6)[j] for h in hours])
            # An hour's calibrated mean is the calibration (in force at its start) of its mean.
            applied = apply_calibration(calibrations[(m.pk, p)], hours, own)
            comparison.fits.append(
                compare(p, hours, own, ref, rh, applied.calibrated, applied.applied)
            )
        out.append(comparison)
    return out


_NAN6 = np.full(len(POLLUTANT_FIELDS), np.nan)
