"""Sources and a street official for the emergency tests, on the named territory
(tests/conftest.py): in 东街道 (G1, G2) and 西街道 (G3)."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.sources.services import SourceInput, create_source, point_geometry
from tests.conftest import _person

CST = dt.timezone(dt.timedelta(hours=8))
G1 = (35.2, 113.05)
G2 = (35.2, 113.15)
G3 = (35.2, 113.3)


def source(category: str, point: tuple[float, float], name: str, **attributes):
    return create_source(
        SourceInput(
            category=category,
            name=name,
            geometry=point_geometry(*point),
            attributes=attributes,
        )
    )


@pytest.fixture
def s1_official(people, territory, users):
    person = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official")
    users["s1_official"] = person.user
    return person


@pytest.fixture
def fronts(territory):
    """G1: an earthwork site, a finishing site, enterprises of grades B, C, D; G2: a muck truck,
    a heavy truck, a restaurant; G3: a demolition site and a grade-A enterprise."""
    return {
        "site_earth": source("construction_site", G1, "东一土方工地", phase="earthwork"),
        "site_finish": source("construction_site", G1, "东一装修工地", phase="finishing"),
        "ent_b": source("enterprise", G1, "乙级企业", grade="B"),
        "ent_c": source("enterprise", G1, "丙级企业", grade="C"),
        "ent_d": source("enterprise", G1, "丁级企业", grade="D"),
        "muck": source("vehicle", G2, "渣土车一号", kind="muck_truck", registration="豫H12345"),
        "truck": source("vehicle", G2, "重卡一号", kind="heavy_truck", registration="豫H54321"),
        "eatery": source("restaurant", G2, "东二烧烤店"),
        "site_demo": source("construction_site", G3, "西一拆除工地", phase="demolition"),
        "ent_a": source("enterprise", G3, "甲级企业", grade="A"),
    }
