"""The overview below the street in a real browser: a community secretary's map is framed by
the community, draws its outline and its grids at once, can still zoom in, and shows only grid
names that do not overlap; a grid worker on a desktop lands on the overview of his grid."""

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

VISIBLE_LABELS = """() => [...document.querySelectorAll('#overview-map .grid-label')]
  .filter(e => getComputedStyle(e).opacity !== '0')
  .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_community_sees_its_outline_and_grids(live_server, browser, centre, crew, shots):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "east_secretary", "/")
    w.page.wait_for_url(f"{base}/overview/")
    w.visit(f"{base}/overview/", ready="#overview-map[data-grids]")
    m = w.page.locator("#overview-map")
    assert (m.get_attribute("data-units"), m.get_attribute("data-grids")) == ("1", "2")
    zoom = w.page.evaluate("() => document.querySelector('.leaflet-control-zoom-in').className")
    assert "leaflet-disabled" not in zoom  # framed, not zoomed to the end
    # the community's own outline and its grids are drawn (paths on the map)
    assert w.page.locator("#overview-map path").count() >= 3
    # names: no base-layer community names; the grid names shown do not overlap
    assert w.page.locator("#overview-map .basemap-label").count() == 0
    for _ in range(3):
        boxes = w.page.evaluate(VISIBLE_LABELS)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not _overlap(a, b), (a, b)
        w.page.click(".leaflet-control-zoom-out")
        w.page.wait_for_timeout(400)
    assert "西一社区" not in w.page.inner_text("body")
    w.page.screenshot(path=str(shots / "overview-community.png"), full_page=True)
    assert w.problems == []
    context.close()


def test_a_grid_worker_on_a_desktop_lands_on_his_grid(live_server, browser, centre, crew, shots):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "g1_worker", "/")
    w.page.wait_for_url(f"{base}/overview/")
    w.visit(f"{base}/overview/", ready="#overview-map[data-grids]")
    m = w.page.locator("#overview-map")
    assert (m.get_attribute("data-units"), m.get_attribute("data-grids")) == ("1", "1")
    assert w.page.is_visible("text=本单位未结工单")
    assert not w.page.is_visible("summary:has-text('指挥调度')")
    w.page.screenshot(path=str(shots / "overview-grid.png"), full_page=True)
    assert w.problems == []
    context.close()
