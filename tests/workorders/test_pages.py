"""The work-order pages: desk, order, entry, commands, statistics, the phone pages and the
public page — rendered, scoped, and acting through the same services as the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.workorders.models import Attachment, Event, WorkOrder
from gridgov.workorders.states import State
from tests.workorders.fixtures import G3_POINT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buf, "JPEG")
    return buf.getvalue()


def test_desk_lists_only_orders_in_scope(client, crew, login, report):
    mine = report(title="东边的工地")
    report(point=G3_POINT, title="西边的工地")
    login("east_secretary")
    page = client.get("/orders/?queue=working").content.decode()
    assert "东边的工地" in page and "西边的工地" not in page
    assert mine.event.reference in page
    assert (
        client.get(f"/orders/{WorkOrder.objects.exclude(pk=mine.pk).get().pk}/").status_code == 404
    )


def test_order_page_actions_and_timeline(client, crew, login, report):
    order = report()
    login("g1_worker")
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "签收" in page and "流转记录" in page
    r = client.post(f"/orders/{order.pk}/", {"action": "sign"})
    assert r.status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).state == State.SIGNED
    r = client.post(f"/orders/{order.pk}/", {"action": "verify"})
    assert r.status_code == 200 and "不能" in r.content.decode()  # refused, shown, nothing changed
    r = client.post(
        f"/orders/{order.pk}/",
        {"action": "handle", "note": "已苫盖", "photos": SimpleUploadedFile("a.jpg", jpeg())},
    )
    assert r.status_code == 302
    photo = Attachment.objects.get(order=order)
    assert photo.stage == "after" and photo.transition.action == "handle"  # evidence of the step


def test_header_shows_unread_notices(client, crew, login, report):
    report()  # a new order for 李专职 (g1_worker)
    login("g1_worker")
    page = client.get("/orders/").content.decode()
    assert 'class="inbox-link"' in page and '<b class="count">1</b>' in page
    client.post("/orders/m/inbox/")  # all read
    assert '<b class="count">' not in client.get("/orders/").content.decode()


def test_phone_home_says_its_count_is_unread_messages(client, crew, login, report):
    """The number beside 我的任务 counts messages, not tasks: a bell and a label say so."""
    report()
    login("g1_worker")
    page = client.get("/orders/m/").content.decode()
    assert 'title="1 条未读消息" aria-label="1 条未读消息"><i class="ico ico-bell"' in page
    client.post("/orders/m/inbox/")
    assert "条未读消息" not in client.get("/orders/m/").content.decode()


def test_bulk_accept_and_dispatch_from_the_desk(client, crew, login, report):
    orders = [report(source="hotline", title=f"热线{i}") for i in range(3)]
    login("east_secretary")
    ids = [o.pk for o in orders]
    client.post("/orders/?queue=todo", {"ids": ids, "action": "accept"})
    client.post("/orders/?queue=todo", {"ids": ids, "action": "dispatch"})
    assert set(WorkOrder.objects.values_list("state", flat=True)) == {State.DISPATCHED}


def test_hotline_entry(client, crew, login):
    login("east_secretary")
    assert client.get("/orders/new/").status_code == 200
    r = client.post(
        "/orders/new/",
        {"source": "hotline", "category": "neighbour_dispute", "title": "楼上漏水纠纷",
         "lat": "35.2", "lon": "113.05", "contact_name": "刘女士", "contact_phone": "13811112222"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    e = Event.objects.get()
    assert e.source == "hotline" and e.order.state == State.REPORTED
    r = client.post(
        "/orders/new/",
        {
            "source": "hotline",
            "category": "neighbour_dispute",
            "title": "x",
            "lat": "30",
            "lon": "100",
        },
    )
    assert r.status_code == 200 and "outside" in r.content.decode()
    assert Event.objects.count() == 1


def test_phone_tasks_sorted_by_urgency_and_report_once(client, crew, login, report):
    now = timezone.now()
    calm = report(code="sanitation", title="平常的", now=now)
    late = report(code="straw_burning", title="着火了", now=now - dt.timedelta(hours=1))
    from gridgov.workorders.sweep import sweep

    sweep()
    login("g1_worker")
    page = client.get("/orders/m/").content.decode()
    assert page.index("着火了") < page.index("平常的")
    assert "超期" in page
    body = {"category": "road_dust", "lat": "35.2", "lon": "113.05", "submission": "k-123"}
    r1 = client.post("/orders/m/report/", body)
    r2 = client.post("/orders/m/report/", body)  # the same report re-sent after a lost answer
    assert r1.status_code == r2.status_code == 302
    assert Event.objects.filter(category__code="road_dust").count() == 1
    assert client.get("/orders/m/inbox/").status_code == 200
    del calm, late


def test_phone_home_links_the_grids_other_registrations(client, crew, login):
    login("g1_worker")
    page = client.get("/orders/m/").content.decode()
    for url in ("/mediation/m/new/", "/mediation/m/followups/", "/customs/m/new/",
                "/organisations/m/volunteer/"):  # fmt: skip
        assert f'href="{url}"' in page, url
    login("nobody")  # no post, no permission: none of them
    page = client.get("/orders/m/").content.decode()
    assert "/mediation/m/new/" not in page and "/customs/m/new/" not in page


def test_public_report_and_tracking_show_no_personal_data(client, crew):
    r = client.get("/report/")
    assert r.status_code == 200 and "我要反映" in r.content.decode()
    r = client.post(
        "/report/",
        {"category": "construction_dust", "lat": "35.2", "lon": "113.05",
         "description": "夜间施工扬尘严重", "contact_phone": "13899998888",
         "photos": SimpleUploadedFile("p.jpg", jpeg())},
    )  # fmt: skip
    assert r.status_code == 200
    e = Event.objects.get()
    assert e.reference in r.content.decode() and e.source == "citizen"
    assert Attachment.objects.filter(order=e.order).count() == 1
    page = client.get(f"/report/track/?ref={e.reference}").content.decode()
    assert "待受理" in page and "13899998888" not in page
    assert "没有找到" in client.get("/report/track/?ref=NOPE").content.decode()
    # Internal categories are not offered; bad places are refused with the form kept.
    r = client.post("/report/", {"category": "air_quality_alarm", "lat": "35.2", "lon": "113.05",
                                 "description": "测试测试"})  # fmt: skip
    assert r.status_code == 200 and Event.objects.count() == 1
    assert client.get("/report/area.geojson").json()["features"]


def test_public_report_is_rate_limited(client, crew, settings):
    body = {"category": "sanitation", "lat": "35.2", "lon": "113.05", "description": "垃圾堆积多日"}
    for _ in range(10):
        client.post("/report/", body)
    r = client.post("/report/", body)
    assert "频繁" in r.content.decode()
    assert Event.objects.count() == 10
    # Behind a proxy each client counts on its own, by the configured header.
    settings.GRIDGOV_CLIENT_IP_HEADER = "X-Real-IP"
    r = client.post("/report/", body, HTTP_X_REAL_IP="203.0.113.7")
    assert "频繁" not in r.content.decode() and Event.objects.count() == 11


def test_commands_pages(client, crew, login, people):
    login("command")
    due = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        "/orders/commands/",
        {"title": "检查工地苫盖", "body": "今日内完成", "due_at": due, "units": ["D-S1-C1-G1"]},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    page = client.get(r["Location"]).content.decode()
    assert "李专职" in page and "未签收" in page
    login("g1_worker")
    client.post(r["Location"], {"do": "acknowledge"})
    login("command")
    page = client.get(r["Location"]).content.decode()
    pending = page.split("未签收")[1].split("</section>")[0]
    assert "李专职" not in pending and "张网格" in pending


def test_stats_page_and_english(client, crew, login, report):
    report()
    login("command")
    assert "工单办理统计" in client.get("/orders/stats/?by=community&min_orders=1").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/orders/").content.decode()
    assert "Work orders" in page
    assert "Ongoing" in page and "办理中" not in page  # the queue labels, per request
    assert "Construction-site dust" in page  # the category's own English name


def test_admin_lists_orders_in_scope_read_only(client, crew, login, report):
    mine = report(title="东边")
    report(point=G3_POINT, title="西边")
    login("east_secretary")
    page = client.get("/admin/workorders/workorder/").content.decode()
    assert mine.event.reference in page and "西边" not in page
    r = client.post(f"/admin/workorders/workorder/{mine.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403 and WorkOrder.objects.filter(pk=mine.pk).exists()
    login("command")
    assert client.get("/admin/workorders/category/").status_code == 200


def test_issue_a_command_with_a_document_from_the_page(client, crew, login, tmp_path, settings):
    from gridgov.inbox.models import CommandAttachment

    settings.MEDIA_ROOT = tmp_path / "media"
    login("command")
    due = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        "/orders/commands/",
        {
            "title": "发布方案",
            "body": "见附件",
            "due_at": due,
            "units": ["D-S1-C1"],
            "documents": [SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n")],
        },
    )
    assert r.status_code == 302
    assert CommandAttachment.objects.get().original_name == "方案.pdf"
    assert "方案.pdf" in client.get(r["Location"]).content.decode()


def test_the_enforcement_action_on_an_order_reads_open_an_enforcement_case(
    client, crew, login, report
):
    """The link that opens an enforcement case reads 转执法立案; a bare 立案 on the order page is
    only the hotline order's own 立案 step (to 已立案), never the enforcement case."""
    import re

    from django.urls import reverse

    from gridgov.workorders.models import Source

    new_case = reverse("enforcement:new")
    login("command")
    patrol, hotline = report(), report(source=Source.HOTLINE, title="热线反映工地扬尘")
    assert patrol.state == State.DISPATCHED and hotline.state == State.REPORTED
    for order in (patrol, hotline):
        page = client.get(f"/orders/{order.pk}/").content.decode()
        links = re.findall(
            rf'<a class="button" href="{new_case}\?order={order.pk}">([^<]+)</a>', page
        )
        assert links == ["转执法立案"]
        bare = re.findall(r"<(a|button)\b[^>]*>\s*立案\s*</(?:a|button)>", page)
        if order.state == State.REPORTED:
            # the hotline order's acceptance: a form posting action=accept
            assert bare == ["button"]
            assert re.search(
                r'value="accept">.*?<button class="btn-accept">立案</button>', page, re.S
            )
        else:
            assert bare == []
