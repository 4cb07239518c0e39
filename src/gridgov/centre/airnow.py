"""The overview's "air now" (空气质量实况): the latest hour of the ambient stations in the
account's scope — the district's AQI, the levels, the worst stations — computed from the
hourly table in one read (the overview caches it with the rest of its air part)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from gridgov.air import aqi
from gridgov.air.aggregate import (
    DAY,
    HOUR,
    date_number,
    day_start_utc,
    fetch_hours,
    hourly_means,
    o3_8h_windows,
)
from gridgov.air.models import AMBIENT_KINDS, CST, POLLUTANT_FIELDS, Station
from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths
from gridgov.people import scope
from gridgov.web.panels import link

WORST_STATIONS = 5


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass
class LevelCount:
    level: int  # 1–6; 0 = no valid value
    category: str
    colour: str | None
    stations: int


@dataclass
class StationNow:
    code: str
    name: str
    lat: float
    lon: float
    aqi: int | None
    level: int
    colour: str | None
    primary: list[str]
    url: str


@dataclass
class AirNow:
    """The latest hour (real-time AQI) and today so far (daily AQI of the hours so far)."""

    hour: dt.datetime | None  # start of the newest hour any station reported
    aqi: int | None
    level: int
    category: str
    colour: str | None
    primary: list[str]
    today_aqi: int | None
    today_level: int
    today_category: str
    today_colour: str | None
    today_hours: int
    stations: int
    reporting: int
    by_level: list[LevelCount]
    worst: list[StationNow]
    url: str


def scope_stations(user: Account) -> list[tuple[int, str, str, float, float]]:
    """Ambient stations inside the scope's grids (reference stations outside every grid belong
    to no unit): (pk, code, name, lat, lon), by code."""
    paths = scope.scope_paths(user)
    qs = Station.objects.filter(active=True, kind__in=AMBIENT_KINDS, grid__isnull=False).filter(
        under_paths(paths, "grid__path")
    )
    return list(qs.order_by("code").values_list("pk", "code", "name", "lat", "lon"))


def _level_fields(aqi_value: int) -> tuple[int, str, str | None]:
    lvl = aqi.level(int(aqi.level_numbers(np.array([aqi_value]))[0])) if aqi_value >= 0 else None
    if lvl is None:
        return 0, "NA", None
    return lvl.number, lvl.category, lvl.hex


def _hour_values(means: np.ndarray) -> dict[str, np.ndarray]:
    return {p: means[:, j] for j, p in enumerate(POLLUTANT_FIELDS)}


def air_now(
    stations: list[tuple[int, str, str, float, float]],
    today: dt.date,
    now: dt.datetime | None = None,
) -> tuple[AirNow, list[StationNow]]:
    """Each station's newest valid hour within the last three hours before `now` (its real-time
    AQI; a station with none is not reporting — a fact of the clock, not of the offline sweep),
    the unit's (mean of the stations' values), and today so far (the daily AQI of the unit's
    hourly means so far: 今日累计)."""
    ids = [s[0] for s in stations]
    day_start = day_start_utc(date_number(today))
    rows = fetch_hours(ids, day_start - 2 * DAY, day_start + DAY) if ids else np.zeros((0, 15))
    means = hourly_means(rows) if len(rows) else np.zeros((0, len(POLLUTANT_FIELDS)))
    valid = np.isfinite(means).any(axis=1)
    rows, means = rows[valid], means[valid]
    moment = int((now or timezone.now()).timestamp())
    so_far = rows[:, 1] <= moment  # nothing dated ahead of now
    rows, means = rows[so_far], means[so_far]
    # Live: the hours from two before the current one (today's so far are kept for below).
    live = rows[:, 1] >= moment - moment % HOUR - 2 * HOUR
    newest = int(rows[live, 1].max()) if live.any() else None
    index = {pk: i for i, pk in enumerate(ids)}
    latest = np.full((len(ids), len(POLLUTANT_FIELDS)), np.nan)
    latest_ts = np.full(len(ids), -1, dtype=np.int64)
    if newest is not None:
        recent = rows[:, 1] >= newest - 2 * HOUR
        for row, m in zip(rows[recent], means[recent], strict=True):
            i = index[int(row[0])]
            if int(row[1]) > latest_ts[i]:
                latest_ts[i], latest[i] = int(row[1]), m
    standard = aqi.standard_for(today)
    report = aqi.hourly_report(_hour_values(latest), standard) if ids else None
    station_rows: list[StationNow] = []
    for i, (_pk, code, name, lat, lon) in enumerate(stations):
        value = int(report.aqi[i]) if report is not None else -1
        number, _category, colour = _level_fields(value)
        station_rows.append(
            StationNow(
                code=code,
                name=name,
                lat=lat,
                lon=lon,
                aqi=value if value >= 0 else None,
                level=number,
                colour=colour,
                primary=aqi.pollutant_names(int(report.primary[i])) if report is not None else [],
                url=link("air:station", code),
            )
        )
    reporting = latest_ts >= 0
    n_now = np.isfinite(latest).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_now = np.where(n_now > 0, np.nansum(latest, axis=0) / np.maximum(n_now, 1), np.nan)[
            None, :
        ]
    now_report = aqi.hourly_report(_hour_values(unit_now), standard)
    now_aqi = int(now_report.aqi[0])
    now_level, now_category, now_colour = _level_fields(now_aqi)

    # Today so far: the unit's hourly means (mean over stations), then a daily AQI over them.
    today_rows = rows[:, 1] >= day_start
    grid = np.full((24, len(POLLUTANT_FIELDS)), np.nan)
    hours = ((rows[today_rows, 1].astype(np.int64) - day_start) // HOUR).astype(int)
    today_means = means[today_rows]
    for h in np.unique(hours):
        values = today_means[hours == h]
        n = np.isfinite(values).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            grid[h] = np.where(n > 0, np.nansum(values, axis=0) / np.maximum(n, 1), np.nan)
    counted = np.isfinite(grid).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        day_means = np.where(counted > 0, np.nansum(grid, axis=0) / np.maximum(counted, 1), np.nan)
    o3 = grid[:, POLLUTANT_FIELDS.index("o3")]
    windows = o3_8h_windows(o3[None, :])[0]
    daily = {p: np.array([day_means[j]]) for j, p in enumerate(POLLUTANT_FIELDS) if p != "o3"}
    daily["o3_1h_max"] = np.array([np.nanmax(o3) if np.isfinite(o3).any() else np.nan])
    daily["o3_8h_max"] = np.array([np.nanmax(windows) if np.isfinite(windows).any() else np.nan])
    today_report = aqi.daily_report(daily, standard)
    today_aqi = int(today_report.aqi[0])
    today_level, today_category, today_colour = _level_fields(today_aqi)

    counts: dict[int, int] = defaultdict(int)
    for s in station_rows:
        counts[s.level] += 1
    by_level = [
        LevelCount(lvl.number, lvl.category, lvl.hex, counts.get(lvl.number, 0))
        for lvl in aqi.LEVELS
    ]
    by_level.append(LevelCount(0, "NA", None, counts.get(0, 0)))
    worst = sorted(
        (s for s in station_rows if s.aqi is not None), key=lambda s: (-(s.aqi or 0), s.code)
    )
    return (
        AirNow(
            hour=dt.datetime.fromtimestamp(newest, tz=CST) if newest is not None else None,
            aqi=now_aqi if now_aqi >= 0 else None,
            level=now_level,
            category=now_category,
            colour=now_colour,
            primary=aqi.pollutant_names(int(now_report.primary[0])),
            today_aqi=today_aqi if today_aqi >= 0 else None,
            today_level=today_level,
            today_category=today_category,
            today_colour=today_colour,
            today_hours=int(np.isfinite(grid).any(axis=1).sum()),
            stations=len(stations),
            reporting=int(reporting.sum()),
            by_level=by_level,
            worst=worst[:WORST_STATIONS],
            url=link("air:map"),
        ),
        station_rows,
    )
