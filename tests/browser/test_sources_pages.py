"""The registry's pages in a real browser, under the Content-Security-Policy, at a phone's 375 px:
no violation, no script error, the map layers drawn, nothing wider than the screen; and a source
registered by clicking its place on the map."""

from __future__ import annotations

import pytest

from gridgov.sources.models import PollutionSource
from gridgov.sources.services import SourceInput, create_source, point_geometry
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import browser, log_in  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
NARROW = {"width": 375, "height": 740}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"] + 1, f"{page.url}: {width}px wide"


def test_sources_pages_at_phone_width(live_server, browser, people, territory, tmp_path):  # noqa: F811
    site = create_source(
        SourceInput(
            category="construction_site",
            name="东一花园工地",
            geometry=point_geometry(35.2, 113.05),
            attributes={"dust_measures": ["fencing"]},
        )
    )
    create_source(
        SourceInput(
            category="road_section",
            name="人民路",
            geometry={"type": "LineString", "coordinates": [[113.05, 35.1], [113.35, 35.1]]},
        )
    )
    base = live_server.url
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    w = Watched(context)
    w.visit(f"{base}/login/")
    log_in(w.page, base, "east_secretary", "/sources/")
    w.page.wait_for_url(f"{base}/sources/")
    w.visit(f"{base}/sources/", ready="#sources-map .leaflet-overlay-pane canvas")
    w.page.wait_for_function("document.querySelectorAll('#layer-list input:checked').length === 8")
    w.page.locator("#sources-map").scroll_into_view_if_needed()
    w.page.screenshot(path=tmp_path / "registry.png")
    fits(w.page)
    w.visit(f"{base}/sources/{site.pk}/", ready="#source-map path[stroke='#fff']")
    w.page.screenshot(path=tmp_path / "source.png", full_page=True)
    fits(w.page)
    w.visit(f"{base}/sources/new/")
    fits(w.page)
    w.visit(
        f"{base}/sources/new/?category=construction_site", ready="#pick-map .leaflet-interactive"
    )
    fits(w.page)
    w.page.locator("#pick-map").scroll_into_view_if_needed()
    w.page.screenshot(path=tmp_path / "form.png")
    w.page.fill("#id_name", "地图点选的工地")
    box = w.page.locator("#pick-map").bounding_box()
    assert box is not None
    # The middle of the map, fitted to the account's grids: inside the east's area.
    w.page.click("#pick-map", position={"x": box["width"] / 2, "y": box["height"] / 2})
    lat = w.page.input_value("#id_lat")
    assert lat, "a click on the map sets the point"
    w.page.click("button.primary")
    w.page.wait_for_url(f"{base}/sources/*/")
    created = PollutionSource.objects.get(name="地图点选的工地")
    assert abs(created.lat - float(lat)) < 1e-6
    assert w.problems == []
