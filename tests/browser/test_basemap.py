"""The base layer in a real browser with no tile server: the public report page shows the
streets and communities with their names (a citizen can find their street), nothing is asked
of any other host, and the policy holds; a desk map with no orders fits the viewer's unit."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import PHONE, browser, log_in  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def offline(context, base):
    outside: list[str] = []

    def refuse(route):
        if urlparse(route.request.url).netloc != urlparse(base).netloc:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse)
    return outside


def test_report_page_draws_street_and_community_names(live_server, browser, territory):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    outside = offline(context, base)
    w = Watched(context)
    w.visit(f"{base}/report/", ready="#public-map .basemap-street span")
    page = w.page
    names = page.locator("#public-map .basemap-label").all_inner_texts()
    assert "东街道" in names and "西街道" in names
    # Every street name sits inside the map's visible box, in a readable size.
    box = page.locator("#public-map").bounding_box()
    for label in page.locator("#public-map .basemap-street span").all():
        b = label.bounding_box()
        assert box["x"] <= b["x"] + b["width"] / 2 <= box["x"] + box["width"]
        assert box["y"] <= b["y"] + b["height"] / 2 <= box["y"] + box["height"]
        size = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 11
    assert "basemap-" in page.get_attribute("#public-map", "class")  # sized by zoom
    assert outside == []
    assert page.evaluate("window.__csp") == [] and w.problems == []
    context.close()


def test_desk_map_with_no_orders_fits_the_viewers_community(live_server, browser, crew):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    offline(context, base)
    w = Watched(context)
    log_in(w.page, base, "east_secretary", "/orders/")
    w.page.wait_for_url(f"{base}/orders/")
    w.visit(f"{base}/orders/", ready="#orders-map .basemap-street span")
    w.page.wait_for_timeout(800)  # the fit's animation
    # The map is centred on the viewer's community (东一社区 = 东街道's box), not the district.
    offsets = w.page.evaluate(
        """() => {
          const map = document.querySelector('#orders-map').getBoundingClientRect();
          const out = {};
          document.querySelectorAll('#orders-map .basemap-street span').forEach(s => {
            const b = s.getBoundingClientRect();
            const middle = map.left + map.width / 2;
            out[s.textContent] = Math.abs(b.left + b.width / 2 - middle) / map.width;
          });
          return out;
        }"""
    )
    assert offsets["东街道"] < 0.1 < offsets["西街道"], offsets
    assert w.page.evaluate("window.__csp") == [] and w.problems == []
    context.close()
