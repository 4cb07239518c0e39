"""The demo's forecast (预报): the models trained on the demo's year of hourly data — lighter
than the worker's weekly retraining (at most DEMO_ROWS rows and one model instead of the
ensemble per target), so the build stays quick — and the first issue, so the overview's 3-day
strip, the forecast page and the
recommended warnings have something to show at once."""

from __future__ import annotations

from collections.abc import Callable

from gridgov.air.forecast_issue import Issued, issue, train

DEMO_ROWS = 12_000
STEPS = 2


def generate(progress: Callable[[str, int], None] = lambda step, n: None) -> Issued:
    made = train(max_rows=DEMO_ROWS, ensemble=1)
    progress("forecast models", 1)
    done = issue(retrain=False)
    done.trained = len(made)
    progress("forecast", 1)
    return done
