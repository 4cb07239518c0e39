"""The mediation API: shapes, scope, masking, refusals naming the field, the flow, files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.mediation.models import Case
from tests.mediation.conftest import ID_NUMBER, mediate_to_agreement

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "family",
    "title": "赡养纠纷",
    "facts": "子女就赡养费分担发生争执。",
    "lat": 35.2,
    "lon": 113.05,
    "amount": "1200.50",
    "parties": [
        {"role": "applicant", "name": "刘大明", "phone": "13700000001", "id_number": ID_NUMBER},
        {"role": "respondent", "name": "刘小明", "phone": "13700000002"},
    ],
}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_create_list_detail(client, bearer, med):
    h = bearer("east_secretary")
    r = post(client, "/api/v1/mediation/cases", BODY, h)
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["grid"] == "D-S1-C1-G1"
    assert case["committee"] == "东一社区人民调解委员会"
    assert case["amount"] == "1200.50"
    assert case["state"] == "received"
    assert case["parties"][0]["name"] == "刘大明"  # community officials may see identities
    assert case["next_actions"] == ["session", "outcome"]
    listed = client.get("/api/v1/mediation/cases?state=received", **h).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    assert client.get("/api/v1/mediation/cases?state=archived", **h).json()["count"] == 0
    # Not in the west's scope: the same 404 as no such case.
    w = bearer("west_secretary")
    assert client.get(f"/api/v1/mediation/cases/{case['id']}", **w).status_code == 404
    assert client.get("/api/v1/mediation/cases/999999", **w).status_code == 404
    assert client.get("/api/v1/mediation/cases", **w).json()["count"] == 0


def test_parties_masked_without_the_permission(client, bearer, crew, med):
    r = post(client, "/api/v1/mediation/cases", BODY, bearer("g1_leader"))
    assert r.status_code == 201, r.content
    party = r.json()["parties"][0]
    assert party == {
        "role": "applicant",
        "role_label": "申请人",
        "name": "刘**",
        "phone": "137****0001",
        "id_number": "110105********002X",
        "address": "",
        "masked": True,
    }
    # The grid leader may register but not mediate.
    assert r.json()["next_actions"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 121}, "title"),
        ({"facts": "a\x07b"}, "facts"),
        ({"received_on": "2026-02-30"}, "received_on"),
        ({"amount": "NaN"}, "amount"),
        ({"committee_id": 2**70}, "committee_id"),
        ({"kind": "unknown"}, "kind"),
        ({"grid": "NOPE", "lat": None, "lon": None}, "grid"),
    ],
)
def test_bad_input_names_the_field(client, bearer, med, change, field):
    r = post(client, "/api/v1/mediation/cases", {**BODY, **change}, bearer("command"))
    assert r.status_code == 400, r.content
    assert field in {e["field"] for e in r.json()["errors"]} or field in r.json()["detail"]
    assert not Case.objects.exists()


def test_flow_through_the_api_and_files(client, bearer, users, med):
    h = bearer("c1_mediator")
    today = timezone.localdate().isoformat()
    case = post(client, "/api/v1/mediation/cases", BODY, h).json()
    base = f"/api/v1/mediation/cases/{case['id']}"
    assert client.get(f"{base}/agreement.docx", **h).status_code == 404
    r = post(client, f"{base}/sessions", {"date": today, "place": "调解室",
             "mediator_ids": [med.m1.pk], "notes": "双方陈述"}, h)  # fmt: skip
    assert r.status_code == 201, r.content
    r = post(client, f"{base}/outcome", {"outcome": "agreement", "date": today,
             "terms": "每月支付赡养费500元。", "perform_by": today}, h)  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "succeeded"
    r = post(client, f"{base}/sign", {"signed_on": today, "followup_days": 7}, h)
    assert (
        r.json()["followups"][0]["due_on"]
        == (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    )
    assert post(client, f"{base}/sign", {"signed_on": today}, h).status_code == 409
    r = post(client, f"{base}/judicial", {"applied_on": today, "court": "测试区人民法院"}, h)
    assert r.json()["judicial"] == "pending"
    r = post(client, f"{base}/followups", {"done_on": today, "findings": "已按月支付",
             "performed": True}, h)  # fmt: skip
    assert r.status_code == 201, r.content
    r = post(client, f"{base}/archive", {"note": ""}, h)
    assert r.json()["state"] == "archived"
    labels = [s["label"] for s in r.json()["history"]]
    assert labels == ["受理登记", "调解记录", "调解结果", "协议签署", "司法确认", "回访", "归档"]
    docx = client.get(f"{base}/agreement.docx", **h)
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "人民调解协议书" in text and "每月支付赡养费500元。" in text
    assert ID_NUMBER in text  # a mediator may see identities
    pdf = client.get(f"{base}/agreement.pdf", **h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_outcome_refusals(client, bearer, med):
    h = bearer("command")
    case = post(client, "/api/v1/mediation/cases", BODY, h).json()
    base = f"/api/v1/mediation/cases/{case['id']}"
    r = post(client, f"{base}/outcome", {"outcome": "failed", "date": "2026-13-01"}, h)
    assert r.status_code == 400
    r = post(client, f"{base}/outcome", {"outcome": "failed", "date": "2026-01-01"}, h)
    assert r.status_code in (400, 409)
    r = post(client, f"{base}/sessions", {"date": timezone.localdate().isoformat(),
             "place": "x", "mediator_ids": [2**40], "notes": "x"}, h)  # fmt: skip
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "mediators"
    w = bearer("west_secretary")
    r = post(client, f"{base}/outcome", {"outcome": "failed", "date": "2026-01-01"}, w)
    assert r.status_code == 404


def test_export_masks_parties_unless_permitted(client, bearer, users, med, crew, make_case):
    make_case()
    for who, expect in (("command", "刘大明 13700000001"), ("g1_leader", "刘** 137****0001")):
        r = client.get("/api/v1/mediation/cases.xlsx", **bearer(who))
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content)).active
        header = [c.value for c in sheet[1]]
        row = [c.value for c in sheet[2]]
        assert row[header.index("申请人 applicants")] == expect


def test_statistics_and_lists(client, bearer, users, med, make_case):
    today = timezone.localdate()
    case = make_case()
    mediate_to_agreement(users["command"], case, med.m1, today)
    r = client.get("/api/v1/mediation/statistics", **bearer("command"))
    assert r.status_code == 200
    rows = {row["unit"]: row for row in r.json()["rows"]}
    assert rows["D-S1"]["rate"] == 100.0
    assert rows[None]["mediated"] == 1
    r = client.get("/api/v1/mediation/statistics?start=2026-02-30", **bearer("command"))
    assert r.status_code == 400
    r = client.get("/api/v1/mediation/statistics?level=4", **bearer("command"))
    assert r.status_code == 400
    east = client.get("/api/v1/mediation/statistics", **bearer("east_secretary")).json()
    assert east["level"] == 3
    committees = client.get("/api/v1/mediation/committees", **bearer("east_secretary")).json()
    assert {c["name"] for c in committees} == {"东街道人民调解委员会", "东一社区人民调解委员会"}
    mediators = client.get("/api/v1/mediation/mediators", **bearer("east_secretary")).json()
    assert {m["name"] for m in mediators["items"]} == {"调解甲", "调解乙"}


def test_trainings_api(client, bearer, med):
    h = bearer("command")
    body = {"topic": "调解技巧", "date": "2026-03-01", "place": "区司法局", "organiser": "D",
            "attendee_ids": [med.m1.pk, med.m3.pk]}  # fmt: skip
    r = post(client, "/api/v1/mediation/trainings", body, h)
    assert r.status_code == 201, r.content
    assert r.json()["attendees"] == 2
    listed = client.get("/api/v1/mediation/trainings", **bearer("east_secretary")).json()
    assert listed["items"][0]["attendees"] == 1  # only the east's mediators are counted
    r = post(client, "/api/v1/mediation/trainings", body, bearer("east_secretary"))
    assert r.status_code == 403
    r = post(client, "/api/v1/mediation/trainings", {**body, "hours": "NaN"}, h)
    assert r.status_code == 400
    training = listed["items"][0]["id"]
    url = f"/api/v1/mediation/trainings/{training}/attendance"
    r = post(client, url, {"person_ids": [med.m2.pk]}, h)
    assert r.status_code == 200 and r.json()["attendees"] == 3
    r = post(client, url, {"person_ids": [999999]}, h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "attendees"
    assert post(client, url, {"person_ids": []}, bearer("east_secretary")).status_code == 403
    assert post(client, "/api/v1/mediation/trainings/999/attendance", {"person_ids": []},
                h).status_code == 404  # fmt: skip


def test_case_from_order_api(client, bearer, crew, med, report):
    from gridgov.workorders.models import Source

    order = report(source=Source.PATROL, code="neighbour_dispute", user=crew["g1_worker"])
    url = f"/api/v1/mediation/orders/{order.pk}/case"
    r = post(client, url, {}, bearer("east_secretary"))
    assert r.status_code == 201, r.content
    assert r.json()["order_id"] == order.pk
    assert post(client, url, {}, bearer("east_secretary")).status_code == 409
    assert post(client, url, {}, bearer("west_secretary")).status_code == 404
