"""The bulletin schedule, run by `gridgov worker` (Huey): at GRIDGOV_BULLETIN_HOUR, China
Standard Time, yesterday's daily bulletins, on Mondays last week's, on the 1st last month's —
for the district and every street — each sent to its unit's inbox. Idempotent: a repeated or
doubled run finds the stored bulletins and sends nothing again."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from huey.contrib.djhuey import HUEY, db_periodic_task

from gridgov.ops.locks import JobLock

log = logging.getLogger(__name__)


def bulletins_due(timestamp: dt.datetime) -> bool:
    """Huey's clock (naive; UTC as the queue is set up) at minute 0 of the bulletin hour,
    local time; never when the schedule is off (-1)."""
    from django.conf import settings

    if settings.GRIDGOV_BULLETIN_HOUR < 0:
        return False
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=dt.UTC) if HUEY.utc else timestamp.astimezone()
    local = timestamp.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.hour == settings.GRIDGOV_BULLETIN_HOUR and local.minute == 0


@db_periodic_task(bulletins_due)
@JobLock("bulletins", ttl=dt.timedelta(hours=2))
def scheduled_bulletins() -> None:
    from gridgov.bulletins.services import run_schedule

    made = run_schedule()
    log.info("bulletins: %d generated", len(made))
