"""The inspections API: checklist, near me, recording (multipart, photos), lists, scope, bad
input."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gridgov.inspections.models import Inspection, InspectionPhoto, Rectification
from tests.inspections.conftest import NEAR_G1, all_passed, item

pytestmark = pytest.mark.django_db


def jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 60)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "site.jpg"
    return buf


def form(src, failed=(), **over):
    items = all_passed(src.category)
    for code in failed:
        items[item(src.category, code).pk] = False
    data = {
        "source": src.pk,
        "lat": NEAR_G1[0],
        "lon": NEAR_G1[1],
        "accuracy": 10,
        "passed": [k for k, v in items.items() if v],
        "failed": [k for k, v in items.items() if not v],
        "notes": "",
    }
    data.update(over)
    return data


def test_checklist_and_near(sources, bearer, client):
    h = bearer("g1_worker")
    r = client.get("/api/v1/inspections/checklist?category=construction_site", **h)
    assert r.status_code == 200 and r.json()[0]["code"] == "fencing"
    assert client.get("/api/v1/inspections/checklist?category=nope", **h).status_code == 400
    r = client.get(f"/api/v1/inspections/near?lat={NEAR_G1[0]}&lon={NEAR_G1[1]}&radius=3000", **h)
    rows = r.json()
    assert r.status_code == 200 and rows[0]["code"] == sources["site"].code
    assert rows[0]["status"] == "overdue" and rows[0]["overdue_days"] == 60 - 7
    assert sources["restaurant"].code not in {x["code"] for x in rows}  # G3: not in scope
    assert client.get("/api/v1/inspections/near?lat=nan&lon=113", **h).status_code == 400
    assert client.get("/api/v1/inspections/near?lat=95&lon=113", **h).status_code == 400


def test_record_with_a_failed_item_and_photo_then_reinspect(sources, bearer, client, people):
    h = bearer("g1_worker")
    data = form(sources["site"], failed=["covering"], submission_key="abc-1")
    r = client.post("/api/v1/inspections", {**data, "photos": jpeg()}, **h)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["result"] == "failed" and body["rectification_opened"] and body["order_id"]
    assert len(body["photos"]) == 1 and body["inspector"] == "李专职"
    assert [x["code"] for x in body["items"] if not x["passed"]] == ["covering"]
    again = client.post("/api/v1/inspections", data, **h)  # re-sent: the same record
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert Inspection.objects.count() == 1 and InspectionPhoto.objects.count() == 1
    rect = body["rectification_opened"]
    listed = client.get("/api/v1/inspections/rectifications?state=open&mine=true", **h).json()[
        "items"
    ]
    assert [x["id"] for x in listed] == [rect]
    assert listed[0]["failed_items"] == ["物料堆放及裸土覆盖"]
    r = client.post("/api/v1/inspections", form(sources["site"], rectification=rect), **h)
    assert r.status_code == 201 and r.json()["rectification_closed"] == rect
    assert Rectification.objects.get(pk=rect).state == "closed"
    photo = client.get(body["photos"][0]["url"])
    assert photo.status_code in (200, 302)  # a page route: the bearer does not log in


@pytest.mark.parametrize(
    "over, field, status",
    [
        ({"lat": 35.3}, "lat", 400),  # ~11 km away
        ({"at": "2026-02-30T10:00:00+08:00"}, "at", 400),
        ({"at": "2020-01-01T10:00:00+08:00"}, "at", 400),
        ({"notes": "x" * 2001}, "notes", 400),
        ({"notes": "bad\x07"}, "notes", 400),
        ({"source": 2**70}, "source", 400),
        ({"source": 999999}, "source", 404),
        ({"passed": []}, "items", 400),
        ({"rectification": 424242}, "rectification", 404),
        ({"submission_key": "k" * 41}, "submission_key", 400),
    ],
)
def test_bad_inputs_name_the_field(sources, bearer, client, over, field, status):
    h = bearer("g1_worker")
    r = client.post("/api/v1/inspections", form(sources["site"], **over), **h)
    assert r.status_code == status, r.content
    assert field in {e["field"] for e in r.json()["errors"]} or field in r.json()["detail"]
    assert Inspection.objects.count() == 0


def test_an_item_in_both_lists_and_a_bad_photo(sources, bearer, client):
    h = bearer("g1_worker")
    data = form(sources["site"])
    data["failed"] = [data["passed"][0]]
    r = client.post("/api/v1/inspections", data, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "items"
    junk = io.BytesIO(b"not an image at all")
    junk.name = "x.jpg"
    r = client.post("/api/v1/inspections", {**form(sources["site"]), "photos": junk}, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "photos"
    assert Inspection.objects.count() == 0


def test_scope_lists_detail_due_stats(sources, bearer, client, inspect):
    mine = inspect(sources["site"], failed=["fencing"]).inspection
    theirs = inspect(sources["restaurant"], username="g3_worker", point=(35.2009, 113.3)).inspection
    g1 = bearer("g1_worker")
    ids = [x["id"] for x in client.get("/api/v1/inspections", **g1).json()["items"]]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/inspections/{theirs.pk}", **g1).status_code == 404
    assert client.get(f"/api/v1/inspections/{mine.pk}", **g1).status_code == 200
    command = bearer("command")
    assert client.get("/api/v1/inspections?result=failed", **command).json()["count"] == 1
    assert client.get("/api/v1/inspections?result=maybe", **command).status_code == 400
    assert client.get("/api/v1/inspections?from=2026-02-30", **command).status_code == 400
    due = client.get("/api/v1/inspections/due?status=overdue", **command).json()["items"]
    assert {x["source_code"] for x in due} == {sources["enterprise"].code}
    r = client.get("/api/v1/inspections/stats?from=2026-01-01&to=2030-12-31", **command)
    assert r.status_code == 200 and r.json()[-1]["inspections"] == 2
    bad = client.get("/api/v1/inspections/stats?from=2026-05-01&to=2026-04-01", **command)
    assert bad.status_code == 400
    r = client.get("/api/v1/inspections/stats?from=2026-01-01&to=2026-12-31&level=grid", **command)
    assert r.status_code == 400


def test_an_account_without_a_person(sources, bearer, client):
    r = client.post("/api/v1/inspections", form(sources["site"]), **bearer("nobody"))
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "user"
