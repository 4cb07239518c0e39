"""The projects pages in a real browser under the Content-Security-Policy: the portfolio, the
map of projects (markers drawn over the basemap), a project's page with its map, and the
overview map's `projects` layer switched on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import CHROMIUM, browser, log_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


def test_projects_pages_in_a_browser(live_server, browser, place, tmp_path):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    w = Watched(context)
    w.visit(f"{base}/login/")
    log_in(w.page, base, "command", "/projects/")
    w.page.wait_for_url(f"{base}/projects/")
    w.visit(f"{base}/projects/?overdue=on")
    assert w.page.locator("table.data tbody tr").first.inner_text().startswith("KJ-E1")
    w.visit(f"{base}/projects/")
    w.page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)
    w.visit(f"{base}/projects/map/", ready="#project-map .leaflet-overlay-pane canvas")
    assert w.page.get_attribute("#project-map", "data-count") == "2"
    w.page.screenshot(path=str(tmp_path / "map.png"))
    w.visit(f"{base}/projects/{place.east.pk}/", ready="#project-map .leaflet-overlay-pane canvas")
    w.page.screenshot(path=str(tmp_path / "project.png"), full_page=True)
    w.visit(f"{base}/overview/", ready="#overview-map .leaflet-control-layers")
    w.page.hover("#overview-map .leaflet-control-layers")
    w.page.get_by_text("项目", exact=True).click()
    w.page.wait_for_selector("#overview-map[data-projects='2']", timeout=30_000)
    assert w.page.evaluate("window.__csp") == [] and w.problems == []
    context.close()
