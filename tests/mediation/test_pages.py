"""The mediation pages: list, intake, a case through its forms, files, committees, statistics,
the phone, the attendance import, scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from gridgov.mediation import casework, training
from gridgov.mediation.models import Attendance, Case, State, Training
from tests.mediation.conftest import case_input, mediate_to_agreement

pytestmark = pytest.mark.django_db


def test_list_and_scope(login, make_case, med):
    from tests.mediation.conftest import G3_POINT

    east = make_case()
    west = make_case(point=G3_POINT)
    c = login("east_secretary")
    page = c.get("/mediation/")
    assert page.status_code == 200
    assert east.number in page.content.decode()
    assert west.number not in page.content.decode()
    assert c.get(f"/mediation/cases/{west.pk}/").status_code == 404
    assert c.get(f"/mediation/cases/{east.pk}/").status_code == 200
    filtered = c.get("/mediation/?state=archived").content.decode()
    assert east.number not in filtered
    assert c.get("/mediation/?start=2026-02-30").status_code == 400  # the input boundary
    assert login("nobody").get("/mediation/").status_code == 403


def test_intake_form(login, med, territory):
    c = login("east_secretary")
    assert c.get("/mediation/new/").status_code == 200
    data = {
        "kind": "property", "title": "物业费纠纷", "facts": "", "source": "walk_in",
        "referral": "", "amount": "", "grid": territory["D-S1-C1-G2"].pk, "address": "",
        "received_on": "", "followup_days": "30", "applicant_name": "业主甲",
        "applicant_phone": "13700000009", "applicant_id": "", "applicant_address": "",
        "respondent_name": "某物业公司", "respondent_phone": "", "respondent_id": "",
        "respondent_address": "",
    }  # fmt: skip
    bad = c.post("/mediation/new/", {**data, "amount": "NaN"})
    assert bad.status_code == 200
    assert "须为有限的数字" in bad.content.decode()
    bad = c.post("/mediation/new/", {**data, "source": "court"})
    assert "请填写委托/转办单位及文号" in bad.content.decode()
    assert not Case.objects.exists()
    ok = c.post("/mediation/new/", data)
    case = Case.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/mediation/cases/{case.pk}/"
    assert case.committee == med.east and case.parties.count() == 2


def test_case_page_forms_to_archive(login, make_case, med):
    today = timezone.localdate().isoformat()
    case = make_case()
    c = login("c1_mediator")
    page = c.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "刘大明" in page and "110105********002X" not in page  # mediators see identities
    base = f"/mediation/cases/{case.pk}"
    r = c.post(f"{base}/session/", {"date": today, "place": "调解室", "notes": ""})
    assert r.status_code == 200 and "error" in r.content.decode()
    r = c.post(f"{base}/session/", {"date": today, "place": "调解室", "notes": "双方陈述",
                                   "mediators": [med.m1.pk]})  # fmt: skip
    assert r.status_code == 302
    r = c.post(f"{base}/outcome/", {"outcome": "agreement", "date": today, "terms": "",
                                   "perform_by": today, "note": ""})  # fmt: skip
    assert "必填" in r.content.decode()
    r = c.post(f"{base}/outcome/", {"outcome": "agreement", "date": today, "terms": "赔偿2000元",
                                   "perform_by": today, "note": ""})  # fmt: skip
    assert r.status_code == 302
    assert c.post(f"{base}/sign/", {"signed_on": today, "followup_days": "10"}).status_code == 302
    assert c.get(f"{base}/agreement.docx").content[:2] == b"PK"
    assert c.get(f"{base}/agreement.pdf").content.startswith(b"%PDF")
    assert c.get(f"{base}/agreement.txt").status_code == 404
    judicial = {"applied_on": today, "court": "测试区人民法院", "result": "confirmed",
                "ruling": "", "decided_on": ""}  # fmt: skip
    r = c.post(f"{base}/judicial/", judicial)
    assert "请填写裁定书文号" in r.content.decode()
    r = c.post(f"{base}/followup/", {"done_on": today, "findings": "已履行", "performed": "yes"})
    assert r.status_code == 302
    assert c.post(f"{base}/archive/", {"note": ""}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.ARCHIVED
    page = c.get(f"{base}/").content.decode()
    assert "已归档" in page and "回访" in page and "协议签署" in page


def test_grid_leader_sees_masked_ids_and_no_forms(login, make_case, med, crew):
    case = make_case()
    c = login("g1_leader")
    page = c.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "110105********002X" in page
    assert 'id="act-session"' not in page
    assert c.post(f"/mediation/cases/{case.pk}/session/", {}).status_code == 403


def test_agreement_needs_an_agreement(login, make_case, med):
    case = make_case()
    assert login("command").get(f"/mediation/cases/{case.pk}/agreement.pdf").status_code == 404


def test_from_order_page(login, crew, med, report):
    from gridgov.workorders.models import Source

    order = report(source=Source.PATROL, code="labour_dispute", user=crew["g1_worker"])
    c = login("east_secretary")
    r = c.post("/mediation/from-order/", {"reference": order.event.reference.lower()})
    case = Case.objects.get(order=order)
    assert r["Location"] == f"/mediation/cases/{case.pk}/"
    assert case.kind == "labour"
    r = c.post("/mediation/from-order/", {"reference": "SJ000000XXXXX"}, follow=True)
    assert "工单不存在" in r.content.decode()


def test_statistics_page(login, make_case, med, users):
    case = make_case()
    mediate_to_agreement(users["command"], case, med.m1, timezone.localdate())
    page = login("command").get("/mediation/stats/").content.decode()
    assert "东街道" in page and "100.0%" in page
    assert login("command").get("/mediation/stats/?start=2026-02-30").status_code == 400
    page = login("east_secretary").get("/mediation/stats/").content.decode()
    assert "东一社区" in page and "西一社区" not in page


def test_committees_page_and_attendance_import(login, med, users, territory):
    t = training.create_training(
        users["command"], topic="调解技巧", date=dt.date(2026, 3, 1), place="区司法局",
        organiser_id=territory["D"].pk,
    )  # fmt: skip
    c = login("command")
    page = c.get("/mediation/committees/").content.decode()
    assert "东一社区人民调解委员会" in page and "调解技巧" in page

    def sheet(rows):
        book = Workbook()
        ws = book.active
        ws.append(["培训编号", "姓名", "手机号码"])
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        book.save(buf)
        buf.seek(0)
        buf.name = "attendance.xlsx"
        return buf

    bad = [[t.pk, "调解甲", "13900000021"], [t.pk, "调解乙", "13900000099"], [999, "x", "1"]]
    r = c.post("/mediation/trainings/import/", {"file": sheet(bad)}, follow=True)
    text = r.content.decode()
    assert "row 3, 手机号码" in text and "row 4, 培训编号" in text
    assert not Attendance.objects.exists()  # all or nothing
    good = [[t.pk, "调解甲", "13900000021"], [t.pk, "调解丙", "13900000023"]]
    r = c.post("/mediation/trainings/import/", {"file": sheet(good)}, follow=True)
    assert Attendance.objects.filter(training=t).count() == 2
    # Export → import round-trips (nothing new to add).
    exported = c.get("/mediation/trainings/attendance.xlsx")
    from gridgov.mediation import excel

    report = excel.import_attendance(users["command"], exported.content)
    assert report.ok and len(report.rows) == 2
    assert Attendance.objects.count() == 2
    assert login("east_secretary").post("/mediation/trainings/import/", {}).status_code == 403
    assert Training.objects.count() == 1


def test_phone_new_and_followup(login, crew, med, users, make_case, territory):
    c = login("g1_leader")
    assert c.get("/mediation/m/new/").status_code == 200
    r = c.post("/mediation/m/new/", {"kind": "neighbour", "title": "噪音扰民",
               "applicant_name": "居民甲", "lat": "35.2", "lon": "113.05"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()
    case = Case.objects.get()
    assert case.source == "grid" and case.grid == territory["D-S1-C1-G1"]
    r = c.post("/mediation/m/new/", {"kind": "neighbour", "title": "噪音", "applicant_name": "甲"})
    assert "未能定位，请选择网格" in r.content.decode()
    today = timezone.localdate()
    mediate_to_agreement(users["command"], case, med.m1, today)
    casework.sign_agreement(users["command"], case.pk, signed_on=today)
    m = login("c1_mediator")
    assert case.number in m.get("/mediation/m/followups/").content.decode()
    assert m.get(f"/mediation/m/followups/{case.pk}/").status_code == 200
    r = m.post(f"/mediation/m/followups/{case.pk}/", {"done_on": today.isoformat(),
               "findings": "协议已履行", "performed": "yes"})  # fmt: skip
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.FOLLOWED_UP
    assert login("g1_leader").get(f"/mediation/m/followups/{case.pk}/").status_code == 403


def test_export_page_masks_for_grid_posts(login, make_case, med, crew):
    from openpyxl import load_workbook

    make_case()
    r = login("g1_leader").get("/mediation/export.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "刘**" in [c.value for c in ws[2]][8]


def test_training_form_and_committee_choice(login, med, territory, users):
    c = login("command")
    r = c.post("/mediation/trainings/new/", {"topic": "", "date": "2026-03-01", "place": "x",
               "organiser": territory["D"].pk, "hours": "4"})  # fmt: skip
    assert r.status_code == 200 and not Training.objects.exists()
    r = c.post("/mediation/trainings/new/", {"topic": "调解技巧", "date": "2026-03-01",
               "place": "区司法局", "organiser": territory["D"].pk, "hours": "4"})  # fmt: skip
    assert r.status_code == 302 and Training.objects.get().topic == "调解技巧"
    assert login("east_secretary").post("/mediation/trainings/new/", {}).status_code == 403
    # The intake may name the street's committee instead of the community's.
    case = casework.create_case(
        users["command"],
        case_input(committee_id=med.east_street.pk),
    )
    assert case.committee == med.east_street
    page = c.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "调解甲" in page and "调解丙" not in page  # the session offers the street's mediators
