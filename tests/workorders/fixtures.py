"""Work-order fixtures on top of the named territory (tests/conftest.py).

Adds accounts for G1's full-time worker (`g1_worker`, 李专职), a second G1 worker
(`g1_part`, 赵兼职) and G3's part-time worker (`g3_worker`, 王兼职).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from gridgov.people.roles import sync_groups
from gridgov.workorders.models import Category, Source
from gridgov.workorders.services import EventInput, create_event
from tests.conftest import PASSWORD, _person

G1_POINT = (35.2, 113.05)
G2_POINT = (35.2, 113.15)
G3_POINT = (35.2, 113.3)
CST = dt.timezone(dt.timedelta(hours=8))


def _account(person, username: str):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    person.user = user
    person.save()
    sync_groups(user)
    return user


def make_crew(people, territory, users) -> dict:
    """Every account a work-order test needs, by username (the `crew` fixture)."""
    _account(people["g1_worker"], "g1_worker")
    _account(people["g3_worker"], "g3_worker")
    part = _person("赵兼职", "13900000007", "grid_worker_part", territory["D-S1-C1-G1"], "g1_part")
    people["g1_part"] = part
    everyone = {u.username: u for u in get_user_model().objects.all()}
    return {**users, **everyone}


@pytest.fixture
def crew(people, territory, users):
    """Every account a work-order test needs, by username."""
    return make_crew(people, territory, users)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def report_event(
    point=G1_POINT,
    source=Source.PATROL,
    code="construction_dust",
    user=None,
    now=None,
    **kw,
):
    """Create an event (and its order) at a point; patrol reports are dispatched at once."""
    lat, lon = point
    return create_event(
        EventInput(
            source=source,
            category=category(code),
            title=kw.pop("title", "工地未苫盖"),
            lat=lat,
            lon=lon,
            **kw,
        ),
        user,
        now=now,
    )


@pytest.fixture
def report():
    """Create an event (and its order) at a point; patrol reports are dispatched at once."""
    return report_event
