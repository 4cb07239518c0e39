"""Declaring, superseding and ending warnings; the measures of a level; the sources it reaches;
the compliance record on a built scenario (sources and inspections made directly)."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.emergency import declaring, services
from gridgov.emergency.models import AffectedSource, Level, Measure, Warning
from gridgov.inbox import commands
from gridgov.inbox.models import Command
from gridgov.inputs import InputError
from gridgov.inspections.models import ChecklistItem, Inspection, InspectionItem
from tests.emergency.conftest import CST

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 9, 20, 0, tzinfo=CST)
T0 = dt.datetime(2026, 11, 10, 0, 0, tzinfo=CST)
DAY = dt.timedelta(days=1)


def declare(
    user,
    level=Level.ORANGE,
    start=T0,
    end=T0 + 3 * DAY,
    reason="PM2.5 预计连续 3 天重度污染",
    now=NOW,
):
    return declaring.declare(user, level, start, end, reason, now=now)


def texts(level):
    return [m.text for m in services.measures_for(level)]


def test_measures_apply_at_their_level_and_above_the_highest_of_a_group():
    yellow, orange, red = texts(Level.YELLOW), texts(Level.ORANGE), texts(Level.RED)
    assert "禁止露天烧烤" in yellow and "禁止露天烧烤" in orange and "禁止露天烧烤" in red
    assert "D 级企业限产 30%" in yellow and "D 级企业限产 30%" not in orange
    assert "D 级企业停产" in orange and "D 级企业停产" in red
    assert "C 级企业限产 30%" in orange and "C 级企业限产 30%" not in red
    assert "C 级企业停产" in red and "B 级企业限产 30%" in red
    assert "渣土车禁止上路" not in yellow and "渣土车禁止上路" in orange
    assert "秸秆禁烧 24 小时巡查" in orange
    # a measure switched off in the admin is not in force
    Measure.objects.filter(text="禁止露天烧烤").update(active=False)
    assert "禁止露天烧烤" not in texts(Level.RED)


def test_measure_kinds_and_grades_are_checked_for_the_admin():
    from django.core.exceptions import ValidationError

    m = Measure(level=2, category="vehicle", text="x", kinds="muck_truck,spaceship")
    with pytest.raises(ValidationError) as info:
        m.full_clean()
    assert "kinds" in info.value.message_dict
    m = Measure(level=2, category="restaurant", text="x", grades="C")
    with pytest.raises(ValidationError) as info:
        m.full_clean()
    assert "grades" in info.value.message_dict
    Measure(level=2, category="construction_site", text="x", kinds="earthwork").full_clean()


def test_reached_by_grade_kind_and_phase(fronts):
    def codes(level):
        return {r.source.name: r for r in services.reached_by(level)}

    yellow = codes(Level.YELLOW)
    assert "丁级企业" in yellow and "丙级企业" not in yellow and "乙级企业" not in yellow
    assert not yellow["丁级企业"].suspend
    orange = codes(Level.ORANGE)
    assert set(orange) == {
        "东一土方工地",
        "东一装修工地",
        "丙级企业",
        "丁级企业",
        "渣土车一号",
        "重卡一号",
        "东二烧烤店",
        "西一拆除工地",
    }
    assert orange["东一土方工地"].suspend and orange["西一拆除工地"].suspend
    assert not orange["东一装修工地"].suspend  # not in earthwork or demolition
    assert orange["渣土车一号"].suspend and not orange["重卡一号"].suspend
    assert orange["丁级企业"].suspend and not orange["丙级企业"].suspend
    assert orange["重卡一号"].interval_days == 2 and orange["东一装修工地"].interval_days == 1
    red = codes(Level.RED)
    assert red["乙级企业"].measures[0].text == "B 级企业限产 30%" and not red["乙级企业"].suspend
    assert red["东一装修工地"].suspend and red["重卡一号"].suspend and red["丙级企业"].suspend
    assert "甲级企业" not in red
    # a closed source is not reached
    from gridgov.sources.services import set_status

    set_status(fronts["ent_d"].pk, "closed")
    assert "丁级企业" not in codes(Level.RED)


def test_declare_issues_one_command_per_street(fronts, users, s1_official, territory):
    from django.utils import translation

    # Declared from a page in English: the commands sent to the units are still in Chinese.
    with translation.override("en"):
        done = declare(users["command"])
    w = done.warning
    assert w.level == Level.ORANGE and w.declared_at == NOW and not done.superseded
    assert AffectedSource.objects.filter(warning=w).count() == 8
    row = AffectedSource.objects.get(warning=w, source=fronts["site_earth"])
    assert row.suspend and row.interval_days == 1 and row.street == territory["D-S1"]
    assert row.community == territory["D-S1-C1"]
    assert {m.text for m in row.measures.all()} >= {
        "停止土石方作业和拆除作业",
        "禁止露天切割、喷涂和焊接作业",
    }
    assert len(done.commands) == 2 and set(w.commands.all()) == set(done.commands)
    east, west = done.commands
    # 东街道 has a street official; 西街道 has none, so its community receives the command
    assert [r.region.code for r in east.recipients.all()] == ["D-S1"]
    assert [r.region.code for r in west.recipients.all()] == ["D-S2-C2"]
    assert east.due_at == T0 + dt.timedelta(hours=services.ACK_HOURS)
    assert "东街道" in east.title and "橙色预警" in east.title
    assert "【建筑工地】本辖区 2 处" in east.body
    assert "停止土石方作业和拆除作业（1 处）" in east.body
    assert "渣土车禁止上路（1 处）" in east.body
    assert (
        "东一土方工地（" in east.body and "丁级企业（" in east.body and "渣土车一号（" in east.body
    )
    assert "东一装修工地（" not in east.body.split("须停工停产的污染源")[1]
    assert "西一拆除工地" in west.body and "东一" not in west.body
    assert services.inspection_interval(fronts["truck"].pk, T0 + dt.timedelta(hours=1)) == 2
    assert services.inspection_interval(fronts["ent_a"].pk, T0 + dt.timedelta(hours=1)) is None


def test_declare_reports_a_street_nobody_can_receive(fronts, users, people):
    # without the street official, 东街道's communities: 东一社区 has its secretary
    from gridgov.people.models import Post

    Post.objects.filter(person=people["west_secretary"]).update(end_date=dt.date(2025, 1, 1))
    done = declare(users["command"])
    assert [c.recipients.get().region.code for c in done.commands] == ["D-S1-C1"]
    assert [s.code for s in done.unreached] == ["D-S2"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": 4}, "level"),
        ({"level": True}, "level"),
        ({"level": "2"}, "level"),
        ({"end": T0 - dt.timedelta(hours=1)}, "ends_at"),
        ({"end": T0}, "ends_at"),
        ({"end": T0 + 14 * DAY + dt.timedelta(seconds=1)}, "ends_at"),
        ({"start": NOW - dt.timedelta(hours=25)}, "starts_at"),
        ({"start": NOW + dt.timedelta(days=8), "end": NOW + dt.timedelta(days=9)}, "starts_at"),
        ({"start": dt.datetime(2026, 11, 10)}, "starts_at"),  # no time zone
        ({"start": "2026-11-10"}, "starts_at"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"reason": "bad\x00byte"}, "reason"),
    ],
)
def test_bad_inputs_name_the_field_and_write_nothing(fronts, users, change, field):
    kwargs = {"level": Level.ORANGE, "start": T0, "end": T0 + 3 * DAY, "reason": "重污染"}
    kwargs.update(change)
    with pytest.raises((services.EmergencyError, InputError)) as info:
        declare(users["command"], **kwargs)
    assert info.value.field == field
    assert not Warning.objects.exists() and not Command.objects.exists()


def test_only_the_command_office_declares(fronts, users, s1_official):
    for name in ("s1_official", "east_secretary", "g1_leader", "nobody"):
        with pytest.raises(services.NotAllowed):
            declare(users[name])
    assert not Warning.objects.exists()
    assert services.can_declare(users["command"]) and not services.can_declare(users["s1_official"])


def test_a_new_warning_supersedes_the_one_in_force(fronts, users, s1_official):
    yellow = declare(users["command"], Level.YELLOW).warning
    later = NOW + dt.timedelta(hours=28)
    orange = declare(users["command"], Level.ORANGE, T0 + DAY, T0 + 4 * DAY, now=later)
    assert orange.superseded == [yellow]
    yellow.refresh_from_db()
    assert yellow.ended_early_at == T0 + DAY and yellow.superseded_by == orange.warning
    assert yellow.effective_end == T0 + DAY
    assert services.in_force(T0 + dt.timedelta(hours=12)) == yellow
    assert services.in_force(T0 + DAY) == orange.warning
    assert services.in_force(T0 + 4 * DAY) is None
    # a later warning that had not started yet is cancelled (ends at its own start)
    future = declare(users["command"], Level.YELLOW, T0 + 5 * DAY, T0 + 6 * DAY, now=later)
    red = declare(users["command"], Level.RED, T0 + 3 * DAY, T0 + 7 * DAY, now=later)
    future.warning.refresh_from_db()
    assert future.warning.ended_early_at == future.warning.starts_at
    assert {w.pk for w in red.superseded} == {orange.warning.pk, future.warning.pk}
    assert services.upcoming(later) == [red.warning]


def test_in_force_at_the_boundaries(users):
    w = Warning.objects.create(
        level=Level.RED,
        starts_at=T0,
        ends_at=T0 + DAY,
        declared_by=users["command"],
        declared_at=NOW,
    )
    assert services.in_force(T0 - dt.timedelta(microseconds=1)) is None
    assert services.in_force(T0) == w
    assert services.in_force(T0 + DAY - dt.timedelta(microseconds=1)) == w
    assert services.in_force(T0 + DAY) is None
    w.ended_early_at = T0 + dt.timedelta(hours=6)
    w.save()
    assert services.in_force(T0 + dt.timedelta(hours=6)) is None
    assert services.in_force(T0 + dt.timedelta(hours=5)) == w


def test_end_early(fronts, users, s1_official):
    w = declare(users["command"]).warning
    at = T0 + dt.timedelta(hours=30)
    with pytest.raises(services.NotAllowed):
        declaring.end_early(users["s1_official"], w.pk, at, "好转", now=at)
    with pytest.raises(services.NoSuchWarning):
        declaring.end_early(users["command"], w.pk + 99, at, "好转", now=at)
    with pytest.raises(services.EmergencyError) as info:
        declaring.end_early(users["command"], w.pk, T0 - DAY, "好转", now=at)
    assert info.value.field == "at"
    with pytest.raises(services.EmergencyError) as info:
        declaring.end_early(users["command"], w.pk, at, "", now=at)
    assert info.value.field == "reason"
    ended = declaring.end_early(users["command"], w.pk, None, "冷空气到达，空气质量好转", now=at)
    assert ended.ended_early_at == at and ended.ended_by == users["command"]
    assert ended.end_reason == "冷空气到达，空气质量好转"
    with pytest.raises(services.Conflict):
        declaring.end_early(users["command"], w.pk, None, "again", now=at)
    assert services.in_force(at) is None


def _inspect(source, person, at, result="passed", failed_item=False):
    inspection = Inspection.objects.create(
        source=source,
        inspector=person,
        at=at,
        lat=source.lat,
        lon=source.lon,
        distance_m=5,
        result=result,
        region_path=source.region_path,
        created_at=at,
    )
    item, _ = ChecklistItem.objects.get_or_create(
        category=source.category, code="fencing", defaults={"text": "工地周边围挡"}
    )
    InspectionItem.objects.create(inspection=inspection, item=item, passed=not failed_item)
    return inspection


def test_compliance_on_a_built_scenario(fronts, users, people, s1_official, territory):
    done = declare(users["command"])
    w = done.warning
    worker = people["g1_worker"]
    hours = dt.timedelta(hours=1)
    _inspect(fronts["site_earth"], worker, T0 + 9 * hours)  # day 1
    _inspect(fronts["site_earth"], worker, T0 + DAY + 9 * hours, result="failed")  # day 2
    _inspect(fronts["site_earth"], worker, T0 + DAY + 15 * hours, failed_item=True)  # day 2
    _inspect(fronts["ent_d"], worker, T0 + 10 * hours)
    _inspect(fronts["ent_d"], worker, T0 - hours)  # before the warning: not counted
    _inspect(fronts["ent_b"], worker, T0 + 10 * hours)  # not reached by orange
    _inspect(fronts["truck"], worker, T0 + 2 * DAY + 10 * hours)  # window 2 of 2
    east = done.commands[0]
    commands.acknowledge(east.pk, users["s1_official"], now=T0 + 2 * hours)
    commands.complete(east.pk, users["s1_official"], "已落实", now=T0 + 5 * hours)  # late

    c = services.compliance(w, users["command"], now=T0 + 5 * DAY)
    assert not c.ongoing and len(c.days) == 3 and c.end == T0 + 3 * DAY
    # 7 sources × 3 days at interval 1, the heavy truck 2 windows at interval 2
    assert (c.total.sources, c.total.required, c.total.inspected) == (8, 23, 4)
    assert c.total.inspections == 5 and c.total.failed == 1
    sites = c.fronts[0]
    assert (sites.key, sites.sources, sites.required, sites.inspected) == (
        "construction_site",
        3,
        9,
        2,
    )
    assert (sites.suspend_sources, sites.suspend_checks, sites.suspend_violations) == (2, 3, 2)
    assert [f.key for f in c.fronts] == ["construction_site", "enterprise", "restaurant", "vehicle"]
    s1, s2 = c.streets
    assert (s1.key, s1.sources, s1.required, s1.inspected) == ("D-S1", 7, 20, 4)
    assert (s1.recipients, s1.acknowledged, s1.acknowledged_on_time) == (1, 1, 1)
    assert (s1.completed, s1.completed_on_time) == (1, 0)
    assert (s2.key, s2.sources, s2.required, s2.inspected, s2.recipients) == ("D-S2", 1, 3, 0, 1)
    assert [f.key for f in c.communities] == ["D-S1-C1", "D-S2-C2"]
    assert c.communities[1].recipients == 1 and c.communities[1].acknowledged == 0
    assert [r.unit for r in c.not_acknowledged] == ["D-S2-C2"]
    suspended = {s.name: s for s in c.suspended}
    assert set(suspended) == {"东一土方工地", "丁级企业", "渣土车一号", "西一拆除工地"}
    assert suspended["东一土方工地"].checks == 3 and suspended["东一土方工地"].violations == 2
    assert round(c.total.coverage, 4) == round(4 / 23, 4)

    # while it lasts: up to now, today counted
    during = services.compliance(w, users["command"], now=T0 + DAY + 12 * hours)
    assert during.ongoing and len(during.days) == 2
    assert during.fronts[0].required == 6 and during.fronts[0].inspected == 2

    # the inspection tasks while it lasts: who is still due in the current window
    due = {t.name: t for t in services.tasks(w, users["command"], now=T0 + DAY + 12 * hours)}
    assert not due["东一土方工地"].due and due["东一土方工地"].inspected == 2
    assert due["丙级企业"].due and due["丙级企业"].window_end == dt.date(2026, 11, 11)
    truck = due["重卡一号"]
    assert truck.due and truck.interval_days == 2 and truck.window_start == dt.date(2026, 11, 10)
    assert truck.window_end == dt.date(2026, 11, 11) and truck.required == 1
    later = {t.name: t for t in services.tasks(w, users["command"], now=T0 + 2 * DAY + 12 * hours)}
    assert not later["重卡一号"].due and later["重卡一号"].window_end == dt.date(2026, 11, 12)
    assert later["东一土方工地"].due  # nothing yet on day 3
    ordered = services.tasks(w, users["command"], now=T0 + DAY + 12 * hours)
    assert ordered[0].due and not ordered[-1].due
    assert not any(t.due for t in services.tasks(w, users["command"], now=T0 + 5 * DAY))

    # scoped: 东一社区's secretary sees its own sources, and no command of the street above
    mine = services.compliance(w, users["east_secretary"], now=T0 + 5 * DAY)
    assert mine.total.sources == 7 and [s.key for s in mine.streets] == ["D-S1"]
    assert mine.recipients == [] and mine.total.recipients == 0


def test_ended_early_record_stops_at_the_end(fronts, users, people, s1_official):
    w = declare(users["command"]).warning
    declaring.end_early(users["command"], w.pk, T0 + dt.timedelta(hours=30), "好转", now=T0 + DAY)
    w.refresh_from_db()
    c = services.compliance(w, users["command"], now=T0 + 5 * DAY)
    assert len(c.days) == 2 and c.end == T0 + dt.timedelta(hours=30)
    _inspect(fronts["ent_c"], people["g1_worker"], T0 + dt.timedelta(hours=40))
    assert services.compliance(w, users["command"], now=T0 + 5 * DAY).total.inspections == 0
