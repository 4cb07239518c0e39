"""Features of a forecast (预报特征), from the hourly series (air/forecast_series.py) alone.

A forecast is issued at an hour `p` (an index into the series: the hours before it are known)
for a target window of hours [a, b) — a whole China-time day for the daily forecasts, one hour
for the hourly one. Every feature of (station, p, window) reads only hours before p, except the
"target weather" features, which read the meteorology of the window itself and of the hours
between p and it: in a backtest with `--met observed` those are the observed values (a perfect
weather forecast, the usual way to measure a statistical model), in production the imported
weather-bureau forecast, and they are left out entirely with `--met none`.

- the forecast pollutant: means of the last 1, 3, 6, 12, 24, 48, 72 and 168 hours, today so
  far, yesterday, the 3-hour trend, the district's (all stations') means of the last 6 and 24 h;
- the other pollutants: means of the last 6 and 24 hours;
- the weather at the issue time: wind speed and vector, temperature, dew point, humidity and
  pressure of the last 3 hours, the day's pressure, dew point and temperature change, rain;
- the calendar of the target: the season (day of year as sine and cosine), the day of the week,
  the hour of the day, the hours ahead;
- the target weather (optional): the window's means of each element, the wind of its two
  halves, the wind between the issue and the window, the district's mean wind in the window,
  and the change of temperature, dew point and pressure from the issue time.

Windows hold a mean only when at least a third of their hours are valid (NaN otherwise: the
gradient-boosting model takes missing values as they are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from gridgov.air import aggregate
from gridgov.air.forecast_series import Series
from gridgov.air.models import POLLUTANT_FIELDS

ISSUE_HOUR = 20  # the daily forecast is issued at 20:00 China time the day before (lead 1)
CLEAN = 35.0  # µg/m³: below this hour the air counts as clean for the episode's age
CAP = 168
RECENT = (1, 3, 6, 12, 24, 48, 72, 168)
MET_NOW = ("ws", "wx", "wy", "temp", "dewp", "rh", "pres")
MET_TARGET = ("ws", "wx", "wy", "temp", "dewp", "rh", "pres", "rain")


class Windows:
    """Means of any hour window of (stations, hours) arrays, from cumulative sums."""

    def __init__(self, values: np.ndarray) -> None:
        ok = np.isfinite(values)
        zero = np.zeros((values.shape[0], 1))
        self.sums = np.concatenate([zero, np.cumsum(np.where(ok, values, 0.0), axis=1)], axis=1)
        self.counts = np.concatenate([zero, np.cumsum(ok, axis=1)], axis=1)
        self.hours = values.shape[1]

    def mean(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """(stations, windows) means of [start, end) (clipped to the series); NaN where fewer
        than a third of the window's hours are valid."""
        s = np.clip(start, 0, self.hours)
        e = np.clip(end, 0, self.hours)
        n = self.counts[:, e] - self.counts[:, s]
        need = np.maximum(1, np.ceil((end - start) / 3))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((n >= need) & (e > s), (self.sums[:, e] - self.sums[:, s]) / n, np.nan)


@dataclass
class Design:
    """A feature matrix, row-major by window then station (rows = windows × stations)."""

    names: list[str]
    X: np.ndarray

    def column(self, name: str) -> np.ndarray:
        return self.X[:, self.names.index(name)]


def _district(values: np.ndarray) -> np.ndarray:
    """Every station's row replaced by the mean over the stations (NaN-aware)."""
    ok = np.isfinite(values)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(ok, values, 0.0).sum(axis=0) / n, np.nan)
    return np.broadcast_to(mean, values.shape)


def _since_clean(values: np.ndarray, issue: np.ndarray) -> np.ndarray:
    """Hours from the last clean hour (below CLEAN µg/m³) to each issue hour, at most a week:
    how old the episode is (an old one is more likely to be blown out)."""
    hours = np.arange(values.shape[1])
    last = np.maximum.accumulate(np.where(values < CLEAN, hours, -CAP), axis=1)
    before = np.clip(issue - 1, 0, values.shape[1] - 1)
    age: np.ndarray = np.minimum(issue - last[:, before], CAP).astype(float)
    return age


def _upwind(coords: np.ndarray, values: np.ndarray, wx: np.ndarray, wy: np.ndarray) -> np.ndarray:
    """Per station and window: the mean of the other stations' values weighted by how far
    upwind they lie (the cosine between the direction to them and the direction the wind
    comes from, where positive, over the district's mean wind); NaN without wind or upwind
    stations."""
    lat, lon = coords[:, 0], coords[:, 1]
    east = (lon[None, :] - lon[:, None]) * np.cos(np.radians(lat.mean()))  # (S, S) self → other
    north = lat[None, :] - lat[:, None]
    dist = np.hypot(east, north)
    np.fill_diagonal(dist, np.inf)
    ux, uy = east / dist, north / dist  # unit vectors to the others (0 on the diagonal)
    mx, my = _district(wx)[0], _district(wy)[0]  # (W,) the district's wind
    speed = np.hypot(mx, my)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (ux[:, :, None] * mx + uy[:, :, None] * my) / speed  # (S, S, W)
    weight = np.where(np.isfinite(cos) & (cos > 0) & np.isfinite(values)[None, :, :], cos, 0.0)
    total = weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            total > 0, (weight * np.nan_to_num(values)[None]).sum(axis=1) / total, np.nan
        )


def build(
    series: Series,
    issue: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    pollutant: str,
    target_met: bool,
) -> Design:
    """Features for every station and every (issue hour, target window [start, end))."""
    issue, start, end = (np.asarray(a, dtype=np.int64) for a in (issue, start, end))
    cols: dict[str, np.ndarray] = {}
    win = series.derived.get("windows")
    if win is None:
        win = series.derived["windows"] = {n: Windows(v) for n, v in series.data.items()}
    cols["wx_now_"] = win["wx"].mean(issue - 3, issue)
    cols["wy_now_"] = win["wy"].mean(issue - 3, issue)
    own = win[pollutant]
    for k in RECENT:
        cols[f"{pollutant}_{k}h"] = own.mean(issue - k, issue)
    midnight = issue - issue % 24
    cols[f"{pollutant}_today"] = own.mean(midnight, issue)
    cols[f"{pollutant}_yesterday"] = own.mean(midnight - 24, midnight)
    cols[f"{pollutant}_trend3"] = cols[f"{pollutant}_3h"] - own.mean(issue - 6, issue - 3)
    cols[f"{pollutant}_district_6h"] = _district(cols[f"{pollutant}_6h"])
    cols[f"{pollutant}_district_24h"] = _district(cols[f"{pollutant}_24h"])
    cols[f"{pollutant}_district_trend3"] = _district(cols[f"{pollutant}_trend3"])
    if series.coords is not None and len(series.station_ids) > 1:
        cols[f"{pollutant}_upwind_3h"] = _upwind(
            series.coords, cols[f"{pollutant}_3h"], cols["wx_now_"], cols["wy_now_"]
        )
    cols[f"{pollutant}_hours_since_clean"] = _since_clean(series.data[pollutant], issue)
    for other in POLLUTANT_FIELDS:
        if other != pollutant:
            cols[f"{other}_6h"] = win[other].mean(issue - 6, issue)
            cols[f"{other}_24h"] = win[other].mean(issue - 24, issue)
    for name in MET_NOW:
        cols[f"{name}_now"] = win[name].mean(issue - 3, issue)
    cols["ws_24h"] = win["ws"].mean(issue - 24, issue)
    cols["rain_24h"] = win["rain"].mean(issue - 24, issue)
    for name in ("ws", "wx", "wy"):
        cols[f"{name}_change_6h"] = cols[f"{name}_now"] - win[name].mean(issue - 9, issue - 6)
    for name in ("pres", "dewp", "temp"):
        cols[f"{name}_change_24h"] = cols[f"{name}_now"] - win[name].mean(issue - 27, issue - 24)
    stations = len(series.station_ids)
    days = aggregate.date_number(series.first_day) + start // 24
    doy = np.array([dt.date.fromordinal(int(d) + 719163).timetuple().tm_yday for d in days])
    shape = (stations, len(issue))
    cols["season_sin"] = np.broadcast_to(np.sin(2 * np.pi * doy / 365.25), shape)
    cols["season_cos"] = np.broadcast_to(np.cos(2 * np.pi * doy / 365.25), shape)
    cols["weekday"] = np.broadcast_to((days + 3) % 7, shape)  # 1970-01-01 was a Thursday
    cols["hour_of_day"] = np.broadcast_to(start % 24, shape)
    cols["hours_ahead"] = np.broadcast_to(end - issue, shape)
    if target_met:
        for name in MET_TARGET:
            cols[f"{name}_target"] = win[name].mean(start, end)
        half = start + np.maximum(1, (end - start) // 2)
        for name in ("ws", "wx", "wy"):
            cols[f"{name}_target_first"] = win[name].mean(start, half)
            cols[f"{name}_target_second"] = win[name].mean(half, end)
            cols[f"{name}_before_target"] = win[name].mean(issue, start)
            cols[f"{name}_district_target"] = _district(cols[f"{name}_target"])
        cols["rh_before_target"] = win["rh"].mean(issue, start)
        for name in ("temp", "dewp", "pres"):
            cols[f"{name}_target_change"] = cols[f"{name}_target"] - cols[f"{name}_now"]
    del cols["wx_now_"], cols["wy_now_"]
    names = list(cols)
    X = np.stack([np.asarray(cols[n], dtype=float).T for n in names], axis=2)  # (windows, S, F)
    return Design(names, X.reshape(-1, len(names)))


def daily_targets(series: Series) -> dict[str, np.ndarray]:
    """(stations, days) daily values (HJ 663 validity): pm25, pm10, o3_8h (the daily max 8-h)."""
    grid = np.stack([series.data[p] for p in POLLUTANT_FIELDS], axis=2)  # (S, H, 6)
    s, days = len(series.station_ids), series.days
    values = aggregate.daily_values(
        grid[:, : days * 24].reshape(s * days, 24, len(POLLUTANT_FIELDS))
    )
    return {
        "pm25": values["pm25"].reshape(s, days),
        "pm10": values["pm10"].reshape(s, days),
        "o3_8h": values["o3_8h_max"].reshape(s, days),
    }


def daily_windows(issue_days: np.ndarray, lead: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(issue hour, window start, window end) of the daily forecasts issued at ISSUE_HOUR on each
    issue day for the day `lead` days later."""
    issue_days = np.asarray(issue_days, dtype=np.int64)
    target = issue_days + lead
    return issue_days * 24 + ISSUE_HOUR, target * 24, target * 24 + 24
