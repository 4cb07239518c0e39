"""An air alarm's order on the desk with hourly winds: the back-trace map draws the path and the
cone with the vendored Leaflet (no tiles), the traced source first, no CSP violation."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gridgov.workorders.services import perform
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import browser, log_in  # noqa: F401
from tests.workorders.test_alarm_sources import (  # noqa: F401
    alarm_order,
    hourly_wind,
    sources,
    station,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_desk_order_draws_the_trace_path_and_cone(live_server, crew, request, tmp_path):
    chromium = request.getfixturevalue("browser")
    order = request.getfixturevalue("alarm_order")
    request.getfixturevalue("sources")
    hourly_wind(request.getfixturevalue("station"), 0.0)  # from the north
    perform(order.pk, "sign", crew["g1_worker"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context)
    page = watched.page
    url = f"/orders/{order.pk}/"
    log_in(page, live_server.url, "g1_worker", url)
    page.wait_for_url(f"**{url}")
    watched.visit(live_server.url + url, ready="#trace-map.leaflet-container")
    assert "北侧工地" in page.locator(".nearby li").nth(0).inner_text()
    assert page.evaluate("document.querySelector('#trace-map').offsetHeight") >= 200
    # The cone is fitted: the map's centre lies north of the station (the air came from there).
    lat, lon = map(float, page.get_attribute("#trace-map", "data-centre").split(","))
    assert lat > 35.2 + 0.03 and abs(lon - 113.095) < 0.01  # ~10 km north over 3 h at 3 m/s
    assert page.locator("#trace-map canvas, #trace-map svg path").count() >= 1
    folder = Path(os.environ.get("GRIDGOV_SCREENSHOTS") or tmp_path)
    page.locator(".trace-card").screenshot(path=str(folder / "trace-map.png"))
    context.close()
