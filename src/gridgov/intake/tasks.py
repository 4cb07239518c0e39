"""Periodic job run by `gridgov worker` (Huey): the 12345 status pushes that are queued (a
closed order's, attempt 0) or failed and due again, every minute. Each attempt is its own
HotlinePush row, so a doubled worker at worst pushes one status twice (the hotline system
takes a repeat as the same status)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.ops.locks import MINUTE_JOB, JobLock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@JobLock("hotline-push-retry", ttl=MINUTE_JOB)
def hotline_push_retry() -> None:
    from gridgov.intake.hotline import retry_due

    done = retry_due()
    if done:
        log.info("12345 status pushes retried: %d", done)
