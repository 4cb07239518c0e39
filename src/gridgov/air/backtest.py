"""The forecast backtest (预报回测): a daily-mean forecast for every station and day of a range,
each issued at 20:00 China time `lead` days before its date from the data before that instant
only — the model is retrained every `retrain_days` on the days complete by then (a target day
counts once its 24 hours are past) — against what was then observed and against persistence
(the mean of the issue day's hours known at the issue time).

`met="observed"` gives the model the target day's observed weather as if it were a perfect
forecast; `met="none"` gives it no weather after the issue time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gridgov.air import forecast_features as features
from gridgov.air import forecast_model as model
from gridgov.air.forecast_series import Series
from gridgov.errors import INVALID, DomainError

MIN_HISTORY_DAYS = 30  # a forecast needs this many days of the series before its issue day


@dataclass(frozen=True)
class Row:
    station_id: int
    issued_at: dt.datetime
    date: dt.date
    lead: int
    forecast: float | None
    lo: float | None
    hi: float | None
    observed: float | None
    persistence: float | None


@dataclass
class Score:
    """Figures of a set of rows: RMSE of the forecast and of persistence over the days both
    have an observation for, the ratio, the share of observed days inside the interval, and the
    share of station-days with a forecast."""

    days: int
    forecast_days: int
    rmse: float
    persistence_rmse: float
    ratio: float
    coverage: float
    availability: float

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in vars(self).items()}


CST = dt.timezone(dt.timedelta(hours=8))


def _f(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 1)


def run(
    series: Series,
    first: dt.date,
    last: dt.date,
    lead: int = 1,
    met: bool = False,
    pollutant: str = "pm25",
    retrain_days: int = 7,
    step: Callable[[], object] | None = None,
) -> list[Row]:
    """One row per station and day of [first, last] (a day without a forecast has None)."""
    if lead not in (1, 2, 3):
        raise DomainError(INVALID, "lead must be 1, 2 or 3", field="lead")
    if retrain_days < 1:
        raise DomainError(INVALID, "retrain_days must be at least 1", field="retrain_days")
    target = features.daily_targets(series)["o3_8h" if pollutant == "o3" else pollutant]
    issue_days = np.arange(0, series.days - lead)
    issue, start, end = features.daily_windows(issue_days, lead)
    design = features.build(series, issue, start, end, pollutant, met)
    stations = len(series.station_ids)
    y = np.full(len(issue_days) * stations, np.nan)
    y[:] = target[:, issue_days + lead].T.reshape(-1)
    persistence = design.column(f"{pollutant}_today")
    recent = design.column(f"{pollutant}_72h")
    target_day = np.repeat(issue_days + lead, stations)
    usable = target_day >= MIN_HISTORY_DAYS + lead
    rows: list[Row] = []
    first_i, last_i = series.day_index(first), series.day_index(last)
    for block in range(first_i, last_i + 1, retrain_days):
        block_days = np.arange(block, min(block + retrain_days, last_i + 1))
        issued_day = block - lead  # the block's first issue day: the training cut-off
        train = usable & (target_day <= issued_day - 1)
        fitted = model.fit(design.names, design.X[train], y[train])
        pick = np.isin(target_day, block_days)
        idx = np.nonzero(pick)[0]
        if fitted is not None:
            point, lo, hi = model.predict(fitted, design.X[idx])
        else:
            point = lo = hi = np.full(len(idx), np.nan)
        can = np.isfinite(recent[idx]) & usable[idx] & (fitted is not None)
        for j, r in enumerate(idx):
            day = series.first_day + dt.timedelta(days=int(target_day[r]))
            issued = dt.datetime.combine(
                day - dt.timedelta(days=lead), dt.time(features.ISSUE_HOUR), CST
            )
            ok = bool(can[j])
            rows.append(
                Row(
                    station_id=series.station_ids[r % stations],
                    issued_at=issued,
                    date=day,
                    lead=lead,
                    forecast=_f(point[j]) if ok else None,
                    lo=_f(lo[j]) if ok else None,
                    hi=_f(hi[j]) if ok else None,
                    observed=_f(y[r]),
                    persistence=_f(persistence[r]),
                )
            )
        if step is not None:
            step()
    return rows


def score(rows: list[Row]) -> Score:
    """The figures of the rows (see Score)."""

    def arr(name: str) -> np.ndarray:
        return np.array([np.nan if getattr(r, name) is None else getattr(r, name) for r in rows])

    f, o, p, lo, hi = (arr(n) for n in ("forecast", "observed", "persistence", "lo", "hi"))
    both = np.isfinite(f) & np.isfinite(o) & np.isfinite(p)
    a = model.rmse(f[both], o[both])
    b = model.rmse(p[both], o[both])
    inside = (o[both] >= lo[both]) & (o[both] <= hi[both])
    observed = np.isfinite(o)
    return Score(
        days=len(rows),
        forecast_days=int(np.isfinite(f).sum()),
        rmse=a,
        persistence_rmse=b,
        ratio=a / b if b else math.nan,
        coverage=float(inside.mean()) if both.any() else math.nan,
        availability=float((np.isfinite(f) & observed).sum() / max(1, observed.sum())),
    )
