"""The rules of village rules, councils, limits and registrations (services.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gridgov.core import privacy
from gridgov.customs import ceremonies, council_limits, rulebook, services
from gridgov.customs.models import CouncilMember, Limit, Registration, RulesVersion
from gridgov.customs.services import CustomsError
from gridgov.workorders.models import WorkOrder
from tests.customs.conftest import DAY, START, wedding

pytestmark = pytest.mark.django_db


def test_within_limits_is_not_flagged_and_opens_no_order(villages, users):
    reg = ceremonies.register(users["g1_worker"], wedding(villages.g1))
    assert reg.flagged is False and reg.exceedances == [] and reg.order is None
    assert reg.community == villages.east and reg.limit == villages.wedding
    assert reg.region_path == villages.g1.path


def test_each_exceedance_is_named_and_an_order_goes_to_the_village(villages, users):
    reg = ceremonies.register(
        users["g1_worker"], wedding(villages.g1, tables=25, guests=260, cost="30000", days=3)
    )
    assert reg.flagged and reg.follow_up == "pending"
    got = {e["what"]: (e["limit"], e["actual"]) for e in reg.exceedances}
    assert got == {"tables": ("20", "25"), "guests": ("200", "260"), "days": ("2", "3")}
    order = WorkOrder.objects.select_related("event__category", "unit").get(pk=reg.order_id)
    assert order.event.category.code == "custom_exceed"
    assert order.event.region == villages.g1
    # dispatched to the village's responsible post (东书记), no family data in the order
    assert order.assignee is not None and order.assignee.name == "东书记"
    assert "张大山" not in order.event.title + order.event.description
    assert "桌数：上限 20，实际 25" in order.event.description


def test_per_table_cost_and_total_cost(villages, users):
    reg = ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=10, cost="70000"))
    got = {e["what"]: (e["limit"], e["actual"]) for e in reg.exceedances}
    assert got == {"cost": ("60000", "70000"), "table_cost": ("1500", "7000")}


def test_limits_in_force_on_the_ceremony_date(villages, users):
    command = users["command"]
    later = council_limits.set_limit(
        command,
        villages.east.pk,
        council_limits.LimitInput("wedding", dt.date(2026, 7, 1), max_tables=12),
    )
    villages.wedding.refresh_from_db()
    assert villages.wedding.effective_to == dt.date(2026, 6, 30)
    before = ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=15, cost="15000"))
    after = ceremonies.register(
        users["g1_worker"], wedding(villages.g1, tables=15, cost="15000", date=dt.date(2026, 7, 2))
    )
    assert before.limit == villages.wedding and not before.flagged
    assert after.limit == later and after.exceedances == [
        {"what": "tables", "limit": "12", "actual": "15"}
    ]
    with pytest.raises(CustomsError) as exc:
        council_limits.set_limit(
            command, villages.east.pk, council_limits.LimitInput("wedding", START, max_tables=9)
        )
    assert exc.value.kind == "conflict" and exc.value.field == "effective_from"


def test_no_limit_means_no_flag(villages, users):
    reg = ceremonies.register(users["command"], wedding(villages.g3, tables=99))
    assert reg.limit is None and not reg.flagged


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"family_head": ""}, "family_head"),
        ({"family_head": "名" * 51}, "family_head"),
        ({"family_head": "张\x07"}, "family_head"),
        ({"family_phone": "call me"}, "family_phone"),
        ({"tables": -1}, "tables"),
        ({"tables": 2**70}, "tables"),
        ({"guests": "12.5"}, "guests"),
        ({"cost": "NaN"}, "cost"),
        ({"cost": float("inf")}, "cost"),
        ({"cost": "1.234"}, "cost"),
        ({"days": 0}, "days"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": dt.date(2030, 1, 1)}, "date"),
        ({"notes": "x" * 501}, "notes"),
    ],
)
def test_registration_refusals_name_the_field(villages, users, change, field):
    with pytest.raises(CustomsError) as exc:
        ceremonies.register(users["g1_worker"], wedding(villages.g1, **change))
    assert exc.value.kind == "invalid" and exc.value.field == field
    assert not Registration.objects.exists()


def test_grid_outside_scope_is_refused(villages, users):
    with pytest.raises(CustomsError) as exc:
        ceremonies.register(users["g1_worker"], wedding(villages.g2))
    assert exc.value.field == "grid"
    with pytest.raises(CustomsError) as exc:
        ceremonies.register(users["east_secretary"], wedding(villages.g3))
    assert exc.value.field == "grid"
    assert ceremonies.register(users["east_secretary"], wedding(villages.g2)).grid == villages.g2


def test_scope_of_villages_and_registrations(villages, users):
    reg = ceremonies.register(users["east_secretary"], wedding(villages.g2))
    west = ceremonies.register(users["command"], wedding(villages.g3))
    worker, secretary = users["g1_worker"], users["east_secretary"]
    assert list(services.villages_for(worker)) == [villages.east]  # its grid's village
    assert list(services.villages_for(users["s1_official"])) == [villages.east]
    assert set(services.villages_for(users["command"])) == {villages.east, villages.west}
    assert list(services.registrations_for(worker)) == []  # G2 is not the worker's grid
    assert list(services.registrations_for(secretary)) == [reg]
    for user in (worker, secretary, users["s1_official"]):
        with pytest.raises(CustomsError) as exc:
            services.get_registration(user, west.pk)
        assert exc.value.kind == "not_found"
        with pytest.raises(CustomsError):
            services.get_village(user, villages.west.pk)


def test_follow_up(villages, users):
    reg = ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=30))
    ok = ceremonies.register(users["g1_worker"], wedding(villages.g1))
    with pytest.raises(CustomsError) as exc:
        ceremonies.record_follow_up(users["g1_worker"], reg.pk, DAY, "已劝导")
    assert exc.value.kind == "forbidden"
    with pytest.raises(CustomsError) as exc:
        ceremonies.record_follow_up(users["east_secretary"], ok.pk, DAY, "已劝导")
    assert exc.value.kind == "conflict"
    with pytest.raises(CustomsError) as exc:
        ceremonies.record_follow_up(users["east_secretary"], reg.pk, DAY, "")
    assert exc.value.field == "outcome"
    with pytest.raises(CustomsError) as exc:
        ceremonies.record_follow_up(users["west_secretary"], reg.pk, DAY, "已劝导")
    assert exc.value.kind == "not_found"
    done = ceremonies.record_follow_up(users["east_secretary"], reg.pk, DAY, "减为 20 桌")
    assert done.follow_up == "advised" and done.advised_by == "东书记"


def test_rules_versions_numbered_and_compared(villages, users):
    command = users["command"]
    v2 = rulebook.add_rules(
        command, villages.east.pk, "东一社区居民公约（修订）", dt.date(2026, 3, 1),
        "第一条 爱党爱国。\n第二条 婚事新办，丧事简办，婚事不超过 20 桌。\n"
        "第三条 邻里和睦。\n第四条 垃圾分类。",
    )  # fmt: skip
    assert v2.number == 2
    assert rulebook.current_rules(villages.east, dt.date(2026, 2, 1)) == villages.east_rules
    assert rulebook.current_rules(villages.east, dt.date(2026, 3, 1)) == v2
    cmp = rulebook.compare(villages.east_rules, v2)
    assert (cmp.added, cmp.removed, cmp.changed) == (1, 0, 1)
    assert [r.tag for r in cmp.rows] == ["equal", "replace", "equal", "insert"]
    with pytest.raises(CustomsError) as exc:
        rulebook.add_rules(command, villages.east.pk, "旧", dt.date(2025, 12, 1), "x")
    assert exc.value.field == "adopted"
    with pytest.raises(CustomsError):
        rulebook.compare(villages.west_rules, v2)
    assert RulesVersion.objects.filter(community=villages.east).count() == 2


def test_managing_a_village_needs_its_scope(villages, users):
    for user in (users["g1_worker"], users["s1_official"], users["west_secretary"]):
        with pytest.raises(CustomsError) as exc:
            rulebook.add_rules(user, villages.east.pk, "x", DAY, "x")
        assert exc.value.kind in {"forbidden", "not_found"}
    v = rulebook.add_rules(users["east_secretary"], villages.east.pk, "新公约", DAY, "新")
    assert v.number == 2


def test_meeting_checks(villages, users):
    with pytest.raises(CustomsError) as exc:
        rulebook.add_meeting(users["command"], villages.east.pk, DAY, "villager_reps", 60, 50)
    assert exc.value.field == "attendance"
    with pytest.raises(CustomsError) as exc:
        rulebook.add_meeting(users["command"], villages.east.pk, DAY, "party", 10)
    assert exc.value.field == "kind"


def test_council_one_president_at_a_time(villages, users, people):
    command = users["command"]
    with pytest.raises(CustomsError) as exc:
        council_limits.add_member(command, villages.east.pk, "president", DAY, name="钱会长")
    assert exc.value.kind == "conflict"
    first = CouncilMember.objects.get(role="president")
    council_limits.end_member(command, first.pk, DAY)
    later = council_limits.add_member(
        command, villages.east.pk, "president", DAY + dt.timedelta(1), name="钱会长"
    )
    assert [
        m.name for m in council_limits.council_members(villages.east, DAY + dt.timedelta(2))
    ] == [
        later.name,
        "赵理事",
    ]
    with pytest.raises(CustomsError) as exc:
        council_limits.add_member(command, villages.west.pk, "member", DAY, name="孙")
    assert exc.value.field == "council"


def test_limit_refusals(villages, users):
    east = villages.east.pk
    with pytest.raises(CustomsError) as exc:
        council_limits.set_limit(users["command"], east, council_limits.LimitInput("other", DAY))
    assert exc.value.field == "max_tables"
    with pytest.raises(CustomsError) as exc:
        council_limits.set_limit(
            users["command"],
            east,
            council_limits.LimitInput("other", DAY, source="rules", max_tables=3),
        )
    assert exc.value.field == "rules"
    with pytest.raises(CustomsError) as exc:
        council_limits.set_limit(
            users["command"], east, council_limits.LimitInput("other", DAY, max_cost="-1")
        )
    assert exc.value.field == "max_cost"
    assert Limit.objects.filter(kind="other").count() == 0


def test_statistics(villages, users):
    w = users["g1_worker"]
    ceremonies.register(w, wedding(villages.g1, tables=10, cost="10000"))
    flagged = ceremonies.register(w, wedding(villages.g1, tables=30, cost="30000"))
    ceremonies.register(w, wedding(villages.g1, kind="funeral", tables=8, cost="20000"))
    ceremonies.register(users["command"], wedding(villages.g3, tables=6))
    ceremonies.record_follow_up(users["command"], flagged.pk, DAY, "已劝导")
    rows, total = services.statistics(users["command"], START, dt.date(2026, 12, 31))
    east = next(r for r in rows if r.unit == villages.east)
    assert (east.total, east.flagged, east.handled) == (3, 1, 1)
    assert east.by_kind == {"wedding": 2, "funeral": 1, "other": 0}
    assert east.flagged_rate == 33.3 and east.avg_tables == 16.0
    assert east.avg_cost == Decimal("20000.00")
    assert total.total == 4
    streets, _total = services.statistics(
        users["s1_official"], START, dt.date(2026, 12, 31), "street"
    )
    assert [(r.unit.code, r.total) for r in streets] == [("D-S1", 3)]
    with pytest.raises(CustomsError) as exc:
        services.statistics(users["command"], DAY, START)
    assert exc.value.field == "end"


def test_masks():
    assert privacy.mask_name("张大山") == "张**"
    assert privacy.mask_phone("13812345678") == "138****5678"


def test_diff_lines_marks_deleted_inserted_and_changed_lines():
    rows = rulebook.diff_lines("甲\n乙\n丙\n丁", "甲\n乙改\n丁\n戊")
    assert [(r.tag, r.left, r.right) for r in rows] == [
        ("equal", "甲", "甲"),
        ("replace", "乙", "乙改"),
        ("delete", "丙", ""),
        ("equal", "丁", "丁"),
        ("insert", "", "戊"),
    ]
    assert [(r.left_no, r.right_no) for r in rows] == [(1, 1), (2, 2), (3, None), (4, 3), (None, 4)]
