"""What the emergency app plugs into the apps below it (AppConfig.ready())."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from gridgov.emergency.models import Measure
from gridgov.emergency.services import in_force
from gridgov.inspections import plans


def tightening_at(at: dt.datetime) -> plans.Tightening | None:
    """The warning in force at `at` as the inspection plans read it: since when, and the
    active measures at or below its level by category."""
    warning = in_force(at)
    if warning is None:
        return None
    rules: dict[str, list[plans.IntervalRule]] = defaultdict(list)
    for m in Measure.objects.filter(active=True, level__lte=warning.level):
        rules[m.category].append(m)
    return plans.Tightening(warning.starts_at, dict(rules))


def register() -> None:
    from gridgov.air import forecast_hooks
    from gridgov.emergency import bulletin, monitoring, overview_panels, recommending
    from gridgov.sources import monitor_rules

    overview_panels.register()
    plans.register_tightening(tightening_at)
    bulletin.register()
    monitor_rules.register_restriction(monitoring.restrictions_at)
    forecast_hooks.register_issued(recommending.recommend_after_issue)
