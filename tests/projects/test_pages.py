"""The projects pages: the portfolio with filters and totals, a project with its forms (errors
shown), the map, import and export; 403 without the permission and 404 outside the scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gridgov.projects.models import Project

pytestmark = pytest.mark.django_db


def test_portfolio(login, place):
    client = login("command")
    r = client.get("/projects/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "KJ-E1" in text and "KJ-W1" in text and "项目库" in text
    assert [p.code for p in r.context["projects"]] == ["KJ-E1", "KJ-W1", "KJ-D1"]
    assert r.context["totals"].count == 3
    r = client.get("/projects/?kind=construction&overdue=on")
    assert r.context["totals"].count == 0
    r = client.get("/projects/?unit=D-S1")
    assert [p.code for p in r.context["projects"]] == ["KJ-E1"]
    r = client.get("/projects/?year=1800")
    assert r.status_code == 200 and r.context["form"].errors
    assert r.context["totals"].count == 3


def test_permission_and_scope(login, place):
    assert login("g1_leader").get("/projects/").status_code == 403
    client = login("s1_official")
    assert client.get(f"/projects/{place.east.pk}/").status_code == 200
    assert client.get(f"/projects/{place.west.pk}/").status_code == 404
    assert client.post(f"/projects/{place.west.pk}/status/", {}).status_code == 404
    client = login("east_secretary")
    assert client.post(f"/projects/{place.east.pk}/milestone/", {}).status_code == 403
    assert client.get("/projects/new/").status_code == 403


def test_project_page_and_forms(login, place):
    client = login("s1_official")
    url = f"/projects/{place.east.pk}/"
    r = client.get(url)
    text = r.content.decode()
    assert "东一第1网格" in text and "逾期" in text and "13900000008" in text
    assert f'name="done" value="{place.today:%Y-%m-%d}"' in text
    assert r.context["status_form"] is not None and r.context["spending_form"] is not None
    r = client.post(url + "spending/", {"date": str(place.today), "amount": "70", "note": ""})
    assert r.status_code == 200
    assert "累计支出不能超过批复资金" in r.content.decode()
    r = client.post(url + "spending/", {"date": str(place.today), "amount": "5.5", "note": "款"})
    assert r.status_code == 302
    r = client.post(url + "status/", {"status": "ongoing", "date": str(place.today), "note": ""})
    assert r.status_code == 302
    place.east.refresh_from_db()
    assert place.east.status == "ongoing"
    r = client.post(url + "milestone/", {"title": "", "planned": "2026-03-01"})
    assert r.status_code == 200 and "title" in r.context["milestone_form"].errors
    # An impossible date is refused at the door, before the view.
    r = client.post(url + "milestone/", {"title": "x", "planned": "2026-02-30"})
    assert r.status_code == 400
    m = place.east.milestones.get(title="样机下线")
    r = client.post(url + "done/", {"milestone": m.pk, "done": str(place.today)})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.done == place.today
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = client.post(url + "document/", {"title": "合同", "file": pdf})
    assert r.status_code == 302
    doc = place.east.documents.get()
    assert client.get(f"/projects/documents/{doc.pk}").status_code == 200
    assert login("west_secretary").get(f"/projects/documents/{doc.pk}").status_code == 404
    # The community's view: no phone of the street's official, no forms.
    r = login("east_secretary").get(url)
    assert "13900000008" not in r.content.decode() and not r.context["manage"]


def test_new_project(login, place):
    client = login("s1_official")
    r = client.get("/projects/new/")
    assert [c for c, _n in r.context["form"].fields["owner"].choices] == ["D-S1"]
    data = {"code": "KJ-P1", "name": "中试基地", "kind": "construction", "applicant": "某公司",
            "plan": "district", "year": 2026, "granted": "12", "owner": "D-S1",
            "lat": "35.2", "lon": "113.3"}  # fmt: skip
    r = client.post("/projects/new/", data)
    assert r.status_code == 200 and "该位置不在责任单位辖区内" in r.content.decode()
    r = client.post("/projects/new/", {**data, "lat": "35.2", "lon": "113.05"})
    assert r.status_code == 302
    assert Project.objects.get(code="KJ-P1").grid.code == "D-S1-C1-G1"


def test_map_export_import(login, place):
    client = login("command")
    r = client.get("/projects/map/")
    assert r.status_code == 200
    assert {p["code"] for p in r.context["points"]} == {"KJ-E1", "KJ-W1"}
    assert r.context["unplaced"] == 1
    r = client.get("/projects/export.xlsx?kind=rd")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd")
    wb = Workbook()
    wb.active.append(
        ["项目编号", "项目名称", "项目类型", "申报单位", "计划类别", "年度", "责任单位代码"]
    )
    wb.active.append(["KJ-M1", "x" * 201, "rd", "某公司", "city_st", 2026, "D"])
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("p.xlsx", buf.getvalue())
    r = client.post("/projects/import/", {"file": upload})
    assert r.status_code == 200
    assert [(e.row, e.column) for e in r.context["errors"]] == [(2, "项目名称")]
    assert not Project.objects.filter(code="KJ-M1").exists()


def test_edit_facts(login, place):
    client = login("s1_official")
    url = f"/projects/{place.east.pk}/"
    form = client.get(url).context["edit_form"]
    assert form.initial["name"] == place.east.name
    data = {**form.initial, "name": "改名后的项目", "granted": "39", "lat": "", "lon": ""}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    r = client.post(url + "edit/", data)
    assert r.status_code == 200 and "批复资金不能少于已支出金额" in r.content.decode()
    r = client.post(url + "edit/", {**data, "granted": "120.5"})
    assert r.status_code == 302
    place.east.refresh_from_db()
    assert (place.east.name, str(place.east.granted), place.east.grid) == (
        "改名后的项目",
        "120.50",
        None,
    )


def test_figures_by_unit_for_a_community(login, place):
    r = login("east_secretary").get("/projects/")
    assert [f.region.code for f in r.context["figures"]] == ["D-S1-C1"]
    assert r.context["figures"][0].projects == 1
    r = login("s1_official").get("/projects/")
    assert [f.region.code for f in r.context["figures"]] == ["D-S1"]
