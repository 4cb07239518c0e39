"""The grid worker reports a problem he fixed there and then, on a 375×812 phone in a real
browser: the pin starts at the phone's position, he drags it, the place is said in words, he
chooses photos and sees them (and takes one back), ticks 已就地处置 with what he did, and sends.
The order is 已处置 at once, waiting for 核查 by the community. Screenshots go to
$GRIDGOV_SCREENSHOTS (or the test's tmp dir)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from gridgov.territory.locate import locate
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import State
from tests.browser.test_grid_worker_day import CHROMIUM, browser, log_in, shots  # noqa: F401
from tests.workorders.fixtures import G1_POINT

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PHONE = {"width": 375, "height": 812}


def png(path, colour):
    Image.new("RGB", (120, 90), colour).save(path, "PNG")
    return str(path)


def test_a_report_handled_on_the_spot(live_server, browser, crew, people, shots, tmp_path):  # noqa: F811
    base = live_server.url
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": G1_POINT[0], "longitude": G1_POINT[1], "accuracy": 8},
        permissions=["geolocation"],
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, base, "g1_part", "/orders/m/report/")
    page.wait_for_selector("#report-map .leaflet-marker-draggable")
    page.wait_for_function(
        "() => document.getElementById('report-place').textContent.includes('东一第1网格')"
    )
    assert page.inner_text("#report-place") == "东一社区 · 东一第1网格"
    assert float(page.input_value("#report-lat")) == pytest.approx(G1_POINT[0])
    assert "已定位" in page.inner_text("[data-gps-status]")
    page.screenshot(path=shots / "r1-located.png", full_page=True)

    # Drag the pin east; the form's position and the words follow it.
    page.locator("#report-map").scroll_into_view_if_needed()
    box = page.locator("#report-map .leaflet-marker-draggable").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 5, steps=8)
    page.mouse.up()
    page.wait_for_function(
        f"() => parseFloat(document.getElementById('report-lon').value) > {G1_POINT[1] + 0.005}"
    )
    lat, lon = float(page.input_value("#report-lat")), float(page.input_value("#report-lon"))
    grid = locate(lat, lon).grid
    assert grid is not None
    page.wait_for_function(
        "name => document.getElementById('report-place').textContent.endsWith(name)", arg=grid.name
    )

    page.click(".cat:has-text('工地扬尘')")
    page.fill("textarea[name=description]", "东侧裸土未苫盖")
    first, second = png(tmp_path / "a.png", "orange"), png(tmp_path / "b.png", "navy")
    page.set_input_files("input[name=photos]", [first, second])
    page.wait_for_selector("#report-thumbs .thumb:nth-child(2) img")
    page.click("#report-thumbs .thumb:first-child .thumb-remove")  # taken back
    assert page.locator("#report-thumbs .thumb").count() == 1
    assert page.evaluate("document.querySelector('input[name=photos]').files.length") == 1
    assert page.get_attribute("#report-thumbs img", "alt") == "b.png"

    # 已就地处置 needs a note: the browser will not send the form without one.
    assert page.is_hidden("#handling-note")
    page.click("label.onspot")
    assert page.is_visible("#handling-note")
    page.click("#report-form button[type=submit]")
    assert page.evaluate("document.getElementById('handling-note').validity.valueMissing")
    assert not WorkOrder.objects.exists()
    page.fill("#handling-note", "已督促施工方当场苫盖")
    page.set_input_files("input[name=after_photos]", png(tmp_path / "after.png", "green"))
    page.wait_for_selector("#after-thumbs .thumb img")
    page.screenshot(path=shots / "r2-on-the-spot.png", full_page=True)
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/orders/m/*/")
    page.wait_for_selector(".messages")
    page.screenshot(path=shots / "r3-sent.png", full_page=True)

    order = WorkOrder.objects.select_related("event__region").get()
    assert order.state == State.HANDLED and order.step == "verify"
    assert order.assignee == people["g1_part"] and order.handled_by == people["g1_part"]
    assert order.event.region.code == grid.code
    assert order.event.lat == pytest.approx(lat) and order.event.lon == pytest.approx(lon)
    assert sorted(order.attachments.values_list("stage", flat=True)) == ["after", "report"]
    assert list(order.transitions.order_by("at", "pk").values_list("action", flat=True)) == [
        "create", "auto_dispatch", "sign", "handle",
    ]  # fmt: skip
    assert problems == []
    context.close()
