"""The registry's demo life, on top of the sources the demo has already registered: a season of
changes made through the real services with a simulated clock, so each source page has history.
Some construction sites move on a phase or stop for a warning, some enterprises are re-graded or
closed, a few restaurants record a purifier cleaning, some sources get a named responsible post
instead of their grid's, and enterprises near a station with an HJ 212 MN are linked to it.
Deterministic for a seed; seconds for a few hundred sources."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gridgov.core.actor import Account
from gridgov.people.models import Post
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import as_input, metres_between, update_source

PHASES = ["earthwork", "foundation", "structure", "decoration", "finishing"]
STOP_NOTES = [
    "重污染天气橙色预警，停止土方作业",
    "扬尘防治措施不到位，责令停工整改",
    "资金问题暂停施工",
]
CLOSE_NOTES = ["列入淘汰落后产能名单，已关停", "企业注销"]


@dataclass
class RegistryResult:
    changes: int
    suspended: int
    closed: int
    assigned: int
    linked: int


def seed_registry(
    seed: int = 2026, *, now: dt.datetime | None = None, user: Account = None
) -> RegistryResult:
    """Changes between each source's registration (at most 90 days back) and `now`, for the
    sources already in the database."""
    rng = random.Random(seed)
    now = now or timezone.now()
    result = RegistryResult(0, 0, 0, 0, 0)
    sources = list(PollutionSource.objects.select_related("grid").order_by("code"))
    posts_by_region: dict[int, list[int]] = {}
    for post in Post.objects.current(now.date()).filter(post_type__responsible=True).order_by("pk"):
        posts_by_region.setdefault(post.region_id, []).append(post.pk)
    stations = _stations_with_mn()

    with transaction.atomic():
        for source in sources:
            start = max(source.created_at, now - dt.timedelta(days=90))
            minutes = max(1, int((now - start).total_seconds() // 60))
            plans = _plans(rng, source, stations, posts_by_region, now.date())
            moments = [start + dt.timedelta(minutes=rng.randrange(1, minutes + 1)) for _ in plans]
            for when, change in sorted(zip(moments, plans, strict=True), key=lambda p: p[0]):
                current = PollutionSource.objects.get(pk=source.pk)
                data = as_input(current)
                kind, note = change(data)
                if (
                    update_source(current.pk, data, user, note=note, now=when).version
                    != current.version
                ):
                    result.changes += 1
                    result.suspended += kind == "suspended"
                    result.closed += kind == "closed"
                    result.assigned += kind == "assigned"
                    result.linked += kind == "linked"
    return result


def _stations_with_mn() -> list[tuple[str, float, float]]:
    from gridgov.air.models import Station

    rows = Station.objects.exclude(mn__isnull=True).exclude(mn="").values_list("mn", "lat", "lon")
    return [(mn, lat, lon) for mn, lat, lon in rows if mn]


def _plans(
    rng: random.Random,
    source: PollutionSource,
    stations: list[tuple[str, float, float]],
    posts_by_region: dict[int, list[int]],
    today: dt.date,
) -> list[Any]:
    """The changes one source goes through, each a function of its input → (kind, note)."""
    plans: list[Any] = []
    category = source.category
    if category == "construction_site":
        phase = source.attributes.get("phase", "earthwork")
        if phase in PHASES[:-1] and rng.random() < 0.5:
            following = PHASES[PHASES.index(phase) + 1]

            def advance(data: Any, following: str = following) -> tuple[str, str]:
                data.attributes["phase"] = following
                return "updated", "施工阶段变更"

            plans.append(advance)
        if rng.random() < 0.1:
            note = rng.choice(STOP_NOTES)

            def stop(data: Any, note: str = note) -> tuple[str, str]:
                data.status = Status.SUSPENDED
                return "suspended", note

            plans.append(stop)
    elif category == "enterprise":
        if rng.random() < 0.2:
            grade = rng.choice("ABCD")

            def regrade(data: Any, grade: str = grade) -> tuple[str, str]:
                data.attributes["grade"] = grade
                return "updated", "绩效分级复核"

            plans.append(regrade)
        if rng.random() < 0.04:
            note = rng.choice(CLOSE_NOTES)

            def close(data: Any, note: str = note) -> tuple[str, str]:
                data.status = Status.CLOSED
                return "closed", note

            plans.append(close)
        near = [
            mn
            for mn, lat, lon in stations
            if metres_between(source.lat, source.lon, lat, lon) < 1500
        ]
        if near and not source.attributes.get("monitor_mns"):
            mn = near[0]

            def link(data: Any, mn: str = mn) -> tuple[str, str]:
                data.attributes["monitor_mns"] = [mn]
                return "linked", "接入在线监测"

            plans.append(link)
    elif category == "restaurant" and rng.random() < 0.3:
        day = (today - dt.timedelta(days=rng.randrange(1, 60))).isoformat()

        def cleaned(data: Any, day: str = day) -> tuple[str, str]:
            data.attributes["cleaning_dates"] = [*data.attributes.get("cleaning_dates", []), day][
                -100:
            ]
            return "updated", "油烟净化器清洗"

        plans.append(cleaned)
    if rng.random() < 0.05:
        chain = source.grid.ancestor_ids()[::-1][1:3]  # the community, then the street
        candidates = [p for region in chain for p in posts_by_region.get(region, [])]
        if candidates:
            post_id = rng.choice(candidates)

            def assign(data: Any, post_id: int = post_id) -> tuple[str, str]:
                data.responsible_post_id = post_id
                return "assigned", "指定包保责任人"

            plans.append(assign)
    return plans
