"""A grid worker's day on a phone-sized screen, in a real browser (Debian's chromium through
Playwright): log in, see the task, sign for it, handle it with a photo and the phone's location;
then the community secretary verifies and closes it. Screenshots of each step go to
$GRIDGOV_SCREENSHOTS (or the test's tmp dir) to be looked at."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from gridgov.workorders.models import Attachment, WorkOrder
from gridgov.workorders.states import State
from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("GRIDGOV_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():  # every browser test goes through here: skip, don't error
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # plain synchronous ones and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()
        # The test's ORM calls ran inside Playwright's greenlet, which has its own connection
        # (Django keys connections by context): close it here, or it outlives the test.
        from django.db import connections

        connections.close_all()


def photo_file(tmp_path) -> Path:
    path = tmp_path / "site.jpg"
    img = Image.new("RGB", (800, 600), (120, 110, 90))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def log_in(page, base, username, next_url):
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # Wait until the login page has gone: a check run at once might still see the login form.
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_grid_workers_day(live_server, browser, crew, report, shots, tmp_path):
    order = report(title="工地裸土未苫盖", description="东侧围挡内约200平方米裸土")
    base = live_server.url
    phone = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": 35.2004, "longitude": 113.0502},
        permissions=["geolocation"],
    )
    page = phone.new_page()
    log_in(page, base, "g1_worker", "/m/")
    page.wait_for_selector(".tasks")
    page.screenshot(path=shots / "1-tasks.png", full_page=True)
    assert "工地裸土未苫盖" in page.inner_text(".tasks")

    page.click("text=工地裸土未苫盖")
    page.wait_for_selector("button:has-text('签收')")
    page.screenshot(path=shots / "2-order.png", full_page=True)
    page.click("button:has-text('签收')")
    page.wait_for_selector("#handle-form")
    assert WorkOrder.objects.get(pk=order.pk).state == State.SIGNED

    page.fill("#handle-form textarea[name=note]", "已督促施工方苫盖全部裸土并洒水降尘")
    page.set_input_files("#handle-form input[type=file]", str(photo_file(tmp_path)))
    page.wait_for_function(
        "() => document.querySelector('#handle-form input[name=lat]').value !== ''"
    )
    page.screenshot(path=shots / "3-handle.png", full_page=True)
    page.click("#handle-form button")
    page.wait_for_selector(".panel .state.s-handled")
    page.screenshot(path=shots / "4-handled.png", full_page=True)
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.state == State.HANDLED
    handled = fresh.transitions.get(action="handle")
    assert handled.lat == pytest.approx(35.2004) and handled.lon == pytest.approx(113.0502)
    assert Attachment.objects.get(order=fresh).stage == "after"

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    log_in(page, base, "east_secretary", f"/orders/{order.pk}/")
    page.wait_for_selector(".timeline")
    page.click("button.btn-verify")
    page.wait_for_selector("button.btn-close")
    page.click("button.btn-close")
    page.wait_for_selector(".state.s-closed")
    page.screenshot(path=shots / "5-closed-desk.png", full_page=True)
    assert WorkOrder.objects.get(pk=order.pk).state == State.CLOSED
    phone.close()
    desk.close()


def test_a_report_that_fails_to_send_keeps_its_content_and_retries(
    live_server, browser, crew, shots
):
    """Three taps; the first send meets a dead network; the phone keeps the report in its
    offline queue (待上传), retries by itself, and the report is filed once."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": 35.2, "longitude": 113.05},
        permissions=["geolocation"],
    )
    page = context.new_page()
    log_in(page, live_server.url, "g1_worker", "/orders/m/report/")
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    page.click("label.cat:has-text('工地扬尘')")
    page.fill("textarea[name=description]", "施工车辆带泥上路")
    failed = {"n": 0}

    def flaky(route):
        if failed["n"] == 0:
            failed["n"] += 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(
        "**/orders/m/report/",
        lambda route: flaky(route) if route.request.method == "POST" else route.continue_(),
    )
    page.click("button.big.primary")
    page.wait_for_selector("#offline:not([hidden])")
    page.screenshot(path=shots / "6-offline.png", full_page=True)
    assert "待上传" in page.inner_text("#offline")
    page.wait_for_function(  # the retry went through by itself
        "() => document.getElementById('offline').textContent.startsWith('已上传')",
        timeout=40_000,
    )
    page.screenshot(path=shots / "7-reported.png", full_page=True)
    orders = WorkOrder.objects.filter(event__category__code="construction_dust")
    assert orders.count() == 1 and orders.get().event.description == "施工车辆带泥上路"
    context.close()
