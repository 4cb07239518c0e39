"""The enforcement API: create, advance, decide, documents, publication, statistics; refusals
name their field; scope is 404; bad inputs are 4xx and write nothing."""

from __future__ import annotations

import pytest

from gridgov.enforcement.models import Case, CaseStep, Publication
from tests.enforcement.conftest import CREDIT, PERSON_ID, basis, png

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def api(client, enf, bearer):
    def call(method, path, user="command", body=None, **kw):
        headers = bearer(user)
        fn = getattr(client, method)
        if body is not None:
            return fn(f"/api/v1{path}", body, content_type=JSON, **headers, **kw)
        return fn(f"/api/v1{path}", **headers, **kw)

    return call


def new(api, sites, user="command", **over):
    body = {
        "title": "工地未落实扬尘防治措施",
        "facts": "裸土未苫盖",
        "party_kind": "org",
        "party_name": "东一置业有限公司",
        "party_code": CREDIT,
        "party_phone": "13912345678",
        "source_id": sites["g1"].pk,
        **over,
    }
    return api("post", "/cases", user, body)


def step(api, case_id, to, user="command", **kw):
    return api("post", f"/cases/{case_id}/steps", user, {"to_step": to, **kw})


def test_case_lifecycle_over_the_api(api, sites):
    r = new(api, sites)
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["step"] == "filed" and case["next_steps"] == ["investigation", "withdrawn"]
    assert case["party_code"] == CREDIT and case["party_phone"] == "13912345678"
    cid = case["id"]
    assert step(api, cid, "notice").status_code == 409
    assert step(api, cid, "investigation", version=99).status_code == 409
    assert step(api, cid, "investigation", version=case["version"]).status_code == 200
    assert step(api, cid, "notice").status_code == 200
    bad = step(
        api,
        cid,
        "decision",
        penalty_amount="500",
        legal_bases=[basis("第一百一十五条").pk],
        decision="罚款",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "penalty_amount"
    ok = step(
        api,
        cid,
        "decision",
        penalty_amount="20000.50",
        legal_bases=[basis("第一百一十五条").pk],
        decision="罚款并责令改正",
        rectification_required=True,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["penalty_amount"] == "20000.50"
    assert [b["article"] for b in ok.json()["legal_bases"]] == ["第一百一十五条"]
    assert step(api, cid, "execution").status_code == 200
    refused = step(api, cid, "closed")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "rectified"
    done = step(api, cid, "closed", rectified=True).json()
    assert done["step"] == "closed" and done["next_steps"] == []
    assert [s["to_step"] for s in done["steps"]] == [
        "filed",
        "investigation",
        "notice",
        "decision",
        "execution",
        "closed",
    ]
    listed = api("get", "/cases?step=closed").json()
    assert [c["id"] for c in listed["items"]] == [cid]
    stats = api("get", "/cases/stats?from=2026-01-01&to=2100-12-31").json()
    assert stats["total"]["closed"] == 1 and stats["total"]["fines"] == "20000.50"


def test_scope_and_permissions(api, sites):
    g3 = new(
        api,
        sites,
        source_id=sites["g3"].pk,
        party_kind="person",
        party_name="王小明",
        party_code=PERSON_ID,
    ).json()
    assert api("get", f"/cases/{g3['id']}", "east_secretary").status_code == 404
    assert api("get", f"/cases/{g3['id']}", "s1_enforcer").status_code == 404
    assert api("get", f"/cases/{g3['id']}", "g1_leader").status_code == 404
    seen = api("get", f"/cases/{g3['id']}", "west_secretary")
    assert seen.status_code == 200
    # No identity permission: the ID number and the phone are masked.
    assert seen.json()["party_code"] == "110101********4514"
    assert PERSON_ID not in seen.content.decode()
    assert step(api, g3["id"], "investigation", "west_secretary").status_code == 403
    assert step(api, g3["id"], "investigation", "s1_enforcer").status_code == 404
    assert new(api, sites, "west_secretary").status_code == 403
    assert new(api, sites, "s1_enforcer", source_id=sites["g3"].pk).status_code == 400
    assert api("get", "/cases", "g1_leader").json()["items"] == []


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"party_name": "bad\u0001name"}, "party_name"),
        ({"title": "x" * 121}, "title"),
        ({"party_kind": "robot"}, "party_kind"),
        ({"source_id": 2**70}, "source_id"),
        ({"party_code": "123"}, "party_code"),
        ({"grid": "NOPE", "source_id": None}, "region"),
    ],
)
def test_bad_create_inputs(api, sites, over, field):
    r = new(api, sites, **over)
    assert r.status_code == 400, r.content
    assert field in {e["field"] for e in r.json()["errors"]} or field in r.json()["detail"]
    assert not Case.objects.exists()


def test_bad_advance_and_stats_inputs(api, sites):
    cid = new(api, sites).json()["id"]
    for s in ("investigation", "notice"):
        step(api, cid, s)
    for body in (
        {"to_step": "decision", "penalty_amount": "NaN", "legal_bases": [1], "decision": "x"},
        {"to_step": "decision", "penalty_amount": "1e30", "legal_bases": [1], "decision": "x"},
        {"to_step": "decision", "penalty_amount": "1.001", "legal_bases": [1], "decision": "x"},
        {"to_step": "decision", "penalty_amount": "20000", "legal_bases": [2**63], "decision": "x"},
        {"to_step": "decision", "penalty_amount": "20000", "legal_bases": [99999], "decision": "x"},
        {"to_step": "nowhere"},
        {"to_step": "decision", "note": "x" * 2001},
    ):
        r = api("post", f"/cases/{cid}/steps", body=body)
        assert r.status_code == 400, (body, r.content)
    assert Case.objects.get(pk=cid).step == "notice"
    assert CaseStep.objects.filter(case_id=cid).count() == 3
    assert api("get", "/cases/stats?from=2026-02-30&to=2026-03-01").status_code == 400
    assert api("get", "/cases/stats?from=2026-03-01&to=2026-02-01").status_code == 400
    assert api("get", "/cases?step=nowhere").status_code == 400
    assert api("get", f"/cases/{2**70}").status_code in (400, 404)


def test_documents_and_publication_over_the_api(api, sites, client, bearer):
    cid = new(api, sites).json()["id"]
    for s in ("investigation", "notice"):
        step(api, cid, s)
    step(
        api,
        cid,
        "decision",
        penalty_amount="20000",
        legal_bases=[basis("第一百一十五条").pk],
        decision="罚款",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("site.png", png(), content_type="image/png")
    r = client.post(
        f"/api/v1/cases/{cid}/documents", {"file": upload, "title": "现场"}, **bearer("command")
    )
    assert r.status_code == 201, r.content
    doc = r.json()["id"]
    fake = SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf")
    r = client.post(f"/api/v1/cases/{cid}/documents", {"file": fake}, **bearer("command"))
    assert r.status_code == 400
    assert client.get(f"/cases/documents/{doc}").status_code == 302  # pages need a login
    leak = api(
        "post",
        f"/cases/{cid}/publication",
        body={"title": "曝光", "summary": "联系人电话13912345678"},
    )
    assert leak.status_code == 400 and leak.json()["errors"][0]["field"] == "summary"
    r = api(
        "post",
        f"/cases/{cid}/publication",
        body={"title": "工地扬尘被罚", "summary": "裸土未苫盖", "photos": [doc]},
    )
    assert r.status_code == 201 and r.json()["state"] == "proposed" and r.json()["photos"] == 1
    pid = r.json()["id"]
    assert api("post", f"/publications/{pid}/approve").status_code == 403  # the proposer
    assert api("post", f"/publications/{pid}/approve", "s1_enforcer").status_code == 403
    r = api("post", f"/publications/{pid}/approve", "command2")
    assert r.status_code == 200 and r.json()["state"] == "published"
    public = client.get("/api/v1/public/exposure").json()["items"]
    assert [p["title"] for p in public] == ["工地扬尘被罚"]
    assert api("post", f"/publications/{pid}/unpublish", body={"reason": ""}).status_code == 400
    r = api("post", f"/publications/{pid}/unpublish", body={"reason": "到期撤下"})
    assert r.status_code == 200 and r.json()["state"] == "unpublished"
    assert client.get("/api/v1/public/exposure").json()["items"] == []
    assert Publication.objects.filter(pk=pid, unpublish_reason="到期撤下").exists()


def test_legal_bases_listed(api):
    rows = api("get", "/legal-bases").json()
    by = {r["article"]: r for r in rows}
    assert by["第一百一十五条"]["penalty_min"] == "10000.00"
    assert by["第一百一十五条"]["penalty_max"] == "100000.00"
    assert by["第九十九条"]["penalty_max"] == "1000000.00"
    assert by["第一百零一条"]["penalty_min"] is None  # a multiple of the goods' value
