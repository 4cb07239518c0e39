"""People's mediation in a real browser, under the CSP: a mediator registers a dispute at the
desk, records a session, the agreement and its signing, downloads the agreement, and records
the follow-up visit on the phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov.mediation.models import Case, State
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    PHONE,
    browser,
    log_in,
    shots,
)
from tests.mediation.conftest import med  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


def test_dispute_to_signed_agreement_and_follow_up(live_server, browser, med, territory, shots):  # noqa: F811
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    w = Watched(desk)
    page = w.page
    log_in(page, base, "c1_mediator", "/mediation/new/")
    page.wait_for_url(f"{base}/mediation/new/")
    w.visit(f"{base}/mediation/new/", ready="#intake-form")
    page.select_option("#id_kind", "neighbour")
    page.fill("#id_title", "楼上漏水纠纷")
    page.fill("#id_facts", "楼上卫生间漏水，楼下天花板受损。")
    page.select_option("#id_grid", str(territory["D-S1-C1-G1"].pk))
    page.fill("#id_amount", "3000")
    page.fill("#id_applicant_name", "刘大明")
    page.fill("#id_applicant_phone", "13700000001")
    page.fill("#id_respondent_name", "陈小红")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#case-state")
    case = Case.objects.get()
    assert page.url == f"{base}/mediation/cases/{case.pk}/"
    assert page.inner_text("#case-state") == "已受理"
    form = "#act-session"
    page.fill(f"{form} [name=place]", "东一社区调解室")
    page.select_option(f"{form} [name=mediators]", [str(med.m1.pk)])
    page.fill(f"{form} [name=notes]", "双方陈述，释法明理。")
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")
    assert page.inner_text("#case-state") == "调解中"
    form = "#act-outcome"
    page.select_option(f"{form} [name=outcome]", "agreement")
    page.fill(f"{form} [name=terms]", "陈小红赔偿刘大明维修费2000元。")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#act-sign")
    page.fill("#act-sign [name=followup_days]", "15")
    page.click("#act-sign button[type=submit]")
    page.wait_for_selector("#followups")
    assert "已签署" in page.inner_text("#outcome")
    with page.expect_download() as download:
        page.click("text=下载 Word")
    assert download.value.suggested_filename.endswith(".docx")
    page.screenshot(path=str(shots / "mediation-case.png"), full_page=True)
    assert w.problems == []
    desk.close()

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    p = Watched(phone)
    log_in(p.page, base, "c1_mediator", "/mediation/m/followups/")
    p.page.wait_for_url(f"{base}/mediation/m/followups/")
    p.visit(f"{base}/mediation/m/followups/")
    p.page.click(f"text={case.number}")
    p.page.wait_for_selector("#followup-form")
    p.page.select_option("#followup-form [name=performed]", "yes")
    p.page.fill("#followup-form [name=findings]", "已按协议赔偿，双方关系缓和。")
    p.page.click("#followup-form button[type=submit]")
    p.page.wait_for_url(f"{base}/mediation/m/followups/")
    assert "没有待回访的案件" in p.page.inner_text("main")
    p.page.screenshot(path=str(shots / "mediation-followup-phone.png"), full_page=True)
    phone.close()
    case.refresh_from_db()
    assert case.state == State.FOLLOWED_UP
    assert case.followups.get().performed is True


def test_grid_leader_registers_a_dispute_on_the_phone(live_server, browser, med, territory):  # noqa: F811
    base = live_server.url
    phone = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": 35.2, "longitude": 113.05},
        permissions=["geolocation"],
    )
    w = Watched(phone)
    log_in(w.page, base, "g1_leader", "/mediation/m/new/")
    w.page.wait_for_url(f"{base}/mediation/m/new/")
    w.visit(f"{base}/mediation/m/new/", ready="#dispute-form")
    w.page.wait_for_function("document.querySelector('[data-gps=lat]').value !== ''")
    w.page.select_option("#dispute-form [name=kind]", "property")
    w.page.fill("#dispute-form [name=title]", "物业停车费纠纷")
    w.page.fill("#dispute-form [name=applicant_name]", "业主甲")
    w.page.click("#dispute-form button[type=submit]")
    w.page.wait_for_url(f"{base}/mediation/m/followups/")
    assert w.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()
    case = Case.objects.get()
    assert case.grid == territory["D-S1-C1-G1"]
    assert case.source == "grid"
    assert case.committee == med.east
