"""Message settings (消息设置) at phone width and on the desk, and the delivery log, in a real
browser under the CSP: nothing wider than the phone's screen, the choices saved, the log's phone
numbers masked. Screenshots go to $GRIDGOV_SCREENSHOTS."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gridgov.inbox.models import Delivery, NoticeSettings
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
NARROW = {"width": 375, "height": 812}


def test_message_settings_on_the_phone_and_the_log_on_the_desk(
    live_server,
    browser,  # noqa: F811
    crew,
    people,
    shots,  # noqa: F811
):
    base = live_server.url
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "g1_worker", "/orders/m/notice-settings/")
    w.visit(f"{base}/orders/m/notice-settings/")
    width = w.page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{width}px wide"
    w.page.uncheck("#id_ch_overdue_sms")
    w.page.check("#id_digest")
    w.page.fill("#id_digest_at", "17:30")
    w.page.screenshot(path=str(shots / "notice-settings-phone.png"), full_page=True)
    w.page.click("button.primary")
    w.page.wait_for_selector(".messages")
    row = NoticeSettings.objects.get(person=people["g1_worker"])
    assert row.digest and row.digest_at == dt.time(17, 30)
    assert row.channels["overdue"] == ["email"]
    context.close()

    now = dt.datetime.now(dt.UTC)
    Delivery.objects.create(
        person=people["g1_worker"],
        channel="sms",
        target=people["g1_worker"].phone,
        key="k",
        title="工单超期",
        text="工单超期",
        state="failed",
        attempts=2,
        last_error="HTTP 500",
        next_attempt_at=now,
        created_at=now,
    )
    desk = Watched(browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN"))
    log_in(desk.page, base, "command", "/orders/deliveries/")
    desk.visit(f"{base}/orders/deliveries/")
    text = desk.page.inner_text("table")
    assert "139****0005" in text and "13900000005" not in text and "HTTP 500" in text
    desk.page.screenshot(path=str(shots / "deliveries-desk.png"), full_page=True)
    desk.visit(f"{base}/orders/notice-settings/")
    desk.page.screenshot(path=str(shots / "notice-settings-desk.png"), full_page=True)
