"""The customs API: a registration checked and flagged (its order named), the follow-up,
villages with rules, council and limits, a compare of two versions, statistics; bad input
refused naming the field; what is not the caller's answers 404."""

from __future__ import annotations

import pytest

from gridgov.customs import ceremonies
from gridgov.customs.models import Registration
from tests.customs.conftest import wedding

pytestmark = pytest.mark.django_db

BODY = {
    "grid": "D-S1-C1-G1", "kind": "wedding", "date": "2026-06-06", "family_head": "张大山",
    "family_phone": "13812345678", "tables": 25, "guests": 180, "cost": "30000", "days": 1,
}  # fmt: skip


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_register_flag_and_follow_up(client, bearer, villages):
    worker = bearer("g1_worker")
    r = post(client, "/api/v1/customs/registrations", BODY, worker)
    assert r.status_code == 201, r.content
    reg = r.json()
    assert reg["flagged"] is True and reg["order"]
    assert reg["exceedances"] == [
        {"what": "tables", "label": "桌数", "limit": "20", "actual": "25"}
    ]
    assert reg["village"] == "D-S1-C1" and reg["cost"] == "30000.00"
    url = f"/api/v1/customs/registrations/{reg['id']}"
    body = {"advised_on": "2026-06-05", "outcome": "减为 20 桌"}
    assert post(client, f"{url}/follow-up", body, worker).status_code == 403
    secretary = bearer("east_secretary")
    r = post(client, f"{url}/follow-up", body, secretary)
    assert r.status_code == 200, r.content
    assert (r.json()["follow_up"], r.json()["advised_by"]) == ("advised", "东书记")
    assert client.get(url, **bearer("west_secretary")).status_code == 404
    listed = client.get("/api/v1/customs/registrations?flagged=true", **secretary).json()
    assert [x["id"] for x in listed["items"]] == [reg["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"family_head": "x" * 51}, "family_head"),
        ({"family_head": "张\u0007"}, "family_head"),
        ({"date": "2026-02-30"}, "date"),
        ({"tables": 2**63 + 5}, "tables"),
        ({"tables": 10**6}, "tables"),
        ({"cost": "NaN"}, "cost"),
        ({"kind": "party"}, "kind"),
        ({"grid": "NOPE"}, "grid"),
        ({"grid": "D-S2-C2-G3"}, "grid"),
    ],
)
def test_bad_registration_names_the_field(client, bearer, villages, change, field):
    r = post(client, "/api/v1/customs/registrations", {**BODY, **change}, bearer("g1_worker"))
    assert r.status_code == 400, r.content
    assert field in {e["field"].split(".")[-1] for e in r.json()["errors"]} or field in str(
        r.json()
    )
    assert not Registration.objects.exists()


def test_nan_as_a_json_number_is_refused(client, bearer, villages):
    raw = '{"grid": "D-S1-C1-G1", "kind": "wedding", "date": "2026-06-06", "family_head": "a", "tables": 1, "cost": NaN}'  # noqa: E501
    r = client.post(
        "/api/v1/customs/registrations", raw, content_type="application/json",
        **bearer("g1_worker"),
    )  # fmt: skip
    assert r.status_code == 400
    assert not Registration.objects.exists()


def test_villages_and_detail(client, bearer, villages):
    worker = bearer("g1_worker")
    rows = client.get("/api/v1/customs/villages", **worker).json()["items"]
    assert [(v["code"], v["rules_version"], v["council_members"]) for v in rows] == [
        ("D-S1-C1", 1, 2)
    ]
    d = client.get(f"/api/v1/customs/villages/{villages.east.pk}", **worker).json()
    assert d["versions"][0]["current"] and d["versions"][0]["meeting"]["attendance"] == 45
    assert {x["kind"]: x["max_tables"] for x in d["limits"]} == {"wedding": 20, "funeral": 15}
    assert d["council"]["members"][0]["role"] == "president"
    assert client.get(f"/api/v1/customs/villages/{villages.west.pk}", **worker).status_code == 404
    assert client.get("/api/v1/customs/villages").status_code == 401


def test_rules_compare_and_limits_via_api(client, bearer, villages):
    east = bearer("east_secretary")
    url = f"/api/v1/customs/villages/{villages.east.pk}"
    m = post(client, f"{url}/meetings", {"date": "2026-03-01", "kind": "resident_reps",
                                          "attendance": 40, "entitled": 45}, east)  # fmt: skip
    assert m.status_code == 201, m.content
    body = {"title": "修订", "adopted": "2026-03-02", "meeting_id": m.json()["id"],
            "text": "第一条 爱党爱国。\n第二条 婚事新办。\n第三条 邻里和睦。"}  # fmt: skip
    r = post(client, f"{url}/rules", body, east)
    assert r.status_code == 201, r.content
    assert r.json()["number"] == 2 and r.json()["current"]
    c = client.get(
        f"/api/v1/customs/rules/{villages.east_rules.pk}/compare?other={r.json()['id']}", **east
    ).json()
    assert (c["added"], c["removed"], c["changed"]) == (0, 0, 1)
    assert post(client, f"{url}/rules", {**body, "title": "x" * 101}, east).status_code == 400
    r = post(client, f"{url}/limits", {"kind": "other", "effective_from": "2026-03-02",
                                        "max_tables": 10, "max_cost": "NaN"}, east)  # fmt: skip
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "max_cost"
    r = post(client, f"{url}/limits", {"kind": "other", "effective_from": "2026-03-02",
                                        "max_tables": 10}, east)  # fmt: skip
    assert r.status_code == 201, r.content
    west = f"/api/v1/customs/villages/{villages.west.pk}"
    assert post(client, f"{west}/limits", {"kind": "other", "effective_from": "2026-03-02",
                                           "max_tables": 10}, east).status_code == 404  # fmt: skip
    r = post(client, f"{url}/council/members", {"role": "member", "start_date": "2026-03-01",
                                                 "name": "孙成员"}, east)  # fmt: skip
    assert r.status_code == 201, r.content
    r = post(client, f"/api/v1/customs/council/members/{r.json()['id']}/end",
             {"end_date": "2026-02-01"}, east)  # fmt: skip
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "end_date"


def test_statistics_api(client, bearer, villages, users):
    ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=30))
    ceremonies.register(users["command"], wedding(villages.g3))
    r = client.get(
        "/api/v1/customs/statistics?start=2026-01-01&end=2026-12-31&by=street",
        **bearer("s1_official"),
    )
    assert r.status_code == 200, r.content
    assert [(x["code"], x["registrations"], x["flagged"]) for x in r.json()["rows"]] == [
        ("D-S1", 1, 1)
    ]
    bad = client.get("/api/v1/customs/statistics?start=2026-02-30", **bearer("command"))
    assert bad.status_code == 400
    bad = client.get("/api/v1/customs/statistics?by=grid", **bearer("command"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "by"


def test_file_upload_and_download(
    client, bearer, villages, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    east = bearer("east_secretary")
    url = f"/api/v1/customs/rules/{villages.east_rules.pk}/file"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"not a pdf")}, **east)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "file"
    ok = client.post(url, {"file": SimpleUploadedFile("公约.pdf", b"%PDF-1.4 test")}, **east)
    assert ok.status_code == 200, ok.content
    assert ok.json()["has_file"] and ok.json()["file_name"] == "公约.pdf"
    got = client.get(url, **bearer("g1_worker"))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF-")
    assert client.get(url, **bearer("west_secretary")).status_code == 404
    villages.east_rules.refresh_from_db()
    first = tmp_path / villages.east_rules.file
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"file": SimpleUploadedFile("v2.pdf", b"%PDF-1.5 x")}, **east)
    assert again.status_code == 200 and not first.exists()  # the replaced file is removed


def test_council_and_limit_history_via_api(client, bearer, villages):
    east = bearer("east_secretary")
    url = f"/api/v1/customs/villages/{villages.west.pk}/council"
    assert (
        post(client, url, {"name": "西理事会", "established": "2026-01-01"}, east).status_code
        == 404
    )
    west = bearer("west_secretary")
    r = post(client, url, {"name": "西理事会", "established": "2026-01-01"}, west)
    assert r.status_code == 200 and r.json()["members"] == []
    r = post(client, url, {"name": "西理事会", "established": "2026-02-30"}, west)
    assert r.status_code == 400
    limits = f"/api/v1/customs/villages/{villages.east.pk}/limits"
    body = {"kind": "wedding", "effective_from": "2026-09-01", "max_tables": 18}
    assert post(client, limits, body, east).status_code == 201
    history = client.get(limits, **bearer("g1_worker")).json()
    weddings = [(x["effective_from"], x["effective_to"]) for x in history if x["kind"] == "wedding"]
    assert weddings == [("2026-09-01", None), ("2026-01-01", "2026-08-31")]
    assert post(client, limits, body, bearer("g1_worker")).status_code == 403
