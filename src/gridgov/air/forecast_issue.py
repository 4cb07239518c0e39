"""Training the forecast models and issuing forecasts (预报发布), from the district's own data.

- `train(now)`: one model per target (PM2.5, PM10, O3 daily max 8-h) and lead (1–3 days), and
  the hourly PM2.5 model, fitted on the ambient stations' last GRIDGOV_FORECAST_HISTORY_DAYS,
  with forecast-weather variants when the district has imported weather forecasts. Versioned
  rows (ForecastModel); the newest of each kind is in use.
- `issue(now)`: the daily forecast of the latest 20:00 China time at or before now (the next
  three days), once per issue time, and the hourly forecast of the current hour (the next 24
  hours), once per hour; retrains first when the models in use are older than
  GRIDGOV_FORECAST_RETRAIN_DAYS. Idempotent: the hourly job calls it every hour.

A station gets a forecast when it has a valid hour of the forecast pollutant in the 72 hours
before the issue time (nothing to go on otherwise).
"""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction

from gridgov.air import forecast_features as features
from gridgov.air import forecast_hooks, forecast_series
from gridgov.air import forecast_model as model
from gridgov.air.forecast_models import DailyForecast, ForecastModel, HourlyForecast
from gridgov.air.met_forecast_models import MetForecast
from gridgov.air.models import AMBIENT_KINDS, Station

CST = dt.timezone(dt.timedelta(hours=8))
LEADS = (1, 2, 3)
DAILY = {"pm25": "pm25", "pm10": "pm10", "o3_8h": "o3"}  # target → feature pollutant
HOURLY_LEADS = 6  # the hourly model learns from 6 of each issue's 24 hours ahead
HOURLY_AHEAD = 24
LOOKBACK_DAYS = 8  # the features reach 168 hours back


@dataclass
class Issued:
    trained: int = 0
    daily_at: dt.datetime | None = None
    daily_rows: int = 0
    hourly_at: dt.datetime | None = None
    hourly_rows: int = 0


def station_ids() -> list[int]:
    return list(
        Station.objects.filter(active=True, kind__in=AMBIENT_KINDS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def daily_issue_time(now: dt.datetime) -> dt.datetime:
    """The latest 20:00 China time at or before now."""
    local = now.astimezone(CST)
    at = local.replace(hour=features.ISSUE_HOUR, minute=0, second=0, microsecond=0)
    return at if at <= local else at - dt.timedelta(days=1)


def has_met_forecasts() -> bool:
    return MetForecast.objects.exists()


def _subsample(rows: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` of the rows, evenly spread, in their order."""
    if len(rows) <= limit:
        return rows
    return rows[np.linspace(0, len(rows) - 1, limit).astype(np.int64)]


def _save(
    target: str,
    lead: int,
    met: bool,
    fitted: model.Fitted,
    now: dt.datetime,
    through: dt.date,
    stations: int,
) -> ForecastModel:
    return ForecastModel.objects.create(
        target=target,
        lead=lead,
        met=met,
        trained_at=now,
        trained_through=through,
        rows=fitted.rows,
        stations=stations,
        skill=fitted.skill,
        features=fitted.names,
        blob=pickle.dumps(fitted),
    )


def train(
    now: dt.datetime | None = None,
    variants: tuple[bool, ...] | None = None,
    max_rows: int | None = None,
    ensemble: int | None = None,
) -> list[ForecastModel]:
    """Fit and store every model on the history before now; returns the new versions.
    `variants`: without (False) and with (True) forecast weather; by default both when the
    district has imported weather forecasts, else without only. `max_rows`: rows per model
    (default GRIDGOV_FORECAST_MAX_ROWS); `ensemble`: models averaged (GRIDGOV_FORECAST_ENSEMBLE)."""
    now = now or dt.datetime.now(dt.UTC)
    limit = max_rows or settings.GRIDGOV_FORECAST_MAX_ROWS
    ids = station_ids()
    today = now.astimezone(CST).date()
    first = today - dt.timedelta(days=settings.GRIDGOV_FORECAST_HISTORY_DAYS)
    series = forecast_series.load(ids, first, today)
    if not ids or series.days < 2:
        return []
    if variants is None:
        variants = (False, True) if has_met_forecasts() else (False,)
    targets = features.daily_targets(series)
    done_day = series.day_index(today) - 1  # the last whole day before today
    made: list[ForecastModel] = []
    for with_met in variants:
        for target, pollutant in DAILY.items():
            for lead in LEADS:
                issue_days = np.arange(0, done_day - lead + 1)
                if not len(issue_days):
                    continue
                issue, start, end = features.daily_windows(issue_days, lead)
                design = features.build(series, issue, start, end, pollutant, with_met)
                y = targets[target][:, issue_days + lead].T.reshape(-1)
                pick = _subsample(np.arange(len(y)), limit)
                fitted = model.fit(
                    design.names,
                    design.X[pick],
                    y[pick],
                    persistence=design.column(f"{pollutant}_today")[pick],
                    ensemble=ensemble,
                )
                if fitted is not None:
                    through = today - dt.timedelta(days=1)
                    made.append(_save(target, lead, with_met, fitted, now, through, len(ids)))
        fitted = _fit_hourly(series, series.day_index(today) * 24, with_met, limit, ensemble)
        if fitted is not None:
            made.append(_save("pm25_hourly", 0, with_met, fitted, now, today, len(ids)))
    return made


def _hourly_windows(issues: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ahead = np.arange(1, HOURLY_AHEAD + 1)
    issue = np.repeat(issues, HOURLY_AHEAD)
    start = issue + np.tile(ahead, len(issues)) - 1
    return issue, start, start + 1


def _fit_hourly(
    series: forecast_series.Series, known: int, met: bool, max_rows: int, ensemble: int | None
) -> model.Fitted | None:
    """The hourly model on issues at every hour whose 24 hours are before `known`, each with
    HOURLY_LEADS of its 24 hours ahead drawn at random (seeded), and as many issues, evenly
    spread, as keep the rows within `max_rows` — features are built for the chosen rows only."""
    candidates = np.arange(168, known - HOURLY_AHEAD + 1)
    stations = max(1, len(series.station_ids))
    wanted = max(1, max_rows // (stations * HOURLY_LEADS))
    if not len(candidates):
        return None
    if len(candidates) > wanted:
        candidates = candidates[np.linspace(0, len(candidates) - 1, wanted).astype(np.int64)]
    rng = np.random.default_rng(0)
    ahead = np.concatenate(
        [rng.choice(HOURLY_AHEAD, HOURLY_LEADS, replace=False) + 1 for _ in candidates]
    )
    issue = np.repeat(candidates, HOURLY_LEADS)
    start = issue + ahead - 1
    design = features.build(series, issue, start, start + 1, "pm25", met)
    y = series.data["pm25"][:, start].T.reshape(-1)
    persistence = design.column("pm25_1h")
    fitted: model.Fitted | None = model.fit(design.names, design.X, y, persistence, ensemble)
    return fitted


def in_use(target: str, lead: int, met: bool) -> tuple[ForecastModel, model.Fitted] | None:
    row = (
        ForecastModel.objects.filter(target=target, lead=lead, met=met)
        .order_by("-trained_at", "-pk")
        .first()
    )
    if row is None:
        return None
    return row, pickle.loads(bytes(row.blob))  # noqa: S301 (written by train() only)


def _stale(now: dt.datetime) -> bool:
    newest = (
        ForecastModel.objects.order_by("-trained_at").values_list("trained_at", flat=True).first()
    )
    return newest is None or now - newest > dt.timedelta(
        days=settings.GRIDGOV_FORECAST_RETRAIN_DAYS
    )


def _series_for(
    ids: list[int], at: dt.datetime, days_ahead: int
) -> tuple[forecast_series.Series, bool]:
    """History before `at` and room for the days ahead, weather after `at` from the imported
    forecasts (if any): (series, whether forecast weather was found)."""
    day = at.astimezone(CST).date()
    series = forecast_series.load(
        ids, day - dt.timedelta(days=LOOKBACK_DAYS), day + dt.timedelta(days=days_ahead)
    )
    known = series.day_index(day) * 24 + at.astimezone(CST).hour
    for values in series.data.values():
        values[:, known:] = np.nan  # nothing after the issue time, whatever is stored
    return forecast_series.with_forecast_met(series, int(at.timestamp()))


def issue_daily(at: dt.datetime) -> int:
    ids = station_ids()
    series, met = _series_for(ids, at, max(LEADS))
    i = series.day_index(at.astimezone(CST).date())
    rows: dict[tuple[int, int], dict[str, object]] = {}
    for target, pollutant in DAILY.items():
        for lead in LEADS:
            found = in_use(target, lead, met) or in_use(target, lead, False)
            if found is None:
                continue
            version, fitted = found
            issue, start, end = features.daily_windows(np.array([i]), lead)
            design = features.build(series, issue, start, end, pollutant, version.met)
            point, lo, hi = model.predict(fitted, design.X)
            recent = design.column(f"{pollutant}_72h")
            for s, sid in enumerate(ids):
                if not np.isfinite(recent[s]):
                    continue
                row = rows.setdefault((sid, lead), {"models_used": {}, "met": version.met})
                row[target], row[f"{target}_lo"], row[f"{target}_hi"] = (
                    round(float(v[s]), 1) for v in (point, lo, hi)
                )
                row["models_used"][target] = version.pk  # type: ignore[index]
    day = at.astimezone(CST).date()
    objs = [
        DailyForecast(
            station_id=sid, issued_at=at, date=day + dt.timedelta(days=lead), lead=lead, **values
        )
        for (sid, lead), values in rows.items()
    ]
    DailyForecast.objects.bulk_create(objs, ignore_conflicts=True)
    return len(objs)


def issue_hourly(at: dt.datetime) -> int:
    ids = station_ids()
    series, met = _series_for(ids, at, 2)
    found = in_use("pm25_hourly", 0, met) or in_use("pm25_hourly", 0, False)
    if found is None:
        return 0
    version, fitted = found
    known = series.day_index(at.astimezone(CST).date()) * 24 + at.astimezone(CST).hour
    issue, start, end = _hourly_windows(np.array([known]))
    design = features.build(series, issue, start, end, "pm25", version.met)
    point, lo, hi = model.predict(fitted, design.X)
    recent = design.column("pm25_72h")
    t0 = series.t0
    objs = [
        HourlyForecast(
            station_id=sid,
            issued_at=at,
            ts=t0 + int(start[k]) * 3600,
            pm25=round(float(point[r]), 1),
            pm25_lo=round(float(lo[r]), 1),
            pm25_hi=round(float(hi[r]), 1),
        )
        for k in range(HOURLY_AHEAD)
        for s, sid in enumerate(ids)
        if np.isfinite(recent[(r := k * len(ids) + s)])
    ]
    HourlyForecast.objects.bulk_create(objs, ignore_conflicts=True)
    return len(objs)


def issue(now: dt.datetime | None = None, retrain: bool | None = None) -> Issued:
    """Retrain when stale (or asked), then issue what is not issued yet (see the module)."""
    now = now or dt.datetime.now(dt.UTC)
    out = Issued()
    if retrain or (retrain is None and _stale(now)):
        out.trained = len(train(now))
    daily_at = daily_issue_time(now)
    if not DailyForecast.objects.filter(issued_at=daily_at).exists():
        with transaction.atomic():
            out.daily_rows = issue_daily(daily_at)
        out.daily_at = daily_at
        if out.daily_rows:
            forecast_hooks.issued(now)  # e.g. the emergency app's warning recommendations
    hourly_at = now.astimezone(CST).replace(minute=0, second=0, microsecond=0)
    if not HourlyForecast.objects.filter(issued_at=hourly_at).exists():
        with transaction.atomic():
            out.hourly_rows = issue_hourly(hourly_at)
        out.hourly_at = hourly_at
    return out
