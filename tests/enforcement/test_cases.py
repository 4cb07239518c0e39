"""Cases: opening (by hand, from an inspection, from an order), the step table, deadlines, the
audit rows, fines against the legal ranges, scope, documents, statistics."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.enforcement import handling, services
from gridgov.enforcement.handling import advance
from gridgov.enforcement.models import Case, CaseStep
from gridgov.enforcement.services import CaseError, CaseInput, open_case
from gridgov.enforcement.steps import MOVES, Step
from tests.enforcement.conftest import PERSON_ID, basis, png

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday


def decide(case, user, amount="50000", article="第一百一十五条", **kw):
    return advance(
        case.pk,
        Step.DECISION,
        user,
        penalty_amount=amount,
        legal_basis_ids=[basis(article).pk],
        decision="罚款并责令改正",
        **kw,
    )


def walk(case, user, *steps, now=None):
    for s in steps:
        if s == Step.DECISION:
            case = decide(case, user, now=now)
        else:
            case = advance(case.pk, s, user, note="办理", now=now)
    return case


def test_open_by_hand_numbers_and_audits(enf, new_case, sites):
    case = new_case()
    assert case.reference == f"ZF{timezone.localdate().year}-00001"
    assert new_case().reference.endswith("-00002")
    assert case.step == Step.FILED and case.origin == Case.Origin.MANUAL
    assert case.region == sites["g1"].grid and case.region_path == sites["g1"].grid.path
    row = CaseStep.objects.get(case=case)
    assert (row.from_step, row.to_step, row.actor_name) == ("", Step.FILED, "指挥长")
    assert case.due_date == timezone.localdate() + dt.timedelta(days=7)


def test_only_handlers_open_and_scope_limits_sources(enf, new_case):
    with pytest.raises(CaseError) as err:
        new_case(user="east_secretary")
    assert err.value.kind == "forbidden"
    with pytest.raises(CaseError) as err:
        new_case(user="s1_enforcer", source="g3")  # 西街道: not the enforcer's street
    assert err.value.kind == "invalid" and err.value.field == "source"
    assert new_case(user="s1_enforcer").region.code == "D-S1-C1-G1"


def test_every_move_of_the_table(enf, new_case):
    user = enf["command"]
    for start in Step.values:
        for target in Step.values:
            case = new_case()
            path = {
                Step.FILED: [],
                Step.INVESTIGATION: [Step.INVESTIGATION],
                Step.NOTICE: [Step.INVESTIGATION, Step.NOTICE],
                Step.DECISION: [Step.INVESTIGATION, Step.NOTICE, Step.DECISION],
                Step.EXECUTION: [Step.INVESTIGATION, Step.NOTICE, Step.DECISION, Step.EXECUTION],
                Step.CLOSED: [Step.INVESTIGATION, Step.NOTICE, Step.DECISION, Step.CLOSED],
                Step.WITHDRAWN: [Step.WITHDRAWN],
            }[start]
            case = walk(case, user, *path)
            assert case.step == start
            before = CaseStep.objects.filter(case=case).count()
            try:
                if target == Step.DECISION:
                    decide(case, user)
                else:
                    advance(case.pk, target, user, note="说明")
            except CaseError as exc:
                assert target not in MOVES[start], (start, target, exc)
                assert exc.kind == "conflict"
                assert CaseStep.objects.filter(case=case).count() == before
            else:
                assert target in MOVES[start], (start, target)
                rows = CaseStep.objects.filter(case=case)
                assert rows.count() == before + 1
                assert rows.last().from_step == start and rows.last().to_step == target


def test_note_required_for_withdrawal_and_no_penalty(enf, new_case):
    case = new_case()
    with pytest.raises(CaseError) as err:
        advance(case.pk, Step.WITHDRAWN, enf["command"])
    assert err.value.field == "note"
    case = advance(case.pk, Step.INVESTIGATION, enf["command"])
    with pytest.raises(CaseError):
        advance(case.pk, Step.CLOSED, enf["command"], note="  ")
    closed = advance(case.pk, Step.CLOSED, enf["command"], note="经调查不构成违法，不予处罚")
    assert closed.step == Step.CLOSED and closed.closed_at is not None and closed.due_date is None


def test_deadlines_ninety_days_and_working_days(enf, new_case):
    user = enf["command"]
    case = new_case(now=T0)
    assert case.due_date == dt.date(2026, 3, 9)  # 7 days to start the investigation
    case = advance(case.pk, Step.INVESTIGATION, user, now=T0)
    assert case.due_date == dt.date(2026, 4, 1)  # 30 days to the notice
    case = advance(case.pk, Step.NOTICE, user, now=T0 + dt.timedelta(days=80))
    # The decision is due 90 days after filing (行政处罚法 §60), whatever the notice took.
    assert case.due_date == dt.date(2026, 5, 31)  # 2026-03-02 + 90 days
    case = decide(case, user, now=T0 + dt.timedelta(days=81))
    # 送达 within 7 working days (Sat/Sun skipped).
    decided = (T0 + dt.timedelta(days=81)).date()
    assert case.due_date == services.add_days(decided, 7, True)
    assert (case.due_date - decided).days >= 9


def test_late_steps_are_recorded_and_overdue_found(enf, new_case):
    user = enf["command"]
    case = new_case()
    Case.objects.filter(pk=case.pk).update(due_date=dt.date(2026, 1, 5))
    case.refresh_from_db()
    assert services.is_overdue(case, dt.date(2026, 1, 6))
    assert list(services.overdue(Case.objects.all(), dt.date(2026, 1, 6))) == [case]
    case = advance(case.pk, Step.INVESTIGATION, user)
    row = CaseStep.objects.filter(case=case).last()
    assert row.late and row.due_date == dt.date(2026, 1, 5)
    assert case.late_steps == 1


def test_fine_within_the_range_or_with_a_reason(enf, new_case):
    user = enf["command"]
    case = walk(new_case(), user, Step.INVESTIGATION, Step.NOTICE)
    with pytest.raises(CaseError) as err:
        decide(case, user, amount="5000")  # 第一百一十五条: 1万–10万
    assert err.value.field == "penalty_amount" and "10000" in err.value.message
    with pytest.raises(CaseError) as err:
        decide(case, user, amount="-1")
    assert err.value.field == "penalty_amount"
    with pytest.raises(CaseError) as err:
        decide(case, user, amount="NaN")
    assert err.value.field == "penalty_amount"
    with pytest.raises(CaseError) as err:
        decide(case, user, amount="1" + "0" * 20)
    assert err.value.field == "penalty_amount"
    with pytest.raises(CaseError) as err:
        decide(case, user, article="第一百一十九条第二款（个人）")  # a person's range, an org
    assert err.value.field == "legal_bases"
    with pytest.raises(CaseError) as err:
        advance(case.pk, Step.DECISION, user, penalty_amount="20000", decision="x")
    assert err.value.field == "legal_bases"
    assert Case.objects.get(pk=case.pk).step == Step.NOTICE  # nothing half-written
    done = decide(case, user, amount="5000", amount_reason="首次违法且及时改正，依法减轻处罚")
    assert done.penalty_amount == Decimal("5000.00") and done.step == Step.DECISION
    assert list(done.legal_bases.values_list("article", flat=True)) == ["第一百一十五条"]


def test_closing_waits_for_rectification(enf, new_case):
    user = enf["command"]
    case = walk(new_case(), user, Step.INVESTIGATION, Step.NOTICE)
    case = decide(case, user, rectification_required=True)
    case = advance(case.pk, Step.EXECUTION, user)
    with pytest.raises(CaseError) as err:
        advance(case.pk, Step.CLOSED, user)
    assert err.value.field == "rectified"
    case = advance(case.pk, Step.CLOSED, user, rectified=True)
    assert case.step == Step.CLOSED and case.rectified_at is not None


def test_scope_not_yours_is_not_found(enf, new_case):
    g3 = new_case(source="g3", party_name="王小明", party_kind="person", party_code=PERSON_ID)
    for name in ("s1_enforcer", "east_secretary", "g1_leader", "nobody"):
        with pytest.raises(CaseError) as err:
            services.get_case(enf[name], g3.pk)
        assert err.value.kind == "not_found"
        with pytest.raises(CaseError) as err:
            advance(g3.pk, Step.INVESTIGATION, enf[name])
        assert err.value.kind == "not_found"
    assert services.get_case(enf["west_secretary"], g3.pk) == g3
    with pytest.raises(CaseError) as err:
        advance(g3.pk, Step.INVESTIGATION, enf["west_secretary"])  # sees, may not handle
    assert err.value.kind == "forbidden"


def test_bad_inputs_refused(enf, new_case):
    for over, field in [
        ({"party_kind": "alien"}, "party_kind"),
        ({"party_name": ""}, "party_name"),
        ({"party_name": "x\x00y"}, "party_name"),
        ({"party_name": "长" * 101}, "party_name"),
        ({"party_code": "91350100M000100Y44"}, "party_code"),
        ({"party_kind": "person", "party_code": "110101199003074515"}, "party_code"),
        ({"party_phone": "call me"}, "party_phone"),
        ({"title": ""}, "title"),
        ({"facts": "a" * 4001}, "facts"),
        ({"source_id": None}, "source"),
        ({"source_id": None, "region_code": "D-S1"}, "region"),  # a street, not a grid
    ]:
        with pytest.raises((CaseError, Exception)) as err:
            new_case(**over)
        assert getattr(err.value, "field", None) == field, (over, err.value)
    assert not Case.objects.exists()


def test_open_from_an_order_and_by_grid(enf, report):
    order = report()
    case = open_case(
        CaseInput(
            title="", facts="", party_kind="person", party_name="张某人", order_id=order.pk
        ).__class__(
            title=order.event.title, party_kind="person", party_name="张某人", order_id=order.pk
        ),
        enf["command"],
    )
    assert case.origin == Case.Origin.ORDER and case.order == order
    assert case.region == order.event.region
    by_grid = open_case(
        CaseInput(
            title="露天焚烧", party_kind="person", party_name="李四", region_code="D-S2-C2-G3"
        ),
        enf["command"],
    )
    assert by_grid.region.code == "D-S2-C2-G3" and by_grid.source is None


def test_open_from_an_inspection_copies_and_links(enf, sites, people):
    from gridgov.inspections.models import Inspection

    insp = Inspection.objects.create(
        source=sites["g1"],
        inspector=people["g1_worker"],
        at=T0,
        lat=35.2,
        lon=113.05,
        distance_m=3,
        result="failed",
        note="围挡破损",
        region_path=sites["g1"].region_path,
        created_at=T0,
    )
    filled = services.prefill(enf["s1_enforcer"], inspection_id=insp.pk)
    assert filled["source_id"] == sites["g1"].pk and "围挡破损" in filled["facts"]
    case = open_case(
        CaseInput(
            title=filled["title"],
            facts=filled["facts"],
            party_kind="org",
            party_name=filled["party_name"],
            inspection_id=insp.pk,
        ),
        enf["s1_enforcer"],
    )
    assert case.origin == Case.Origin.INSPECTION and case.inspection == insp
    assert case.source == sites["g1"]
    with pytest.raises(CaseError):
        services.prefill(enf["west_secretary"], inspection_id=insp.pk)


def test_documents_checked_by_content(enf, new_case):
    case = new_case()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    d = handling.add_document(
        case.pk,
        enf["command"],
        io.BytesIO(pdf),
        size=len(pdf),
        name="决定书.pdf",
        title="处罚决定书",
    )
    assert d.content_type == "application/pdf" and not d.is_image
    img = png()
    assert handling.add_document(
        case.pk, enf["command"], io.BytesIO(img), size=len(img), name="a.png"
    ).is_image
    with pytest.raises(CaseError) as err:
        handling.add_document(
            case.pk, enf["command"], io.BytesIO(b"MZ\x90\x00"), size=4, name="virus.pdf"
        )
    assert err.value.field == "file"
    with pytest.raises(CaseError) as err:
        handling.add_document(
            case.pk, enf["east_secretary"], io.BytesIO(pdf), size=len(pdf), name="x.pdf"
        )
    assert err.value.kind == "forbidden"


def test_statistics_by_front_unit_month_and_basis(enf, new_case):
    user = enf["command"]
    a = walk(
        new_case(),
        user,
        Step.INVESTIGATION,
        Step.NOTICE,
        Step.DECISION,
        Step.EXECUTION,
        Step.CLOSED,
    )
    b = new_case(source="g3", party_name="老王烧烤店")
    b = walk(b, user, Step.INVESTIGATION, Step.NOTICE)
    b = advance(
        b.pk,
        Step.DECISION,
        user,
        penalty_amount="8000",
        legal_basis_ids=[basis("第一百一十八条第一款").pk],
        decision="罚款",
    )
    c = new_case()
    Case.objects.filter(pk=c.pk).update(due_date=dt.date(2020, 1, 1))
    d = advance(new_case().pk, Step.WITHDRAWN, user, note="重复立案")
    late = new_case()
    Case.objects.filter(pk=late.pk).update(due_date=dt.date(2020, 1, 1))
    late = walk(
        Case.objects.get(pk=late.pk),
        user,
        Step.INVESTIGATION,
        Step.NOTICE,
        Step.DECISION,
        Step.EXECUTION,
        Step.CLOSED,
    )
    today = timezone.localdate()
    r = services.statistics(user, today - dt.timedelta(days=1), today)
    assert r["total"] == {
        "opened": 5,
        "closed": 2,
        "closed_on_time": 1,
        "withdrawn": 1,
        "overdue": 1,
        "fines": Decimal("108000.00"),
    }
    front = {row["key"]: row for row in r["by"]["front"]}
    assert front["construction_site"]["opened"] == 4
    assert front["restaurant"]["fines"] == Decimal("8000.00")
    units = {row["label"]: row["opened"] for row in r["by"]["unit"]}
    assert units == {"东街道": 4, "西街道": 1}
    bases = {row["label"]: row["fines"] for row in r["by"]["basis"]}
    assert bases["《中华人民共和国大气污染防治法》第一百一十五条"] == Decimal("100000.00")
    assert [row["key"] for row in r["by"]["month"]] == [f"{today:%Y-%m}"]
    # The east secretary sees only 东街道's cases; a grid worker without the permission none.
    assert services.statistics(enf["east_secretary"], today, today)["total"]["opened"] == 4
    assert services.statistics(enf["g1_leader"], today, today)["total"]["opened"] == 0
    assert (a.step, d.step) == (Step.CLOSED, Step.WITHDRAWN)
    with pytest.raises(CaseError):
        services.statistics(user, today, today - dt.timedelta(days=1))
