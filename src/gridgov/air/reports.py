"""Daily and hourly reports per unit, as rows (CLI, API and CSV exports share them)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from gridgov.air import aqi
from gridgov.air.aggregate import HOUR, fetch_hours, hourly_means, o3_8h_windows
from gridgov.air.assessment import DAILY_KEYS, daily_series
from gridgov.air.models import CST, POLLUTANT_FIELDS
from gridgov.air.review import review_states
from gridgov.air.stats import Unit

DAILY_COLUMNS = [
    "date",
    "pm25",
    "pm10",
    "so2",
    "no2",
    "co",
    "o3_1h_max",
    "o3_8h_max",
    "iaqi_pm25",
    "iaqi_pm10",
    "iaqi_so2",
    "iaqi_no2",
    "iaqi_co",
    "iaqi_o3",
    "aqi",
    "level",
    "category",
    "primary_pollutants",
    "standard",
    "review",
]
# 审核状态 of a unit's day: every station approved by a reviewer, some, or none.
REVIEW_STATES = {"reviewed": "已审核", "partial": "部分审核", "unreviewed": "未审核"}
ROUND_AS = {
    "pm25": "pm25",
    "pm10": "pm10",
    "so2": "so2",
    "no2": "no2",
    "co": "co",
    "o3_1h_max": "o3",
    "o3_8h_max": "o3",
}


def _rounded(value: float, key: str) -> float | int | None:
    if not math.isfinite(value):
        return None
    r = float(aqi.round_concentration(np.array([value]), ROUND_AS.get(key, key))[0])
    return r if key == "co" else int(r)


def daily_rows(
    units: list[Unit],
    start: dt.date,
    end: dt.date,
    standard: aqi.Standard | None = None,
    unit_column: str = "station",
) -> list[dict[str, Any]]:
    """One row per unit and day: the daily report (rounded as the standard says; None where
    invalid), the standard chosen by the day's date unless forced."""
    series = daily_series(units, start, end)
    rows = []
    n_days = len(series.days)
    day_list = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in series.days]
    needed = {standard} if standard else {aqi.standard_for(d) for d in day_list}
    flat = {k: v.ravel() for k, v in series.values.items()}
    reports = {s: aqi.daily_report(flat, s) for s in needed}
    approved = review_states(
        sorted({sid for unit in units for sid in unit.station_ids}), start, end
    )
    for u, unit in enumerate(units):
        for d, day_number in enumerate(series.days):
            day = dt.date(1970, 1, 1) + dt.timedelta(days=int(day_number))
            chosen = standard or aqi.standard_for(day)
            rec = aqi.record(reports[chosen], u * n_days + d)
            row: dict[str, Any] = {unit_column: unit.code, "date": day.isoformat()}
            for key in DAILY_KEYS:
                row[key] = _rounded(float(series.values[key][u, d]), key)
            for p in ("pm25", "pm10", "so2", "no2", "co", "o3"):
                row[f"iaqi_{p}"] = rec["iaqi"][p]
            row["aqi"] = rec["aqi"]
            row["level"] = rec["level"]
            row["category"] = rec["category"]
            row["primary_pollutants"] = ";".join(rec["primary_pollutants"])
            row["standard"] = chosen.value
            done = sum((sid, day) in approved for sid in unit.station_ids)
            row["review"] = (
                "reviewed"
                if unit.station_ids and done == len(unit.station_ids)
                else "partial"
                if done
                else "unreviewed"
            )
            rows.append(row)
    return rows


def hourly_rows(
    station_id: int, code: str, start_ts: int, end_ts: int, standard: aqi.Standard | None = None
) -> list[dict[str, Any]]:
    """Real-time report of one station for each hour in [start_ts, end_ts)."""
    first = start_ts - start_ts % HOUR
    lookback = first - 7 * HOUR  # O3 8-h moving means need the 7 hours before
    rows = fetch_hours([station_id], lookback, end_ts)
    hours = np.arange(lookback, end_ts, HOUR)
    means = np.full((len(hours), len(POLLUTANT_FIELDS)), np.nan)
    if len(rows):
        pos = ((rows[:, 1].astype(np.int64) - lookback) // HOUR).astype(int)
        means[pos] = hourly_means(rows)
    o3 = means[:, POLLUTANT_FIELDS.index("o3")]
    o3_8h = np.full(len(hours), np.nan)
    if len(hours) >= 8:
        o3_8h[7:] = o3_8h_windows(o3[None, :])[0]
    keep = hours >= first
    data = {p: means[keep, j] for j, p in enumerate(POLLUTANT_FIELDS)}
    data["o3_8h"] = o3_8h[keep]
    out = []
    kept_hours = hours[keep]
    needed = (
        {standard}
        if standard
        else {
            aqi.standard_for(dt.datetime.fromtimestamp(t, tz=CST).date())
            for t in (int(kept_hours[0]), int(kept_hours[-1]))
        }
        if len(kept_hours)
        else set()
    )
    reports = {s: aqi.hourly_report(data, s) for s in needed}
    for i, ts in enumerate(kept_hours.tolist()):
        moment = dt.datetime.fromtimestamp(ts, tz=CST)
        chosen = standard or aqi.standard_for(moment.date())
        rec = aqi.record(reports[chosen], i)
        row: dict[str, Any] = {"station": code, "time": moment.isoformat()}
        for p in POLLUTANT_FIELDS:
            row[p] = _rounded(float(data[p][i]), p)
        row["o3_8h"] = _rounded(float(data["o3_8h"][i]), "o3")
        row.update(
            {
                "aqi": rec["aqi"],
                "level": rec["level"],
                "category": rec["category"],
                "colour": rec["colour"],
                "primary_pollutants": ";".join(rec["primary_pollutants"]),
                "standard": chosen.value,
            }
        )
        out.append(row)
    return out
