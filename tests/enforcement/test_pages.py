"""The case pages: list with filters and statistics, a new case pre-filled from an order, the
case page's actions (steps, documents, publication), masking, the source section."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from gridgov.enforcement import handling, services
from gridgov.enforcement.models import Case, CaseDocument, Publication
from gridgov.enforcement.steps import Step
from tests.enforcement.conftest import PERSON_ID, basis, png

pytestmark = pytest.mark.django_db


def test_list_filters_and_statistics(login, enf, new_case):
    a = new_case()
    b = new_case(source="g3", title="油烟超标")
    handling.advance(b.pk, Step.WITHDRAWN, enf["command"], note="重复")
    page = login("command").get("/cases/")
    text = page.content.decode()
    assert page.status_code == 200 and a.reference in text and b.reference in text
    assert "办案统计" in text and "东街道" in text
    text = login("command").get("/cases/?step=withdrawn").content.decode()
    assert b.reference in text and a.reference not in text
    assert login("command").get("/cases/?from=2026-02-30").status_code == 400
    text = login("east_secretary").get("/cases/").content.decode()
    assert a.reference in text and b.reference not in text
    assert login("g1_leader").get("/cases/").status_code == 403


def test_new_case_prefilled_from_an_order(login, enf, report, sites):
    order = report()
    client = login("command")
    page = client.get(f"/cases/new/?order={order.pk}")
    assert page.status_code == 200 and order.event.title in page.content.decode()
    assert client.get("/cases/new/?order=999999").status_code == 404
    assert client.get("/cases/new/?order=abc").status_code == 400
    assert login("s1_enforcer").get("/cases/new/").status_code == 200
    assert login("east_secretary").get("/cases/new/").status_code == 403
    client = login("command")  # one test client: log the command office in again
    form = {
        "title": "工地扬尘",
        "party_kind": "org",
        "party_name": "东一置业有限公司",
        "party_code": "91350100M000100Y44",
        "order": order.pk,
    }
    bad = client.post("/cases/new/", form)
    assert bad.status_code == 200 and "统一社会信用代码无效" in bad.content.decode()
    assert not Case.objects.exists()
    form["party_code"] = ""
    done = client.post("/cases/new/", form)
    case = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    assert case.order == order and case.origin == "order"
    # The order's page offers 立案 to those who may handle cases.
    assert f"/cases/new/?order={order.pk}" in client.get(f"/orders/{order.pk}/").content.decode()


def test_case_page_actions(login, enf, new_case):
    case = new_case()
    client = login("command")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "转入“调查取证”" in page and "13912345678" in page
    for to in ("investigation", "notice"):
        r = client.post(
            f"/cases/{case.pk}/",
            {"do": "advance", "to_step": to, "version": Case.objects.get().version},
        )
        assert r.status_code == 302
    r = client.post(
        f"/cases/{case.pk}/",
        {
            "do": "advance",
            "to_step": "decision",
            "version": 2,
            "penalty_amount": "999",
            "legal_bases": [basis("第一百一十五条").pk],
            "decision": "罚款",
        },
    )
    assert r.status_code == 200 and "裁量说明" in r.content.decode()
    assert Case.objects.get().step == Step.NOTICE
    r = client.post(
        f"/cases/{case.pk}/",
        {
            "do": "advance",
            "to_step": "decision",
            "version": 2,
            "penalty_amount": "20000",
            "legal_bases": [basis("第一百一十五条").pk],
            "decision": "罚款",
        },
    )
    assert r.status_code == 302 and Case.objects.get().step == Step.DECISION
    upload = SimpleUploadedFile("site.png", png(), content_type="image/png")
    r = client.post(f"/cases/{case.pk}/", {"do": "document", "file": upload, "title": "现场"})
    assert r.status_code == 302
    doc = CaseDocument.objects.get()
    got = client.get(f"/cases/documents/{doc.pk}")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    r = client.post(
        f"/cases/{case.pk}/",
        {"do": "propose", "title": "工地扬尘被罚", "summary": "裸土未苫盖", "photos": [doc.pk]},
    )
    assert r.status_code == 302
    pub = Publication.objects.get()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "待审核" in page and "审核发布" not in page  # not the proposer's button
    second = login("command2")
    assert "审核发布" in second.get(f"/cases/{case.pk}/").content.decode()
    assert (
        second.post(f"/cases/{case.pk}/", {"do": "approve", "publication": pub.pk}).status_code
        == 302
    )
    assert Publication.objects.get().state == "published"
    r = second.post(
        f"/cases/{case.pk}/", {"do": "unpublish", "publication": pub.pk, "reason": "到期"}
    )
    assert r.status_code == 302 and Publication.objects.get().state == "unpublished"


def test_identity_masked_without_the_permission(login, enf, new_case):
    case = new_case(
        party_kind="person", party_name="张三丰", party_code=PERSON_ID, party_phone="13787654321"
    )
    full = login("command").get(f"/cases/{case.pk}/").content.decode()
    assert PERSON_ID in full and "13787654321" in full
    masked = login("east_secretary").get(f"/cases/{case.pk}/").content.decode()
    assert PERSON_ID not in masked and "110101********4514" in masked
    assert "13787654321" not in masked and "137****4321" in masked


def test_source_section(enf, new_case, sites):
    case = new_case()
    section = services.source_section(sites["g1"], enf["command"])
    html = render_to_string("enforcement/_source_section.html", {"section": section})
    assert case.reference in html and f"/cases/new/?source={sites['g1'].pk}" in html
    empty = services.source_section(sites["g1"], enf["g1_leader"])
    html = render_to_string("enforcement/_source_section.html", {"section": empty})
    assert case.reference not in html and "/cases/new/" not in html


def test_exposure_pages_fit_a_phone(client, enf, new_case):
    page = client.get("/exposure/")
    text = page.content.decode()
    assert page.status_code == 200 and 'name="viewport"' in text and "暂无曝光案件" in text
    assert "<script>" not in text and "style=" not in text
