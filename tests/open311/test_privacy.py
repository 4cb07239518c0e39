"""Privacy by default: Open311 lists only what came from the public (or an official marked
public); published text masks phone and ID numbers, names (the roster's, the reporter's, a name
introduced as one) and the number of a building, unit or room; a citizen's point is rounded;
the tracking page follows the same rule; the responsible unit is named as soon as the place is
located."""

from __future__ import annotations

import json

import pytest

from gridgov.people import names
from gridgov.people.models import Person
from gridgov.workorders.models import Event, Source
from gridgov.workorders.publication import mask_personal, rounded
from gridgov.workorders.services import WorkflowError, set_public
from tests.workorders.fixtures import G1_POINT

pytestmark = pytest.mark.django_db

TEXT = "张三 13812345678 说工地扬尘，身份证 410802199001011232，座机 0391-2345678"


def test_mask_personal_numbers():
    masked = mask_personal(TEXT)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "410802199001011232" not in masked and "410802********1232" in masked
    assert "2345678" not in masked and "0391-****5678" in masked
    assert (
        mask_personal("PM2.5 为 115 微克，编号 SJ261127ABCDE")
        == "PM2.5 为 115 微克，编号 SJ261127ABCDE"
    )


def test_open311_lists_only_public_requests(client, crew, report):
    patrol = report(title="内部巡查")
    hotline = report(source=Source.HOTLINE, user=crew["command"], title="来电", description=TEXT)
    citizen = report(source=Source.CITIZEN, description=TEXT, point=(35.20123, 113.05077))
    data = json.loads(client.get("/open311/v2/requests.json").content)
    assert [r["service_request_id"] for r in data] == [citizen.event.reference]
    (item,) = data
    assert "13812345678" not in item["description"] and "410802199001011232" not in json.dumps(data)
    assert (
        (item["lat"], item["long"]) == (rounded(35.20123), rounded(113.05077)) == (35.201, 113.051)
    )
    assert item["agency_responsible"]  # named while the order still waits for the desk
    # An official marks the patrol event public: it is listed too.
    set_public(patrol.event_id, True, crew["command"])
    listed = {
        r["service_request_id"] for r in json.loads(client.get("/open311/v2/requests.json").content)
    }
    assert listed == {citizen.event.reference, patrol.event.reference}
    # A hotline caller may follow their call by its number, but it is never listed.
    one = client.get(f"/open311/v2/requests/{hotline.event.reference}.json")
    assert one.status_code == 200 and "13812345678" not in one.content.decode()


def test_tracking_page_follows_the_same_rule(client, crew, report):
    citizen = report(source=Source.CITIZEN, description=TEXT, address="幸福路 13812345678 家门口")
    page = client.get("/report/track/", {"ref": citizen.event.reference}).content.decode()
    assert "13812345678" not in page and "138****5678" in page
    patrol = report(title="内部巡查")
    page = client.get("/report/track/", {"ref": patrol.event.reference}).content.decode()
    assert "内部巡查" not in page and "没有找到该编号" in page


def test_internal_events_are_404_on_open311(client, crew, report):
    patrol = report(title="内部巡查", point=G1_POINT)
    assert client.get(f"/open311/v2/requests/{patrol.event.reference}.json").status_code == 404


def test_only_the_desk_marks_events_public_and_it_is_recorded(client, crew, login, report):
    patrol = report(title="内部巡查")
    with pytest.raises(WorkflowError) as refused:
        set_public(patrol.event_id, True, crew["g1_worker"])
    assert refused.value.status == 403
    citizen = report(source=Source.CITIZEN, description="群众反映扬尘问题")
    with pytest.raises(WorkflowError):
        set_public(citizen.event_id, False, crew["command"])
    c = login("command")
    r = c.post(f"/orders/{patrol.pk}/public/", {"public": "1"})
    assert r.status_code == 302
    assert Event.objects.get(pk=patrol.event_id).public
    assert patrol.transitions.filter(action="publish").exists()


# --- names and the fine part of addresses (issue 20) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("工地扬尘严重，联系人：王建国 13812345678", "工地扬尘严重，联系人：王** 138****5678"),
        ("我是李明，住在3号楼", "我是李*，住在*号楼"),
        ("我是李明，电话13812345678", "我是李*，电话138****5678"),
        ("我叫欧阳小明住在幸福小区3号楼2单元301室", "我叫欧阳**住在幸福小区*号楼*单元*室"),
        ("姓名：赵四，反映夜间施工", "姓名：赵*，反映夜间施工"),
        ("报告人 孙悦 反映垃圾未清运", "报告人 孙* 反映垃圾未清运"),
        ("本人张三在建设路88号门口发现", "本人张*在建设路*号门口发现"),
        ("建国路12号院三号楼二单元", "建国路*号院*号楼*单元"),
        ("A座5层有油烟", "*座*层有油烟"),
    ],
)
def test_mask_personal_names_and_address_detail(db, text, masked):
    assert mask_personal(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "建设路工地",
        "我是高新区居民，工地夜间施工",
        "我是王府井的商户",
        "我是周边居民",
        "本人于昨天发现有人焚烧秸秆",
        "我是这里的住户",
        "我是一名环卫工人",
        "联系人王先生",
        "3号线地铁施工扬尘",
        "3月15号晚上施工",
        "2026年3月，西街道某居民在院内露天焚烧生活垃圾",
        "PM2.5 为 115 微克，编号 SJ261127ABCDE",
        "建国路与人民路交叉口工地未苫盖",
        "办公室门口有积水",
    ],
)
def test_mask_personal_leaves_places_and_words(db, text):
    assert mask_personal(text) == text


def test_roster_and_own_names_are_masked(crew):
    Person.objects.create(name="王建国", phone="13900000099")
    assert mask_personal("网格员李专职和王建国到场，王建国家门口") == (
        "网格员李**和王**到场，王**家门口"
    )
    assert mask_personal("王建国路口") == "王建国路口"  # a place goes on from the name
    # The event's own people: a Chinese name with or without a space, a Latin one by its parts.
    assert mask_personal("陈小红说工地扬尘", ["陈 小红"]) == "陈**说工地扬尘"
    assert mask_personal("John Smith called", ["Smith John"]) == "J*** S**** called"
    # The roster is read again when a person is saved (this process) or deleted.
    Person.objects.create(name="钱多多", phone="13900000098")
    assert mask_personal("钱多多反映") == "钱**反映"
    Person.objects.filter(name="钱多多").delete()
    names.clear_cache()  # a queryset delete sends no signal per row: other processes re-read
    assert mask_personal("钱多多反映") == "钱多多反映"


SECRET_TEXT = "我是李明，联系人王建国，网格员李专职说过，住在幸福小区3号楼2单元301室"
SECRETS = ("李明", "王建国", "李专职", "陈小红", "3号楼", "2单元", "301室", "13812345678")


def test_names_and_rooms_never_reach_a_public_door(client, crew, report):
    Person.objects.create(name="王建国", phone="13900000099")
    citizen = report(
        source=Source.CITIZEN,
        description=SECRET_TEXT + "，电话13812345678",
        address="幸福小区3号楼2单元301室 陈小红家",
        contact_name="陈小红",
    )
    hotline = report(
        source=Source.HOTLINE,
        user=crew["command"],
        description="来电人陈小红反映楼道堆物",
        address="幸福小区3号楼2单元301室",
        contact_name="陈小红",
    )
    ref, hot = citizen.event.reference, hotline.event.reference
    pages = [
        client.get("/report/track/", {"ref": ref}).content.decode(),
        client.get("/report/track/", {"ref": hot}).content.decode(),
        client.get("/open311/v2/requests.json").content.decode(),
        client.get("/open311/v2/requests.xml").content.decode(),
        client.get(f"/open311/v2/requests/{ref}.json").content.decode(),
        client.get(f"/open311/v2/requests/{hot}.xml").content.decode(),
    ]
    for page in pages:
        for secret in SECRETS:
            assert secret not in page, secret
    (item,) = json.loads(pages[2])
    assert item["description"].startswith("我是李*，联系人王**，网格员李**说过，住在幸福小区*号楼")
    assert item["address"] == "幸福小区*号楼*单元*室 陈**家"
    assert "幸福小区*号楼*单元*室" in pages[1]  # the hotline's address keeps its estate
