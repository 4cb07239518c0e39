"""The worker's monthly snapshot of every active card's last whole period (on the day after
the default period moves on to a new month, so the month's late data is in)."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.air.periods import FIRST_DAYS
from gridgov.ops.locks import JobLock
from gridgov.racing import services


@db_periodic_task(crontab(day=str(FIRST_DAYS + 1), hour="2", minute="30"))
@JobLock("racing-snapshot", ttl=dt.timedelta(hours=2))
def snapshot_last_period() -> None:
    services.snapshot_due()
