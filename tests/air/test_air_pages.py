"""Air pages render for scoped accounts and keep to the scope."""

import datetime as dt

from gridgov.air.models import Alarm, AlarmRule, Target
from tests.air.conftest import T0, make_batch


def test_pages_render(stations, login, territory):
    Target.objects.create(
        region=territory["D-S1-C1"],
        metric="pm25",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        value=35,
    )
    c = login("east_secretary")
    for url in [
        "/air/",
        "/air/station/M1/",
        "/air/targets/",
        "/air/rankings/",
        "/air/rankings/?level=station&metric=good_day_ratio",
        "/air/alarms/?show=all",
    ]:
        response = c.get(url)
        assert response.status_code == 200, url
    assert "东一社区" in c.get("/air/targets/").content.decode()


def test_station_page_outside_scope_is_not_found(stations, login):
    c = login("west_secretary")
    assert c.get("/air/station/M1/").status_code == 404
    assert c.get("/air/station/N1/").status_code == 200


def test_pages_need_login(stations, client):
    assert client.get("/air/alarms/").status_code == 302


def test_alarm_is_acknowledged_from_the_page(stations, put, login):
    AlarmRule.objects.exclude(kind="threshold").update(active=False)
    put(make_batch(stations["micro"], T0, 50, pm25=150.0 + (T0 % 3)))
    alarm = Alarm.objects.get()
    c = login("east_secretary")
    page = c.get("/air/alarms/").content.decode()
    assert "东一微站" in page
    assert login("west_secretary").post(f"/air/alarms/{alarm.pk}/acknowledge/").status_code == 404
    c = login("east_secretary")
    response = c.post(f"/air/alarms/{alarm.pk}/acknowledge/", {"note": "已核查"})
    assert response.status_code == 302
    alarm.refresh_from_db()
    assert alarm.acknowledged_by.username == "east_secretary" and alarm.note == "已核查"


def test_admin_lists_only_stations_and_alarms_in_scope(stations, login):
    c = login("west_secretary")
    listed = c.get("/admin/air/station/").context["cl"].result_list
    assert [s.code for s in listed] == ["N1"]
    assert c.get(f"/admin/air/station/{stations['micro'].pk}/change/").status_code == 302
    east = login("east_secretary").get("/admin/air/station/").context["cl"].result_list
    assert sorted(s.code for s in east) == ["M1", "M2", "N1"]


def test_roles_carry_the_air_permissions(users):
    assert users["command"].has_perm("air.change_alarmrule")
    assert users["east_secretary"].has_perm("air.change_alarm")
    assert not users["east_secretary"].has_perm("air.change_alarmrule")
