"""Periodic jobs run by `gridgov worker` (Huey; inside `gridgov serve` by default): the deadline
sweep, the air offline sweep and the recomputation of days the HJ 212 receiver left pending,
every minute; the air maintenance sweep every 15 minutes; the air tampering scan and the air
forecast every hour; the time series' partitions and minute retention daily.
Each is idempotent, so a doubled or restarted worker does no harm."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.ops.locks import MINUTE_JOB, JobLock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@JobLock("deadline-sweep", ttl=MINUTE_JOB)
def deadline_sweep() -> None:
    from gridgov.ops.heartbeat import beat
    from gridgov.workorders.receivers import events_for_alarms
    from gridgov.workorders.sweep import sweep

    made = events_for_alarms()
    result = sweep()
    beat("deadline-sweep")
    log.info("deadline sweep: %s, events for alarms %d", result, made)


@db_periodic_task(crontab(minute="*"))
@JobLock("air-offline-sweep", ttl=MINUTE_JOB)
def air_offline_sweep() -> None:
    from gridgov.air.alarms import sweep_offline
    from gridgov.ops.heartbeat import beat

    raised = sweep_offline()
    beat("air-offline-sweep")
    log.info("offline sweep: %d alarms", len(raised))


@db_periodic_task(crontab(minute="*/15"))
@JobLock("air-maintenance-sweep", ttl=MINUTE_JOB)
def air_maintenance_sweep() -> None:
    """Maintenance issues (device fault, calibration due, long silence) and their orders."""
    from gridgov.air.maintenance import sweep

    result = sweep()
    if result.opened or result.ended or result.orders:
        log.info("maintenance sweep: %s", result)


@db_periodic_task(crontab(minute="*"))
@JobLock("air-pending-days", ttl=MINUTE_JOB)
def air_pending_days() -> None:
    """A safety net for the HJ 212 receiver's deferred days: a receiver killed before its
    refresh and not restarted leaves station-days pending (its own refresh runs every
    GRIDGOV_DAY_REFRESH_SECONDS; a refresh of an empty list is one query)."""
    from gridgov.air.aggregate import refresh_pending_days

    done = refresh_pending_days()
    if done:
        log.info("pending days recomputed: %d", done)


@db_periodic_task(crontab(minute="7"))
@JobLock("air-tamper-scan", ttl=MINUTE_JOB)
def air_tamper_scan() -> None:
    """Tampering detection (干扰监测) over the last GRIDGOV_TAMPER_SCAN_HOURS hours: findings are
    unique per station, kind and start, so the overlapping hourly scans open each once."""
    from gridgov.air.tamper_scan import scan_recent

    result = scan_recent()
    if result.opened:
        log.info("tamper scan: %s", result)


@db_periodic_task(crontab(minute="12"))
@JobLock("air-forecast", ttl=dt.timedelta(hours=1))
def air_forecast() -> None:
    """The air-quality forecast (预报): retrain the models when older than
    GRIDGOV_FORECAST_RETRAIN_DAYS, issue the daily forecast of the latest 20:00 and the hourly
    forecast of this hour, each once (air/forecast_issue.py)."""
    from gridgov.air.forecast_issue import issue

    done = issue()
    if done.trained or done.daily_rows or done.hourly_rows:
        log.info("air forecast: %s", done)


@db_periodic_task(crontab(minute="41", hour="19"))  # Huey's clock is UTC: 03:41 China time
@JobLock("air-partitions", ttl=dt.timedelta(hours=6))
def air_partitions() -> None:
    """The time series' upkeep (air/partitions.py, air/retention.py): on PostgreSQL the monthly
    partitions of air_reading and air_hourly up to GRIDGOV_PARTITION_MONTHS_AHEAD months ahead
    (imports make the months they need themselves) and those of any month whose rows wait in the
    default partition; then, with GRIDGOV_MINUTE_RETENTION_DAYS,
    the minute rows of final months past it dropped (hourly and daily kept)."""
    from django.conf import settings

    from gridgov.air import partitions, retention

    created = partitions.ensure_ahead(settings.GRIDGOV_PARTITION_MONTHS_AHEAD)
    created += partitions.adopt_default()
    if created:
        log.info("partitions created: %s", ", ".join(created))
    report = retention.run()
    for month in report.retired:
        log.info("minute rows of %d retired: %d row(s)", month.month, month.rows)
    if report.blocked is not None:
        log.info("minute retention stops at %d: %s", report.blocked.month, report.blocked.reason)
