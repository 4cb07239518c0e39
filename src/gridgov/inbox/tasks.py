"""Jobs of the inbox run by `gridgov worker` (Huey): the overdue-command notices and the
delivery sweep (digests, retries, the end of quiet hours) every minute; the deliveries of new
notices at once. Idempotent (each recipient is told once, each delivery claimed by one worker),
so a doubled or restarted worker does no harm."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gridgov.ops.locks import MINUTE_JOB, JobLock

log = logging.getLogger(__name__)
# Seconds a delivery job spends claiming new batches (the rest waits for the next sweep): a
# gateway that times out must not hold the worker, nor its claims outlive their lease.
SEND_BUDGET = 45


@db_periodic_task(crontab(minute="*"))
@JobLock("command-overdue-sweep", ttl=MINUTE_JOB)
def command_overdue_sweep() -> None:
    from gridgov.inbox.commands import sweep_overdue

    late = sweep_overdue()
    if late:
        log.info("overdue commands: %d recipients told", late)


@db_task()
def send_deliveries(ids: list[int]) -> None:
    """The deliveries of notices just committed: sent at once rather than at the next sweep."""
    from gridgov.inbox.delivery import send_due

    send_due(ids=ids, budget=SEND_BUDGET)


@db_periodic_task(crontab(minute="*"))
@JobLock("delivery-sweep", ttl=MINUTE_JOB)
def delivery_sweep() -> None:
    """Every minute: the digests whose time has come, then every due delivery (retries, the
    end of quiet hours, a task the queue lost). What is due is `timing.is_due`'s."""
    from gridgov.inbox.delivery import send_due
    from gridgov.inbox.digest import combine_digests

    combine_digests()
    result = send_due(limit=1000, budget=SEND_BUDGET)
    if result.sent or result.failed or result.given_up:
        log.info(
            "deliveries: %d sent, %d failed, %d given up",
            len(result.sent),
            len(result.failed),
            len(result.given_up),
        )
