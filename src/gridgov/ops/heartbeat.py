"""Whether the scheduled jobs run: each every-minute job records when it last finished
(`beat`), and the overview and the desk say so when the deadline sweep has not run for
`STALE` (`jobs_status`).

Nothing a page shows depends on the jobs — overdue, due soon and offline are computed from the
clock when read (workorders/lateness.py) — but their side effects do: overdue notices,
escalations up the chain, offline alarms and the scheduled bulletins. The banner tells an office
that those have stopped, and why they might have (see the README: `gridgov serve` runs the jobs
itself unless GRIDGOV_JOBS_IN_SERVE is off, then `gridgov worker` must run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gridgov.ops.models import JobBeat

STALE = dt.timedelta(minutes=5)
WATCHED = "deadline-sweep"  # the job whose silence the banner reports


def beat(name: str, now: dt.datetime | None = None) -> None:
    """Record that the job `name` has just finished."""
    JobBeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})


@dataclass(frozen=True)
class JobsStatus:
    last_run: dt.datetime | None  # None: never ran on this database
    minutes_silent: int | None

    @property
    def stalled(self) -> bool:
        return self.minutes_silent is None or self.minutes_silent >= STALE.total_seconds() // 60


def jobs_status(now: dt.datetime | None = None) -> JobsStatus:
    """The watched job's last run and how many whole minutes it has been silent at `now`."""
    now = now or timezone.now()
    last = JobBeat.objects.filter(name=WATCHED).values_list("at", flat=True).first()
    if last is None:
        return JobsStatus(None, None)
    return JobsStatus(last, max(0, int((now - last).total_seconds() // 60)))
