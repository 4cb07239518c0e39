"""The command centre in a real browser, under the CSP: the overview at 1440×900 (figures, the
map's layers), the wall at 1920×1080 (dark, nothing scrolls, the clock ticks, figures refreshed
by script), and a grid worker on a phone (390×844) landing on /m/ with the header menu behind
its button. Screenshots go to $GRIDGOV_SCREENSHOTS."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.air.conftest import stations  # noqa: F401  (fixture)
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.centre.conftest import centre  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def test_overview_on_a_desktop(live_server, browser, centre, crew, shots):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "command", "/")
    w.page.wait_for_url(f"{base}/overview/")
    w.visit(f"{base}/overview/", ready="#overview-map[data-orders]")
    # stations and open orders drawn; the grids come when their layer is switched on
    m = w.page.locator("#overview-map")
    assert (m.get_attribute("data-stations"), m.get_attribute("data-orders")) == ("3", "3")
    assert m.get_attribute("data-grids") is None
    w.page.hover(".leaflet-control-layers")
    w.page.locator(".leaflet-control-layers-overlays label").first.click()
    w.page.wait_for_selector("#overview-map[data-grids]", state="attached")
    assert m.get_attribute("data-grids") == "3"
    # the hot grids (web/hotgrids.js): second in the list, their legend while they are on
    w.page.hover(".leaflet-control-layers")
    w.page.locator(".leaflet-control-layers-overlays label").nth(1).click()
    w.page.wait_for_selector("#overview-map[data-hotspots]", state="attached")
    assert w.page.is_visible(".hot-legend")
    assert w.page.inner_text(".status .tile.warn dd") == "1"
    width = w.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1440
    # the grouped menu opens and its links are there
    w.page.click("summary:has-text('空气')")
    assert w.page.is_visible("a[href='/air/targets/']")
    w.page.screenshot(path=str(shots / "overview-desktop.png"), full_page=True)
    assert w.problems == []
    context.close()


def test_wall_fits_1920_by_1080_dark_and_refreshes(live_server, browser, centre, crew, shots):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "command", "/overview/wall/")
    w.page.wait_for_url(f"{base}/overview/wall/")
    w.visit(f"{base}/overview/wall/", ready="#overview-map[data-stations]")
    size = w.page.evaluate(
        "[document.documentElement.scrollHeight, document.documentElement.scrollWidth,"
        " document.body.scrollHeight, document.body.scrollWidth]"
    )
    assert size[0] <= 1080 and size[2] <= 1080, size
    assert size[1] <= 1920 and size[3] <= 1920, size
    background = w.page.evaluate("getComputedStyle(document.body).backgroundColor")
    rgb = [int(x) for x in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert sum(rgb) < 120, background  # dark
    first = w.page.inner_text("#clock")
    w.page.wait_for_timeout(1100)
    assert w.page.inner_text("#clock") != first
    # the refresh writes the API's figures into the page without reloading it
    w.page.evaluate("document.querySelector('[data-k=\"orders.open\"]').textContent = '?'")
    w.page.evaluate(
        "fetch('/api/v1/overview').then(r => r.json()).then(d => window.GridgovOverview.render(d))"
    )
    w.page.wait_for_function(
        "document.querySelector('[data-k=\"orders.open\"]').textContent === '3'"
    )
    assert w.page.locator("#wall-worst li").count() == 3
    w.page.screenshot(path=str(shots / "overview-wall.png"))
    assert w.problems == []
    context.close()


def test_a_grid_worker_on_a_phone_lands_on_the_phone_pages(live_server, browser, crew, shots):  # noqa: F811
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=IPHONE,
        locale="zh-CN",
    )
    w = Watched(context)
    log_in(w.page, base, "g1_worker", "/")
    w.page.wait_for_url(f"{base}/orders/m/")
    w.page.screenshot(path=str(shots / "landing-phone.png"))
    # a desk page at phone width: the menu is behind its button, and opens
    w.visit(f"{base}/inbox/")
    assert not w.page.is_visible("nav.mainnav")
    w.page.click("[data-nav-toggle]")
    assert w.page.is_visible("nav.mainnav")
    w.page.click("summary:has-text('工单')")
    assert w.page.is_visible("a[href='/orders/commands/']")
    assert w.page.evaluate("document.documentElement.scrollWidth") <= 390
    w.page.screenshot(path=str(shots / "menu-phone.png"))
    assert w.problems == []
    context.close()
