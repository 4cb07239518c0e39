"""The emergency app's periodic job, run by `gridgov worker` (Huey): warning recommendations
(预警建议) from the district's latest forecast, every hour — the safety net behind the hook the
forecast job calls after each issue (air/forecast_hooks.py). Idempotent: one recommendation per
forecast issue and level, so the hourly runs after an issue add nothing."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.ops.locks import MINUTE_JOB, JobLock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"))
@JobLock("warning-recommendations", ttl=MINUTE_JOB)
def warning_recommendations() -> None:
    from gridgov.emergency.recommending import recommend

    made = recommend()
    if made:
        log.info("warning recommendations: %s", ", ".join(str(r) for r in made))
