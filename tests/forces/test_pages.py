"""The forces and supplies pages: scoped lists, a force with its roster (phones only in
scope), the request form, approval and hand-over on the request page, 403/404 as elsewhere."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.forces import depot_stock, force_members
from gridgov.forces.models import SupplyRequest

pytestmark = pytest.mark.django_db


def test_force_pages_are_scoped_and_show_phones_only_in_scope(login, place, people, users):
    today = timezone.localdate()
    force_members.set_duty(
        users["command"], place.office.pk, today, "night", people["g3_worker"].pk
    )
    client = login("s1_official")
    page = client.get("/forces/").content.decode()
    assert "大气污染防治攻坚办" in page and "西街道扬尘治理专班" not in page
    assert "王兼职" in page  # seconded to 东街道
    detail = client.get(f"/forces/{place.office.pk}/").content.decode()
    assert "王兼职" in detail and people["g3_worker"].phone not in detail
    assert client.get(f"/forces/{place.west_force.pk}/").status_code == 404
    client = login("command")
    assert people["g3_worker"].phone in client.get(f"/forces/{place.office.pk}/").content.decode()
    assert login("g1_leader").get("/forces/").status_code == 403


def test_request_form_then_approve_and_hand_over_on_pages(login, place):
    client = login("east_secretary")
    r = client.post("/supplies/", {"kind": place.fog.pk, "unit": place.east_depot.owner.pk,
                                   "quantity": "1", "reason": "夜间施工"})  # fmt: skip
    assert r.status_code == 200 and SupplyRequest.objects.count() == 0  # 东街道 is not C1's
    from gridgov.territory.models import Region

    c1 = Region.objects.get(code="D-S1-C1")
    r = client.post("/supplies/", {"kind": place.fog.pk, "unit": c1.pk, "quantity": "2",
                                   "reason": "夜间施工"})  # fmt: skip
    req = SupplyRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/supplies/requests/{req.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "夜间施工" in page and "approve" not in page  # a community cannot act
    assert client.post(f"/supplies/requests/{req.pk}/approve/", {}).status_code == 403
    command = login("command")
    r = command.post(f"/supplies/requests/{req.pk}/approve/",
                     {"depot": place.district_depot.pk, "quantity": "9"})  # fmt: skip
    assert r.status_code == 200 and "批准数量不能超过申请数量" in r.content.decode()
    r = command.post(f"/supplies/requests/{req.pk}/approve/", {"depot": place.district_depot.pk})
    assert r.status_code == 302
    r = command.post(f"/supplies/requests/{req.pk}/handover/", {"received_by": "东书记"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "handed_over"
    assert depot_stock.balance(place.district_depot.pk, place.fog.pk) == 3
    page = command.get("/supplies/").content.decode()
    assert "东一社区" in page and "区应急物资库" in page
    book = load_workbook(io.BytesIO(command.get("/supplies/export.xlsx").content))
    assert [ws.max_row for ws in book.worksheets] == [4, 2, 2]  # 3 stock rows, 1, 1


def test_supplies_page_for_each_role(login, place):
    assert "东街道物资点" in login("east_secretary").get("/supplies/").content.decode()
    assert "区应急物资库" not in login("west_secretary").get("/supplies/").content.decode()
    assert login("g1_leader").get("/supplies/").status_code == 403
    assert login("command").get("/supplies/requests/999/").status_code == 404
    assert dt.date.today()  # pages use the server's day
