"""Every page under the Content-Security-Policy in a real browser: no violation reported, no
script error, and the scripts did their work (maps drawn, charts drawn, texts filled in)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from gridgov.air.models import CST, Station
from gridgov.air.stations import issue_token
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    PHONE,
    browser,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Reports CSP violations (and where they came from) into window.__csp, before any page script.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


class Watched:
    def __init__(self, context):
        context.add_init_script(WATCH)
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def visit(self, url: str, ready: str | None = None, hover: str | None = None) -> None:
        response = self.page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if ready:
            self.page.wait_for_selector(ready, timeout=60_000)
        if hover:
            self.page.hover(hover)
            self.page.wait_for_timeout(300)
        violations = self.page.evaluate("window.__csp")
        assert violations == [], f"{url}: {violations}"
        assert self.problems == [], f"{url}: {self.problems}"


@pytest.fixture
def station(territory):
    station = Station.objects.create(
        code="M1",
        name="东一微站",
        kind="micro",
        lat=35.2,
        lon=113.05,
        grid=territory["D-S1-C1-G1"],
        interval_minutes=1,
    )
    now = dt.datetime.now(CST).replace(second=0, microsecond=0)
    readings = [
        {"time": (now - dt.timedelta(minutes=k)).isoformat(), "pm25": 60 + k, "pm10": 90}
        for k in range(120)
    ]
    response = Client().post(
        "/api/v1/readings",
        {"readings": readings},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issue_token(station)}",
    )
    assert response.status_code == 200, response.content
    return station


def test_desk_pages_run_under_the_policy(live_server, browser, crew, report, station):  # noqa: F811
    order = report(title="工地裸土未苫盖")
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    w = Watched(context)
    w.visit(f"{base}/login/")
    log_in(w.page, base, "command", "/map/")
    w.page.wait_for_url(f"{base}/map/")
    w.visit(f"{base}/map/", ready="#map .leaflet-overlay-pane canvas")
    w.page.fill("#search", "东一")
    w.page.wait_for_selector("#results button")
    w.page.press("#search", "Enter")  # the form must not submit
    assert w.page.url == f"{base}/map/"
    w.page.click("#results button >> nth=0")
    w.page.wait_for_selector("#detail h2")
    w.visit(f"{base}/air/", ready="#station-list li .chip[class*=aqi-]")
    w.visit(f"{base}/air/station/{station.code}/", ready="#minutes canvas", hover="#days")
    w.visit(f"{base}/air/targets/")
    w.visit(f"{base}/air/rankings/")
    w.visit(f"{base}/air/alarms/")
    w.visit(f"{base}/orders/", ready="#orders-map .leaflet-overlay-pane canvas")
    w.visit(f"{base}/orders/new/", ready="#pick-map .leaflet-interactive")
    w.visit(f"{base}/orders/{order.pk}/")
    w.visit(f"{base}/orders/commands/")
    w.visit(f"{base}/orders/stats/")
    w.visit(f"{base}/api/v1/docs", ready=".swagger-ui .opblock")
    w.visit(f"{base}/admin/")
    w.visit(f"{base}/admin/workorders/workorder/")
    w.visit(f"{base}/admin/workorders/workorder/{order.pk}/change/")
    # The language switch submits by itself (a listener, not an onchange attribute).
    w.page.goto(f"{base}/map/")
    w.page.select_option("select[name=language]", "en")
    w.page.wait_for_load_state("networkidle")
    assert w.page.get_attribute("html", "lang") == "en"
    assert w.page.evaluate("window.__csp") == [] and w.problems == []
    context.close()


def test_phone_and_public_pages_run_under_the_policy(live_server, browser, crew, report):  # noqa: F811
    order = report(title="工地裸土未苫盖")
    base = live_server.url
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": 35.2004, "longitude": 113.0502},
        permissions=["geolocation"],
    )
    w = Watched(context)
    w.visit(f"{base}/report/", ready="#public-map .basemap-street span")
    w.page.click("#use-location")
    w.page.wait_for_function("() => document.getElementById('id_lat').value !== ''")
    w.page.wait_for_selector("#where.found")  # the place in words, from /report/where
    w.visit(f"{base}/report/track/")
    log_in(w.page, base, "g1_worker", "/m/")
    w.page.wait_for_selector(".tasks")
    w.visit(f"{base}/m/")
    w.page.wait_for_url(f"{base}/orders/m/")
    w.visit(f"{base}/orders/m/inbox/")
    w.visit(f"{base}/orders/m/{order.pk}/")
    # The translated texts reach phone.js through the json block.
    w.visit(f"{base}/orders/m/report/")
    w.page.wait_for_function(
        "() => document.querySelector('[data-gps-status]').textContent.indexOf('已定位') === 0"
    )
    context.close()
