"""The demo's heavy-pollution episode: a past orange warning (3–4 days, two to three weeks
before `today`) declared through the real path — the sources it reached, one command per
street — then what people did: commands acknowledged mostly on time (a few late, a few never),
and inspections of the affected sources during it by a grid worker of each source's grid, at
the source, with some days missed and some failures, so its record shows real, imperfect
figures. Deterministic for a given `random.Random`; the sources must already exist."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gridgov.emergency import declaring
from gridgov.emergency.models import AffectedSource, Level, Warning
from gridgov.inbox.models import CommandRecipient, Notification
from gridgov.inspections.models import ChecklistItem, Inspection, InspectionItem
from gridgov.people.models import Post
from gridgov.sources.services import metres_between

INSPECTOR_POSTS = ("grid_worker", "grid_worker_part", "grid_leader")
REASON = (
    "受静稳天气和区域传输影响，预计未来 3 天 PM2.5 日均浓度将超过 150 微克/立方米，"
    "达到重污染天气橙色预警启动条件。"
)


def _inspectors(grid_ids: set[int], on: dt.date) -> dict[int, list[Any]]:
    """grid id → the people who inspect there (its grid workers and leader), by post rank."""
    out: dict[int, list[Any]] = {}
    posts = (
        Post.objects.current(on)
        .filter(region_id__in=grid_ids, post_type__code__in=INSPECTOR_POSTS)
        .select_related("person", "post_type")
        .order_by("region_id", "post_type__rank", "person_id")
    )
    for p in posts:
        out.setdefault(p.region_id, []).append(p.person)
    return out


def seed_emergency(rng: random.Random, today: dt.date, command_user: User) -> Warning | None:
    """Declare and play out the past orange warning; None if it is already there (the same
    period was seeded before)."""
    tz = timezone.get_current_timezone()
    first = today - dt.timedelta(days=rng.randint(14, 21))
    length = rng.choice((3, 4))
    starts_at = dt.datetime.combine(first, dt.time(0, 0), tzinfo=tz)
    ends_at = starts_at + dt.timedelta(days=length)
    if Warning.objects.filter(starts_at=starts_at, level=Level.ORANGE).exists():
        return None
    declared_at = starts_at - dt.timedelta(hours=rng.randint(2, 5))
    with transaction.atomic():
        done = declaring.declare(
            command_user, Level.ORANGE, starts_at, ends_at, REASON, now=declared_at
        )
        _commands_answered(rng, done)
        _inspections(rng, done.warning, first, length)
    return done.warning


def _commands_answered(rng: random.Random, done: declaring.Declared) -> None:
    for command in done.commands:
        for r in CommandRecipient.objects.filter(command=command).order_by("pk"):
            roll = rng.random()
            if roll < 0.06:
                continue  # never acknowledged
            hours = rng.uniform(0.3, 3.5) if roll < 0.85 else rng.uniform(7, 20)
            acked = command.created_at + dt.timedelta(hours=hours)
            completed = None
            if rng.random() < 0.85:
                late = rng.random() < 0.2
                completed = (
                    command.due_at + dt.timedelta(hours=rng.uniform(1, 30))
                    if late
                    else max(acked, command.due_at - dt.timedelta(hours=rng.uniform(0.2, 2)))
                )
                acked = min(acked, completed)
            CommandRecipient.objects.filter(pk=r.pk).update(
                acknowledged_at=acked,
                completed_at=completed,
                note="已传达辖区各单位，逐一落实" if completed else "",
            )
        # The inbox notices of a past command: sent when it was issued, long since read.
        Notification.objects.filter(key=f"cmd:{command.pk}").update(
            created_at=command.created_at,
            read_at=command.created_at + dt.timedelta(hours=1),
        )


def _jitter(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    d = rng.uniform(0, metres)
    bearing = rng.uniform(0, 2 * math.pi)
    return (
        round(lat + d * math.cos(bearing) / 111_320, 7),
        round(lon + d * math.sin(bearing) / (111_320 * math.cos(math.radians(lat))), 7),
    )


def _inspections(rng: random.Random, warning: Warning, first: dt.date, length: int) -> None:
    rows = list(
        AffectedSource.objects.filter(warning=warning)
        .select_related("source")
        .defer("source__geometry")
        .order_by("source__code")
    )
    inspectors = _inspectors({r.source.grid_id for r in rows}, first)
    checklist: dict[str, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(active=True).order_by("category", "sort_order"):
        checklist.setdefault(item.category, []).append(item)
    tz = timezone.get_current_timezone()
    made: list[tuple[Inspection, str, bool]] = []
    for r in rows:
        people = inspectors.get(r.source.grid_id)
        if not people:
            continue  # nobody to inspect this grid: every day missed
        # Some sources are visited faithfully, some neglected.
        diligence = rng.choice((0.95, 0.9, 0.85, 0.7, 0.5))
        for window in range(0, length, r.interval_days):
            if rng.random() > diligence:
                continue
            day = first + dt.timedelta(
                days=window + rng.randrange(min(r.interval_days, length - window))
            )
            at = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz) + dt.timedelta(
                minutes=rng.randint(0, 9 * 60)
            )
            lat, lon = _jitter(rng, r.source.lat, r.source.lon, 40)
            failed = rng.random() < (0.12 if r.suspend else 0.08)
            person = people[rng.randrange(len(people))]
            made.append(
                (
                    Inspection(
                        source_id=r.source_id,
                        inspector=person,
                        user_id=person.user_id,
                        at=at,
                        lat=lat,
                        lon=lon,
                        accuracy_m=round(rng.uniform(5, 25), 1),
                        distance_m=round(metres_between(lat, lon, r.source.lat, r.source.lon), 1),
                        result=Inspection.Result.FAILED if failed else Inspection.Result.PASSED,
                        note=(
                            "现场发现违规作业，已责令立即停止"
                            if failed and r.suspend
                            else ("发现问题，已要求整改" if failed else "")
                        ),
                        region_path=r.source.region_path,
                        created_at=at + dt.timedelta(minutes=rng.randint(1, 20)),
                    ),
                    r.category,
                    failed,
                )
            )
    Inspection.objects.bulk_create([m[0] for m in made])
    items = []
    for inspection, category, failed in made:
        lines = checklist.get(category, [])
        if not lines:
            continue
        bad = rng.randrange(len(lines)) if failed else -1
        items += [
            InspectionItem(inspection=inspection, item=line, passed=i != bad)
            for i, line in enumerate(lines)
        ]
    InspectionItem.objects.bulk_create(items)
