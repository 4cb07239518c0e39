"""The projects API: the portfolio with filters and totals (a grid's projects with ?grid=),
one project with everything on it, writes through the services, bad input refused naming the
field, 403 for those who may not act and 404 for what is not the caller's."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.projects.models import Project

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def fields(r) -> list[str]:
    return [e["field"] for e in r.json()["errors"]]


def test_list_filters_and_summary(client, bearer, place):
    command, east = bearer("command"), bearer("s1_official")
    r = client.get("/api/v1/projects", **command)
    assert r.status_code == 200
    assert r.json()["count"] == 3
    items = client.get("/api/v1/projects?grid=D-S1-C1-G1", **command).json()["items"]
    assert [p["code"] for p in items] == ["KJ-E1"]
    p = items[0]
    assert (p["granted"], p["spent"], p["spend_rate"], p["overdue"], p["grid"]) == (
        "100.00", "40.00", 40.0, True, "D-S1-C1-G1",
    )  # fmt: skip
    assert [x["code"] for x in client.get("/api/v1/projects", **east).json()["items"]] == ["KJ-E1"]
    s = client.get("/api/v1/projects/summary?kind=rd", **command).json()
    assert s == {"count": 2, "granted": "200.00", "spent": "40.00", "spend_rate": 20.0}
    r = client.get("/api/v1/projects?status=nope", **command)
    assert r.status_code == 400 and fields(r) == ["status"]
    r = client.get("/api/v1/projects?grid=D-S2-C2-G3", **east)  # not the caller's grid
    assert r.status_code == 400 and fields(r) == ["grid"]
    r = client.get("/api/v1/projects?year=99999999999999999999", **command)
    assert r.status_code == 400 and fields(r) == ["year"]
    r = client.get("/api/v1/projects?q=" + "x" * 101, **command)
    assert r.status_code == 400 and fields(r) == ["q"]


def test_stats(client, bearer, place):
    rows = client.get("/api/v1/projects/stats", **bearer("command")).json()
    east = next(r for r in rows if r["code"] == "D-S1")
    assert (east["projects"], east["milestones_due"], east["on_time_rate"]) == (1, 2, 50.0)
    rows = client.get("/api/v1/projects/stats?level=street", **bearer("s1_official")).json()
    assert [r["code"] for r in rows] == ["D-S1"]
    r = client.get("/api/v1/projects/stats?level=grid", **bearer("command"))
    assert r.status_code == 400 and fields(r) == ["level"]
    r = client.get("/api/v1/projects/stats?start=2026-02-30", **bearer("command"))
    assert r.status_code == 400


def test_detail_and_scope(client, bearer, place):
    east = bearer("s1_official")
    r = client.get(f"/api/v1/projects/{place.east.pk}", **east)
    assert r.status_code == 200
    body = r.json()
    assert [c["code"] for c in body["grid_chain"]] == ["D", "D-S1", "D-S1-C1", "D-S1-C1-G1"]
    assert [m["overdue"] for m in body["milestones"]] == [False, True, False]
    assert [s["amount"] for s in body["spendings"]] == ["30.00", "10.00"]
    assert [h["to_status"] for h in body["history"]] == ["applied", "approved"]
    assert body["officials"][0]["phone"] == "13900000008"
    assert body["next_statuses"] == ["ongoing", "terminated"]
    # The community sees it (its grid), without the official's phone and without actions.
    body = client.get(f"/api/v1/projects/{place.east.pk}", **bearer("east_secretary")).json()
    assert body["officials"][0]["phone"] is None and body["next_statuses"] == []
    assert client.get(f"/api/v1/projects/{place.west.pk}", **east).status_code == 404
    assert client.get("/api/v1/projects/999999", **east).status_code == 404
    assert client.get(f"/api/v1/projects/{place.east.pk}").status_code == 401


def test_create_and_refusals(client, bearer, place):
    east = bearer("s1_official")
    body = {
        "code": "KJ-API", "name": "智能制造产线", "kind": "construction", "applicant": "某装备公司",
        "plan": "district", "year": 2026, "owner": "D-S1", "granted": "55.5",
        "lat": 35.3, "lon": 113.15,
    }  # fmt: skip
    r = post(client, "/api/v1/projects", body, east)
    assert r.status_code == 201, r.content
    assert (r.json()["grid"], r.json()["granted"], r.json()["status"]) == (
        "D-S1-C1-G2", "55.50", "applied",
    )  # fmt: skip
    assert post(client, "/api/v1/projects", body, east).status_code == 409
    for change, field in [
        ({"name": "x" * 201}, "name"),
        ({"name": "a\x07b"}, "name"),
        ({"granted": "NaN"}, "granted"),
        ({"year": 2**70}, "year"),
        ({"status_date": "2026-02-30"}, "status_date"),
        ({"owner": "D-S2"}, "owner"),
        ({"lat": 35.2, "lon": 113.3}, "lat"),
        ({"extra": 1}, "extra"),
    ]:
        r = post(client, "/api/v1/projects", {**body, "code": "KJ-API2", **change}, east)
        assert r.status_code == 400, (change, r.content)
        assert field in fields(r)[0], (change, r.json())
    assert not Project.objects.filter(code="KJ-API2").exists()
    r = post(client, "/api/v1/projects", {**body, "code": "KJ-X"}, bearer("g1_leader"))
    assert r.status_code == 403


def test_actions(client, bearer, place):
    east, today = bearer("s1_official"), place.today
    url = f"/api/v1/projects/{place.east.pk}"
    r = post(client, f"{url}/status", {"status": "ongoing", "date": str(today)}, east)
    assert r.status_code == 200 and r.json()["status"] == "ongoing"
    r = post(client, f"{url}/status", {"status": "completed", "date": str(today)}, east)
    assert r.status_code == 409 and fields(r) == ["status"]
    r = post(client, f"{url}/milestones", {"title": "投产", "planned": "2027-01-31"}, east)
    assert r.status_code == 200 and len(r.json()["milestones"]) == 4
    m = r.json()["milestones"][1]
    r = post(client, f"/api/v1/projects/milestones/{m['id']}/done", {"done": str(today)}, east)
    assert r.status_code == 200
    assert next(x for x in r.json()["milestones"] if x["id"] == m["id"])["late"] is True
    r = post(client, f"{url}/spending", {"date": str(today), "amount": 12.25}, east)
    assert r.status_code == 200 and r.json()["spent"] == "52.25"
    r = post(client, f"{url}/spending", {"date": str(today), "amount": "1e999"}, east)
    assert r.status_code == 400 and fields(r) == ["amount"]
    r = client.patch(url, {"granted": "52"}, content_type="application/json", **east)
    assert r.status_code == 409 and fields(r) == ["granted"]
    r = client.patch(url, {"summary": "新材料"}, content_type="application/json", **east)
    assert r.status_code == 200 and r.json()["summary"] == "新材料"
    person = place.east.officials.first().person
    r = post(client, f"{url}/officials", {"person_id": person.pk, "role": "liaison"}, east)
    assert r.status_code == 200 and len(r.json()["officials"]) == 2
    official = r.json()["officials"][1]["id"]
    r = client.delete(f"/api/v1/projects/officials/{official}", **east)
    assert r.status_code == 204
    # The community sees the project but may not act on it; the west not even see it.
    body = {"status": "acceptance", "date": str(today)}
    assert post(client, f"{url}/status", body, bearer("east_secretary")).status_code == 403
    assert post(client, f"{url}/status", body, bearer("west_secretary")).status_code == 404


def test_documents(client, bearer, place, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    east = bearer("s1_official")
    url = f"/api/v1/projects/{place.east.pk}/documents"
    pdf = SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = client.post(url, {"file": pdf, "title": "立项批复"}, **east)
    assert r.status_code == 201, r.content
    doc = r.json()
    fake = SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf")
    r = client.post(url, {"file": fake}, **east)
    assert r.status_code == 400 and fields(r) == ["file"]
    r = client.get(f"/api/v1/projects/documents/{doc['id']}", **east)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    r = client.get(f"/api/v1/projects/documents/{doc['id']}", **bearer("west_secretary"))
    assert r.status_code == 404
    r = client.get(doc["url"])
    assert r.status_code == 302  # the page's download needs a session


def test_export_and_import(client, bearer, place):
    command = bearer("command")
    r = client.get("/api/v1/projects/export.xlsx?status=approved", **command)
    assert r.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == ["KJ-E1"]
    bad = SimpleUploadedFile("p.xlsx", r.content)  # KJ-E1 exists already
    r = client.post("/api/v1/projects/import", {"file": bad}, **command)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "row 2: 项目编号"
    Project.objects.filter(code="KJ-E1").delete()
    ws.parent.active = 0
    buf = io.BytesIO()
    ws.parent.save(buf)
    good = SimpleUploadedFile("p.xlsx", buf.getvalue())
    r = client.post("/api/v1/projects/import", {"file": good}, **command)
    assert r.status_code == 201 and r.json() == {"created": 1}
    r = client.post("/api/v1/projects/import", {"file": good}, **bearer("east_secretary"))
    assert r.status_code == 403


def test_admin_is_scoped(login, place):
    client = login("s1_official")
    r = client.get("/admin/projects/project/")
    assert r.status_code == 200
    assert list(r.context["cl"].queryset) == [place.east]
    assert client.get(f"/admin/projects/project/{place.west.pk}/change/").status_code == 302
