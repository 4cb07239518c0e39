"""An air alarm's order on a 375 px phone: the sources around the station fit the screen, the
upwind one first, no CSP violation; the worker handles it naming the source from the list."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gridgov.workorders.models import Event
from gridgov.workorders.services import perform
from gridgov.workorders.states import State
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import browser, log_in  # noqa: F401
from tests.workorders.test_alarm_sources import (  # noqa: F401
    alarm_order,
    set_wind,
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


def test_phone_lists_sources_and_names_one(live_server, crew, request, tmp_path):
    # The fixtures imported above, asked for by name (parameters would shadow the imports).
    chromium = request.getfixturevalue("browser")
    order = request.getfixturevalue("alarm_order")
    registered = request.getfixturevalue("sources")
    set_wind(request.getfixturevalue("station"), 0, 3)  # from the north
    perform(order.pk, "sign", crew["g1_worker"])
    context = chromium.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 35.2, "longitude": 113.095},
        permissions=["geolocation"],
    )
    watched = Watched(context)
    page = watched.page
    url = f"/orders/m/{order.pk}/"
    log_in(page, live_server.url, "g1_worker", url)
    page.wait_for_url(f"**{url}")
    watched.visit(live_server.url + url, ready=".nearby-sources")
    items = page.locator(".nearby li")
    assert items.count() == 2  # the G2 source is not the G1 worker's
    assert "北侧工地" in items.nth(0).inner_text() and "上风向" in items.nth(0).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    folder = Path(os.environ.get("GRIDGOV_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / "alarm-sources-phone.png"), full_page=True)
    page.fill("#handle-form textarea[name=note]", "北侧工地裸土已苫盖")
    page.select_option("#handle-form select[name=source_id]", str(registered["north"].pk))
    page.click("#handle-form button")
    page.wait_for_selector("text=认定污染源：")
    event = Event.objects.get(pk=order.event_id)
    assert event.pollution_source_id == registered["north"].pk
    assert event.order.state == State.HANDLED
    context.close()
