"""The demo's cards (demo/racing.py), seeded on the small race district: idempotent, weights as
the brief's street card, three months of snapshots per monthly card and the last quarter's for
the quarterly grassroots-governance card."""

from __future__ import annotations

import datetime as dt

from gridgov.demo.racing import seed_racing
from gridgov.racing.models import Scorecard, Snapshot


def test_seed_racing_is_idempotent_with_three_months_of_snapshots(race):
    today = dt.date(2026, 5, 20)
    first = seed_racing(today)
    again = seed_racing(today)
    assert (first.cards, first.snapshots) == (again.cards, again.snapshots) == (3, 7)
    street = Scorecard.objects.get(name="街道赛马")
    assert {i.metric: int(i.weight) for i in street.indicators.all()} == {
        "pm25": 30,
        "pm25_yoy": 20,
        "good_day_ratio": 20,
        "order_on_time_rate": 15,
        "inspection_coverage": 15,
    }
    assert Scorecard.objects.get(name="村书记赛马").level == 3
    starts = sorted({s.start for s in Snapshot.objects.filter(scorecard=street)})
    assert starts == [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    governance = Scorecard.objects.get(name="基层治理赛马")
    assert governance.period_kind == "quarter"
    assert sum(int(i.weight) for i in governance.indicators.all()) == 100
    assert {i.metric for i in governance.indicators.all()} >= {
        "mediation_rate",
        "org_coverage_rate",
        "work_coverage_rate",
        "custom_compliance_rate",
    }
    quarter = Snapshot.objects.get(scorecard=governance)
    assert (quarter.start, quarter.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert Snapshot.objects.count() == 7
    # Every card snapshots every unit of its level (4 on the race district).
    assert all(s.rows.count() == 4 for s in Snapshot.objects.all())
