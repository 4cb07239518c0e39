"""The API: shapes, scope, refusals naming the field, import/export, volunteers."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.organisations.models import Organisation
from tests.organisations.conftest import credit

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_list_detail_and_scope(client, bearer, orgs):
    h = bearer("east_secretary")
    r = client.get("/api/v1/organisations", **h)
    assert r.status_code == 200
    items = {i["name"]: i for i in r.json()["items"]}
    assert set(items) == {"东一科技有限公司", "东二快递站"}
    east = items["东一科技有限公司"]
    assert east["org_covered"] and east["work_covered"] and east["instructors"] == ["党指导东"]
    assert items["东二快递站"]["uncovered_because"] == [
        "未建立党组织",
        "未选派党建指导员",
        "近期未走访",
    ]
    r = client.get(f"/api/v1/organisations/{orgs.east.pk}", **h)
    assert r.status_code == 200
    body = r.json()
    assert [e["kind"] for e in body["history"]][:2] == ["opened", "assigned"]
    assert len(body["visits"]) == 1 and body["can_change"] is True
    assert client.get(f"/api/v1/organisations/{orgs.west.pk}", **h).status_code == 404
    assert client.get("/api/v1/organisations/999999", **h).status_code == 404


def test_list_as_of_a_past_date(client, bearer, orgs):
    h = bearer("command")
    r = client.get("/api/v1/organisations?on=2025-02-15", **h)
    assert {i["name"]: i["org_covered"] for i in r.json()["items"]}["东一科技有限公司"] is False
    r = client.get("/api/v1/organisations?on=2024-01-01", **h)
    assert r.json()["count"] == 0


@pytest.mark.parametrize(
    "query, field",
    [("on=2026-02-30", "on"), ("kind=bogus", "kind"), ("coverage=x", "coverage"),
     ("unit=NOPE", "unit"), ("months=0", "months")],
)  # fmt: skip
def test_list_refuses_bad_filters(client, bearer, orgs, query, field):
    r = client.get(f"/api/v1/organisations?{query}", **bearer("command"))
    assert r.status_code == 400
    assert field in r.content.decode()


def test_create_and_refusals(client, bearer, orgs):
    h = bearer("east_secretary")
    good = {
        "name": "东三网约车服务部", "kind": "economic", "credit_code": credit(31),
        "opened": "2025-05-01", "grid": "D-S1-C1-G2", "staff": 12, "party_members": 3,
        "party_org": "joint", "party_org_date": "2025-06-01",
    }  # fmt: skip
    r = client.post("/api/v1/organisations", good, content_type=JSON, **h)
    assert r.status_code == 201, r.content
    assert r.json()["party_org"] == "joint" and r.json()["grid"] == "D-S1-C1-G2"
    r = client.post("/api/v1/organisations", good, content_type=JSON, **h)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "credit_code"
    cases = [
        ({"credit_code": credit(32)[:-1] + "0"}, "credit_code"),
        ({"credit_code": credit(33), "name": "x" * 101}, "name"),
        ({"credit_code": credit(34), "name": "坏\u0007"}, "name"),
        ({"credit_code": credit(35), "opened": "2026-02-30"}, "opened"),
        ({"credit_code": credit(36), "staff": 10**20}, "staff"),
        ({"credit_code": credit(37), "grid": None, "lat": float("nan"), "lon": 113.1}, "lat"),
        ({"credit_code": credit(38), "grid": "D-S2-C2-G3"}, "grid"),
    ]
    for change, field in cases:
        body = {**good, **change}
        # json.dumps writes NaN as the bare token NaN, as a careless client would
        r = client.post("/api/v1/organisations", json.dumps(body), content_type=JSON, **h)
        assert r.status_code == 400, (change, r.content)
        assert field in r.content.decode(), (field, r.content)


def test_actions(client, bearer, orgs, instructors, territory):
    h = bearer("command")
    base = f"/api/v1/organisations/{orgs.east2.pk}"
    r = client.post(f"{base}/assign", {"instructor_id": instructors["east"].pk,
                    "start_date": "2025-04-01"}, content_type=JSON, **h)  # fmt: skip
    assert r.status_code == 200 and r.json()["instructors"] == ["党指导东"]
    today = timezone.localdate().isoformat()
    r = client.post(f"{base}/visits", {"instructor_id": instructors["east"].pk, "date": today,
                    "notes": "走访"}, content_type=JSON, **h)  # fmt: skip
    assert r.status_code == 201
    r = client.post(f"{base}/party-org", {"party_org": "single", "date": "2025-05-01"},
                    content_type=JSON, **h)  # fmt: skip
    assert r.status_code == 200 and r.json()["work_covered"] and r.json()["org_covered"]
    r = client.post(f"{base}/move", {"date": "2025-06-01", "grid": "D-S1-C1-G1"},
                    content_type=JSON, **h)  # fmt: skip
    assert r.status_code == 200 and r.json()["grid"] == "D-S1-C1-G1"
    r = client.post(f"{base}/info", {"name": "东二快递驿站", "staff": 25}, content_type=JSON, **h)
    assert r.status_code == 200 and r.json()["name"] == "东二快递驿站"
    r = client.post(f"{base}/end-assignment", {"end_date": "2025-03-01"}, content_type=JSON, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "end_date"
    r = client.post(f"{base}/close", {"date": "2025-07-01"}, content_type=JSON, **h)
    assert r.status_code == 200 and r.json()["closed"] == "2025-07-01"
    r = client.post(f"{base}/close", {"date": "2025-07-02"}, content_type=JSON, **h)
    assert r.status_code == 409
    # another street's organisation: 404 for the east
    r = client.post(f"/api/v1/organisations/{orgs.west.pk}/close", {"date": "2025-07-01"},
                    content_type=JSON, **bearer("east_secretary"))  # fmt: skip
    assert r.status_code == 404


def test_statistics_and_instructors(client, bearer, orgs):
    h = bearer("command")
    r = client.get("/api/v1/organisations/statistics?by=community", **h)
    assert r.status_code == 200
    body = r.json()
    assert body["total"]["total"] == 3 and body["total"]["org_coverage_rate"] == 33.3
    assert {u["unit"] for u in body["units"]} == {"D-S1-C1", "D-S2-C2"}
    assert {u["name"] for u in body["uncovered"]} == {"东二快递站", "西一公益协会"}
    past = client.get("/api/v1/organisations/statistics?on=2025-02-15", **h).json()
    assert past["total"]["org_covered"] == 0
    assert client.get("/api/v1/organisations/statistics?by=grid", **h).status_code == 400
    r = client.get("/api/v1/organisations/instructors", **h)
    rows = {i["name"]: i for i in r.json()}
    assert rows["党指导东"]["load"] == 1 and rows["党指导西"]["load"] == 0


def test_export_round_trip_and_import(client, bearer, orgs, users):
    h = bearer("command")
    r = client.get("/api/v1/organisations/export.xlsx", **h)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "名称 name" and "组织覆盖 org_covered" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    # the same sheet back: every row is a duplicate, nothing written
    before = Organisation.objects.count()
    r = client.post("/api/v1/organisations/import", {"file": io.BytesIO(r.content)}, **h)
    assert r.status_code == 400
    assert {e["message"] for e in r.json()["errors"]} == {"该统一社会信用代码已登记"}
    assert r.json()["errors"][0]["field"] == "row 2, 统一社会信用代码"
    assert Organisation.objects.count() == before
    # after removing the originals, the export imports back as it was
    content = client.get("/api/v1/organisations/export.xlsx", **h).content
    from gridgov.organisations.models import Assignment, JointMeeting, OrgEvent, Visit

    for model in (Visit, Assignment, OrgEvent, JointMeeting):
        model.objects.all().delete()
    Organisation.objects.all().delete()
    r = client.post("/api/v1/organisations/import", {"file": io.BytesIO(content)}, **h)
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 3
    east = Organisation.objects.get(name="东一科技有限公司")
    assert east.party_org == "single" and east.party_org_date == dt.date(2025, 3, 1)
    assert east.grid.code == "D-S1-C1-G1" and east.events.count() == 2


def test_volunteers_register_mask_and_stats(client, bearer, orgs, users, territory):
    from gridgov.people.models import Post

    h = bearer("g1_leader")  # 网格员 register volunteers
    body = {"name": "骑手小王", "phone": "13700000001", "group": "rider", "grid": "D-S1-C1-G1",
            "employer_id": orgs.east2.pk}  # fmt: skip
    r = client.post("/api/v1/organisations/volunteers", body, content_type=JSON, **h)
    assert r.status_code == 201, r.content
    assert r.json()["phone"] == "137****0001"  # no permission to see contacts
    assert Post.objects.current().filter(person__phone="13700000001",
                                         post_type__code="volunteer").exists()  # fmt: skip
    r = client.post("/api/v1/organisations/volunteers", body, content_type=JSON, **h)
    assert r.status_code == 409
    bad = {**body, "phone": "12345", "name": "另一人"}
    r = client.post("/api/v1/organisations/volunteers", bad, content_type=JSON, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "phone"
    stats = client.get("/api/v1/organisations/volunteers/statistics", **bearer("command")).json()
    assert stats["total"]["rider"] == 1 and stats["total"]["reports"] == 0
    listed = client.get("/api/v1/organisations/volunteers", **bearer("west_secretary")).json()
    assert listed["count"] == 0


def test_meetings_api(client, bearer, orgs, instructors):
    h = bearer("s1_official")
    body = {"date": "2025-06-01", "unit": "D-S1", "topic": "联席会", "minutes": "纪要",
            "organisations": [orgs.east.pk], "attendees": [instructors["east"].pk]}  # fmt: skip
    r = client.post("/api/v1/organisations/meetings", body, content_type=JSON, **h)
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert client.get(f"/api/v1/organisations/meetings/{mid}", **h).json()["attendee_names"] == [
        "党指导东"
    ]
    assert client.get(f"/api/v1/organisations/meetings/{mid}",
                      **bearer("west_secretary")).status_code == 404  # fmt: skip
    r = client.post("/api/v1/organisations/meetings", {**body, "date": "2026-02-30"},
                    content_type=JSON, **h)  # fmt: skip
    assert r.status_code == 400


def test_export_masks_contacts_without_the_permission(client, bearer, orgs, users):
    from gridgov.organisations import lifecycle

    lifecycle.update_organisation(
        users["command"], orgs.east.pk, name=orgs.east.name, industry="软件", staff=20,
        party_members=5, address="", contact="赵经理", contact_phone="13812345678",
    )  # fmt: skip

    def phones(username):
        r = client.get("/api/v1/organisations/export.xlsx", **bearer(username))
        sheet = load_workbook(io.BytesIO(r.content)).active
        header = [c.value for c in sheet[1]]
        col = header.index("联系电话 contact_phone")
        who = header.index("联系人 contact")
        return {(row[who], row[col]) for row in sheet.iter_rows(min_row=2, values_only=True)}

    assert ("赵经理", "13812345678") in phones("command")
    east = phones("east_secretary")
    assert ("*", "138****5678") in east and not any(p == "13812345678" for _, p in east)
    body = client.get(f"/api/v1/organisations/{orgs.east.pk}", **bearer("east_secretary")).json()
    assert body["contact"] is None and body["contact_phone"] == "138****5678"


def test_import_locates_by_coordinates_and_names_bad_cells(client, bearer, orgs):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["名称", "类别", "统一社会信用代码", "纬度", "经度", "纳入日期", "从业人员数"])
    ws.append(["坐标公司", "economic", credit(61), 35.2, 113.15, "2025-01-01", 10])
    ws.append(["区外公司", "economic", credit(62), 30.0, 100.0, "2025-01-01", 10])
    ws.append(["大公司", "economic", credit(63), 35.2, 113.15, "2025-01-01", "10000000000"])
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    r = client.post("/api/v1/organisations/import", {"file": buf}, **bearer("command"))
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"row 3, 纬度", "row 4, 从业人员数"}
    assert not Organisation.objects.filter(name="坐标公司").exists()  # all or nothing
    book = Workbook()
    ws = book.active
    ws.append(["名称", "类别", "统一社会信用代码", "纬度", "经度", "纳入日期"])
    ws.append(["坐标公司", "economic", credit(61), 35.2, 113.15, "2025-01-01"])
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    r = client.post("/api/v1/organisations/import", {"file": buf}, **bearer("command"))
    assert r.status_code == 200 and r.json()["created"] == 1
    assert Organisation.objects.get(name="坐标公司").grid.code == "D-S1-C1-G2"


def test_statistics_default_to_what_the_caller_sees(client, bearer, orgs):
    east = client.get("/api/v1/organisations/statistics", **bearer("east_secretary")).json()
    assert east["by"] == "community" and [u["unit"] for u in east["units"]] == ["D-S1-C1"]
    assert east["total"]["total"] == 2
    street = client.get("/api/v1/organisations/statistics", **bearer("s1_official")).json()
    assert street["by"] == "street" and [u["unit"] for u in street["units"]] == ["D-S1"]
