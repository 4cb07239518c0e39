"""The meeting pages: the list, a meeting with its decisions' state and commands, the forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.meetings import services
from gridgov.meetings.models import Meeting
from tests.meetings.conftest import deadline

pytestmark = pytest.mark.django_db


def test_the_command_office_convenes_records_and_issues_on_the_pages(
    client, login, officials, users
):
    login("command")
    assert client.get("/meetings/new/").status_code == 200
    start = timezone.localtime() - dt.timedelta(hours=1)
    r = client.post(
        "/meetings/new/",
        {
            "title": "秋冬季攻坚调度会",
            "kind": "dispatch",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "place": "三楼会议室",
            "convener": "D",
            "attend_units": ["D-S1", "D-S2"],
            "agenda": "通报\n表态",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    m = Meeting.objects.get()
    assert m.attendees.count() == 2 and m.agenda.count() == 2
    page = f"/meetings/{m.pk}/"
    client.post(
        f"{page}statements/",
        {"unit": "D-S1", "text": "保证完成", "commitments": "苫盖 | 2099-01-01\n洒水"},
    )
    assert m.statements.get().commitments.count() == 2
    client.post(
        f"{page}decisions/", {"text": "夜查", "owners": ["D-S1"], "deadline": str(deadline())}
    )
    client.post(
        f"{page}attendance/", {"presence_0": "present", "presence_1": "absent", "note_1": "未到"}
    )
    assert sorted(m.attendees.values_list("presence", flat=True)) == ["absent", "present"]
    client.post(f"{page}hold/")
    client.post(f"{page}issue/")
    m.refresh_from_db()
    assert m.state == "issued"
    d = m.decisions.get()
    html = client.get(page).content.decode()
    assert f"/orders/commands/{d.command_id}/" in html and "办理中" in html
    assert "保证完成" in html
    r = client.get(f"{page}minutes.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert client.get(f"{page}minutes.pdf").content.startswith(b"%PDF")
    assert client.get(f"{page}minutes.txt").status_code == 404


def test_a_bad_form_names_the_field(client, login, officials):
    login("command")
    r = client.post(
        "/meetings/new/",
        {
            "title": "x" * 121,
            "kind": "dispatch",
            "starts_at": "2026-11-01T09:00",
            "place": "p",
            "convener": "D",
        },
    )
    assert r.status_code == 200 and "title" in r.context["form"].errors


def test_the_list_shows_only_meetings_in_scope(client, login, convene):
    convene(title="东边的会", attendees=[services.AttendeeInput(unit="D-S1")])
    convene(title="西边的会", attendees=[services.AttendeeInput(unit="D-S2")], kind="topical")
    login("east_secretary")
    html = client.get("/meetings/").content.decode()
    assert "东边的会" not in html and "西边的会" not in html  # a community: neither
    login("s1_official")
    html = client.get("/meetings/").content.decode()
    assert "东边的会" in html and "西边的会" not in html
    assert client.get("/meetings/new/").status_code == 200  # a street office convenes its own
    login("g1_leader")
    assert client.get("/meetings/new/").status_code == 403
