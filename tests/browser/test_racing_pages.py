"""The horse-race pages in a real browser, under the CSP: the card at phone width (its table
scrolls inside its box), and a unit's history drawing its ECharts line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov.racing import services
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.racing.conftest import MARCH, WORKED, fake_metrics, race, worked_card  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
NARROW = {"width": 375, "height": 812}


def test_card_and_history_pages(live_server, browser, race, fake_metrics, shots):  # noqa: F811
    fake_metrics.update(WORKED)
    card = worked_card()
    services.snapshot(card, *MARCH)
    base = live_server.url
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "r_command", "/racing/")
    w.page.wait_for_url(f"{base}/racing/")
    w.visit(f"{base}/racing/cards/{card.pk}/?from=2026-03-01&to=2026-03-31")
    assert w.page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert "样本不足" in w.page.inner_text("table.racing")
    w.page.screenshot(path=str(shots / "racing-card-phone.png"), full_page=True)
    s3 = race["regions"]["R-S3"]
    w.visit(f"{base}/racing/units/{s3.pk}/", ready="#racing-history canvas")
    w.page.screenshot(path=str(shots / "racing-history.png"), full_page=True)
    context.close()
