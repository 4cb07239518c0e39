"""指令: issued to units and people, each receipt and completion timed, the unacknowledged
listed, late recipients told once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.inbox.commands import sweep_overdue
from gridgov.inbox.models import Notification

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def soon(hours=4):
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


@pytest.fixture
def command(client, crew, bearer, people):
    r = post(
        client,
        "/api/v1/commands",
        {
            "title": "重污染天气橙色预警：停止土方作业",
            "body": "各单位立即检查辖区工地，停止土方作业并苫盖。",
            "due_at": soon(),
            "units": ["D-S1-C1-G1"],
            "people": [people["west_secretary"].pk],
        },
        bearer("command"),
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_issue_to_a_unit_and_a_person(command, people):
    # G1's responsible posts: its leader, full-time and part-time workers; plus 西书记.
    assert command["recipients"] == 4
    assert sorted(command["not_acknowledged"]) == sorted(["张网格", "李专职", "赵兼职", "西书记"])
    for who in ("g1_worker", "west_secretary"):
        kinds = Notification.objects.filter(person=people[who]).values_list("kind", flat=True)
        assert list(kinds) == ["command"]


def test_acknowledge_and_complete_are_timed(client, bearer, command):
    cid = command["id"]
    h = bearer("g1_worker")
    r = post(client, f"/api/v1/commands/{cid}/acknowledge", {}, h)
    assert r.status_code == 200
    assert "李专职" not in r.json()["not_acknowledged"]
    row = next(x for x in r.json()["recipient_rows"] if x["person"] == "李专职")
    assert row["acknowledged_at"] and row["completed_at"] is None
    assert post(client, f"/api/v1/commands/{cid}/complete", {"note": " "}, h).status_code == 400
    r = post(client, f"/api/v1/commands/{cid}/complete", {"note": "已停工苫盖"}, h)
    assert r.json()["completed"] == 1
    assert post(client, f"/api/v1/commands/{cid}/complete", {"note": "again"}, h).status_code == 409
    # Completing without acknowledging first counts as both.
    r = post(client, f"/api/v1/commands/{cid}/complete", {"note": "ok"}, bearer("west_secretary"))
    assert r.json()["acknowledged"] == 2 and r.json()["completed"] == 2


def test_only_recipients_acknowledge_and_scope_applies(client, bearer, command):
    cid = command["id"]
    assert (
        post(client, f"/api/v1/commands/{cid}/acknowledge", {}, bearer("g3_worker")).status_code
        == 404
    )
    # The east secretary sees it (it reached people in C1); the G3 worker does not.
    assert client.get(f"/api/v1/commands/{cid}", **bearer("east_secretary")).status_code == 200
    assert client.get(f"/api/v1/commands/{cid}", **bearer("g3_worker")).status_code == 404


def test_bad_commands_are_refused(client, crew, bearer, people):
    h = bearer("command")
    base = {"title": "t", "body": "b", "due_at": soon(), "units": ["D-S1-C1-G1"]}
    cases = [
        ({**base, "due_at": soon(-1)}, 400, "due_at"),
        ({**base, "units": []}, 400, "units"),
        ({**base, "units": ["NOPE"]}, 400, "units"),
        ({**base, "units": ["D-S1-C1-G2"]}, 400, "units"),  # nobody holds a post there
        ({**base, "units": [], "people": [999999]}, 400, "people"),
        ({**base, "due_at": "2026-12-01T09:00:00"}, 400, "due_at"),
    ]
    for body, status, field in cases:
        r = post(client, "/api/v1/commands", body, h)
        assert r.status_code == status, (body, r.content)
        assert r.json()["errors"][0]["field"].removeprefix("payload.") == field
    # A grid worker does not issue commands; a secretary cannot reach outside the community.
    assert post(client, "/api/v1/commands", base, bearer("g1_worker")).status_code == 403
    r = post(client, "/api/v1/commands", {**base, "units": ["D-S2-C2"]}, bearer("east_secretary"))
    assert r.status_code == 403  # secretaries do not issue commands at all


def test_late_recipients_are_told_once(command, people):
    later = timezone.now() + dt.timedelta(hours=5)
    assert sweep_overdue(later) == 4
    assert sweep_overdue(later) == 0
    kinds = Notification.objects.filter(person=people["g1_leader"]).values_list("kind", flat=True)
    assert sorted(kinds) == ["command", "overdue"]


def test_command_files_are_checked_by_content_and_served_in_scope(
    client, bearer, command, login, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    settings.MEDIA_ROOT = tmp_path / "media"
    cid = command["id"]
    h = bearer("command")
    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all", content_type="application/pdf")
    r = client.post(f"/api/v1/commands/{cid}/files", {"file": fake}, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "file"
    buf = io.BytesIO()
    Workbook().save(buf)
    sheet = SimpleUploadedFile("名单.xlsx", buf.getvalue())
    r = client.post(f"/api/v1/commands/{cid}/files", {"file": sheet}, **h)
    assert r.status_code == 201, r.content
    [f] = r.json()["files"]
    assert f["name"] == "名单.xlsx"
    r = client.post(
        f"/api/v1/commands/{cid}/files",
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n...")},
        **bearer("g1_worker"),
    )
    assert r.status_code == 403  # only the issuer attaches
    login("g1_worker")  # a recipient downloads it
    response = client.get(f["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == buf.getvalue()
    login("g3_worker")  # someone the command never reached does not
    assert client.get(f["url"]).status_code == 404
