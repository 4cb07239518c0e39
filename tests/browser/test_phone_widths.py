"""Every page at phone width (375×812), as every demo-like role, in a real browser: the page is
no wider than the screen, no page-level container scrolls sideways (wide tables scroll inside
their own card), no table column is squeezed to a character or two a line, and no console error.

The pages are every HTML GET route of the URL configuration without a path parameter (found
from the resolver, so a new page is checked without touching this file) and one detail page of
each main kind (an order, on the desk and on the phone; a source; an inspection; a meeting with
decisions carried over from the one before; a case; a station). The data are the route
matrix's small district (tests/api_district.py) with a few long titles on top. The command
office goes round twice, the second time in English (longer labels). Two long lists are checked
to fold: the meeting's carried-over decisions (five, the rest behind a summary) and the
uncovered organisations (web/fold.js). The wall screen (1920×1080 by design) is left out.
Screenshots of the pages that fail go to $GRIDGOV_SCREENSHOTS (or the test's tmp dir)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.api_district import District, district, put, stations  # noqa: F401  (fixtures)
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.conftest import _person
from tests.workorders.fixtures import G1_POINT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PHONE = {"width": 375, "height": 812}
# The demo's logins (gridgov demo), made here from the test territory's people.
ROLES = {
    "command office": "command",
    "street cadre": "s1_official",
    "community secretary": "east_secretary",
    "grid leader": "g1_leader",
    "grid worker": "g1_worker",
    "reviewer": "reviewer",
    "enforcer": "enforcer",
    "command office (English)": "command",  # the longer labels
}
# Routes that are no page: files, health, the POST-only forms (a GET is a 405: a new POST-only
# route without a parameter fails the test with its 405 until it is named here).
NOT_PAGES = {
    "healthz",
    "logout/",
    "i18n/setlang/",
    "air/alarms/acknowledge/",
    "mediation/from-order/",
    "mediation/trainings/new/",
    "mediation/trainings/import/",
    "customs/registrations/import/",
    "report/track/verdict/",
    "report/where",  # JSON for the report pages' pin (needs lat and lon)
}
# The wall screen is a 1920×1080 layout by design (大屏模式), not a page for a phone.
NOT_FOR_PHONES = {"overview/wall/"}

# Counts the page's own requests in flight, so a check waits for what scripts fetch and draw.
BUSY = """
window.__busy = 0;
(function () {
  const f = window.fetch;
  window.fetch = function () {
    window.__busy++;
    return f.apply(this, arguments).finally(function () {
      setTimeout(function () { window.__busy--; }, 0);
    });
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    window.__busy++;
    this.addEventListener("loadend", function () {
      setTimeout(function () { window.__busy--; }, 0);
    });
    return send.apply(this, arguments);
  };
})();
"""

# Resolves when no request is in flight and two frames were drawn (wait_for_function would need
# eval, which the Content-Security-Policy refuses).
SETTLED = """() => new Promise(function (done) {
  const until = Date.now() + 10000;
  (function again() {
    if (window.__busy === 0 || Date.now() > until) {
      requestAnimationFrame(function () { requestAnimationFrame(done); });
    } else {
      setTimeout(again, 20);
    }
  })();
})"""

# What is wrong with the page at this width, as a list of short texts (empty: nothing).
CHECK = r"""() => {
  const W = window.innerWidth, wrong = [];
  if (document.documentElement.scrollWidth > W) {
    wrong.push("page " + document.documentElement.scrollWidth + " px wide");
  }
  for (const e of [document.body, ...document.querySelectorAll("main, main > .page")]) {
    if (e.scrollWidth > e.clientWidth + 1) {
      wrong.push((e.className || e.tagName) + " scrolls sideways (" + e.scrollWidth + " px)");
    }
  }
  for (const c of document.querySelectorAll("td, th")) {
    const text = (c.innerText || "").trim(), r = c.getBoundingClientRect();
    if (r.width === 0 || text.length < 4) continue;
    const s = getComputedStyle(c), size = parseFloat(s.fontSize);
    const line = parseFloat(s.lineHeight) || 1.5 * size;
    const w = r.width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const h = r.height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
    if (w < 2.6 * size && h > 2.5 * line) wrong.push("squeezed column: " + text.slice(0, 24));
  }
  return wrong.slice(0, 8);
}"""


def page_routes() -> list[str]:
    """Every route of the URL configuration without a path parameter that may be an HTML page."""
    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern) not in ("admin/", "api/v1/", "open311/v2/"):
                    walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                last = route.rstrip("/").rsplit("/", 1)[-1]
                if "<" in route or "." in last or route.startswith(("api/", "open311/")):
                    continue
                if route not in NOT_PAGES and route not in NOT_FOR_PHONES:
                    out.append(route)

    walk(get_resolver().url_patterns, "")
    return list(dict.fromkeys(out))


def _long_titles(report: Any, crew: dict[str, Any]) -> None:
    """A few orders with long titles and descriptions on the desk."""
    for title in (
        "东一花园二期工地东侧围挡内约两百平方米裸土未苫盖，渣土车带泥上路",
        "人民路与胜利街交叉口餐饮店油烟直排，油烟净化器长期未开启",
        "化工路北段夜间露天焚烧垃圾",
    ):
        report(G1_POINT, user=crew["g1_worker"], title=title, description=title * 3)


def _carried_meeting(user: Any, d: District) -> int:
    """A meeting following the district's G1 meeting, which gets 14 more decisions first: all
    of them are carried over to the new one."""
    from gridgov.meetings import meeting_decisions, services

    deadline = timezone.localdate() + dt.timedelta(days=3)
    for k in range(14):
        meeting_decisions.add_decision(
            user,
            d.meeting,
            text=f"第{k + 1}项：督促辖区建筑工地落实六个百分之百，裸土全部苫盖，出入车辆冲洗到位",
            owners=["D-S1-C1-G1", "D-S1-C1"],
            deadline=deadline,
        )
    follow = services.create_meeting(
        user,
        services.MeetingInput(
            title="秋冬季大气污染防治攻坚第2次调度会",
            kind="dispatch",
            starts_at=timezone.now() + dt.timedelta(hours=2),
            place="指挥中心三楼会议室",
            convener="D",
            previous=d.meeting,
            attendees=[services.AttendeeInput(unit="D-S1-C1-G1")],
        ),
    )
    return follow.pk


def _organisations(user: Any, territory: dict[str, Any]) -> None:
    """14 more organisations in G1, none covered: the statistics' uncovered list is long."""
    from gridgov.organisations import lifecycle, services

    for k in range(14):
        first = f"91410802MB{k:07d}"
        lifecycle.create_organisation(
            user,
            lifecycle.OrgInput(
                name=f"东一第{k + 1}物流有限公司",
                kind="economic",
                credit_code=first + services.credit_check_char(first),
                opened=dt.date(2026, 1, 1),
                grid_id=territory["D-S1-C1-G1"].pk,
            ),
        )


@pytest.fixture
def phone_district(district, crew, territory, people, report):  # noqa: F811
    """The route matrix's district, the reviewer and the enforcer, long titles and a meeting
    with decisions carried over; answers (district, the carried meeting's id)."""
    _person("数据审核员", "13900000021", "data_reviewer", territory["D"], "reviewer")
    _person("赵执法", "13900000022", "law_enforcer", territory["D"], "enforcer")
    _long_titles(report, crew)
    _organisations(crew["command"], territory)
    return district, _carried_meeting(crew["command"], district)


def _folds(page: Any, table: str, shown: int) -> list[str]:
    """What is wrong with a long table's folding (web/fold.js): `shown` rows, then a button
    that shows the rest."""
    rows = f"Array.from(document.querySelectorAll('{table} tbody tr'))"
    total = page.evaluate(f"{rows}.length")
    visible = f"{rows}.filter(r => r.offsetHeight > 0).length"
    before = page.evaluate(visible)
    button = page.locator("button.fold-more")
    label = button.inner_text() if button.count() == 1 else None
    if label is not None:
        button.click()
    after = page.evaluate(visible)
    if total < shown + 3 or (before, label, after) != (
        shown,
        f"显示其余 {total - shown} 行",
        total,
    ):
        return [f"{table} folds wrong: {before} of {total} rows, button {label!r}, then {after}"]
    return []


def test_every_page_fits_a_phone_for_every_role(live_server, browser, phone_district, shots):  # noqa: F811
    d, carried = phone_district
    base = live_server.url
    details = [
        f"orders/{d.g1_order}/",
        f"orders/m/{d.g1_order}/",
        f"sources/{d.g1_source}/",
        f"inspections/{d.g1_inspection}/",
        f"meetings/{carried}/",
        f"cases/{d.g1_case}/",
        "air/station/M1/",
    ]
    routes = page_routes()
    assert "orders/" in routes and "air/targets/" in routes and "overview/" in routes
    wrong: list[str] = []
    shown: dict[str, set[str]] = {route: set() for route in routes + details}
    problems: list[str] = []  # the console errors of the page being checked
    for role, username in ROLES.items():
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        context.add_init_script(BUSY)
        if role.endswith("(English)"):
            context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        log_in(page, base, username, "/overview/")
        page.wait_for_url(f"{base}/overview/")
        for route in routes + details:
            url = f"{base}/{route}"
            problems.clear()
            answer = page.goto(url, wait_until="load")
            assert answer is not None
            if answer.status in (403, 404):
                continue  # a page this role may not open (asked of every role all the same)
            if answer.status != 200:
                wrong.append(f"{role} /{route}: {answer.status}")
                continue
            page.evaluate(SETTLED)
            found = page.evaluate(CHECK) + problems
            shown[route].add(role)
            if found:
                wrong.append(f"{role} /{route}: " + "; ".join(found))
                name = f"{username}-{route.strip('/').replace('/', '-') or 'home'}.png"
                page.screenshot(path=shots / name, full_page=True)
            if route == "organisations/statistics/" and role == "command office":
                wrong += _folds(page, "#uncovered table", shown=10)
            if route == f"meetings/{carried}/":
                # 15 carried-over decisions fold away: the section stays about a screen tall.
                height = page.evaluate(
                    "(document.querySelector('[data-carried]') || document.body)"
                    ".getBoundingClientRect().height"
                )
                if not 0 < height <= PHONE["height"]:
                    wrong.append(f"{role} /{route}: carried-over decisions {height:.0f} px tall")
        context.close()
    assert not wrong, "\n".join(wrong)
    # Every page was seen by some role (a route no role may open would be checked by none).
    assert [route for route, roles in shown.items() if not roles] == []
    assert shown["air/review/"] >= {"command office", "reviewer"}
    assert shown[f"cases/{d.g1_case}/"] >= {"command office", "enforcer"}
