"""A month of inspections (巡查检查) of the demo's pollution sources, made through the real
service with a simulated clock: each active source is visited by a grid worker of its grid about
as often as its category's plan asks, from a point near it (a few from too far: flagged). About
one visit in ten fails an item, which opens a rectification and its work order for the source's
responsible person; most are closed by a re-inspection a few days later (some late), some are
still open, and a few sources were skipped long enough to be overdue now."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gridgov.core.workcal import CST
from gridgov.demo.orders import _Accounts
from gridgov.inspections.models import ChecklistItem, InspectionPlan, Rectification
from gridgov.inspections.services import InspectionError, record_inspection
from gridgov.people.models import Post
from gridgov.sources.models import PollutionSource, Status

FAIL_SHARE = 0.10
FAR_SHARE = 0.02
SKIP_SHARE = 0.06  # a planned visit that did not happen (overdue sources)
REINSPECT_PASS_SHARE = 0.8
NOTES = ["现场检查正常", "已提醒负责人保持", "", "", "", "已拍照留存"]
FAIL_NOTES = ["现场发现问题，已要求整改", "已当面告知负责人", "责令限期整改"]


@dataclass
class InspectionsResult:
    inspections: int
    failed: int
    far: int
    rectifications: int
    closed: int
    open: int


def _near(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point about `metres` from (lat, lon) in a random direction."""
    angle = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(angle) / 111_320
    dlon = metres * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _visit_time(rng: random.Random, day: dt.date) -> dt.datetime:
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=CST)


def seed_inspections(
    rng: random.Random, today: dt.date, *, days: int = 30, limit: int | None = None
) -> InspectionsResult:
    """Inspections of every active source over the `days` before `today` (inclusive), by the
    grid workers of each source's grid (accounts are made for post holders who have none).
    Deterministic for a given `rng` and database; `limit` caps the sources visited."""
    logging.getLogger("gridgov.notify").setLevel(logging.WARNING)
    accounts = _Accounts()
    with transaction.atomic():
        accounts.ensure()
    plans = {p.category: p.interval_days for p in InspectionPlan.objects.filter(active=True)}
    items: dict[str, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(active=True):
        items.setdefault(item.category, []).append(item)
    workers: dict[int, list[Any]] = {}
    for post in (
        Post.objects.current(today)
        .filter(post_type__responsible=True, region__level=4)
        .order_by("post_type__rank", "person_id")
    ):
        user = accounts.of(post.person_id)
        if user is not None:
            workers.setdefault(post.region_id, []).append(user)
    sources = PollutionSource.objects.filter(status=Status.ACTIVE).order_by("code")
    if limit is not None:
        sources = sources[:limit]
    start = today - dt.timedelta(days=days - 1)
    counts = {"inspections": 0, "failed": 0, "far": 0, "rectifications": 0}
    for source in sources:
        interval = plans.get(source.category)
        checklist = items.get(source.category)
        crew = workers.get(source.grid_id)
        if not interval or not checklist or not crew:
            continue
        _visit_source(rng, source, interval, checklist, crew, start, today, counts)
    rects = Rectification.objects.all()
    return InspectionsResult(
        inspections=counts["inspections"],
        failed=counts["failed"],
        far=counts["far"],
        rectifications=counts["rectifications"],
        closed=rects.filter(state=Rectification.State.CLOSED).count(),
        open=rects.filter(state=Rectification.State.OPEN).count(),
    )


def _visit_source(
    rng: random.Random,
    source: PollutionSource,
    interval: int,
    checklist: list[ChecklistItem],
    crew: list[Any],
    start: dt.date,
    today: dt.date,
    counts: dict[str, int],
) -> None:
    # Skipped sources (never visited this month) end up overdue.
    if rng.random() < SKIP_SHARE * 2:
        return
    day = start + dt.timedelta(days=rng.randrange(min(interval, 30)))
    reinspect: tuple[dt.date, Rectification] | None = None
    while day <= today:
        if reinspect is not None and reinspect[0] <= day:
            day = reinspect[0]
        if rng.random() < SKIP_SHARE:
            day += dt.timedelta(days=interval + rng.choice([-1, 0, 1]))
            continue
        rect = reinspect[1] if reinspect is not None and reinspect[0] <= day else None
        failed: set[int] = set()
        if rect is not None:
            if rng.random() >= REINSPECT_PASS_SHARE:
                failed = {i.pk for i in rect.failed_items.all()}
        elif rng.random() < FAIL_SHARE:
            failed = {
                i.pk for i in rng.sample(checklist, k=min(len(checklist), rng.choice([1, 1, 2])))
            }
        far = rng.random() < FAR_SHARE
        metres = rng.uniform(350, 700) if far else abs(rng.gauss(0, 40))
        lat, lon = _near(rng, source.lat, source.lon, metres)
        at = min(_visit_time(rng, day), timezone.now() - dt.timedelta(minutes=5))
        user = rng.choice(crew)
        try:
            done = record_inspection(
                user,
                source.pk,
                lat,
                lon,
                round(rng.uniform(5, 30), 1),
                at,
                {i.pk: i.pk not in failed for i in checklist},
                rng.choice(FAIL_NOTES if failed else NOTES),
                rectification_id=rect.pk if rect is not None else None,
                now=at + dt.timedelta(minutes=2),
            )
        except InspectionError:  # e.g. a road far longer than the hard limit: skip it
            day += dt.timedelta(days=interval)
            continue
        counts["inspections"] += 1
        counts["failed"] += bool(failed)
        counts["far"] += done.inspection.far
        if done.rectification is not None:
            counts["rectifications"] += 1
            days_allowed = (done.rectification.due_date - day).days
            reinspect = (
                day + dt.timedelta(days=rng.randint(1, days_allowed + 2)),
                done.rectification,
            )
        elif rect is not None and done.closed is not None:
            reinspect = None
        elif rect is not None:  # still failing: look again in a couple of days
            reinspect = (day + dt.timedelta(days=rng.randint(1, 3)), rect)
        day += dt.timedelta(days=max(1, interval + rng.choice([-1, 0, 0, 1])))
