"""The inspections' panel of the overview: today's inspections in the account's scope
(registered in gridgov.web.panels when the app is ready)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from gridgov.air.models import CST
from gridgov.core.actor import Account
from gridgov.inspections.models import Inspection
from gridgov.inspections.services import inspections_for
from gridgov.web import panels
from gridgov.web.panels import link


@dataclass
class Inspections:
    day: dt.date
    total: int
    failed: int
    far: int
    url: str
    failed_url: str


def inspections(user: Account, today: dt.date) -> Inspections:
    start = dt.datetime.combine(today, dt.time(), tzinfo=CST)
    found = (
        inspections_for(user)
        .filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
        .aggregate(
            total=Count("id"),
            failed=Count("id", filter=Q(result=Inspection.Result.FAILED)),
            far=Count("id", filter=Q(far=True)),
        )
    )
    day = today.isoformat()
    return Inspections(
        day=today,
        total=found["total"],
        failed=found["failed"],
        far=found["far"],
        url=link("inspections:desk", **{"from": day, "to": day}),
        failed_url=link("inspections:desk", result="failed", **{"from": day, "to": day}),
    )


def register() -> None:
    panels.register("inspections", lambda v: inspections(v.user, v.today))
