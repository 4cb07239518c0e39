"""The forecast's backtest on the 12 Beijing control stations (issue 23 item 4): next-day
daily-mean PM2.5 issued at 20:00 the day before, for every day of the report year
2016-03-01 → 2017-02-28 (the model's settings were tuned on 2013-03 → 2016-02 only), run as a
user would — `gridgov air backtest --from … --to … --lead 1 --met none|observed --format json`
on the database bench/beijing_db.py builds — and scored here from the rows it prints:

- RMSE of the forecast and of persistence (tomorrow = today's hours known at the issue time)
  over the station-days both have and that were observed, and their ratio
  (goals: ≤ 0.75 with --met none, ≤ 0.50 with --met observed);
- the share of observed days inside the 80 % interval (goal 75–85 %);
- the share of observed station-days with a forecast (goal ≥ 90 %);
- the wall time of each backtest (goal < 10 minutes for the year and 12 stations).

    PYTHONPATH=src python bench/forecast_backtest.py            # both --met modes
    PYTHONPATH=src python bench/forecast_backtest.py none       # one
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections import defaultdict

import beijing_db

FROM, TO = "2016-03-01", "2017-02-28"
GOAL = {"none": 0.75, "observed": 0.50}


def figures(rows: list[dict[str, object]]) -> dict[str, float]:
    both = [
        r
        for r in rows
        if r["pm25_observed"] is not None
        and r["pm25_forecast"] is not None
        and r["pm25_persistence"] is not None
    ]
    observed = [r for r in rows if r["pm25_observed"] is not None]

    def rmse(key: str) -> float:
        return math.sqrt(sum((r[key] - r["pm25_observed"]) ** 2 for r in both) / len(both))  # type: ignore[operator]

    inside = sum(r["pm25_lo"] <= r["pm25_observed"] <= r["pm25_hi"] for r in both)  # type: ignore[operator]
    have = sum(r["pm25_forecast"] is not None for r in observed)
    model, persistence = rmse("pm25_forecast"), rmse("pm25_persistence")
    return {
        "days": len(both),
        "rmse": model,
        "persistence": persistence,
        "ratio": model / persistence,
        "coverage": inside / len(both),
        "availability": have / len(observed),
    }


def run(met: str) -> None:
    db = beijing_db.build()
    cmd = [
        sys.executable,
        "-m",
        "gridgov.cli",
        "air",
        "backtest",
        "--from",
        FROM,
        "--to",
        TO,
        "--lead",
        "1",
        "--met",
        met,
        "--format",
        "json",
    ]
    t = time.perf_counter()
    done = subprocess.run(cmd, env=beijing_db.env(db), capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t
    rows = json.loads(done.stdout)
    per: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in rows:
        per[str(r["station"])].append(r)
    print(
        f"\n--met {met}: {len(rows):,} station-days, backtest {seconds:.0f} s "
        f"({seconds / 600:.2f} × the 10-minute goal)"
    )
    print(
        f"{'station':<8} {'days':>5} {'RMSE':>6} {'persist':>8} {'ratio':>6} {'80%int':>7} {'avail':>6}"
    )
    for code in sorted(per):
        f = figures(per[code])
        print(
            f"{code:<8} {f['days']:>5} {f['rmse']:>6.1f} {f['persistence']:>8.1f} "
            f"{f['ratio']:>6.3f} {f['coverage']:>7.1%} {f['availability']:>6.1%}"
        )
    f = figures(rows)
    print(
        f"{'all':<8} {f['days']:>5} {f['rmse']:>6.1f} {f['persistence']:>8.1f} "
        f"{f['ratio']:>6.3f} {f['coverage']:>7.1%} {f['availability']:>6.1%}"
    )
    print(
        f"goal ratio ≤ {GOAL[met]:.2f}: measured {f['ratio']:.3f} = {f['ratio'] / GOAL[met]:.2f} × the goal; "
        f"interval {f['coverage']:.1%} (goal 75–85 %); availability {f['availability']:.1%} (goal ≥ 90 %)"
    )


if __name__ == "__main__":
    for mode in sys.argv[1:] or ["none", "observed"]:
        run(mode)
