"""An inspection on a phone (375 px, the phone's position granted): a grid worker opens 附近污染源,
picks the construction site, marks one item 不合格 with a photo and submits — a rectification and
its work order go to the grid leader; the grid leader then re-inspects from 我的整改复查 and the
rectification closes. Screenshots go to $GRIDGOV_SCREENSHOTS (or the test's tmp dir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov.inspections.models import Inspection, Rectification
from gridgov.workorders.states import State
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    photo_file,
    shots,
)
from tests.inspections.conftest import NEAR_G1, make_source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PHONE = {"width": 375, "height": 812}


def phone(browser, lat, lon):  # noqa: F811
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 12},
        permissions=["geolocation"],
    )


def test_an_inspection_fails_an_item_and_the_reinspection_closes_it(
    live_server,
    browser,  # noqa: F811
    crew,
    shots,  # noqa: F811
    tmp_path,
):
    site = make_source("construction_site", (35.2, 113.05), "东一花园工地")
    base = live_server.url
    worker = phone(browser, *NEAR_G1)
    page = worker.new_page()
    log_in(page, base, "g1_worker", "/m/")
    page.click("a.inspect-entry")  # tap 1: 附近污染源
    page.wait_for_selector("#near-list")
    page.screenshot(path=shots / "i1-near.png", full_page=True)
    assert "东一花园工地" in page.inner_text("#near-list")
    assert "超期" in page.inner_text("#near-list")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone

    page.click("#near-list a:has-text('东一花园工地')")  # tap 2: the source's checklist
    page.wait_for_selector(".items")
    assert page.locator(".items input:checked").count() == 0  # nothing answered beforehand
    page.click("#submit-inspection")  # refused in the browser: every item is open
    page.wait_for_selector(".item.missing")
    assert page.url.endswith(f"/m/inspect/{site.pk}/") and Inspection.objects.count() == 0
    page.once("dialog", lambda dialog: dialog.accept())  # 全部合格 asks first
    page.click("#all-pass-button")
    assert page.locator(".items input[value='1']:checked").count() == 7
    assert page.locator(".item.missing").count() == 0
    page.click(".item:has-text('物料堆放及裸土覆盖') label.fail")
    assert page.is_checked(".item:has-text('物料堆放及裸土覆盖') label.fail input")
    page.set_input_files("input[name=photos]", str(photo_file(tmp_path)))
    page.fill("textarea[name=note]", "东侧裸土约200平方米未覆盖")
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    page.wait_for_function("() => document.querySelector('input[name=accuracy]').value !== ''")
    page.screenshot(path=shots / "i2-checklist.png", full_page=True)
    page.click("#submit-inspection")  # tap 3
    page.wait_for_selector("#rectification")
    page.screenshot(path=shots / "i3-result.png", full_page=True)
    inspection = Inspection.objects.get()
    assert inspection.result == "failed" and inspection.photos.count() == 1
    assert inspection.lat == pytest.approx(NEAR_G1[0]) and inspection.accuracy_m == 12
    rect = Rectification.objects.get()
    assert rect.order.assignee.name == "张网格"
    assert rect.due_date.isoformat() in page.inner_text("#rectification")
    worker.close()

    leader = phone(browser, 35.2003, 113.0501)
    page = leader.new_page()
    log_in(page, base, "g1_leader", "/m/inspect/")
    page.wait_for_selector("#near-list")
    page.click(f"a[href$='?rectification={rect.pk}']")
    page.wait_for_selector(".item.was-failed")
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    page.screenshot(path=shots / "i4-reinspect.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#all-pass-button")
    page.click("#submit-inspection")
    page.wait_for_selector("#reinspection")
    page.screenshot(path=shots / "i5-closed.png", full_page=True)
    assert "整改已完成" in page.inner_text("#reinspection")
    rect.refresh_from_db()
    assert rect.state == "closed"
    assert rect.order.state == State.CLOSED
    assert site.inspections.count() == 2
    leader.close()


def test_inspection_pages_run_under_the_policy(live_server, browser, crew):  # noqa: F811
    from gridgov.inspections.models import ChecklistItem
    from gridgov.inspections.services import record_inspection
    from tests.browser.test_csp_pages import Watched

    site = make_source("construction_site", (35.2, 113.05), "东一花园工地")
    items = {i.pk: True for i in ChecklistItem.objects.filter(category="construction_site")}
    done = record_inspection(crew["g1_worker"], site.pk, *NEAR_G1, 10.0, items=items)
    base = live_server.url
    w = Watched(phone(browser, *NEAR_G1))
    log_in(w.page, base, "g1_worker", "/m/inspect/")
    w.page.wait_for_selector("#near-list")
    w.visit(f"{base}/m/inspect/?lat={NEAR_G1[0]}&lon={NEAR_G1[1]}", ready="#near-list")
    w.visit(f"{base}/m/inspect/{site.pk}/", ready=".items")
    w.page.wait_for_function("() => document.querySelector('input[name=accuracy]').value !== ''")
    w.visit(f"{base}/m/inspect/done/{done.inspection.pk}/", ready="#result")
    desk = Watched(browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN"))
    log_in(desk.page, base, "east_secretary", "/inspections/")
    desk.page.wait_for_selector("#stats")
    desk.visit(f"{base}/inspections/", ready="#stats")
    desk.visit(f"{base}/inspections/{done.inspection.pk}/", ready="#map .leaflet-interactive")
