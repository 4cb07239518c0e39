"""Village rules and customs on the named territory (tests/conftest.py): 东一社区 (D-S1-C1, grids
G1 and G2) with a council and limits (婚事 ≤ 20 桌, ≤ 200 人, ≤ 60000 元, ≤ 2 天, ≤ 1500 元/桌;
丧事 ≤ 15 桌) from 2026-01-01, and 西一社区 (D-S2-C2, grid G3) with a rules version only.
Accounts: `command`, `s1_official` (东街道), `east_secretary`, `west_secretary`, `g1_leader`,
`g1_worker` (an account added here for the grid worker of G1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from gridgov.customs import ceremonies, council_limits, rulebook
from gridgov.customs.models import Limit, RulesVersion
from gridgov.territory.models import Region
from tests.conftest import _person

START = dt.date(2026, 1, 1)
DAY = dt.date(2026, 6, 6)  # a wedding day inside the limits' period


@dataclass
class Villages:
    east: Region  # 东一社区
    west: Region  # 西一社区
    g1: Region
    g2: Region
    g3: Region
    east_rules: RulesVersion
    west_rules: RulesVersion
    wedding: Limit


@pytest.fixture
def s1_official(people, territory, users):
    person = _person("街道主任", "13900000008", "street_official", territory["D-S1"], "s1_official")
    users["s1_official"] = person.user
    people["s1_official"] = person
    return person


@pytest.fixture
def g1_worker(crew, users):
    users["g1_worker"] = crew["g1_worker"]
    return crew["g1_worker"]


@pytest.fixture
def villages(territory, people, users, s1_official, g1_worker) -> Villages:
    t = territory
    command = users["command"]
    meeting = rulebook.add_meeting(command, t["D-S1-C1"].pk, START, "villager_reps", 45, 50, 44)
    east_rules = rulebook.add_rules(
        command, t["D-S1-C1"].pk, "东一社区居民公约", START,
        "第一条 爱党爱国。\n第二条 婚事新办，丧事简办。\n第三条 邻里和睦。", meeting.pk,
    )  # fmt: skip
    west_rules = rulebook.add_rules(
        command, t["D-S2-C2"].pk, "西一社区居民公约", START, "第一条 移风易俗。"
    )
    council_limits.set_council(command, t["D-S1-C1"].pk, "东一社区红白理事会", START)
    council_limits.add_member(
        command, t["D-S1-C1"].pk, "president", START, person_id=people["east_secretary"].pk
    )
    council_limits.add_member(command, t["D-S1-C1"].pk, "director", START, name="赵理事")
    wedding = council_limits.set_limit(
        command, t["D-S1-C1"].pk,
        council_limits.LimitInput(
            "wedding", START, source="rules", rules_id=east_rules.pk, max_tables=20,
            max_guests=200, max_cost="60000", max_days=2, max_table_cost="1500",
        ),
    )  # fmt: skip
    council_limits.set_limit(
        command, t["D-S1-C1"].pk, council_limits.LimitInput("funeral", START, max_tables=15)
    )
    return Villages(
        t["D-S1-C1"], t["D-S2-C2"], t["D-S1-C1-G1"], t["D-S1-C1-G2"], t["D-S2-C2-G3"],
        east_rules, west_rules, wedding,
    )  # fmt: skip


def wedding(grid: Region, **kw: object) -> ceremonies.RegistrationInput:
    values: dict[str, object] = {
        "grid_id": grid.pk, "kind": "wedding", "date": DAY, "family_head": "张大山",
        "family_phone": "13812345678", "tables": 18, "guests": 150, "cost": "24000", "days": 1,
    }  # fmt: skip
    values.update(kw)
    return ceremonies.RegistrationInput(**values)  # type: ignore[arg-type]
