"""The registry's demo seeding: history through the services, deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from gridgov.demo.registry import seed_registry
from gridgov.sources.models import PollutionSource, SourceChange
from gridgov.sources.services import SourceInput, create_source, point_geometry

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def few_sources() -> None:
    rng = random.Random(7)
    created = NOW - dt.timedelta(days=120)
    for i in range(30):
        lat, lon = 35.05 + rng.random() * 0.3, 113.01 + rng.random() * 0.38
        category = ("construction_site", "enterprise", "restaurant")[i % 3]
        attributes = {"phase": "earthwork"} if category == "construction_site" else {}
        create_source(
            SourceInput(
                category=category,
                name=f"源{i}",
                geometry=point_geometry(lat, lon),
                attributes=attributes,
            ),
            now=created,
        )


def snapshot() -> list[tuple]:
    return list(
        SourceChange.objects.exclude(action="created")
        .order_by("source__code", "at")
        .values_list("source__code", "action", "note", "at")
    )


def test_seed_makes_history_deterministically(people, territory):
    from gridgov.air.models import Station

    Station.objects.create(
        code="E1", name="企业排口", kind="micro", lat=35.2, lon=113.05, mn="MN0001"
    )
    few_sources()
    first = seed_registry(3, now=NOW)
    assert first.changes > 5 and first.changes == len(snapshot())
    history = snapshot()
    assert all(NOW - dt.timedelta(days=90) <= at <= NOW for *_, at in history)
    assert PollutionSource.objects.filter(attributes__phase="foundation").exists()
    # Again from the same start: the same history.
    SourceChange.objects.exclude(action="created").delete()
    PollutionSource.objects.all().delete()
    few_sources()
    again = seed_registry(3, now=NOW)
    assert again == first
    assert [h[:3] for h in snapshot()] == [h[:3] for h in history]
