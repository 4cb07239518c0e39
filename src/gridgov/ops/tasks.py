"""The daily backup, run by `gridgov worker` (Huey) at GRIDGOV_BACKUP_HOUR, China Standard Time,
keeping the GRIDGOV_BACKUP_KEEP newest archives in GRIDGOV_BACKUP_DIR."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from huey.contrib.djhuey import HUEY, db_periodic_task

from gridgov.ops.locks import JobLock

log = logging.getLogger(__name__)


def backup_due(timestamp: dt.datetime) -> bool:
    """Huey's clock (naive; UTC as the queue is set up) at minute 0 of the backup hour, local
    time; never when the daily backup is off. Read at each tick, so settings take effect."""
    from django.conf import settings

    if not settings.GRIDGOV_BACKUP_DIR or settings.GRIDGOV_BACKUP_KEEP < 1:
        return False
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=dt.UTC) if HUEY.utc else timestamp.astimezone()
    local = timestamp.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.hour == settings.GRIDGOV_BACKUP_HOUR and local.minute == 0


@db_periodic_task(backup_due)
@JobLock("daily-backup", ttl=dt.timedelta(hours=6))
def daily_backup() -> None:
    from gridgov.ops.backup import scheduled_backup

    done = scheduled_backup()
    if done is None:
        return
    info, pruned = done
    log.info(
        "backup %s: %.1f MB in %.1f s, %d rows, %d uploads; %d old archive(s) removed",
        info.path,
        info.size / 1e6,
        info.seconds,
        info.rows,
        info.media_files,
        len(pruned),
    )
