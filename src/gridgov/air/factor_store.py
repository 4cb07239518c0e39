"""Storing and reading the factors beside the six pollutants (air/factors.py).

`save` runs inside the caller's transaction (the HJ 212 store thread's batch: hj212/store.py
commit_rows), so an answer still means stored: values not stored yet are inserted (a re-sent
value changes nothing) and only those are added to their hours' sums."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection

from gridgov.air.factor_models import FactorHour, FactorReading
from gridgov.air.factors import POLLUTANT_CODES, SPEED, Factors, Sums, factor, sort_key
from gridgov.air.models import CST, POLLUTANT_FIELDS, HourlyAggregate

INSERT_SQL = (
    "INSERT INTO air_factor_reading (station_id, ts, code, interval_minutes, value, flag) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (station_id, ts, code) DO NOTHING"
)
_ADD = ("n", "total", "x", "y", "ux", "uy", "bad_n", "bad_total")
HOUR_UPSERT = (
    "INSERT INTO air_factor_hour (station_id, ts, code, "  # noqa: S608 (column names only)
    + ", ".join(_ADD)
    + ", bad_flag) VALUES ("
    + ", ".join(["%s"] * (4 + len(_ADD)))
    + ") ON CONFLICT (station_id, ts, code) DO UPDATE SET "
    + ", ".join(f"{c} = air_factor_hour.{c} + excluded.{c}" for c in _ADD)
    + ", bad_flag = CASE WHEN excluded.bad_flag <> '' THEN excluded.bad_flag "
    "ELSE air_factor_hour.bad_flag END"
)


def save(items: Iterable[tuple[int, int, int, Factors]]) -> int:
    """Store (station id, ts, interval minutes, factors) values not stored yet and add them to
    their hours. Returns how many values were new."""
    offered: dict[tuple[int, int, str], tuple[int, float, str, float | None]] = {}
    for sid, ts, interval, factors in items:
        speed = factors.get(SPEED, (None, ""))[0]
        for code, (value, letter) in factors.items():
            offered.setdefault((sid, ts, code), (interval, value, letter, speed))
    if not offered:
        return 0
    ids = sorted({k[0] for k in offered})
    stamps = [k[1] for k in offered]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, ts, code FROM air_factor_reading "  # noqa: S608 (placeholders)
            f"WHERE station_id IN ({','.join(['%s'] * len(ids))}) AND ts >= %s AND ts <= %s",
            [*ids, min(stamps), max(stamps)],
        )
        existing = {(int(s), int(t), str(c)) for s, t, c in cursor.fetchall()}
        new = [(k, v) for k, v in offered.items() if k not in existing]
        if not new:
            return 0
        cursor.executemany(
            INSERT_SQL,
            [
                (sid, ts, code, iv, value, (letter or "N")[:1])
                for (sid, ts, code), (iv, value, letter, _) in new
            ],
        )
        hours: dict[tuple[int, int, str], Sums] = {}
        for (sid, ts, code), (_, value, letter, speed) in new:
            key = (sid, ts - ts % 3600, code)
            sums = hours.get(key)
            if sums is None:
                sums = hours[key] = Sums()
            sums.add(code, value, letter, speed)
        cursor.executemany(
            HOUR_UPSERT,
            [
                (sid, hour, code, *(getattr(s, c) for c in _ADD), s.bad_flag)
                for (sid, hour, code), s in hours.items()
            ],
        )
    return len(new)


# --- reading them back (the API and the station page) ----------------------------------------


def _sums(row: FactorHour) -> Sums:
    return Sums(
        row.n, row.total, row.x, row.y, row.ux, row.uy, row.bad_n, row.bad_total, row.bad_flag
    )


def hour_out(row: FactorHour) -> dict[str, Any]:
    mean, flag = _sums(row).mean(row.code)
    return {
        "hour": dt.datetime.fromtimestamp(row.ts, tz=CST),
        "mean": None if mean is None else round(mean, 6),
        "count": row.n if row.n else row.bad_n,
        "flag": flag,
    }


def describe(code: str) -> dict[str, Any]:
    f = factor(code)
    return {"code": f.code, "name": f.zh, "name_en": f.en, "unit": f.unit, "kind": f.kind}


def factor_hours(
    station_id: int, t0: int, t1: int, code: str | None = None, *, pollutants: bool = True
) -> list[dict[str, Any]]:
    """Each factor of the station with hours in [t0, t1): its name, unit, kind and hours
    (hour, mean, count of the values averaged, flag: N valid, a device letter when the hour
    had only flagged values). The six pollutants come from the hourly aggregates (a mean where
    the hour has the values it needs, else none), the others from FactorHour."""
    series: dict[str, list[dict[str, Any]]] = {}
    qs = FactorHour.objects.filter(station_id=station_id, ts__gte=t0, ts__lt=t1)
    if code:
        qs = qs.filter(code__iexact=code)
    for row in qs.order_by("ts"):
        series.setdefault(row.code, []).append(hour_out(row))
    wanted = [
        p
        for p in POLLUTANT_FIELDS
        if pollutants and (not code or factor(code).column == p or code.lower() == p)
    ]
    if wanted:
        aggregates = HourlyAggregate.objects.filter(
            station_id=station_id, ts__gte=t0, ts__lt=t1
        ).order_by("ts")
        for agg in aggregates:
            for p in wanted:
                n = getattr(agg, f"{p}_n")
                if not n:
                    continue
                ok = n >= agg.need
                series.setdefault(POLLUTANT_CODES[p], []).append(
                    {
                        "hour": dt.datetime.fromtimestamp(agg.ts, tz=CST),
                        "mean": round(getattr(agg, f"{p}_sum") / n, 6) if ok else None,
                        "count": n,
                        "flag": "N" if ok else "",
                    }
                )
    return [{**describe(c), "hours": series[c]} for c in sorted(series, key=sort_key)]


def station_panel(station_id: int, now: int, hours: int = 24) -> list[dict[str, Any]]:
    """The station page's other factors: each factor's latest value (time, flag) and its
    hourly means of the last `hours` hours (newest first)."""
    t0 = now - now % 3600 - (hours - 1) * 3600
    series = {s["code"]: s for s in factor_hours(station_id, t0, now + 3600, pollutants=False)}
    if not series:
        return []
    newest_hour = min(s["hours"][-1]["hour"] for s in series.values())
    latest: dict[str, FactorReading] = {}
    readings = FactorReading.objects.filter(
        station_id=station_id, ts__gte=int(newest_hour.timestamp())
    ).order_by("ts")
    for r in readings:
        latest[r.code] = r
    panel = []
    for code, s in series.items():
        last = latest.get(code)
        panel.append(
            {
                **s,
                "hours": list(reversed(s["hours"])),
                "latest": None if last is None else last.value,
                "latest_at": None if last is None else dt.datetime.fromtimestamp(last.ts, tz=CST),
                "latest_flag": "" if last is None else last.flag,
            }
        )
    return panel
