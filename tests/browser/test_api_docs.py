"""The API documentation (/api/v1/docs) in a real browser with no internet: Swagger UI comes
from our own static files, runs under the Content-Security-Policy, and lists the operations."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import CHROMIUM, browser  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_api_docs_render_offline_and_list_operations(live_server, browser):  # noqa: F811
    assert CHROMIUM
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    outside: list[str] = []

    def refuse_outside(route):  # an intranet: anything not ours never answers
        if urlparse(route.request.url).netloc != urlparse(base).netloc:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse_outside)
    w = Watched(context)
    # The schema of every operation is built on the first request: slow on a busy machine.
    response = w.page.goto(f"{base}/api/v1/docs", wait_until="networkidle", timeout=90_000)
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    w.page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    paths = w.page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/air/rankings" in p for p in paths)
    assert any("/alarms/acknowledge" in p for p in paths)
    assert len(paths) > 50
    assert w.page.locator(".swagger-ui .info .title").inner_text().startswith("gridgov API")
    assert outside == []
    assert w.page.evaluate("window.__csp") == [] and w.problems == []
    context.close()
