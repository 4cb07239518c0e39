"""The mediation services: intake, scope, the flow of a case, refusals, statistics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.core import privacy
from gridgov.mediation import casework, services, training
from gridgov.mediation.models import Case, CaseSource, FollowUp, Judicial, State
from gridgov.mediation.services import MediationError, PartyInput
from gridgov.territory.models import Level
from gridgov.workorders.models import Source, Transition
from tests.mediation.conftest import G3_POINT, case_input, mediate_to_agreement

pytestmark = pytest.mark.django_db


def test_intake_locates_the_grid_and_picks_the_community_committee(make_case, med, territory):
    case = make_case()
    assert case.grid == territory["D-S1-C1-G1"]
    assert case.region_path == territory["D-S1-C1-G1"].path
    assert case.committee == med.east
    assert case.number == f"TJ{timezone.localdate().year}00001"
    assert case.state == State.RECEIVED
    assert case.amount == Decimal("3000.00")
    assert [p.role for p in case.parties.all()] == ["applicant", "respondent"]
    assert list(case.steps.values_list("action", "to_state")) == [("create", "received")]
    assert make_case().number.endswith("00002")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 121}, "title"),
        ({"title": "  "}, "title"),
        ({"facts": "bad\x00text"}, "facts"),
        ({"kind": "nope"}, "kind"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"lat": 95.0}, "lat"),
        ({"lat": 36.5}, "lat"),  # outside every grid
        ({"parties": []}, "parties"),
        ({"parties": [PartyInput("respondent", "陈小红")]}, "parties"),
        ({"parties": [PartyInput("applicant", "刘", id_number="110105194912310021")]}, "id_number"),
        ({"source": "court"}, "referral"),
        ({"source": "work_order"}, "source"),
        ({"received_on": dt.date(2999, 1, 1)}, "received_on"),
        ({"followup_days": 0}, "followup_days"),
        ({"mediator_ids": [999999]}, "mediators"),
    ],
)
def test_intake_refusals_name_the_field(make_case, change, field):
    with pytest.raises(MediationError) as exc:
        make_case(**change)
    assert exc.value.kind == "invalid"
    assert exc.value.field == field
    assert not Case.objects.exists()


def test_intake_outside_the_scope_is_refused(make_case, users):
    with pytest.raises(MediationError) as exc:
        make_case(users["east_secretary"], point=G3_POINT)
    assert exc.value.field == "lat"
    with pytest.raises(MediationError) as exc:
        make_case(users["nobody"])
    assert exc.value.kind == "forbidden"


def test_scope_other_street_is_not_found(make_case, users, med):
    east = make_case()
    west = make_case(point=G3_POINT)
    assert west.committee == med.west
    seen = set(services.cases_for(users["east_secretary"]).values_list("pk", flat=True))
    assert seen == {east.pk}
    with pytest.raises(MediationError) as exc:
        services.get_case(users["east_secretary"], west.pk)
    assert exc.value.kind == "not_found"
    assert services.cases_for(users["nobody"]).count() == 0
    assert services.cases_for(users["command"]).count() == 2


def test_the_whole_flow_with_history(make_case, users, med):
    today = timezone.localdate()
    user = users["c1_mediator"]
    case = make_case(user)
    with pytest.raises(MediationError) as exc:  # no session yet
        casework.record_outcome(user, case.pk, outcome="agreement", date=today, terms="x",
                                perform_by=today)  # fmt: skip
    assert exc.value.kind == "conflict"
    mediate_to_agreement(user, case, med.m1, today)
    case.refresh_from_db()
    assert case.state == State.SUCCEEDED
    assert list(case.mediators.all()) == [med.m1]
    with pytest.raises(MediationError):
        casework.record_followup(user, case.pk, done_on=today, findings="x")  # not signed
    casework.sign_agreement(user, case.pk, signed_on=today, followup_days=15)
    visit = FollowUp.objects.get(case=case)
    assert visit.due_on == today + dt.timedelta(days=15)
    with pytest.raises(MediationError) as exc:
        casework.sign_agreement(user, case.pk, signed_on=today)
    assert exc.value.kind == "conflict"
    casework.judicial_confirmation(user, case.pk, applied_on=today, court="测试区人民法院")
    case.refresh_from_db()
    assert case.judicial == Judicial.PENDING
    with pytest.raises(MediationError) as exc:
        casework.judicial_confirmation(user, case.pk, applied_on=today, court="法院",
                                       result="confirmed")  # fmt: skip
    assert exc.value.field == "ruling"
    casework.judicial_confirmation(user, case.pk, applied_on=today, court="测试区人民法院",
                                   result="confirmed", ruling="(2026)豫0871民特1号",
                                   decided_on=today)  # fmt: skip
    with pytest.raises(MediationError):
        casework.archive(user, case.pk)  # not followed up yet
    casework.record_followup(user, case.pk, done_on=today, findings="已履行", performed=True)
    casework.archive(user, case.pk, note="卷宗归档")
    case.refresh_from_db()
    assert case.state == State.ARCHIVED
    assert casework.next_actions(user, case) == []
    assert case.judicial == Judicial.CONFIRMED
    steps = list(case.steps.values_list("action", "from_state", "to_state"))
    assert steps == [
        ("create", "", "received"),
        ("session", "received", "mediating"),
        ("outcome", "mediating", "succeeded"),
        ("sign", "succeeded", ""),
        ("judicial", "succeeded", ""),
        ("judicial", "succeeded", ""),
        ("followup", "succeeded", "followed_up"),
        ("archive", "followed_up", "archived"),
    ]
    assert case.steps.first().actor_name == "调解甲"


def test_outcome_refusals(make_case, users, med):
    today = timezone.localdate()
    user = users["command"]
    case = make_case()
    with pytest.raises(MediationError) as exc:
        casework.add_session(user, case.pk, date=today, place="调解室", mediator_ids=[],
                             notes="x")  # fmt: skip
    assert exc.value.field == "mediators"
    with pytest.raises(MediationError) as exc:
        casework.add_session(user, case.pk, date="2026-02-30", place="调解室",
                             mediator_ids=[med.m1.pk], notes="x")  # fmt: skip
    assert exc.value.field == "date"
    casework.add_session(user, case.pk, date=today, place="调解室", mediator_ids=[med.m1.pk],
                         notes="x")  # fmt: skip
    with pytest.raises(MediationError) as exc:
        casework.record_outcome(user, case.pk, outcome="agreement", date=today, terms="x",
                                perform_by=today - dt.timedelta(days=1))  # fmt: skip
    assert exc.value.field == "perform_by"
    with pytest.raises(MediationError) as exc:
        casework.record_outcome(user, case.pk, outcome="court", date=today)
    assert exc.value.field == "outcome_note"
    casework.record_outcome(user, case.pk, outcome="court", date=today, note="转法院诉讼")
    case.refresh_from_db()
    assert case.state == State.REFERRED
    with pytest.raises(MediationError) as exc:
        casework.record_outcome(user, case.pk, outcome="failed", date=today)
    assert exc.value.kind == "conflict"
    casework.archive(user, case.pk)
    case.refresh_from_db()
    assert casework.next_actions(user, case) == []


def test_a_grid_worker_may_register_but_not_act(make_case, crew, med, territory):
    worker = crew["g1_worker"]
    case = casework.create_case(
        worker, case_input(lat=None, lon=None, grid_id=territory["D-S1-C1-G1"].pk)
    )
    assert case.created_by == worker
    with pytest.raises(MediationError) as exc:
        casework.add_session(worker, case.pk, date=timezone.localdate(), place="x",
                             mediator_ids=[med.m1.pk], notes="x")  # fmt: skip
    assert exc.value.kind == "forbidden"
    with pytest.raises(MediationError) as exc:
        casework.create_case(worker, case_input(lat=None, lon=None,
                                                grid_id=territory["D-S1-C1-G2"].pk))  # fmt: skip
    assert exc.value.field == "grid"


def test_case_from_order_links_both_sides(crew, med, report):
    order = report(source=Source.PATROL, code="neighbour_dispute", user=crew["g1_worker"])
    case = casework.case_from_order(crew["east_secretary"], order)
    assert case.source == CaseSource.WORK_ORDER
    assert case.order == order
    assert case.referral == order.event.reference
    assert case.committee == med.east
    order.refresh_from_db()
    assert order.mediation_case == case
    link = Transition.objects.get(order=order, action="mediation")
    assert case.number in link.note
    with pytest.raises(MediationError) as exc:
        casework.case_from_order(crew["east_secretary"], order)
    assert exc.value.kind == "conflict"
    other = report(source=Source.PATROL, code="construction_dust", user=crew["g1_worker"])
    with pytest.raises(MediationError) as exc:
        casework.case_from_order(crew["east_secretary"], other)
    assert exc.value.field == "order"


def test_case_from_an_order_out_of_scope_is_not_found(crew, med, report):
    from tests.workorders.fixtures import G3_POINT as ORDER_G3

    order = report(ORDER_G3, source=Source.PATROL, code="labour_dispute", user=crew["command"])
    with pytest.raises(MediationError) as exc:
        casework.case_from_order(crew["east_secretary"], order)
    assert exc.value.kind == "not_found"


def test_masking():
    assert privacy.mask_name("刘大明") == "刘**"
    assert privacy.mask_name("某某建筑工程有限公司") == "某某********"
    assert privacy.mask_phone("13700000001") == "137****0001"
    assert services.mask_id("11010519491231002X") == "110105********002X"


def test_statistics_per_unit(make_case, users, med, territory):
    today = timezone.localdate()
    user = users["command"]
    a = make_case()
    mediate_to_agreement(user, a, med.m1, today)
    b = make_case()
    casework.add_session(user, b.pk, date=today, place="x", mediator_ids=[med.m1.pk], notes="x")
    casework.record_outcome(user, b.pk, outcome="failed", date=today)
    make_case(point=G3_POINT)
    rows = services.statistics(user, today.replace(day=1), today)
    by = {r.unit.code if r.unit else "total": r for r in rows}
    assert (by["D-S1"].received, by["D-S1"].mediated, by["D-S1"].resolved) == (2, 2, 1)
    assert by["D-S1"].rate == 50.0
    assert by["D-S1"].by_kind == {"neighbour": 2}
    assert (by["D-S2"].received, by["D-S2"].mediated, by["D-S2"].rate) == (1, 0, None)
    assert by["total"].received == 3
    assert services.default_level(users["command"]) == Level.STREET
    assert services.default_level(users["east_secretary"]) == Level.COMMUNITY
    east = services.statistics(
        users["east_secretary"], today.replace(day=1), today, level=Level.COMMUNITY
    )
    assert [(r.unit.code, r.received) for r in east if r.unit] == [("D-S1-C1", 2)]
    assert east[-1].received == 2


def test_followup_statistics(make_case, users, med):
    today = timezone.localdate()
    user = users["command"]
    early = today - dt.timedelta(days=40)
    for done in (True, False):
        case = make_case(received_on=early)
        casework.add_session(user, case.pk, date=early, place="x", mediator_ids=[med.m1.pk],
                             notes="x")  # fmt: skip
        casework.record_outcome(user, case.pk, outcome="agreement", date=early, terms="x",
                                perform_by=today)  # fmt: skip
        casework.sign_agreement(user, case.pk, signed_on=early, followup_days=30)
        if done:
            casework.record_followup(user, case.pk, done_on=early + dt.timedelta(days=20),
                                     findings="好")  # fmt: skip
    rows = services.statistics(user, early, today)
    total = rows[-1]
    assert (total.followups_due, total.followups_on_time, total.followups_overdue) == (2, 1, 1)
    assert total.followup_rate == 50.0
    assert services.overdue_followups(user).count() == 1
    assert services.open_followups(user).count() == 1


def test_trainings_and_attendance(med, users, territory):
    user = users["command"]
    t = training.create_training(
        user, topic="调解技巧", date=dt.date(2026, 3, 1), place="区司法局",
        organiser_id=territory["D"].pk, person_ids=[med.m1.pk, med.m3.pk],
    )  # fmt: skip
    assert t.attendance.count() == 2
    assert training.add_attendance(user, t.pk, [med.m1.pk, med.m2.pk]) == 1
    assert list(services.trainings_for(users["east_secretary"])) == [t]
    with pytest.raises(MediationError) as exc:
        training.add_attendance(users["east_secretary"], t.pk, [med.m1.pk])
    assert exc.value.kind == "forbidden"
    with pytest.raises(MediationError) as exc:
        training.create_training(user, topic="", date=dt.date(2026, 3, 1), place="x",
                                 organiser_id=territory["D"].pk)  # fmt: skip
    assert exc.value.field == "topic"
    mediators = set(services.mediators_for(users["east_secretary"]))
    assert mediators == {med.m1, med.m2}
