"""Wind at a station: direction (degrees clockwise from north, where the wind comes FROM) and
speed (m/s). Not a pollutant: kept out of the readings' columns, only the newest per station is
stored (`StationWind`), in the ingestion's transaction.

A value outside its range (direction 0–360, speed 0–75 m/s) or not finite is not used; it never
refuses the reading or the batch it came with.
"""

from __future__ import annotations

import math

import numpy as np
from django.db import connection

WD_MAX = 360.0
WS_MAX = 75.0  # m/s: above the strongest gust ever measured at a surface station
# Batch.wind columns
WD, WS = 0, 1


def clean_direction(value: float) -> float:
    """Degrees in [0, 360) or NaN; 360 is north, as is 0."""
    if not math.isfinite(value) or not 0 <= value <= WD_MAX:
        return math.nan
    return value % 360.0


def clean_speed(value: float) -> float:
    if not math.isfinite(value) or not 0 <= value <= WS_MAX:
        return math.nan
    return value


def clean_pair(wd: float, ws: float) -> tuple[float, float]:
    return clean_direction(wd), clean_speed(ws)


WIND_UPSERT = (
    "INSERT INTO air_station_wind (station_id, ts, wd, ws) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (station_id) DO UPDATE SET ts = excluded.ts, wd = excluded.wd, ws = excluded.ws "
    "WHERE excluded.ts >= air_station_wind.ts"
)


def save_latest(station: np.ndarray, ts: np.ndarray, wind: np.ndarray) -> int:
    """Each station's newest row with a direction becomes its wind, unless the stored one is
    newer. Rows sorted by (station, ts). Returns how many stations were offered."""
    has = np.isfinite(wind[:, WD])
    if not has.any():
        return 0
    st, t, w = station[has], ts[has], wind[has]
    last = np.flatnonzero(np.r_[st[1:] != st[:-1], True])
    rows = [
        (sid, when, wd, None if ws != ws else ws)
        for sid, when, wd, ws in zip(
            st[last].tolist(),
            t[last].tolist(),
            w[last, WD].tolist(),
            w[last, WS].tolist(),
            strict=True,
        )
    ]
    with connection.cursor() as cursor:
        cursor.executemany(WIND_UPSERT, rows)
    return len(rows)
