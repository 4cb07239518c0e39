"""The phone flow (near me → checklist → submit → result → 复查) and the desk pages."""

from __future__ import annotations

import pytest

from gridgov.inspections.models import Inspection, Rectification
from gridgov.inspections.services import checklist
from gridgov.inspections.views import source_section
from tests.inspections.conftest import NEAR_G1, item

pytestmark = pytest.mark.django_db


def test_phone_flow_fail_then_reinspect(sources, login):
    c = login("g1_worker")
    home = c.get("/orders/m/")
    assert "/m/inspect/" in home.content.decode()
    page = c.get("/m/inspect/")
    assert page.status_code == 200 and "data-near-auto" in page.content.decode()
    near = c.get(f"/m/inspect/?lat={NEAR_G1[0]}&lon={NEAR_G1[1]}").content.decode()
    assert "东一花园工地" in near and "超期53天" in near and "西一饭店" not in near
    site = sources["site"]
    form = c.get(f"/m/inspect/{site.pk}/").content.decode()
    assert "物料堆放及裸土覆盖" in form and form.count('type="radio"') == 14
    assert " checked" not in form  # nothing answered beforehand
    covering = item("construction_site", "covering").pk
    data = {"lat": NEAR_G1[0], "lon": NEAR_G1[1], "accuracy": "12", f"item-{covering}": "0",
            "note": "东侧裸土未覆盖", "submission": "p-1"}  # fmt: skip
    data.update({f"item-{i.pk}": "1" for i in checklist("construction_site") if i.pk != covering})
    r = c.post(f"/m/inspect/{site.pk}/", data)
    assert r.status_code == 302
    done = c.get(r["Location"]).content.decode()
    rect = Rectification.objects.get()
    assert "已生成整改工单" in done and rect.order.event.reference in done
    assert rect.due_date.isoformat() in done and "张网格" in done
    # The leader (the responsible person) sees it to re-inspect, and closes it.
    leader = login("g1_leader")
    mine = leader.get("/m/inspect/").content.decode()
    assert f"?rectification={rect.pk}" in mine
    form = leader.get(f"/m/inspect/{site.pk}/?rectification={rect.pk}").content.decode()
    assert "整改项" in form
    r = leader.post(f"/m/inspect/{site.pk}/?rectification={rect.pk}",
                    {"lat": NEAR_G1[0], "lon": NEAR_G1[1], "rectification": rect.pk,
                     "all_pass": "1"})  # fmt: skip
    assert r.status_code == 302
    assert "整改已完成" in leader.get(r["Location"]).content.decode()
    rect.refresh_from_db()
    assert rect.state == "closed"


def test_phone_form_errors(sources, login):
    c = login("g1_worker")
    site = sources["site"]
    r = c.post(f"/m/inspect/{site.pk}/", {"lat": "", "lon": "", "all_pass": "1"})
    assert r.status_code == 400 and "未能获取位置" in r.content.decode()
    r = c.post(f"/m/inspect/{site.pk}/", {"lat": 35.3, "lon": 113.05, "all_pass": "1"})
    assert r.status_code == 400 and "须在 300 米内" in r.content.decode()
    r = c.post(
        f"/m/inspect/{site.pk}/",
        {"lat": 35.2, "lon": 113.05, "note": "x" * 2001, "all_pass": "1"},
    )
    assert r.status_code == 400
    assert Inspection.objects.count() == 0
    assert c.get(f"/m/inspect/{sources['restaurant'].pk}/").status_code == 404
    assert c.get(f"/m/inspect/{site.pk}/?rectification=abc").status_code == 404
    assert c.get(f"/m/inspect/{site.pk}/?rectification=99999").status_code == 404
    near = c.get("/m/inspect/?lat=abc&lon=1").content.decode()
    assert "位置无效" in near


def test_every_item_must_be_answered_and_the_missing_ones_are_named(sources, login):
    c = login("g1_worker")
    site = sources["site"]
    items = checklist("construction_site")
    covering = item("construction_site", "covering")
    answered = {f"item-{i.pk}": "1" for i in items if i.pk != covering.pk}
    r = c.post(f"/m/inspect/{site.pk}/", {"lat": NEAR_G1[0], "lon": NEAR_G1[1], **answered})
    html = r.content.decode()
    assert r.status_code == 400 and "以下检查项未填写：物料堆放及裸土覆盖" in html
    assert html.count("item unanswered missing") == 1  # the row itself is marked
    assert html.count('value="1" required checked') == len(items) - 1  # the answers are kept
    r = c.post(f"/m/inspect/{site.pk}/", {"lat": NEAR_G1[0], "lon": NEAR_G1[1]})
    assert r.status_code == 400 and all(i.text in r.content.decode() for i in items)
    r = c.post(  # an answer that is neither 合格 nor 不合格 is no answer
        f"/m/inspect/{site.pk}/",
        {"lat": NEAR_G1[0], "lon": NEAR_G1[1], **answered, f"item-{covering.pk}": "yes"},
    )
    assert r.status_code == 400 and "物料堆放及裸土覆盖" in r.content.decode()
    assert Inspection.objects.count() == 0


def test_all_pass_is_an_explicit_choice(sources, login):
    c = login("g1_worker")
    site = sources["site"]
    covering = item("construction_site", "covering")
    near = {"lat": NEAR_G1[0], "lon": NEAR_G1[1]}
    r = c.post(f"/m/inspect/{site.pk}/", {**near, "all_pass": "1", f"item-{covering.pk}": "0"})
    assert r.status_code == 400
    assert "选择了“全部合格”，但以下检查项标为不合格：物料堆放及裸土覆盖" in r.content.decode()
    assert Inspection.objects.count() == 0
    r = c.post(f"/m/inspect/{site.pk}/", {**near, "all_pass": "1"})
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.result == Inspection.Result.PASSED
    assert inspection.items.count() == len(checklist("construction_site"))
    assert all(row.passed for row in inspection.items.all())
    page = c.get(f"/m/inspect/{site.pk}/").content.decode()
    assert 'id="all-pass-button"' in page and "data-confirm=" in page


def test_desk_and_detail(sources, login, inspect):
    i = inspect(sources["site"], failed=["fencing"]).inspection
    other = inspect(sources["restaurant"], username="g3_worker", point=(35.2009, 113.3)).inspection
    c = login("east_secretary")
    page = c.get("/inspections/").content.decode()
    assert "东一花园工地" in page and "西一饭店" not in page and "东一社区" not in page
    assert "东街道" in page  # statistics by street
    assert c.get("/inspections/?level=community").status_code == 200
    assert c.get("/inspections/?from=2026-02-30").status_code == 400
    detail = c.get(f"/inspections/{i.pk}/").content.decode()
    assert "inspection-map" in detail and "工地周边围挡" in detail
    assert c.get(f"/inspections/{other.pk}/").status_code == 404
    assert "<script>" not in detail.replace("<script src", "")


def test_source_section(sources, inspect, crew):
    from django.template.loader import render_to_string

    inspect(sources["site"], failed=["fencing"])
    ctx = source_section(sources["site"], crew["g1_worker"])
    html = render_to_string("inspections/_source_section.html", ctx)
    assert "工地周边围挡" in html and "最近检查" in html
    assert source_section(sources["restaurant"], crew["g1_worker"]) == {"inspection_section": None}
