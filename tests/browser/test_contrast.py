"""Every text readable: axe-core's `color-contrast` rule (WCAG 2 AA: 4.5:1, 3:1 for large text)
over the command centre's overview and wall, the work-order desk, and the phone pages, as the
command account and as a grid worker, in Chinese and in English. axe-core comes from npm
(package-lock.json) into the vendor folder (`make vendor`); the test injects it from there, no
page loads it.

Two tests, each with one browser context that logs in once and walks its pages in both
languages. (A browser shared by the module would set the next test's database up inside
Playwright's greenlet, on a connection that cannot restore the serialized rollback.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.air.conftest import stations  # noqa: F401  (fixture)
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    PHONE,
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
AXE = Path(__file__).resolve().parents[2] / "src/gridgov/web/static/vendor/axe-core/axe.min.js"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
RUN = """() => axe.run(document, {runOnly: {type: "rule", values: ["color-contrast"]}})
  .then(r => r.violations.flatMap(v => v.nodes.map(n =>
    n.target.join(" ") + " — " + n.any.map(a => a.message).join("; "))))"""
LANGUAGES = ("zh-hans", "en")


def contrast_problems(page, url: str, ready: str | None = None) -> list[str]:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    if ready:
        page.wait_for_selector(ready, state="attached", timeout=60_000)
    page.add_script_tag(url=AXE_URL)
    assert page.evaluate("typeof axe") == "object", "axe-core did not load"
    return [f"{url}: {p}" for p in page.evaluate(RUN)]


def speak(context, base: str, language: str) -> None:
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def test_command_pages_have_readable_text(live_server, browser, centre, crew, shots):  # noqa: F811
    assert AXE.exists(), f"{AXE} is missing: run `make vendor`"
    base = live_server.url
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    log_in(page, base, "command", "/overview/")
    page.wait_for_url(f"{base}/overview/")
    problems: list[str] = []
    for language in LANGUAGES:
        speak(context, base, language)
        page.set_viewport_size({"width": 1440, "height": 900})
        problems += contrast_problems(page, f"{base}/overview/", "#overview-map[data-stations]")
        problems += contrast_problems(page, f"{base}/orders/")
        page.set_viewport_size({"width": 1920, "height": 1080})
        problems += contrast_problems(
            page, f"{base}/overview/wall/", "#overview-map[data-stations]"
        )
        page.screenshot(path=str(shots / f"contrast-wall-{language}.png"))
    context.close()
    assert problems == []


def test_grid_worker_pages_have_readable_text(live_server, browser, centre, crew, shots):  # noqa: F811
    assert AXE.exists(), f"{AXE} is missing: run `make vendor`"
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, user_agent=IPHONE)
    page = context.new_page()
    log_in(page, base, "g1_worker", "/")
    page.wait_for_url(f"{base}/orders/m/")
    problems: list[str] = []
    for language in LANGUAGES:
        speak(context, base, language)
        problems += contrast_problems(page, f"{base}/orders/m/")
        problems += contrast_problems(page, f"{base}/orders/m/{centre.g1_order}/")
        problems += contrast_problems(page, f"{base}/m/inspect/")
        problems += contrast_problems(page, f"{base}/orders/")
        page.screenshot(path=str(shots / f"contrast-phone-{language}.png"))
    context.close()
    assert problems == []
