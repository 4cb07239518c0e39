"""The services of 新兴领域党建: checks and refusals, the history, coverage as of a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.organisations import instructing, joint_meetings, lifecycle, services, volunteering
from gridgov.organisations.models import Assignment, EventKind, OrgEvent, PartyOrg
from gridgov.organisations.services import OrganisationsError
from tests.organisations.conftest import OPENED, credit, org_input

pytestmark = pytest.mark.django_db


# --- the credit code (GB 32100) --------------------------------------------------------------


def test_credit_code_check_character():
    # A published example code: 91350100M000100Y43.
    assert services.check_credit_code("91350100m000100y43") == "91350100M000100Y43"
    with pytest.raises(OrganisationsError) as exc:
        services.check_credit_code("91350100M000100Y44")
    assert exc.value.field == "credit_code" and "校验位" in exc.value.message
    with pytest.raises(OrganisationsError, match="18位"):
        services.check_credit_code("91350100M000100Y4")
    with pytest.raises(OrganisationsError, match="无效字符"):
        services.check_credit_code("91350100M000100I43")  # I is not in the alphabet


def test_months_before_clamps_to_the_month_end():
    assert services.months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert services.months_before(dt.date(2026, 3, 1), 6) == dt.date(2025, 9, 1)


# --- organisations ---------------------------------------------------------------------------


def test_create_writes_the_opening_and_party_events(orgs, territory):
    kinds = list(orgs.east.events.values_list("kind", "date"))
    assert (EventKind.OPENED, OPENED) in kinds
    assert (EventKind.PARTY_ORG, dt.date(2025, 3, 1)) in kinds
    assert (EventKind.ASSIGNED, dt.date(2025, 2, 1)) in kinds
    assert orgs.east.region_path == territory["D-S1-C1-G1"].path


def test_create_refusals(orgs, users, territory):
    command = users["command"]
    g1 = territory["D-S1-C1-G1"].pk
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(command, org_input("重复", g1, 1))
    assert exc.value.kind == "conflict" and exc.value.field == "credit_code"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(command, org_input("x" * 101, g1, 9))
    assert exc.value.field == "name"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(command, org_input("坏\x07名", g1, 9))
    assert exc.value.field == "name"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(command, org_input("社团", g1, 9, kind="social"))
    assert exc.value.field == "social_form"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(command, org_input("党员多", g1, 9, party_members=30))
    assert exc.value.field == "party_members"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(command, org_input("大", g1, 9, staff=10**12))
    assert exc.value.field == "staff"


def test_create_locates_the_point_and_keeps_to_the_scope(users, territory, instructors):
    east = users["east_secretary"]
    made = lifecycle.create_organisation(
        east,
        org_input("定位公司", None, 11, lat=35.2, lon=113.15),  # type: ignore[arg-type]
    )
    assert made.grid == territory["D-S1-C1-G2"]
    with pytest.raises(OrganisationsError) as exc:  # 西街道: not the secretary's grid
        lifecycle.create_organisation(east, org_input("西边", territory["D-S2-C2-G3"].pk, 12))
    assert exc.value.field == "grid"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(
            east,
            org_input("区外", None, 13, lat=30.0, lon=100.0),  # type: ignore[arg-type]
        )
    assert exc.value.field == "lat"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.create_organisation(users["g1_leader"], org_input("无权", None, 14))  # type: ignore[arg-type]
    assert exc.value.kind == "forbidden"


def test_scope_other_street_is_not_found(orgs, users):
    east = users["east_secretary"]
    assert set(services.organisations_for(east)) == {orgs.east, orgs.east2}
    with pytest.raises(OrganisationsError) as exc:
        services.get_organisation(east, orgs.west.pk)
    assert exc.value.kind == "not_found"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.close_organisation(east, orgs.west.pk, timezone.localdate())
    assert exc.value.kind == "not_found"
    assert services.organisations_for(users["nobody"]).count() == 0


def test_move_close_and_party_org_are_dated_history(orgs, users, territory):
    command = users["command"]
    lifecycle.move_organisation(command, orgs.east2.pk, dt.date(2025, 6, 1),
                               grid_id=territory["D-S2-C2-G3"].pk, address="西路 1 号")  # fmt: skip
    orgs.east2.refresh_from_db()
    assert orgs.east2.region_path == territory["D-S2-C2-G3"].path
    with pytest.raises(OrganisationsError) as exc:  # before the last move
        lifecycle.move_organisation(command, orgs.east2.pk, dt.date(2025, 5, 1),
                                   grid_id=territory["D-S1-C1-G1"].pk)  # fmt: skip
    assert exc.value.field == "date"
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.set_party_org(command, orgs.east.pk, "single", dt.date(2025, 7, 1))
    assert exc.value.kind == "conflict"
    lifecycle.set_party_org(command, orgs.east.pk, "none", dt.date(2025, 7, 1), "撤销")
    lifecycle.close_organisation(command, orgs.east.pk, dt.date(2025, 8, 1), "注销")
    orgs.east.refresh_from_db()
    assert orgs.east.closed == dt.date(2025, 8, 1)
    # the instructor's assignment ended with it
    assert Assignment.objects.get(organisation=orgs.east).end_date == dt.date(2025, 8, 1)
    with pytest.raises(OrganisationsError) as exc:
        lifecycle.set_party_org(command, orgs.east.pk, "joint", dt.date(2025, 9, 1))
    assert exc.value.kind == "conflict"
    kinds = [e.kind for e in OrgEvent.objects.filter(organisation=orgs.east)]
    assert kinds[-3:] == [EventKind.PARTY_ORG, EventKind.UNASSIGNED, EventKind.CLOSED]
    # the east secretary still reads the history of the organisation that moved away
    assert services.get_organisation(users["east_secretary"], orgs.east2.pk) == orgs.east2


def test_update_records_the_changed_fields(orgs, users):
    lifecycle.update_organisation(
        users["command"], orgs.east2.pk, name="东二快递驿站", industry="快递", staff=30,
        party_members=0, address="", contact="王经理", contact_phone="13800000000",
    )  # fmt: skip
    e = orgs.east2.events.get(kind=EventKind.CHANGED)
    assert "名称" in e.note and "从业人员数" in e.note


# --- instructors and visits ------------------------------------------------------------------


def test_assign_ends_the_previous_assignment(orgs, users, people, territory):
    from gridgov.people.models import Post, PostType

    second = people["g1_worker"]
    Post.objects.create(person=second, post_type=PostType.objects.get(code="party_instructor"),
                        region=territory["D-S1-C1"], start_date=dt.date(2025, 1, 1))  # fmt: skip
    instructing.assign_instructor(users["command"], orgs.east.pk, second.pk, dt.date(2025, 9, 1))
    rows = list(Assignment.objects.filter(organisation=orgs.east).order_by("start_date"))
    assert [(a.instructor_id, a.end_date) for a in rows] == [
        (rows[0].instructor_id, dt.date(2025, 8, 31)),
        (second.pk, None),
    ]
    with pytest.raises(OrganisationsError) as exc:
        instructing.assign_instructor(
            users["command"], orgs.east.pk, second.pk, dt.date(2025, 10, 1)
        )
    assert exc.value.kind == "conflict"


def test_instructor_must_serve_the_area(orgs, users, instructors):
    with pytest.raises(OrganisationsError) as exc:  # 西街道's instructor, 东街道's organisation
        instructing.assign_instructor(users["command"], orgs.east2.pk, instructors["west"].pk,
                                   dt.date(2025, 3, 1))  # fmt: skip
    assert exc.value.field == "instructor"
    with pytest.raises(OrganisationsError) as exc:  # before the organisation was opened
        instructing.assign_instructor(users["command"], orgs.east2.pk, instructors["east"].pk,
                                   dt.date(2023, 3, 1))  # fmt: skip
    assert exc.value.field == "start_date"
    with pytest.raises(OrganisationsError) as exc:
        instructing.record_visit(users["command"], orgs.east.pk, instructors["east"].pk,
                              timezone.localdate() + dt.timedelta(days=1))  # fmt: skip
    assert exc.value.field == "date"


def test_instructor_account_logs_visits_but_not_assignments(orgs, users, instructors):
    me = users["east_instructor"]
    visit = instructing.record_visit(me, orgs.east2.pk, instructors["east"].pk,
                                  timezone.localdate(), "了解用工情况")  # fmt: skip
    assert visit.pk
    with pytest.raises(OrganisationsError) as exc:
        instructing.assign_instructor(
            me, orgs.east2.pk, instructors["east"].pk, timezone.localdate()
        )
    assert exc.value.kind == "forbidden"
    rows = instructing.load(users["command"])
    east = next(r for r in rows if r["person"] == instructors["east"])
    assert east["load"] == 1 and east["organisations"] == [orgs.east]


# --- coverage as of a date -------------------------------------------------------------------


def test_coverage_today(orgs, users, territory):
    cov = services.coverage(users["command"])
    assert cov.total.total == 3 and cov.total.economic == 2 and cov.total.social == 1
    assert cov.total.org_covered == 1 and cov.total.work_covered == 1
    east = next(r for r in cov.rows if r.unit == territory["D-S1"])
    assert (east.total, east.org_rate, east.work_rate) == (2, 50.0, 50.0)
    assert east.instructor_count == 1 and east.load == 1.0
    why = {s.org.name: s.reasons() for s in cov.uncovered}
    assert set(why) == {"东二快递站", "西一公益协会"}
    assert why["东二快递站"] == ["未建立党组织", "未选派党建指导员", "近期未走访"]


def test_coverage_as_of_a_past_date_reads_the_history(orgs, users, territory):
    command = users["command"]
    # 2025-02-15: the instructor is there but the party organisation is not (set up 3-01),
    # and there is no visit yet.
    past = services.coverage(command, dt.date(2025, 2, 15))
    assert past.total.total == 3 and past.total.org_covered == 0 and past.total.work_covered == 0
    # Before anything was opened: nothing.
    assert services.coverage(command, dt.date(2024, 12, 31)).total.total == 0
    # A later move and closure do not change the past.
    lifecycle.move_organisation(command, orgs.east2.pk, dt.date(2025, 6, 1),
                               grid_id=territory["D-S2-C2-G3"].pk)  # fmt: skip
    lifecycle.close_organisation(command, orgs.west.pk, dt.date(2025, 7, 1))
    before = services.coverage(command, dt.date(2025, 5, 1))
    rows = {r.unit.code: r.total for r in before.rows if r.unit}
    assert rows == {"D-S1": 2, "D-S2": 1}
    after = services.coverage(command, dt.date(2025, 7, 2))
    rows = {r.unit.code: r.total for r in after.rows if r.unit}
    assert rows == {"D-S1": 1, "D-S2": 1}  # east2 now in the west; the west one closed
    # The east secretary sees east2 where it was, not where it went.
    east_then = services.coverage(users["east_secretary"], dt.date(2025, 5, 1), by="community")
    assert east_then.total.total == 2
    assert services.coverage(users["east_secretary"], dt.date(2025, 7, 2)).total.total == 1


def test_work_coverage_lapses_after_n_months(orgs, users, instructors):
    command = users["command"]
    today = timezone.localdate()
    assert services.coverage(command, today).total.work_covered == 1
    later = today + dt.timedelta(days=200)
    assert services.coverage(command, later).total.work_covered == 0  # lapsed after 6 months
    assert services.coverage(command, later, months=12).total.work_covered == 1
    with pytest.raises(OrganisationsError) as exc:
        services.coverage(command, today, months=0)
    assert exc.value.field == "months"


def test_search_filters(orgs, users, territory):
    command = users["command"]
    names = lambda rows: {s.org.name for s in rows}  # noqa: E731
    assert names(services.search(command, kind="social")) == {"西一公益协会"}
    assert names(services.search(command, coverage="org_covered")) == {"东一科技有限公司"}
    assert names(services.search(command, coverage="work_uncovered")) == {
        "东二快递站",
        "西一公益协会",
    }
    assert names(services.search(command, unit=territory["D-S2"])) == {"西一公益协会"}
    assert names(services.search(command, q="快递")) == {"东二快递站"}
    assert names(services.search(command, q=credit(1).lower())) == {"东一科技有限公司"}
    with pytest.raises(OrganisationsError):
        services.search(command, coverage="bogus")


# --- joint meetings --------------------------------------------------------------------------


def test_meetings_scope_and_checks(orgs, users, territory, instructors):
    official = users["s1_official"]
    m = joint_meetings.create_meeting(official, dt.date(2025, 6, 1), territory["D-S1"].pk,
                                      "季度联席会", "纪要", [orgs.east.pk, orgs.east2.pk],
                                      [instructors["east"].pk])  # fmt: skip
    assert set(m.organisations.all()) == {orgs.east, orgs.east2}
    assert (
        joint_meetings.meetings_for(users["east_secretary"]).filter(pk=m.pk).exists()
    )  # its street
    assert not joint_meetings.meetings_for(users["west_secretary"]).filter(pk=m.pk).exists()
    with pytest.raises(OrganisationsError) as exc:
        joint_meetings.create_meeting(official, dt.date(2025, 6, 1), territory["D-S1"].pk, "x", "",
                                [orgs.west.pk])  # fmt: skip
    assert exc.value.field == "organisations"
    with pytest.raises(OrganisationsError) as exc:
        joint_meetings.create_meeting(official, dt.date(2025, 6, 1), territory["D-S2"].pk, "x")
    assert exc.value.field == "unit"
    with pytest.raises(OrganisationsError) as exc:
        joint_meetings.create_meeting(official, dt.date(2025, 6, 1), territory["D-S1"].pk, "")
    assert exc.value.field == "topic"
    assert orgs.east.party_org == PartyOrg.SINGLE


# --- volunteers ------------------------------------------------------------------------------


def test_volunteer_reports_are_counted_per_unit(users, territory, report, orgs):
    from gridgov.people.models import Post
    from tests.workorders.fixtures import G1_POINT

    today = timezone.localdate()
    # the grid leader (who has an account) also rides for a delivery company
    v = volunteering.register_volunteer(
        users["command"],
        volunteering.VolunteerInput(name="张网格", phone="13900000004", group="rider",
                                registered=today, grid_id=territory["D-S1-C1-G1"].pk,
                                employer_id=orgs.west.pk),
    )  # fmt: skip
    assert v.person.user == users["g1_leader"] and v.employer == orgs.west
    assert Post.objects.filter(person=v.person, post_type__code="volunteer").count() == 1
    report(G1_POINT, user=users["g1_leader"])
    rows, total = volunteering.volunteer_stats(
        users["command"], today - dt.timedelta(days=7), today
    )
    east = next(r for r in rows if r.unit == territory["D-S1"])
    assert east.by_group["rider"] == 1 and east.reports == 1 and total.reports == 1
    # before the period: nothing reported
    _rows, old = volunteering.volunteer_stats(
        users["command"], today - dt.timedelta(days=60), today - dt.timedelta(days=30)
    )
    assert old.reports == 0 and old.total == 0  # not yet registered then
    with pytest.raises(OrganisationsError) as exc:  # another name for the same phone
        volunteering.register_volunteer(
            users["command"],
            volunteering.VolunteerInput(name="别人", phone="13900000004", group="rider",
                                    registered=today, grid_id=territory["D-S1-C1-G1"].pk),
        )  # fmt: skip
    assert exc.value.kind == "conflict" and exc.value.field == "phone"
    with pytest.raises(OrganisationsError) as exc:
        volunteering.volunteer_stats(users["command"], today, today - dt.timedelta(days=1))
    assert exc.value.field == "end"
