"""People's mediation on the named territory (tests/conftest.py): a committee for 东街道, one
for 东一社区 and one for 西一社区; mediators 调解甲 (东一社区, account `c1_mediator`), 调解乙
(东一社区) and 调解丙 (西一社区). `make_case` registers a dispute through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from gridgov.mediation import casework
from gridgov.mediation.models import Case, Committee
from gridgov.mediation.services import CaseInput, PartyInput
from gridgov.people.models import Person
from tests.conftest import _person

G1_POINT = (35.2, 113.05)
G3_POINT = (35.2, 113.3)
ID_NUMBER = "11010519491231002X"


@dataclass
class Med:
    east_street: Committee
    east: Committee  # 东一社区
    west: Committee  # 西一社区
    m1: Person  # 东一社区, with an account
    m2: Person  # 东一社区
    m3: Person  # 西一社区


@pytest.fixture
def med(territory, people, users) -> Med:
    t = territory
    m1 = _person("调解甲", "13900000021", "mediator", t["D-S1-C1"], "c1_mediator")
    users["c1_mediator"] = m1.user
    return Med(
        east_street=Committee.objects.create(name="东街道人民调解委员会", unit=t["D-S1"]),
        east=Committee.objects.create(name="东一社区人民调解委员会", unit=t["D-S1-C1"]),
        west=Committee.objects.create(name="西一社区人民调解委员会", unit=t["D-S2-C2"]),
        m1=m1,
        m2=_person("调解乙", "13900000022", "mediator", t["D-S1-C1"]),
        m3=_person("调解丙", "13900000023", "mediator", t["D-S2-C2"]),
    )


def case_input(point: tuple[float, float] = G1_POINT, **kw: Any) -> CaseInput:
    values: dict[str, Any] = {
        "kind": "neighbour",
        "title": "楼上漏水纠纷",
        "facts": "楼上住户卫生间漏水，损坏楼下天花板，双方就赔偿发生争执。",
        "lat": point[0],
        "lon": point[1],
        "amount": "3000",
        "parties": [
            PartyInput("applicant", "刘大明", "13700000001", ID_NUMBER, "东一社区3号楼"),
            PartyInput("respondent", "陈小红", "13700000002", "", "东一社区3号楼"),
        ],
    }
    values.update(kw)
    return CaseInput(**values)


@pytest.fixture
def make_case(med, users):
    def _make(user: Any = None, **kw: Any) -> Case:
        return casework.create_case(user or users["command"], case_input(**kw))

    return _make


def mediate_to_agreement(user: Any, case: Case, mediator: Person, today: dt.date) -> Case:
    casework.add_session(
        user, case.pk, date=today, place="调解室", mediator_ids=[mediator.pk], notes="双方陈述"
    )
    return casework.record_outcome(
        user,
        case.pk,
        outcome="agreement",
        date=today,
        terms="陈小红赔偿刘大明维修费2000元。",
        perform_by=today + dt.timedelta(days=10),
    )
