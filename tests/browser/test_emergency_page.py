"""The emergency page at phone width (375 px) in a real browser: under the CSP, nothing wider
than the screen (the tables scroll inside their boxes), the banner on the phone pages, and the
declare form's preview and confirmation. Screenshots go to $GRIDGOV_SCREENSHOTS."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from gridgov.emergency import declaring
from gridgov.emergency.models import Warning
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.emergency.conftest import fronts, s1_official  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
NARROW = {"width": 375, "height": 812}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url}: {width}px wide"


def test_emergency_at_phone_width(live_server, browser, crew, fronts, s1_official, shots):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "command", "/emergency/")
    w.page.wait_for_url(f"{base}/emergency/")
    w.visit(f"{base}/emergency/")
    _fits(w.page)
    w.page.click("#declare summary")
    start = timezone.localtime() + dt.timedelta(minutes=5)
    w.page.select_option("#id_level", "2")
    w.page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    w.page.fill("#id_ends_at", (start + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    w.page.fill("#id_reason", "预计未来 3 天重度污染")
    w.page.click("button[name=preview]")
    w.page.wait_for_selector("button[name=confirm]")
    assert "西街道" in w.page.content()
    w.page.screenshot(path=str(shots / "emergency-preview.png"), full_page=True)
    _fits(w.page)
    w.page.click("button[name=confirm]")
    warning = Warning.objects.get()
    w.page.wait_for_url(f"{base}/emergency/{warning.pk}/")
    assert warning.level == 2
    # in force five minutes from now; the record page shows it coming
    Warning.objects.filter(pk=warning.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    w.visit(f"{base}/emergency/")
    assert w.page.inner_text(".topbar .em-flag") == "橙色预警 生效中"
    w.page.screenshot(path=str(shots / "emergency-current.png"), full_page=True)
    _fits(w.page)
    w.visit(f"{base}/orders/m/")
    assert w.page.is_visible(".bar .em-flag")
    w.page.screenshot(path=str(shots / "emergency-phone-banner.png"))
    _fits(w.page)
    declaring.end_early(crew["command"], warning.pk, None, "好转")
    w.visit(f"{base}/emergency/{warning.pk}/")
    _fits(w.page)
    assert w.page.query_selector(".em-flag") is None
    context.close()
