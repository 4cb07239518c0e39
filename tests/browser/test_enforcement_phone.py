"""The exposure board and a case at phone width (375 px) in a real browser: nothing wider than
the screen, no CSP violation, no script error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gridgov.enforcement import handling, publication
from gridgov.enforcement.steps import Step
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.enforcement.conftest import basis, enf, new_case, png, sites  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
NARROW = {"width": 375, "height": 740}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_exposure_and_case_pages_fit_a_phone(live_server, browser, enf, new_case, shots):  # noqa: F811
    case = new_case(title="东一花园二期工地未落实扬尘防治措施，裸土大面积未覆盖")
    user = enf["command"]
    for s in (Step.INVESTIGATION, Step.NOTICE):
        handling.advance(case.pk, s, user)
    handling.advance(
        case.pk,
        Step.DECISION,
        user,
        penalty_amount="30000",
        legal_basis_ids=[basis("第一百一十五条").pk],
        decision="罚款三万元，责令改正",
    )
    data = png()
    doc = handling.add_document(case.pk, user, io.BytesIO(data), size=len(data), name="a.png")
    pub = publication.propose(
        case.pk,
        user,
        title="工地扬尘典型案例",
        summary="裸土未覆盖，车辆带泥上路。" * 5,
        photo_ids=[doc.pk],
    )
    publication.approve(pub.pk, enf["command2"])

    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    watched = Watched(context)
    base = live_server.url
    for url in ("/exposure/", f"/exposure/{pub.pk}/"):
        watched.visit(base + url)
        assert fits(watched.page), url
        name = url.strip("/").replace("/", "-") or "home"
        watched.page.screenshot(path=shots / f"enf-{name}.png", full_page=True)
    assert "东一置业有限公司" in watched.page.inner_text("main")
    log_in(watched.page, base, "command", f"/cases/{case.pk}/")
    watched.page.wait_for_selector(".timeline")
    for url in (f"/cases/{case.pk}/", "/cases/", "/cases/new/"):
        watched.visit(base + url)
        assert fits(watched.page), url
        name = url.strip("/").replace("/", "-")
        watched.page.screenshot(path=shots / f"enf-{name}.png", full_page=True)
