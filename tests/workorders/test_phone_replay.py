"""The phone's offline queue re-sends a submission whose answer was lost: the server carries
each `submission` key out once and answers the first result (web/receipts.py, the event's own
`submission_key`). An action the order no longer allows — it moved meanwhile — answers 409 with
the reason, which the queue shows as a conflict; a key of another account is refused (400)."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.web.models import SubmissionReceipt
from gridgov.workorders.models import Attachment, Event, WorkOrder
from gridgov.workorders.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buf, "JPEG")
    return SimpleUploadedFile("after.jpg", buf.getvalue(), content_type="image/jpeg")


def actions(order: WorkOrder) -> list[str]:
    return list(order.transitions.order_by("at", "pk").values_list("action", flat=True))


def test_an_action_re_sent_acts_once_and_a_moved_order_is_a_conflict(client, crew, login, report):
    order = report()
    c = login("g1_worker")
    url = f"/orders/m/{order.pk}/"
    sign = {"action": "sign", "submission": "q-sign-1"}
    first, again = c.post(url, sign), c.post(url, sign)  # the answer was lost: sent again
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == url
    assert actions(order).count("sign") == 1
    assert "已签收" in c.get(url).content.decode()  # the first result's message, again

    # Handling with a photo, re-sent: one handling, one photo.
    handle = {"action": "handle", "note": "已苫盖裸土", "submission": "q-handle-1"}
    assert c.post(url, {**handle, "photos": jpeg()}).status_code == 302
    assert c.post(url, {**handle, "photos": jpeg()}).status_code == 302
    assert actions(order).count("handle") == 1
    assert Attachment.objects.filter(order=order, stage="after").count() == 1
    assert WorkOrder.objects.get(pk=order.pk).state == State.HANDLED

    # A new submission of an action the order's state no longer allows: 409 and the reason.
    late = c.post(url, {"action": "sign", "submission": "q-sign-2"})
    assert late.status_code == 409
    assert "不能签收" in late.content.decode()
    assert not SubmissionReceipt.objects.filter(key="q-sign-2").exists()  # nothing kept

    # Another account cannot use (or look through) the key; a bad one names the field.
    other = login("g1_part")
    assert other.post(url, sign).status_code in (400, 404)
    leader = login("g1_leader")
    refused = leader.post(url, {"action": "verify", "submission": "q-sign-1"})
    assert refused.status_code == 400 and "该提交编号已被使用" in refused.content.decode()
    assert leader.post(url, {"action": "verify", "submission": "x" * 41}).status_code == 400
    assert actions(order).count("verify") == 0


def test_plain_form_without_key_still_works(client, crew, login, report):
    order = report()
    c = login("g1_worker")
    r = c.post(f"/orders/m/{order.pk}/", {"action": "sign"})
    assert r.status_code == 302 and not SubmissionReceipt.objects.exists()
    r = c.post(f"/orders/m/{order.pk}/", {"action": "sign"})  # without a key: a real second try
    assert r.status_code == 409


def test_a_report_key_is_the_reporters_own(client, crew, login):
    body = {"category": "road_dust", "lat": "35.2", "lon": "113.05", "submission": "q-rep-1"}
    assert login("g1_worker").post("/orders/m/report/", body).status_code == 302
    assert login("g1_worker").post("/orders/m/report/", body).status_code == 302
    other = login("g1_part").post("/orders/m/report/", body)
    assert other.status_code == 400 and "该提交编号已被使用" in other.content.decode()
    assert Event.objects.filter(submission_key="q-rep-1").count() == 1
    body["submission"] = "q-rep-2"  # another report: another event
    assert login("g1_worker").post("/orders/m/report/", body).status_code == 302
    assert Event.objects.filter(category__code="road_dust").count() == 2


def _racing(monkeypatch, rival):
    """The key's event appears between create_event's look-up and its insert: the check after
    the look-up (`_checked_on_spot`) lets `rival` — another request with the same key — store
    its report first, as a concurrent request committing meanwhile would."""
    from gridgov.workorders import events

    original = events._checked_on_spot
    state = {"raced": False}

    def racing(data, *args, **kwargs):
        if not state["raced"]:
            state["raced"] = True
            events.create_event(data, rival)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(events, "_checked_on_spot", racing)
    return state


def test_a_report_stored_meanwhile_by_the_same_reporter_answers_its_order(
    client, crew, login, monkeypatch
):
    state = _racing(monkeypatch, crew["g1_worker"])
    body = {"category": "road_dust", "lat": "35.2", "lon": "113.05", "submission": "q-race-r"}
    answer = login("g1_worker").post("/orders/m/report/", body)
    assert state["raced"]
    order = WorkOrder.objects.get(event__submission_key="q-race-r")  # one report, not two
    assert answer.status_code == 302  # not "该上报已提交" as a refusal
    assert answer["Location"] == f"/orders/m/{order.pk}/"


def test_a_report_stored_meanwhile_by_another_is_refused(client, crew, login, monkeypatch):
    _racing(monkeypatch, crew["g1_part"])
    body = {"category": "road_dust", "lat": "35.2", "lon": "113.05", "submission": "q-race-o"}
    answer = login("g1_worker").post("/orders/m/report/", body)
    assert answer.status_code == 400
    assert "该提交编号已被使用" in answer.content.decode()
    assert f"/orders/m/{WorkOrder.objects.get().pk}/" not in answer.content.decode()
    assert Event.objects.filter(submission_key="q-race-o").count() == 1
