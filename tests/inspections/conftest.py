"""Sources and helpers for the inspection tests: a construction site in G1 (at the work-order
tests' G1 point), a restaurant in G3 (only the command office and G3 see it), an enterprise in
G1 and a closed site."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.inspections.models import ChecklistItem
from gridgov.inspections.services import record_inspection
from gridgov.sources.services import SourceInput, create_source, point_geometry
from tests.workorders.fixtures import G1_POINT, G3_POINT

# ~100 m north of the G1 site: 0.0009° of latitude.
NEAR_G1 = (G1_POINT[0] + 0.0009, G1_POINT[1])


def make_source(category: str, point: tuple[float, float], name: str, **attributes) -> object:
    return create_source(
        SourceInput(
            category=category,
            name=name,
            geometry=point_geometry(*point),
            attributes=attributes,
        ),
        now=timezone.now() - dt.timedelta(days=60),
    )


@pytest.fixture
def sources(crew):
    return {
        "site": make_source("construction_site", G1_POINT, "东一花园工地"),
        "enterprise": make_source("enterprise", (35.21, 113.06), "东一铸造厂", grade="C"),
        "restaurant": make_source("restaurant", G3_POINT, "西一饭店"),
    }


def all_passed(category: str) -> dict[int, bool]:
    return {i.pk: True for i in ChecklistItem.objects.filter(category=category, active=True)}


def item(category: str, code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(category=category, code=code)


@pytest.fixture
def inspect(crew):
    """Record an inspection of a source as an account (g1_worker by default), all items passed
    unless `failed` names item codes."""

    def _inspect(source, username="g1_worker", point=NEAR_G1, failed=(), **kw):
        items = all_passed(source.category)
        for code in failed:
            items[item(source.category, code).pk] = False
        return record_inspection(
            crew[username], source.pk, point[0], point[1], kw.pop("accuracy", 8.0),
            items=kw.pop("items", items), **kw,
        )  # fmt: skip

    return _inspect
