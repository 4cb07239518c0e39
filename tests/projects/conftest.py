"""Projects on the named territory (tests/conftest.py): 东街道's project located in G1 (立项,
two milestones — one done on time, one overdue — and 40 of 100 万元 spent), 西街道's in G3
(申报) and a district project without a location. Accounts: `command`, `s1_official`
(东街道), `east_secretary` (东一社区), `west_secretary` (西一社区), `g1_leader` (no permission).
Dates are relative to today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from gridgov.projects import project_records, services
from gridgov.projects.models import Project
from gridgov.projects.services import ProjectInput
from tests.conftest import _person

G1_POINT = (35.2, 113.05)
G3_POINT = (35.2, 113.3)


@dataclass
class Place:
    today: dt.date
    east: Project  # 东街道, in G1
    west: Project  # 西街道, in G3
    district: Project  # 区, no location


def project_input(
    code: str, owner: str, point: tuple[float, float] | None = None, **kw
) -> ProjectInput:
    lat, lon = point if point else (None, None)
    values = {
        "code": code, "name": f"{code} 新材料研发", "kind": "rd", "applicant": "河南某新材料公司",
        "plan": "city_st", "plan_text": "市科技计划", "year": 2026, "owner": owner,
        "granted": "100", "lat": lat, "lon": lon,
    }  # fmt: skip
    values.update(kw)
    return ProjectInput(**values)


@pytest.fixture
def s1_official(people, territory, users):
    person = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official")
    users["s1_official"] = person.user
    people["s1_official"] = person
    return person


@pytest.fixture
def place(territory, people, users, s1_official) -> Place:
    today = timezone.localdate()
    command = users["command"]
    started = today - dt.timedelta(days=60)
    east = services.create_project(
        command, project_input("KJ-E1", "D-S1", G1_POINT, status_date=started)
    )
    services.change_status(command, east.pk, "approved", today - dt.timedelta(days=50))
    project_records.add_milestone(command, east.pk, "完成中试", today - dt.timedelta(days=20))
    project_records.add_milestone(command, east.pk, "样机下线", today - dt.timedelta(days=5))
    project_records.add_milestone(command, east.pk, "验收", today + dt.timedelta(days=30))
    first = east.milestones.order_by("planned").first()
    assert first is not None
    project_records.complete_milestone(command, first.pk, today - dt.timedelta(days=21))
    project_records.record_spending(command, east.pk, today - dt.timedelta(days=40), "30")
    project_records.record_spending(command, east.pk, today - dt.timedelta(days=10), "10.00")
    project_records.add_official(command, east.pk, people["s1_official"].pk, "lead")
    west = services.create_project(
        command, project_input("KJ-W1", "D-S2", G3_POINT, kind="construction", plan="provincial")
    )
    district = services.create_project(command, project_input("KJ-D1", "D", None, year=2025))
    return Place(today, east, west, district)
