"""新兴领域党建 on the named territory (tests/conftest.py): a street official of 东街道
(`s1_official`), an instructor of 东街道 (`east_instructor`, with an account) and one of 西街道,
and a few organisations: 东一科技 (economic, G1, a single party organisation, an instructor and a
recent visit), 东二快递 (economic, G2, none of these) and 西一协会 (social, G3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from gridgov.organisations import instructing, lifecycle, services
from gridgov.organisations.models import Organisation
from tests.conftest import _person

OPENED = dt.date(2025, 1, 10)


def credit(n: int) -> str:
    """A valid 统一社会信用代码 numbered n."""
    first = f"91410802MA{n:07d}"
    return first + services.credit_check_char(first)


def org_input(name: str, grid: int, n: int, **kw: object) -> lifecycle.OrgInput:
    values: dict[str, object] = {"kind": "economic", "opened": OPENED, "staff": 20}
    values.update(kw)
    return lifecycle.OrgInput(name=name, credit_code=credit(n), grid_id=grid, **values)  # type: ignore[arg-type]


@dataclass
class Orgs:
    east: Organisation
    east2: Organisation
    west: Organisation


@pytest.fixture
def s1_official(people, territory, users):
    person = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official")
    users["s1_official"] = person.user
    people["s1_official"] = person
    return person


@pytest.fixture
def instructors(people, territory, users):
    east = _person(
        "党指导东", "13900000021", "party_instructor", territory["D-S1"], "east_instructor"
    )
    west = _person("党指导西", "13900000022", "party_instructor", territory["D-S2"])
    users["east_instructor"] = east.user
    return {"east": east, "west": west}


@pytest.fixture
def orgs(territory, users, instructors, s1_official) -> Orgs:
    t = territory
    command = users["command"]
    east = lifecycle.create_organisation(
        command,
        org_input("东一科技有限公司", t["D-S1-C1-G1"].pk, 1, party_org="single",
                  party_org_date=dt.date(2025, 3, 1), party_members=5, industry="软件"),
    )  # fmt: skip
    east2 = lifecycle.create_organisation(
        command, org_input("东二快递站", t["D-S1-C1-G2"].pk, 2, industry="快递")
    )
    west = lifecycle.create_organisation(
        command,
        org_input("西一公益协会", t["D-S2-C2-G3"].pk, 3, kind="social",
                  social_form="association"),
    )  # fmt: skip
    instructing.assign_instructor(command, east.pk, instructors["east"].pk, dt.date(2025, 2, 1))
    instructing.record_visit(command, east.pk, instructors["east"].pk, timezone.localdate(), "走访")
    return Orgs(east, east2, west)
