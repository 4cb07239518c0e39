"""The alarm desk: counts by state and rule, filters (unit, rule, state, station), open first and
newest first, pages, groups, the order each alarm made, and bulk acknowledgement — scoped, all
or nothing; the single acknowledgement still works. Page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.air import alarm_queries as q
from gridgov.air.models import Alarm, AlarmKind, AlarmRule, Station
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.receivers import event_for_alarm


def _now() -> dt.datetime:
    """Now from the test clock (tests/conftest.py)."""
    return timezone.now()


@pytest.fixture
def desk(territory, people):
    """Two stations in 东街道's community C1 (grids G1, G2) and one in 西街道 (G3); two rules;
    alarms of every state; the first alarm of each station made an order."""
    rules = {
        "pm25": AlarmRule.objects.create(
            name="测试PM2.5超标", kind=AlarmKind.THRESHOLD, threshold=1
        ),
        "jump": AlarmRule.objects.create(name="测试突升", kind=AlarmKind.JUMP, threshold=1),
    }
    stations = {
        code: Station.objects.create(
            code=code, name=name, kind="micro", lat=35.2, lon=lon, grid=territory[grid]
        )
        for code, name, lon, grid in [
            ("A1", "甲站", 113.05, "D-S1-C1-G1"),
            ("A2", "乙站", 113.15, "D-S1-C1-G2"),
            ("W1", "西站", 113.3, "D-S2-C2-G3"),
        ]
    }

    def alarm(station, rule, hours_ago, state="open", pollutant="pm25"):
        started = _now() - dt.timedelta(hours=hours_ago)
        return Alarm.objects.create(
            station=stations[station],
            grid=stations[station].grid,
            rule=rules[rule],
            pollutant=pollutant,
            value=150,
            started_at=started,
            last_seen_at=started,
            ended_at=started + dt.timedelta(minutes=30) if state == "ended" else None,
            acknowledged_at=_now() if state == "acknowledged" else None,
        )

    alarms = {
        "a1_open_old": alarm("A1", "pm25", 5),
        "a1_ack": alarm("A1", "jump", 3, "acknowledged"),
        "a1_ended": alarm("A1", "pm25", 1, "ended", pollutant="pm10"),
        "a2_open_new": alarm("A2", "pm25", 2),
        "w1_open": alarm("W1", "pm25", 4),
    }
    event_for_alarm(alarms["a1_open_old"])
    event_for_alarm(alarms["w1_open"])
    return {"rules": rules, "stations": stations, "alarms": alarms}


def test_counts_by_state_and_rule(desk, users):
    c = q.counts(q.alarms_for(users["command"]))
    assert c["state"] == {"open": 3, "acknowledged": 1, "ended": 1} and c["total"] == 5
    by_rule = {r["rule__name"]: (r["total"], r["open"]) for r in c["rule"]}
    assert by_rule == {"测试PM2.5超标": (4, 3), "测试突升": (1, 0)}


def test_open_first_then_newest_first(desk, users):
    rows = list(q.ordered(q.filtered(q.alarms_for(users["command"]), q.AlarmFilter(state=q.ALL))))
    a = desk["alarms"]
    assert [r.pk for r in rows] == [
        a["a2_open_new"].pk,
        a["w1_open"].pk,
        a["a1_open_old"].pk,
        a["a1_ack"].pk,
        a["a1_ended"].pk,
    ]


def test_filters_by_unit_rule_state_and_station(desk, users, territory):
    qs = q.alarms_for(users["command"])
    a = desk["alarms"]
    east = q.filtered(qs, q.AlarmFilter(unit=territory["D-S1"], state=q.ALL))
    assert {x.pk for x in east} == {
        a[k].pk for k in ("a1_open_old", "a1_ack", "a1_ended", "a2_open_new")
    }
    jump = q.filtered(qs, q.AlarmFilter(rule=desk["rules"]["jump"], state=q.ALL))
    assert [x.pk for x in jump] == [a["a1_ack"].pk]
    live = q.filtered(qs, q.AlarmFilter(station=desk["stations"]["A1"]))
    assert {x.pk for x in live} == {a["a1_open_old"].pk, a["a1_ack"].pk}
    ended = q.filtered(qs, q.AlarmFilter(state=q.ENDED))
    assert [x.pk for x in ended] == [a["a1_ended"].pk]


def test_each_alarm_links_to_its_order_or_says_it_has_none(desk, users):
    a = desk["alarms"]
    orders = q.orders_of(users["east_secretary"], [a["a1_open_old"], a["a2_open_new"]])
    order = WorkOrder.objects.get(event__alarm=a["a1_open_old"])
    assert orders[a["a1_open_old"].pk].id == order.pk and orders[a["a1_open_old"].pk].visible
    assert orders[a["a2_open_new"].pk] is None


def test_groups_follow_the_sorted_list(desk, users):
    rows = list(q.ordered(q.alarms_for(users["command"]).filter(ended_at__isnull=True), "station"))
    groups = q.grouped(rows, "station")
    assert [g.key for g in groups] == ["A1", "A2", "W1"]
    assert [len(g.alarms) for g in groups] == [2, 1, 1]
    by_rule = q.grouped(list(q.ordered(q.alarms_for(users["command"]), "rule")), "rule")
    assert [g.label for g in by_rule] == ["测试PM2.5超标", "测试突升"]


def test_bulk_acknowledge_all_or_nothing_in_scope(desk, users):
    a = desk["alarms"]
    mine = [a["a1_open_old"].pk, a["a2_open_new"].pk]
    with pytest.raises(q.AlarmsNotVisible) as refused:
        q.acknowledge_many(users["east_secretary"], [*mine, a["w1_open"].pk], "已安排")
    assert refused.value.ids == [a["w1_open"].pk]
    assert not Alarm.objects.filter(pk__in=mine, acknowledged_at__isnull=False).exists()
    with pytest.raises(q.AlarmsNotVisible):
        q.acknowledge_many(users["east_secretary"], [*mine, 999_999], "")
    done, changed = q.acknowledge_many(users["east_secretary"], [*mine, a["a1_ack"].pk], "已安排")
    assert changed == 2 and len(done) == 3
    for pk in mine:
        alarm = Alarm.objects.get(pk=pk)
        assert alarm.note == "已安排" and alarm.acknowledged_by == users["east_secretary"]
    assert Alarm.objects.get(pk=a["a1_ack"].pk).note == ""  # the first acknowledgement stays


def test_bulk_note_too_long_is_refused_not_cut(desk, users):
    from gridgov.inputs import InputError

    with pytest.raises(InputError) as refused:
        q.acknowledge_many(users["command"], [desk["alarms"]["w1_open"].pk], "长" * 201)
    assert refused.value.field == "note"
    assert Alarm.objects.get(pk=desk["alarms"]["w1_open"].pk).acknowledged_at is None


# --- the page -----------------------------------------------------------------------------


def test_page_counts_groups_links_and_paginates(desk, login, users):
    client = login("command")
    html = client.get("/air/alarms/").content.decode()
    order = WorkOrder.objects.get(event__alarm=desk["alarms"]["w1_open"])
    assert f'href="/orders/{order.pk}/"' in html and order.event.reference in html
    assert "未生成工单" in html
    assert html.count('name="ids"') == 3  # the open ones, not the acknowledged one
    assert 'href="/air/station/A1/"' in html
    for k in range(60):
        started = _now() - dt.timedelta(days=2, minutes=k)
        Alarm.objects.create(
            station=desk["stations"]["A2"],
            rule=desk["rules"]["jump"],
            pollutant=f"x{k}",
            started_at=started,
            last_seen_at=started,
            ended_at=started,
        )
    page1 = client.get("/air/alarms/?state=all&group=none").content.decode()
    assert "第 1 / 2 页，共 65 条" in page1
    page2 = client.get("/air/alarms/?state=all&group=none&page=2").content.decode()
    assert page2.count('<tr class="state-ended">') == 15


def test_page_filters_are_scoped(desk, login, territory):
    client = login("east_secretary")
    html = client.get("/air/alarms/?state=all").content.decode()
    assert "甲站" in html and "西站" not in html
    assert client.get("/air/alarms/?unit=D-S2").status_code == 404  # not theirs
    assert client.get("/air/alarms/?unit=NOPE").status_code == 404
    assert client.get("/air/alarms/?station=W1").status_code == 404
    assert client.get("/air/alarms/?rule=abc").status_code == 400
    rule = desk["rules"]["jump"].pk
    only = client.get(f"/air/alarms/?rule={rule}&state=all&unit=D-S1-C1").content.decode()
    assert "测试突升" in only and only.count('<tr class="state-') == 1


def test_page_bulk_acknowledge_and_refusal(desk, login):
    a = desk["alarms"]
    client = login("east_secretary")
    refused = client.post(
        "/air/alarms/acknowledge/",
        {"ids": [a["a1_open_old"].pk, a["w1_open"].pk], "note": "巡查"},
    )
    assert refused.status_code == 404
    assert Alarm.objects.get(pk=a["a1_open_old"].pk).acknowledged_at is None
    response = client.post(
        "/air/alarms/acknowledge/",
        {
            "ids": [a["a1_open_old"].pk, a["a2_open_new"].pk],
            "note": "巡查",
            "back": "state=all&x=1",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/air/alarms/?state=all"
    assert Alarm.objects.filter(note="巡查", acknowledged_at__isnull=False).count() == 2
    assert client.post("/air/alarms/acknowledge/", {"ids": ["1x"]}).status_code == 400
    empty = client.post("/air/alarms/acknowledge/", {"note": "x"})
    assert empty.status_code == 302


def test_single_acknowledge_still_works_and_is_scoped(desk, login):
    a = desk["alarms"]
    client = login("east_secretary")
    assert client.post(f"/air/alarms/{a['w1_open'].pk}/acknowledge/").status_code == 404
    response = client.post(f"/air/alarms/{a['a2_open_new'].pk}/acknowledge/", {"note": "已看"})
    assert response.status_code == 302
    assert Alarm.objects.get(pk=a["a2_open_new"].pk).note == "已看"


# --- the API ------------------------------------------------------------------------------


def test_api_bulk_acknowledge(desk, login):
    a = desk["alarms"]
    client = login("east_secretary")
    refused = client.post(
        "/api/v1/alarms/acknowledge",
        {"ids": [a["a1_open_old"].pk, a["w1_open"].pk], "note": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 404 and refused.json()["errors"][0]["field"] == "ids"
    assert not Alarm.objects.filter(acknowledged_at__isnull=False, note="x").exists()
    done = client.post(
        "/api/v1/alarms/acknowledge",
        {"ids": [a["a1_open_old"].pk, a["a2_open_new"].pk], "note": "x"},
        content_type="application/json",
    ).json()
    assert done["acknowledged"] == 2
    assert {r["state"] for r in done["alarms"]} == {"acknowledged"}
    order = WorkOrder.objects.get(event__alarm=a["a1_open_old"])
    assert {r["id"]: r["order"] for r in done["alarms"]}[a["a1_open_old"].pk] == order.pk
    too_long = client.post(
        "/api/v1/alarms/acknowledge",
        {"ids": [a["a1_open_old"].pk], "note": "长" * 201},
        content_type="application/json",
    )
    assert too_long.status_code == 400


def test_api_list_filters_and_order(desk, login):
    client = login("command")
    rows = client.get("/api/v1/alarms?state=open").json()
    assert [r["station"] for r in rows] == ["A2", "W1", "A1"]
    assert client.get("/api/v1/alarms?unit=D-S2").json()[0]["station"] == "W1"
    assert login("east_secretary").get("/api/v1/alarms?unit=D-S2").status_code == 404


# Who may acknowledge 甲站's open alarm (东街道 C1, grid G1): those who act on alarms
# (air.change_alarm) and whose scope covers the station; those who only see it get 403; those
# outside its scope, the same 404 as for no such alarm.
ACK_BY_ROLE = {
    "command": 200,  # 指挥中心, the district
    "east_secretary": 200,  # 社区书记 of C1
    "west_secretary": 404,  # another street: not theirs
    "g1_leader": 403,  # 网格长 of G1: sees it, does not act on alarms
    "enforcer": 403,  # 执法人员, district-wide: sees it, does not act on alarms
    "reviewer": 403,  # 数据审核员, district-wide: sees it, does not act on alarms
}


@pytest.fixture
def seers(territory, users):
    from tests.conftest import _person

    for username, post in (("enforcer", "law_enforcer"), ("reviewer", "data_reviewer")):
        users[username] = _person(username, f"1390000009{len(users)}", post, territory["D"],
                                  username).user  # fmt: skip
    return users


@pytest.mark.parametrize(("role", "status"), ACK_BY_ROLE.items())
def test_only_those_who_act_on_alarms_in_scope_acknowledge(desk, seers, bearer, login, role,
                                                           status):  # fmt: skip
    alarm = desk["alarms"]["a1_open_old"]
    api = login(role)
    one = api.post(f"/api/v1/alarms/{alarm.pk}/acknowledge", {"note": "x"},
                   content_type="application/json")  # fmt: skip
    assert one.status_code == status, one.content
    if status == 200:
        Alarm.objects.filter(pk=alarm.pk).update(acknowledged_at=None, acknowledged_by=None)
    many = api.post("/api/v1/alarms/acknowledge", {"ids": [alarm.pk]},
                    content_type="application/json")  # fmt: skip
    assert many.status_code == status, many.content
    if status == 200:
        Alarm.objects.filter(pk=alarm.pk).update(acknowledged_at=None, acknowledged_by=None)
    page = api.post(f"/air/alarms/{alarm.pk}/acknowledge/", {"note": ""})
    assert page.status_code == (302 if status == 200 else status)
    if status != 200:
        assert Alarm.objects.get(pk=alarm.pk).acknowledged_at is None
    if status == 403:  # the desk shows them the alarm with no button they cannot use
        desk_page = api.get("/air/alarms/").content.decode()
        assert "甲站" in desk_page and "确认所选报警" not in desk_page
    if status == 200:
        assert Alarm.objects.get(pk=alarm.pk).acknowledged_by.username == role
