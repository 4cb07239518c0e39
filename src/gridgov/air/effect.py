"""Did it work? (治理成效): a station's change against its neighbours' change.

A difference-in-differences (双重差分) of valid hourly means:

- For each hour h of a window, d_h = station_h − mean of the neighbours' values of h. Only hours
  where the station has a valid hourly mean (aggregate.hourly_means: n ≥ need) and at least one
  neighbour has one count; the others are left out on both sides.
- DiD = mean(d_after) − mean(d_before) = (station after − station before) − (neighbours after −
  neighbours before), over those hours. Negative: the station improved against its neighbours.
- Uncertainty: SE = sqrt(var_a / n_a + var_b / n_b), each variance the Newey–West (Bartlett,
  lag L = ⌊4 (n/100)^(2/9)⌋) long-run variance of the d series, since hourly differences are
  autocorrelated and the plain sample variance would make the interval too narrow. Gaps are
  ignored (the series is taken as consecutive), which is still an approximation.
- Verdict from the 95 % interval DiD ± 1.96·SE: below 0 → improved (好转), above 0 → worse
  (变差), containing 0 → no clear change (无明显变化). Fewer than MIN_HOURS usable hours on
  either side → no verdict (DiD may still be given; the verdict is "insufficient").
- Neighbours: the active ambient (non-emission) stations within RADIUS_KM of the station, the
  nearest MAX_NEIGHBOURS of them (air.neighbours), not the station itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from gridgov.air import aggregate
from gridgov.air.geodesy import distance_km
from gridgov.air.models import POLLUTANT_FIELDS, Station
from gridgov.air.neighbours import Neighbourhood

RADIUS_KM = 5.0
MAX_NEIGHBOURS = 5
MIN_HOURS = 6  # usable hours needed on each side for a verdict
Z95 = 1.96

IMPROVED = "improved"
NO_CLEAR_CHANGE = "no_clear_change"
WORSE = "worse"
INSUFFICIENT = "insufficient"

VERDICT_LABELS = {
    IMPROVED: _("好转"),
    NO_CLEAR_CHANGE: _("无明显变化"),
    WORSE: _("变差"),
    INSUFFICIENT: _("数据不足"),
}


@dataclass(frozen=True)
class Effect:
    """One difference-in-differences: µg/m³ (mg/m³ for CO), negative = better than neighbours."""

    pollutant: str
    did: float | None
    se: float | None
    n_before: int
    n_after: int
    station_before: float | None
    station_after: float | None
    neighbours_before: float | None
    neighbours_after: float | None
    neighbour_ids: tuple[int, ...]
    verdict: str

    @property
    def low(self) -> float | None:
        return None if self.did is None or self.se is None else self.did - Z95 * self.se

    @property
    def high(self) -> float | None:
        return None if self.did is None or self.se is None else self.did + Z95 * self.se

    @property
    def half_width(self) -> float | None:
        return None if self.se is None else Z95 * self.se

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


def long_run_variance(d: np.ndarray) -> float:
    """Newey–West (Bartlett kernel) variance of a series' terms, for the SE of its mean."""
    n = len(d)
    if n < 2:
        return math.nan
    x = d - d.mean()
    var = float(x @ x) / (n - 1)
    lag = min(int(4 * (n / 100.0) ** (2 / 9)), n - 1)
    for k in range(1, lag + 1):
        cov = float(x[k:] @ x[:-k]) / (n - 1)
        var += 2 * (1 - k / (lag + 1)) * cov
    return max(var, 0.0)


def usable(
    station: np.ndarray, neighbours: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(station values, neighbours' mean, d) of the hours with the station and ≥ 1 neighbour.

    `station` is (T,), `neighbours` (K, T), NaN where an hour is not valid."""
    neighbours = neighbours.reshape(-1, len(station))
    has = np.isfinite(neighbours)
    count = has.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(has, neighbours, 0.0).sum(axis=0) / np.maximum(count, 1)
    keep = np.isfinite(station) & (count > 0)
    return station[keep], mean[keep], station[keep] - mean[keep]


def estimate(
    station_before: np.ndarray,
    neighbours_before: np.ndarray,
    station_after: np.ndarray,
    neighbours_after: np.ndarray,
    pollutant: str = "pm25",
    neighbour_ids: tuple[int, ...] = (),
) -> Effect:
    """The DiD of two windows' hourly series (station (T,), neighbours (K, T), NaN = invalid)."""
    sb, nb, db = usable(station_before, neighbours_before)
    sa, na, da = usable(station_after, neighbours_after)
    n_b, n_a = len(db), len(da)

    def m(x: np.ndarray) -> float | None:
        return float(x.mean()) if len(x) else None

    did = float(da.mean() - db.mean()) if n_b and n_a else None
    se: float | None = None
    if n_b >= 2 and n_a >= 2:
        se = math.sqrt(long_run_variance(da) / n_a + long_run_variance(db) / n_b)
    if did is None or se is None or n_b < MIN_HOURS or n_a < MIN_HOURS:
        verdict = INSUFFICIENT
    elif did + Z95 * se < 0:
        verdict = IMPROVED
    elif did - Z95 * se > 0:
        verdict = WORSE
    else:
        verdict = NO_CLEAR_CHANGE
    return Effect(pollutant, did, se, n_b, n_a, m(sb), m(sa), m(nb), m(na), neighbour_ids, verdict)


def neighbours_of(
    station_id: int,
    radius_km: float = RADIUS_KM,
    limit: int = MAX_NEIGHBOURS,
    hood: Neighbourhood | None = None,
) -> list[int]:
    """The nearest active ambient stations within the radius, nearest first (``hood``: the
    stations read once for many calls)."""
    hood = Neighbourhood() if hood is None else hood
    pos, _ = hood.of(station_id, radius_km, limit)
    return [int(sid) for sid in hood.stations.ids[pos].tolist()]


def nearest_station(
    lat: float, lon: float, radius_km: float = RADIUS_KM
) -> tuple[int, str, str, float] | None:
    """The active ambient (non-emission) station nearest a point within the radius, as (id,
    code, name, km); None when there is none (a source's rectification is then not estimated)."""
    c = Neighbourhood(order="pk").stations
    if not len(c.ids):
        return None
    dist = distance_km(lat, lon, c.lat, c.lon)
    k = int(np.argmin(dist))
    if float(dist[k]) > radius_km:
        return None
    sid = int(c.ids[k])
    code, name = Station.objects.filter(pk=sid).values_list("code", "name").get()
    return sid, code, name, float(dist[k])


def series(station_ids: list[int], start: int, end: int, pollutant: str) -> np.ndarray:
    """(S, T) valid hourly means of one pollutant for the hours start ≤ ts < end (epoch s, the
    bounds floored to the hour), NaN where an hour has too few values."""
    first = start - start % aggregate.HOUR
    hours = max(0, (end - first + aggregate.HOUR - 1) // aggregate.HOUR)
    out = np.full((len(station_ids), hours), np.nan)
    if not station_ids or not hours:
        return out
    j = POLLUTANT_FIELDS.index(pollutant)
    rows = aggregate.fetch_hours(station_ids, first, end)
    means = aggregate.hourly_means(rows)
    row = {sid: k for k, sid in enumerate(station_ids)}
    for k in range(len(rows)):
        t = (int(rows[k, 1]) - first) // aggregate.HOUR
        if 0 <= t < hours:
            out[row[int(rows[k, 0])], t] = means[k, j]
    return out


def did(
    station_id: int,
    neighbour_ids: list[int],
    before: tuple[int, int],
    after: tuple[int, int],
    pollutant: str = "pm25",
) -> Effect:
    """The DiD of a station against its neighbours; windows are [t0, t1) in epoch seconds."""
    return dids([(station_id, neighbour_ids)], before, after, pollutant)[0]


def dids(
    groups: list[tuple[int, list[int]]],
    before: tuple[int, int],
    after: tuple[int, int],
    pollutant: str = "pm25",
) -> list[Effect]:
    """The DiD of each (station, neighbours) over the same windows, the hourly rows of all of
    them read in one query per window (not per station)."""
    if pollutant not in POLLUTANT_FIELDS:
        raise ValueError(pollutant)
    ids = list(dict.fromkeys(sid for station, near in groups for sid in (station, *near)))
    row = {sid: k for k, sid in enumerate(ids)}
    b = series(ids, before[0], before[1], pollutant)
    a = series(ids, after[0], after[1], pollutant)
    out = []
    for station, near in groups:
        k, ks = row[station], [row[n] for n in near]
        out.append(estimate(b[k], b[ks], a[k], a[ks], pollutant, tuple(near)))
    return out
