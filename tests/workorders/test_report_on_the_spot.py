"""The grid worker's own reports: 就地处置 (handled on the spot: dispatched to the reporter,
signed for and handled at once, then 核查 by someone else), a report routed to its own reporter
signed for at creation, and the place in words for the pin maps (/report/where)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.core import evidence
from gridgov.inbox.models import Notification
from gridgov.workorders.models import Attachment, Source, WorkOrder
from gridgov.workorders.services import EventInput, WorkflowError, create_event, perform
from gridgov.workorders.states import State
from tests.workorders.fixtures import G1_POINT, G3_POINT, category

pytestmark = pytest.mark.django_db


def patrol(**kw) -> EventInput:
    lat, lon = kw.pop("point", G1_POINT)
    return EventInput(
        source=kw.pop("source", Source.PATROL),
        category=category("construction_dust"),
        title=kw.pop("title", "工地未苫盖"),
        lat=lat,
        lon=lon,
        **kw,
    )


def trail(order: WorkOrder) -> list[tuple[str, str, str]]:
    return list(
        order.transitions.order_by("at", "pk").values_list("action", "from_state", "to_state")
    )


def png(colour: str = "teal") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, "PNG")
    return buf.getvalue()


# --------------------------------------------------------------------------- service --


def test_handled_on_the_spot_lands_in_handled_with_the_ordinary_steps(crew, people):
    # 赵兼职 (G1's part-time worker) fixes it himself; routing would have sent it to 李专职.
    worker = crew["g1_part"]
    order = create_event(
        patrol(handled_on_spot=True, handling_note="  已督促施工方当场苫盖  "), worker
    )
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.state == State.HANDLED and order.step == "verify"
    assert order.assignee == people["g1_part"] and order.handled_by == people["g1_part"]
    assert order.signed_at is not None and order.handled_at is not None
    assert order.sent_by_unit.code == "D-S1-C1"  # the community verifies
    assert trail(order) == [
        ("create", "", "reported"),
        ("auto_dispatch", "reported", "dispatched"),
        ("sign", "dispatched", "signed"),
        ("handle", "signed", "handled"),
    ]
    handle = order.transitions.get(action="handle")
    assert handle.note == "已督促施工方当场苫盖" and handle.actor == worker
    assert order.transitions.get(action="sign").note == "就地处置：上报人自行签收"
    # Nothing comes back to him to sign for; the community is told to verify.
    assert not Notification.objects.filter(person=people["g1_part"]).exists()
    assert Notification.objects.filter(
        person=people["east_secretary"], kind=Notification.Kind.TO_VERIFY, order=order
    ).exists()
    assert not order.assignee.orders.filter(state=State.DISPATCHED).exists()


def test_the_handler_never_verifies_his_own_on_the_spot_report(crew, people):
    order = create_event(
        patrol(handled_on_spot=True, handling_note="已清理"), crew["east_secretary"]
    )  # a secretary may verify, but not what he handled himself
    assert order.state == State.HANDLED and order.handled_by == people["east_secretary"]
    with pytest.raises(WorkflowError) as info:
        perform(order.pk, "verify", crew["east_secretary"])
    assert info.value.status == 403
    with pytest.raises(WorkflowError) as info:
        perform(order.pk, "verify", crew["g1_part"])  # a grid worker does not verify
    assert info.value.status == 403


def test_someone_else_verifies_an_on_the_spot_report(crew):
    order = create_event(patrol(handled_on_spot=True, handling_note="已清理"), crew["g1_worker"])
    order, t = perform(order.pk, "verify", crew["east_secretary"])
    assert order.state == State.VERIFIED and t.actor == crew["east_secretary"]


def test_on_the_spot_needs_a_note_and_leaves_nothing_when_refused(crew):
    with pytest.raises(WorkflowError) as info:
        create_event(patrol(handled_on_spot=True, handling_note="   "), crew["g1_worker"])
    assert info.value.status == 400 and info.value.field == "handling_note"
    with pytest.raises(WorkflowError) as info:
        create_event(
            patrol(handled_on_spot=True, handling_note="x", source=Source.HOTLINE),
            crew["east_secretary"],
        )
    assert info.value.field == "handled_on_spot"
    with pytest.raises(WorkflowError) as info:  # an account without a person
        create_event(patrol(handled_on_spot=True, handling_note="x"), crew["nobody"])
    assert info.value.field == "handled_on_spot"
    assert not WorkOrder.objects.exists()


def test_after_photos_belong_to_the_handling_step(crew):
    photos = evidence.prepare_photos([SimpleUploadedFile("after.png", png())])
    order = create_event(
        patrol(handled_on_spot=True, handling_note="已清理"), crew["g1_worker"], after_photos=photos
    )
    photo = Attachment.objects.get(order=order)
    assert photo.stage == "after" and photo.transition.action == "handle"
    with pytest.raises(WorkflowError) as info:  # after-photos of a report not handled
        create_event(
            patrol(), crew["g1_worker"],
            after_photos=evidence.prepare_photos([SimpleUploadedFile("a.png", png())]),
        )  # fmt: skip
    assert info.value.field == "after_photos"


def test_a_report_routed_to_its_reporter_is_signed_at_creation(crew, people):
    order = create_event(patrol(), crew["g1_worker"])  # 李专职 is whom G1's reports go to
    assert order.state == State.SIGNED and order.assignee == people["g1_worker"]
    assert trail(order) == [
        ("create", "", "reported"),
        ("auto_dispatch", "reported", "dispatched"),
        ("sign", "dispatched", "signed"),
    ]
    sign = order.transitions.get(action="sign")
    assert sign.actor == crew["g1_worker"] and "自动签收" in sign.note
    assert not Notification.objects.filter(person=people["g1_worker"]).exists()
    # Routed to someone else, it waits for that person's 签收 as before.
    other = create_event(patrol(), crew["g1_part"])
    assert other.state == State.DISPATCHED and other.assignee == people["g1_worker"]
    # Another grid's report by the same worker goes to that grid's person.
    there = create_event(patrol(point=G3_POINT), crew["g1_worker"])
    assert there.state == State.DISPATCHED and there.assignee == people["g3_worker"]


# ---------------------------------------------------------------------- page and API --


def test_phone_report_handled_on_the_spot(client, crew, login):
    login("g1_part")
    r = client.post(
        "/orders/m/report/",
        {
            "category": "construction_dust", "lat": "35.2", "lon": "113.05",
            "description": "工地裸土", "handled_on_spot": "1", "handling_note": "已苫盖",
            "photos": SimpleUploadedFile("before.png", png("grey")),
            "after_photos": SimpleUploadedFile("after.png", png("green")),
        },
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    order = WorkOrder.objects.get()
    assert order.state == State.HANDLED
    assert sorted(order.attachments.values_list("stage", flat=True)) == ["after", "report"]
    page = client.get(r["Location"])
    assert "就地处置" in page.content.decode()


def test_phone_report_on_the_spot_without_a_note_is_refused_naming_the_field(client, crew, login):
    login("g1_part")
    r = client.post(
        "/orders/m/report/",
        {"category": "construction_dust", "lat": "35.2", "lon": "113.05", "handled_on_spot": "1"},
    )
    assert r.status_code == 400
    assert "handling_note" in r.context["form"].errors
    assert "请填写处置情况" in r.content.decode()
    assert not WorkOrder.objects.exists()


def test_phone_report_page_has_the_pin_map_previews_and_the_choice(client, crew, login):
    login("g1_worker")
    html = client.get("/orders/m/report/").content.decode()
    for needle in (
        'id="report-map"', "workorders/pinmap.js", 'data-preview="report-thumbs"',
        'name="handled_on_spot"', 'name="handling_note"', 'name="after_photos"',
    ):  # fmt: skip
        assert needle in html


def test_api_report_handled_on_the_spot(client, crew, bearer):
    body = {
        "source": "patrol", "category": "construction_dust", "title": "工地未苫盖",
        "lat": 35.2, "lon": 113.05, "handled_on_spot": True, "handling_note": "已苫盖",
    }  # fmt: skip
    r = client.post("/api/v1/events", body, content_type="application/json", **bearer("g1_part"))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["state"] == "handled"
    assert [t["action"] for t in out["transitions"]] == [
        "create",
        "auto_dispatch",
        "sign",
        "handle",
    ]
    r = client.post(
        "/api/v1/events", {**body, "handling_note": ""}, content_type="application/json",
        **bearer("g1_worker"),
    )  # fmt: skip
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "handling_note"
    r = client.post(
        "/api/v1/events", {**body, "handled_on_spot": "maybe"}, content_type="application/json",
        **bearer("g1_worker"),
    )  # fmt: skip
    assert r.status_code == 400 and "handled_on_spot" in r.json()["errors"][0]["field"]


# ------------------------------------------------------------------- place in words --


def test_where_names_the_community_and_grid_and_nothing_else(client, crew):
    r = client.get("/report/where", {"lat": "35.2", "lon": "113.05"})
    assert r.status_code == 200
    data = r.json()
    assert data["inside"] is True and data["grid_code"] == "D-S1-C1-G1"
    assert data["community"] and data["grid"] and data["community"] in data["text"]
    codes = {f["properties"]["code"] for f in data["grids"]["features"]}
    assert "D-S1-C1-G1" in codes and all(c.startswith("D-S1-C1-") for c in codes)
    text = r.content.decode()
    for private in ("李专职", "张网格", "139", "phone", "person"):
        assert private not in text
    outside = client.get("/report/where", {"lat": "10", "lon": "10"}).json()
    assert outside == {"inside": False, "text": "不在本区范围内"}
    bad = client.get("/report/where", {"lat": "north", "lon": "113"})
    assert bad.status_code == 400 and bad.json()["field"] == "lat"
    bad = client.get("/report/where", {"lat": "95", "lon": "113"})
    assert bad.status_code == 400 and bad.json()["field"] == "lat"
