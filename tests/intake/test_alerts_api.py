"""POST /api/v1/intake/alerts: camera AI alerts with a per-system token."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from gridgov.intake.models import ExternalEvent, IntakeSystem
from gridgov.workorders.models import Attachment, Event, Source, WorkOrder
from gridgov.workorders.states import State
from tests.intake.helpers import CST, jpeg

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/alerts"


def new_system(code: str = "cams", kind: str = "camera") -> str:
    out = io.StringIO()
    call_command("intake_system", "create", code, "视频平台", "--kind", kind, stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    return out.getvalue().strip()


@pytest.fixture
def token(crew):
    return new_system()


@pytest.fixture
def at(clock):
    return (clock.now() - dt.timedelta(minutes=30)).astimezone(CST).replace(microsecond=0)


def alert(at, **kw):
    body = {"alert_id": "A1", "kind": "smoke", "camera": "CAM-7", "time": at.isoformat(),
            "lat": 35.2, "lon": 113.05, "confidence": 91.5}  # fmt: skip
    body.update(kw)
    return body


def post(client, body, token=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else body
    return client.post(URL, data, content_type="application/json", **headers)


def test_an_alert_with_its_image_becomes_a_dispatched_event(client, token, at, people):
    image = base64.b64encode(jpeg()).decode()
    r = post(client, alert(at, image=image, kind="muck_truck", title="渣土车未苫盖"), token)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["outcome"] == "created" and body["reference"].startswith("SJ")
    order = WorkOrder.objects.get(event__reference=body["reference"])
    assert order.event.source == Source.CAMERA and order.event.category.code == "road_dust"
    assert order.state == State.DISPATCHED and order.assignee == people["g1_worker"]
    record = ExternalEvent.objects.get()
    assert record.image and Attachment.objects.get(order=order).file == record.image
    assert "image" not in record.raw and record.raw["camera"] == "CAM-7"
    # Asked again by its id: the same answer.
    r = client.get(f"{URL}/A1", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["reference"] == body["reference"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("smoke", "open_burning"),
        ("open_burning", "open_burning"),
        ("muck_truck", "road_dust"),
        ("dust", "construction_dust"),
    ],
)
def test_each_kind_has_its_category(client, token, at, kind, code):
    r = post(client, alert(at, kind=kind), token)
    assert r.status_code == 201
    assert Event.objects.get().category.code == code


def test_the_same_alert_again_and_the_same_camera_and_kind_merge(client, token, at):
    first = post(client, alert(at), token).json()
    again = post(client, alert(at), token)
    assert again.status_code == 200 and again.json()["outcome"] == "repeated"
    soon = post(client, alert(at + dt.timedelta(minutes=5), alert_id="A2"), token)
    assert soon.json()["outcome"] == "merged"
    assert soon.json()["reference"] == first["reference"]
    other_camera = post(client, alert(at, alert_id="A3", camera="CAM-8"), token)
    assert other_camera.json()["outcome"] == "created"
    assert Event.objects.count() == 2 and ExternalEvent.objects.count() == 3


def test_a_point_outside_every_grid(client, token, at):
    r = post(client, alert(at, lat=35.45, lon=113.2), token)
    assert r.status_code == 200 and r.json()["outcome"] == "outside"
    assert r.json()["reference"] is None and Event.objects.count() == 0


def test_without_or_with_a_wrong_token_401(client, crew, at, bearer):
    assert post(client, alert(at)).status_code == 401
    assert post(client, alert(at), "ggi_wrong").status_code == 401
    assert post(client, alert(at), "not-even-prefixed").status_code == 401
    # An account's API token is not a system's.
    headers = bearer("command")
    r = client.post(URL, alert(at), content_type="application/json", **headers)
    assert r.status_code == 401
    # A fire-point system's token does not post camera alerts.
    sat = new_system("sat", "satellite")
    assert post(client, alert(at), sat).status_code == 401
    assert ExternalEvent.objects.count() == 0


def test_a_switched_off_system_or_an_old_token_is_refused(client, token, at):
    call_command("intake_system", "token", "cams", stdout=io.StringIO(), stderr=io.StringIO())
    assert post(client, alert(at), token).status_code == 401
    system = IntakeSystem.objects.get(code="cams")
    fresh = system.issue_token()
    assert post(client, alert(at), fresh).status_code == 201
    call_command("intake_system", "off", "cams", stdout=io.StringIO())
    assert post(client, alert(at, alert_id="B"), fresh).status_code == 401


def test_another_systems_alert_is_the_same_404_as_none(client, token, at):
    other = new_system("cams2")
    assert post(client, alert(at, alert_id="THEIRS"), other).status_code == 201
    mine = client.get(f"{URL}/THEIRS", HTTP_AUTHORIZATION=f"Bearer {token}")
    none = client.get(f"{URL}/NOPE", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert mine.status_code == none.status_code == 404
    assert mine.json() == none.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "ufo"}, "kind"),
        ({"lat": 95}, "lat"),
        ({"lon": "NaN"}, "lon"),
        ({"confidence": "Infinity"}, "confidence"),
        ({"confidence": 250}, "confidence"),
        ({"time": "2026-02-30T10:00:00+08:00"}, "time"),
        ({"time": "1850-01-01T10:00:00+08:00"}, "time"),
        ({"time": 1733600000}, "time"),
        ({"alert_id": "x" * 65}, "alert_id"),
        ({"alert_id": ""}, "alert_id"),
        ({"alert_id": "A\u0000"}, "alert_id"),
        ({"camera": "C\u001b"}, "camera"),
        ({"image": "@@not base64@@"}, "image"),
        ({"image": base64.b64encode(b"GIF89a not an image").decode()}, "image"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_alerts_are_refused_naming_the_field(client, token, at, change, field):
    r = post(client, alert(at, **change), token)
    assert r.status_code == 400, r.content
    fields = [e["field"] for e in r.json()["errors"]]
    assert any(field in f for f in fields), fields
    assert ExternalEvent.objects.count() == 0


def test_a_time_in_the_future_is_refused(client, token, clock):
    r = post(client, alert(clock.now() + dt.timedelta(hours=5)), token)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "time"


@override_settings(GRIDGOV_INTAKE_IMAGE_MAX_BYTES=1000)
def test_an_image_over_the_limit_is_413(client, token, at):
    big = base64.b64encode(jpeg((400, 300)) + b"\0" * 1000).decode()
    r = post(client, alert(at, image=big), token)
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "image"


def test_the_admin_issues_a_token_shown_once(client, crew, at, admin_user):
    system = IntakeSystem.objects.create(code="admin-cams", name="后台创建", kind="camera")
    client.force_login(admin_user)
    r = client.post(
        "/admin/intake/intakesystem/",
        {"action": "issue_token", "_selected_action": [system.pk]},
        follow=True,
    )
    shown = [str(m) for m in r.context["messages"]]
    token = shown[0].rsplit("：", 1)[1]
    assert token.startswith("ggi_")
    assert IntakeSystem.objects.get(pk=system.pk).token_hash != token  # only the hash is kept
    client.logout()
    assert post(client, alert(at), token).status_code == 201


def test_the_command_lists_systems(token):
    out = io.StringIO()
    call_command("intake_system", "list", stdout=out)
    assert "cams\tcamera\tggi_" in out.getvalue() and token not in out.getvalue()
