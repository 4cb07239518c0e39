"""The wall screen at 1920×1080 in a real browser, with a district of eight ranked streets (more
rows than a panel holds): every street comes up as the pages turn, the last-ranked street stays
in view on every page, every visible row lies inside its panel, the redraw from the API keeps all
that, and the clock shows the server's China time in a browser set to New York time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gridgov.air.models import CST
from tests.air.conftest import stations  # noqa: F401  (fixture)
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.centre.conftest import STREETS, eight_streets  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]

VISIBLE_ROWS = """id => Array.from(document.querySelectorAll(
    "[data-pager='" + id + "'] > *")).filter(r => !r.hidden).map(r => r.innerText)"""
OUTSIDE = """() => Array.from(document.querySelectorAll(".box tr, .box li")).filter(r => {
    if (r.hidden || r.closest("thead") || r.closest(".map")) return false;
    const box = r.closest(".box").getBoundingClientRect(), me = r.getBoundingClientRect();
    return me.height > 0 && me.bottom > box.bottom + 0.5;
  }).map(r => r.innerText)"""


def pages(page, pager: str) -> list[list[str]]:
    """The visible rows of each page of a pager, turning the pages by hand."""
    count = int(page.get_attribute(f"#{pager}", "data-pages") or "1")
    seen = []
    for _ in range(count):
        seen.append(page.evaluate(VISIBLE_ROWS, pager))
        assert page.evaluate(OUTSIDE) == []
        page.evaluate("window.GridgovOverview.turnPages()")
    return seen


def test_the_wall_shows_every_street_and_china_time(
    live_server,
    browser,  # noqa: F811
    eight_streets,  # noqa: F811
    shots,  # noqa: F811
    settings,
):
    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="America/New_York"
    )
    w = Watched(context)
    log_in(w.page, base, "command", "/overview/wall/")
    w.page.wait_for_url(f"{base}/overview/wall/")
    w.visit(f"{base}/overview/wall/", ready="#overview-map[data-stations]")
    page = w.page
    size = page.evaluate("[document.documentElement.scrollHeight, document.body.scrollHeight]")
    assert max(size) <= 1080, size

    # the clock: China time whatever the browser's zone
    shown = dt.datetime.strptime(page.inner_text("#clock"), "%Y-%m-%d %H:%M:%S")
    china = dt.datetime.now(CST).replace(tzinfo=None)
    assert abs((shown - china).total_seconds()) < 30, (shown, china)
    browser_hour = page.evaluate("new Date().getHours()")
    assert browser_hour != china.hour  # New York is never on China's hour

    def check() -> None:
        ranking = pages(page, "pager-ranking")
        assert len(ranking) >= 2, ranking  # ten streets do not fit one page
        listed = " ".join(" ".join(p) for p in ranking)
        for name in [*STREETS[:-1], "东街道", "西街道"]:
            assert name in listed, (name, ranking)
        # the last-ranked street: pinned, on no page, in view all along
        last = page.locator("#wall-ranking-last tr")
        assert last.count() == 1 and "八街道" in last.inner_text() and last.is_visible()
        assert "八街道" not in listed
        assert page.inner_text("#pager-ranking").startswith("1/")
        orders = pages(page, "pager-orders")
        listed = " ".join(" ".join(p) for p in orders)
        for name in STREETS:
            assert name in listed, (name, orders)

    check()
    page.screenshot(path=str(shots / "wall-eight-streets.png"))
    # the redraw from the API builds the same lists, the pin and the pages again
    page.evaluate(
        "fetch('/api/v1/overview').then(r => r.json()).then(d => window.GridgovOverview.render(d))"
    )
    page.wait_for_function("document.querySelector('#wall-ranking-last .tag') !== null")
    check()
    # an empty list says so after a redraw as well
    page.evaluate("window.GridgovOverview.render({alarms: {by_rule: []}, ranking: {rows: []}})")
    assert page.inner_text("#wall-alarms") == "没有进行中的报警。"
    assert page.inner_text("#wall-ranking") == "本期数据不足，暂不排名。"
    assert page.locator("#wall-ranking-last tr").count() == 0
    assert w.problems == []
    context.close()
