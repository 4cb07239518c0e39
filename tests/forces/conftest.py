"""Forces and supplies on the named territory (tests/conftest.py): a district depot and one
of 东街道's, the campaign office (攻坚办, district) with staff seconded to both streets, and
西街道's own 专班. Accounts: `command`, `s1_official` (东街道), `east_secretary` (东一社区),
`west_secretary` (西一社区), `g1_leader` (no forces permission)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from gridgov.forces import depot_stock, force_members
from gridgov.forces.models import Depot, SupplyKind, TaskForce
from tests.conftest import _person

START = dt.date(2026, 1, 1)


@dataclass
class Place:
    district_depot: Depot
    east_depot: Depot
    office: TaskForce  # 攻坚办, owned by the district
    west_force: TaskForce  # 西街道专班
    fog: SupplyKind  # 雾炮车 (台, whole)
    net: SupplyKind  # 防尘网 (m², decimals)


@pytest.fixture
def s1_official(people, territory, users):
    person = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official")
    users["s1_official"] = person.user
    people["s1_official"] = person
    return person


@pytest.fixture
def place(territory, people, users, s1_official) -> Place:
    t = territory
    command = users["command"]
    district_depot = Depot.objects.create(
        name="区应急物资库", owner=t["D"], place="高新大道 1 号", lat=35.2, lon=113.2
    )
    east_depot = Depot.objects.create(name="东街道物资点", owner=t["D-S1"], place="东街道办事处")
    fog = SupplyKind.objects.get(code="fog_cannon")
    net = SupplyKind.objects.get(code="dust_net")
    depot_stock.receive(command, district_depot.pk, fog.pk, 5)
    depot_stock.receive(command, district_depot.pk, net.pk, "1200.5")
    depot_stock.receive(command, east_depot.pk, fog.pk, 2)
    office = TaskForce.objects.create(
        name="大气污染防治攻坚办", kind="campaign_office", owner=t["D"], front="general",
        duties="统筹调度", leader=people["command"], established=START,
    )  # fmt: skip
    west_force = TaskForce.objects.create(
        name="西街道扬尘治理专班", kind="task_force", owner=t["D-S2"], front="dust",
        established=START,
    )  # fmt: skip
    force_members.add_member(
        command, office.pk,
        force_members.MemberInput(people["command"].pk, t["D"].pk, START, role="leader"),
    )  # fmt: skip
    force_members.add_member(
        command, office.pk,
        force_members.MemberInput(people["g3_worker"].pk, t["D-S2"].pk, START, seconded=True,
                             posted_to_id=t["D-S1"].pk),
    )  # fmt: skip
    force_members.add_member(
        command, west_force.pk,
        force_members.MemberInput(people["west_secretary"].pk, t["D-S2"].pk, START),
    )  # fmt: skip
    return Place(district_depot, east_depot, office, west_force, fog, net)


def stock_of(depot: Depot, kind: SupplyKind) -> Decimal:
    return depot_stock.balance(depot.pk, kind.pk)
