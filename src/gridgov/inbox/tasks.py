"""Periodic jobs of the inbox run by `gridgov worker` (Huey): the overdue-command notices, every
minute. Idempotent (each recipient is told once), so a doubled or restarted worker does no harm."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.ops.locks import MINUTE_JOB, JobLock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@JobLock("command-overdue-sweep", ttl=MINUTE_JOB)
def command_overdue_sweep() -> None:
    from gridgov.inbox.commands import sweep_overdue

    late = sweep_overdue()
    if late:
        log.info("overdue commands: %d recipients told", late)
