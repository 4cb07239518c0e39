"""The forecast model (预报模型): gradient boosting (scikit-learn's HistGradientBoostingRegressor,
which takes missing values as they are) on the features of air/forecast_features.py, with an
80 % interval by conformalised quantile regression (Romano et al. 2019):

- the point forecast is the mean of GRIDGOV_FORECAST_ENSEMBLE (5) squared-error models fitted
  on every training row (squared error: it minimises the RMSE the forecast is judged by), each
  on a random half of the features at every split, which steadies it (one such model's RMSE
  on the Beijing tuning year moved by ±2 % between seeds);
- the 10th and 90th percentile models are fitted on the earlier 80 % of the rows (in time) and
  widened (or narrowed) by the 80th percentile of their misses on the later 20 %, so the
  interval holds 80 % of the days it has not seen, not of those it learned from;
- the skill, when asked for, is the point model refitted on the earlier 80 % and scored on the
  later 20 % against persistence (tomorrow = today so far): an honest out-of-sample figure to
  show beside the forecast.

Hyperparameters were chosen on the Beijing stations' 2013-03 → 2016-02 (bench/
forecast_backtest.py); the model is small enough to retrain weekly in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

COVERAGE = 0.8
CALIBRATION_SHARE = 0.2
MIN_ROWS = 60  # fewer training rows than this: no model (too little history)
PARAMS = {
    "learning_rate": 0.05,
    "max_iter": 120,
    "max_features": 0.5,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}


@dataclass
class Fitted:
    """A trained model: the point and interval regressors, the conformal correction and the
    names of the features it expects, in order."""

    names: list[str]
    point: list[HistGradientBoostingRegressor]
    lower: HistGradientBoostingRegressor
    upper: HistGradientBoostingRegressor
    widen: float
    rows: int
    skill: dict[str, float] = field(default_factory=dict)
    blank: list[int] = field(default_factory=list)  # columns without a value to learn from: 0


def _filled(X: np.ndarray, blank: list[int]) -> np.ndarray:
    """X with the blank columns set to 0 (scikit-learn cannot bin a column of NaN only; a
    constant column is never split on)."""
    if not blank:
        return X
    X = X.copy()
    X[:, blank] = 0.0
    return X


def _regressor(**extra: object) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(**{**PARAMS, **extra})


def _ensemble(X: np.ndarray, y: np.ndarray, size: int) -> list[HistGradientBoostingRegressor]:
    return [_regressor(random_state=seed).fit(X, y) for seed in range(size)]


def _mean(models: list[HistGradientBoostingRegressor], X: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.mean([m.predict(X) for m in models], axis=0)
    return out


def rmse(forecast: np.ndarray, observed: np.ndarray) -> float:
    ok = np.isfinite(forecast) & np.isfinite(observed)
    return math.sqrt(float(np.mean((forecast[ok] - observed[ok]) ** 2))) if ok.any() else math.nan


def fit(
    names: list[str],
    X: np.ndarray,
    y: np.ndarray,
    persistence: np.ndarray | None = None,
    ensemble: int | None = None,
) -> Fitted | None:
    """A model from training rows in time order (NaN targets dropped); None with too few rows.
    With `persistence` (the persistence forecast of each row) the out-of-sample skill is
    measured as well."""
    with threadpool_limits(limits=1):  # one thread: OpenMP spinning on a busy machine costs 10×
        return _fit(names, X, y, persistence, ensemble or settings.GRIDGOV_FORECAST_ENSEMBLE)


def _fit(
    names: list[str], X: np.ndarray, y: np.ndarray, persistence: np.ndarray | None, size: int
) -> Fitted | None:
    keep = np.isfinite(y)
    X, y = X[keep], y[keep]
    if len(y) < MIN_ROWS:
        return None
    cut = int(len(y) * (1 - CALIBRATION_SHARE))
    # Blank in the earlier part (the smallest any model is fitted on) is blank for all.
    blank = [int(j) for j in np.nonzero(~np.isfinite(X[:cut]).any(axis=0))[0]]
    X = _filled(X, blank)
    tail = (1 - COVERAGE) / 2
    lower = _regressor(loss="quantile", quantile=tail).fit(X[:cut], y[:cut])
    upper = _regressor(loss="quantile", quantile=1 - tail).fit(X[:cut], y[:cut])
    lo, hi = lower.predict(X[cut:]), upper.predict(X[cut:])
    misses = np.maximum(lo - y[cut:], y[cut:] - hi)
    n = len(misses)
    rank = min(1.0, math.ceil((n + 1) * COVERAGE) / n)
    widen = float(np.quantile(misses, rank, method="higher"))
    skill: dict[str, float] = {}
    if persistence is not None:
        early = _ensemble(X[:cut], y[:cut], size)
        held = persistence[keep][cut:]
        model_rmse = rmse(_mean(early, X[cut:]), y[cut:])
        base = rmse(held, y[cut:])
        figures = {
            "rmse": round(model_rmse, 2),
            "persistence_rmse": round(base, 2),
            "ratio": round(model_rmse / base, 3) if base else math.nan,
            "days": int(np.isfinite(held).sum()),
        }
        skill = {k: v for k, v in figures.items() if math.isfinite(v)}  # JSON has no NaN
    return Fitted(names, _ensemble(X, y, size), lower, upper, widen, len(y), skill, blank)


def predict(model: Fitted, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(forecast, lower, upper) per row, never negative, the forecast inside its interval."""
    X = _filled(X, model.blank)
    with threadpool_limits(limits=1):
        point = np.maximum(_mean(model.point, X), 0.0)
        lo = np.maximum(model.lower.predict(X) - model.widen, 0.0)
        hi = model.upper.predict(X) + model.widen
    return point, np.minimum(lo, point), np.maximum(hi, point)
