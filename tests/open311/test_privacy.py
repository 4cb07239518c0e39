"""Privacy by default: Open311 lists only what came from the public (or an official marked
public); published text masks phone and ID numbers; a citizen's point is rounded; the tracking
page follows the same rule; the responsible unit is named as soon as the place is located."""

from __future__ import annotations

import json

import pytest

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
