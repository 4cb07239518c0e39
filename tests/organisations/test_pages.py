"""The pages: lists and filters, the organisation page with its history and forms, errors
shown, import row errors (nothing written), volunteers (desk and phone), masking."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from gridgov.organisations.models import Organisation, Volunteer
from tests.organisations.conftest import credit

pytestmark = pytest.mark.django_db


def test_list_filters_and_as_of(login, orgs):
    c = login("command")
    r = c.get("/organisations/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "东一科技有限公司" in page and "西一公益协会" in page
    page = c.get("/organisations/?kind=social").content.decode()
    assert "西一公益协会" in page and "东一科技有限公司" not in page
    page = c.get("/organisations/?coverage=org_covered&q=科技").content.decode()
    assert "东一科技有限公司" in page and "东二快递站" not in page
    page = c.get("/organisations/?on=2024-06-01").content.decode()
    assert "东一科技有限公司" not in page
    r = c.get("/organisations/?on=2026-02-30")
    assert r.status_code == 400  # the input boundary refuses a date that does not exist
    page = c.get("/organisations/?q=" + "长" * 101).content.decode()
    assert "搜索词不能超过100个字" in page


def test_scope_of_pages(login, orgs):
    c = login("east_secretary")
    assert "西一公益协会" not in c.get("/organisations/").content.decode()
    assert c.get(f"/organisations/{orgs.west.pk}/").status_code == 404
    assert c.get(f"/organisations/{orgs.east.pk}/").status_code == 200
    assert login("g1_leader").get("/organisations/").status_code == 403


def test_detail_shows_history_and_acts(login, orgs, territory):
    c = login("command")
    page = c.get(f"/organisations/{orgs.east.pk}/").content.decode()
    assert "变化记录" in page and "纳入" in page and "党指导东" in page
    past = c.get(f"/organisations/{orgs.east.pk}/?on=2025-02-15").content.decode()
    assert "未建立" in past  # the party organisation came on 2025-03-01
    r = c.post(f"/organisations/{orgs.east2.pk}/party_org/",
               {"party-party_org": "joint", "party-date": "2025-05-01"})  # fmt: skip
    assert r.status_code == 302
    orgs.east2.refresh_from_db()
    assert orgs.east2.party_org == "joint"
    r = c.post(f"/organisations/{orgs.east2.pk}/move/",
               {"move-date": "2024-01-01", "move-grid": territory["D-S2-C2-G3"].pk})  # fmt: skip
    assert r.status_code == 200
    assert "日期不能早于纳入日期" in r.content.decode()
    assert c.post(f"/organisations/{orgs.east2.pk}/bogus/", {}).status_code == 404


def test_register_page_errors_and_success(login, territory, users, orgs):
    c = login("east_secretary")
    data = {
        "name": "东四餐饮", "kind": "economic", "credit_code": credit(41)[:-1] + "0",
        "opened": "2025-01-01", "grid": territory["D-S1-C1-G1"].pk, "party_org": "none",
        "staff": "5", "party_members": "0",
    }  # fmt: skip
    r = c.post("/organisations/new/", data)
    assert r.status_code == 200 and "校验位" in r.content.decode()
    r = c.post("/organisations/new/", {**data, "credit_code": credit(41)})
    assert r.status_code == 302
    assert Organisation.objects.filter(name="东四餐饮").exists()


def _sheet(rows):
    book = Workbook()
    ws = book.active
    ws.append(["名称", "类别", "统一社会信用代码", "网格编码", "纳入日期", "党组织"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "orgs.xlsx"
    return buf


def test_import_page_names_row_errors_and_writes_nothing(login, orgs):
    c = login("command")
    before = Organisation.objects.count()
    f = _sheet([
        ["甲公司", "新经济组织", credit(51), "D-S1-C1-G1", "2025-01-01", "单独建"],
        ["乙公司", "economic", credit(51), "D-S1-C1-G2", "2025-01-01", ""],  # duplicate
        ["丙公司", "economic", "123", "D-S1-C1-G2", "2025-02-30", ""],  # bad code, bad date
        ["丁公司", "economic", credit(1), "NOPE", "2025-01-01", ""],  # in the database; grid
    ])  # fmt: skip
    r = c.post("/organisations/import/", {"file": f})
    page = r.content.decode()
    assert r.status_code == 200 and "未导入" in page
    assert "与第2行重复" in page and "纳入日期" in page and "网格编码" in page
    assert "该统一社会信用代码已登记" in page
    assert Organisation.objects.count() == before
    f = _sheet([["甲公司", "新经济组织", credit(51), "D-S1-C1-G1", "2025-01-01", "单独建"]])
    assert c.post("/organisations/import/", {"file": f}).status_code == 302
    assert Organisation.objects.get(name="甲公司").party_org == "single"


def test_export_page(login, orgs):
    r = login("east_secretary").get("/organisations/export.xlsx?kind=economic")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_statistics_instructors_meetings_pages(login, orgs, instructors, territory):
    c = login("s1_official")
    page = c.get("/organisations/statistics/?by=community").content.decode()
    assert "东一社区" in page and "50.0%" in page and "东二快递站" in page
    assert "西一公益协会" not in page
    assert "党指导东" in c.get("/organisations/instructors/").content.decode()
    r = c.post("/organisations/meetings/", {
        "date": "2025-06-01", "unit": territory["D-S1"].pk, "topic": "二季度联席会",
        "organisations": [orgs.east.pk], "attendees": [instructors["east"].pk],
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    page = c.get(r["Location"]).content.decode()
    assert "二季度联席会" in page and "东一科技有限公司" in page
    r = c.post("/organisations/meetings/", {"date": "2025-06-01", "unit": territory["D-S1"].pk,
                                            "topic": ""})  # fmt: skip
    assert r.status_code == 200 and "error" in r.content.decode()


def test_volunteer_pages_register_and_mask(login, orgs, territory):
    c = login("g1_leader")
    r = c.post("/organisations/m/volunteer/", {
        "name": "快递小李", "phone": "13700000002", "group": "courier",
        "grid": territory["D-S1-C1-G1"].pk, "registered": timezone.localdate().isoformat(),
    })  # fmt: skip
    assert r.status_code == 302
    v = Volunteer.objects.get(person__phone="13700000002")
    assert v.grid == territory["D-S1-C1-G1"] and v.post is not None
    page = c.get("/organisations/volunteers/").content.decode()
    assert "快递小李" in page and "137****0002" in page and "13700000002" not in page
    page = login("command").get("/organisations/volunteers/").content.decode()
    assert "13700000002" in page  # the command office may see contacts
    r = c.post("/organisations/m/volunteer/", {
        "name": "快递小李", "phone": "13700000002", "group": "courier",
        "grid": territory["D-S1-C1-G1"].pk, "registered": timezone.localdate().isoformat(),
    })  # fmt: skip
    assert r.status_code == 200 and "已登记为志愿者" in r.content.decode()
    assert (
        login("west_secretary").get("/organisations/volunteers/").content.decode().count("快递小李")
        == 0
    )
    # ending: the post ends too
    c2 = login("command")
    r = c2.post(
        f"/organisations/volunteers/{v.pk}/end/", {"date": timezone.localdate().isoformat()}
    )
    assert r.status_code == 302
    v.refresh_from_db()
    assert not v.active and v.post.end_date == timezone.localdate()


def test_info_and_end_assignment_forms(login, orgs, users):
    from gridgov.organisations import lifecycle
    from gridgov.organisations.models import Assignment

    lifecycle.update_organisation(
        users["command"], orgs.east.pk, name=orgs.east.name, industry="软件", staff=20,
        party_members=5, address="", contact="赵经理", contact_phone="13812345678",
    )  # fmt: skip
    c = login("east_secretary")  # may change, may not see contacts
    page = c.get(f"/organisations/{orgs.east.pk}/").content.decode()
    assert "13812345678" not in page and "赵经理" not in page
    r = c.post(f"/organisations/{orgs.east.pk}/info/", {
        "info-name": "东一科技股份有限公司", "info-industry": "软件", "info-staff": "40",
        "info-party_members": "6", "info-address": "", "info-contact": "", "info-contact_phone": "",
    })  # fmt: skip
    assert r.status_code == 302
    orgs.east.refresh_from_db()
    assert orgs.east.name == "东一科技股份有限公司" and orgs.east.staff == 40
    assert orgs.east.contact_phone == "13812345678"  # kept, though not shown
    r = c.post(f"/organisations/{orgs.east.pk}/info/", {"info-name": "", "info-staff": "-1"})
    assert r.status_code == 200 and "error" in r.content.decode()
    # a community may not assign or end instructors: no such form for it
    assert c.post(f"/organisations/{orgs.east.pk}/end_assignment/",
                  {"end-end_date": "2025-06-01"}).status_code == 403  # fmt: skip
    r = login("s1_official").post(f"/organisations/{orgs.east.pk}/end_assignment/",
                                  {"end-end_date": "2025-06-01"})  # fmt: skip
    assert r.status_code == 302
    assert Assignment.objects.get(organisation=orgs.east).end_date.isoformat() == "2025-06-01"
