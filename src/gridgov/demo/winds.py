"""The demo's hourly winds (HJ 212 a01008 direction, a01007 speed) at every station for the last
weeks, so that the pollution rose, the CPF and the back-trace have something to read on the day
the demo is built.

One regional wind per hour: fresh north-westerlies (315°, 3–7 m/s) on clean hours, turning
towards light southerlies (180°, about 1 m/s) as the district's PM2.5 rises — the North China
Plain's pattern, which makes the demo's roses point somewhere. Each station adds its own spread
(±12°, ±15 % speed). Written as hourly factor rows (FactorHour, one sample each), as the
receiver's factor store would leave them.
"""

from __future__ import annotations

import numpy as np

from gridgov.air.factor_models import FactorHour

DIRECTION, SPEED = "a01008", "a01007"
CLEAN_FROM, POLLUTED_FROM = 315.0, 180.0
DAYS = 31


def seed_winds(
    rng: np.random.Generator,
    station_ids: list[int],
    pm25: np.ndarray,
    hour_ts: np.ndarray,
    now: float,
    days: int = DAYS,
) -> int:
    """Hourly winds at these stations for the `days` before `now` (or before the end of
    `hour_ts`, if earlier); `pm25` is (stations, hours) aligned with `hour_ts`. Returns the rows
    written."""
    until = min(now, float(hour_ts[-1]) + 3600) if len(hour_ts) else now
    keep = (hour_ts + 3600 <= until) & (hour_ts >= until - days * 86400)
    ts = hour_ts[keep]
    if len(ts) == 0 or not station_ids:
        return 0
    regional = np.nanmean(pm25[:, keep], axis=0)
    dirty = np.clip((regional - 35.0) / 90.0, 0.0, 1.0)  # 0 clean … 1 heavily polluted
    direction = CLEAN_FROM + (POLLUTED_FROM - CLEAN_FROM) * dirty + rng.normal(0, 20, len(ts))
    speed = (1.0 + 4.5 * (1.0 - dirty)) * rng.lognormal(0, 0.25, len(ts))
    rows: list[FactorHour] = []
    for sid in station_ids:
        d = np.mod(direction + rng.normal(0, 12, len(ts)), 360.0)
        s = np.round(speed * rng.lognormal(0, 0.15, len(ts)), 1)
        sin, cos = np.sin(np.radians(d)), np.cos(np.radians(d))
        for k, t in enumerate(ts.tolist()):
            rows.append(
                FactorHour(
                    station_id=sid,
                    ts=t,
                    code=DIRECTION,
                    n=1,
                    total=float(round(d[k], 1)),
                    x=float(s[k] * sin[k]),
                    y=float(s[k] * cos[k]),
                    ux=float(sin[k]),
                    uy=float(cos[k]),
                )
            )
            rows.append(FactorHour(station_id=sid, ts=t, code=SPEED, n=1, total=float(s[k])))
    FactorHour.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)
