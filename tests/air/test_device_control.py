"""Device control from the API and the station page: who may queue a command, what is refused
(the field named), the scope, and the deadlines that follow from the clock (a command for a
device that stays offline expires)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from gridgov.air import device_control
from gridgov.air.device_models import CommandState, DeviceCommand
from gridgov.air.hj212 import commands
from gridgov.air.hj212.devices import hash_password
from gridgov.air.models import CST

URL = "/api/v1/air/stations/{}/commands"


@pytest.fixture
def m1(stations, users):
    station = stations["micro"]
    station.mn, station.pw_hash = "MN-M1", hash_password("123456")
    station.save()
    return station


def post(client, headers, code, body):
    return client.post(URL.format(code), body, content_type="application/json", **headers)


def fields_of(response) -> list[str]:
    """The fields an API refusal names, as in the body (`payload.params.value`): the schema's
    refusals and the domain's alike."""
    return [e["field"].removeprefix("payload.") for e in response.json()["errors"]]


def poll(online):
    """What the receiver's poll does in its own thread (which also closes its connection)."""
    now = timezone.now()
    commands.sweep(now)
    return commands.claim_due(online, now)


# --- the API ------------------------------------------------------------------------------------


def test_the_command_office_queues_a_time_sync_and_reads_it_in_the_log(client, bearer, m1):
    headers = bearer("command")
    created = post(client, headers, "M1", {"kind": "time_sync"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["state"], body["requested_by"]) == ("time_sync", "queued", "command")
    assert body["automatic"] is False and body["cn"] == "" and body["sent_at"] is None
    log = client.get(URL.format("M1"), **headers)
    assert log.status_code == 200
    assert [(c["id"], c["state"]) for c in log.json()] == [(body["id"], "queued")]


def test_interval_and_history_commands_keep_their_parameters(client, bearer, m1, clock):
    clock.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST))
    headers = bearer("command")
    got = post(client, headers, "M1", {"kind": "set_interval", "params": {"value": 60}})
    assert got.status_code == 201, got.content
    assert got.json()["params"] == {"which": "rtd", "value": 60}
    got = post(
        client,
        headers,
        "M1",
        {"kind": "set_interval", "params": {"which": "min", "value": 5}},
    )
    assert got.json()["params"] == {"which": "min", "value": 5}
    got = post(client, headers, "M1", {"kind": "get_interval", "params": {"which": "min"}})
    assert got.json()["params"] == {"which": "min"}
    got = post(
        client,
        headers,
        "M1",
        {"kind": "history", "params": {"begin": "2026-12-07T06:00", "end": "2026-12-07T08:00"}},
    )
    assert got.status_code == 201, got.content
    assert got.json()["params"] == {
        "begin": "2026-12-07T06:00:00+08:00",
        "end": "2026-12-07T08:00:00+08:00",
    }


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"value": 10}, "params.value", "30–3600"),  # RtdInterval below 30 s
        ({"value": 7200}, "params.value", "30–3600"),
        ({"which": "min", "value": 7}, "params.value", "1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30"),
        ({"which": "min"}, "params.value", "required"),
        ({"which": "hour", "value": 60}, "params.which", ""),  # not one of rtd, min
        ({"value": "sixty"}, "params.value", ""),  # not a number
    ],
)
def test_an_interval_outside_the_standard_is_refused_naming_the_field(
    client, bearer, m1, params, field, words
):
    got = post(client, bearer("command"), "M1", {"kind": "set_interval", "params": params})
    assert got.status_code == 400, got.content
    assert [e["field"] for e in got.json()["errors"]] == [f"payload.{field}"]
    assert words in got.json()["errors"][0]["message"]
    assert not DeviceCommand.objects.exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"begin": "2026-12-07T08:00", "end": "2026-12-07T06:00"}, "params.end"),  # backwards
        ({"begin": "2026-12-07T08:00", "end": "2026-12-07T11:00"}, "params.end"),  # future
        ({"begin": "2026-11-20T00:00", "end": "2026-12-07T08:00"}, "params.begin"),  # > 7 days
        ({"begin": "2026-10-01T00:00", "end": "2026-10-02T00:00"}, "params.begin"),  # > 30 days ago
        ({"end": "2026-12-07T08:00"}, "params.begin"),  # missing
    ],
)
def test_a_history_range_is_bounded(client, bearer, m1, clock, params, field):
    clock.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST))
    got = post(client, bearer("command"), "M1", {"kind": "history", "params": params})
    assert got.status_code == 400, got.content
    assert fields_of(got) == [field]


def test_a_parameter_the_command_does_not_take_is_refused(client, bearer, m1):
    got = post(client, bearer("command"), "M1", {"kind": "time_sync", "params": {"value": 60}})
    assert got.status_code == 400
    assert fields_of(got) == ["params.value"]


def test_an_unknown_kind_is_refused(client, bearer, m1):
    got = post(client, bearer("command"), "M1", {"kind": "reboot"})
    assert got.status_code == 400
    assert fields_of(got) == ["kind"]


def test_without_the_permission_the_log_is_readable_but_no_command_is_queued(client, bearer, m1):
    headers = bearer("east_secretary")  # sees M1 (its grid), may not control devices
    got = post(client, headers, "M1", {"kind": "time_sync"})
    assert got.status_code == 403
    assert not DeviceCommand.objects.exists()
    assert client.get(URL.format("M1"), **headers).status_code == 200


def test_a_station_outside_the_scope_is_not_found_even_with_the_permission(
    client, bearer, m1, users
):
    west = users["west_secretary"]
    west.user_permissions.add(Permission.objects.get(codename="control_device"))
    headers = bearer("west_secretary")
    assert post(client, headers, "M1", {"kind": "time_sync"}).status_code == 404
    assert client.get(URL.format("M1"), **headers).status_code == 404
    assert post(client, headers, "NOPE", {"kind": "time_sync"}).status_code == 404
    assert not DeviceCommand.objects.exists()


def test_a_station_without_a_device_is_a_conflict(client, bearer, stations, users):
    got = post(client, bearer("command"), "N1", {"kind": "time_sync"})  # N1 has no MN
    assert got.status_code == 409


def test_only_the_command_office_role_holds_the_permission(users, m1):
    assert device_control.can_control(users["command"])
    for name in ("east_secretary", "west_secretary", "g1_leader", "nobody"):
        assert not device_control.can_control(users[name])


# --- deadlines ----------------------------------------------------------------------------------


def test_a_command_for_an_offline_device_stays_queued_then_expires(
    client, bearer, m1, clock, settings
):
    settings.GRIDGOV_HJ212_COMMAND_EXPIRE_MINUTES = 30
    start = clock.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST), tick=False)
    headers = bearer("command")
    made = post(client, headers, "M1", {"kind": "time_sync"}).json()
    assert dt.datetime.fromisoformat(made["expires_at"]) == start + dt.timedelta(minutes=30)

    # The receiver polls: M1's device is not connected, nothing is sent.
    clock.travel(start + dt.timedelta(minutes=29), tick=False)
    assert poll(set()) == []
    assert poll({m1.pk + 1000}) == []
    assert DeviceCommand.objects.get().state == CommandState.QUEUED
    assert client.get(URL.format("M1"), **headers).json()[0]["state"] == "queued"

    # Past its deadline it reads expired at once, whether or not a receiver runs …
    clock.travel(start + dt.timedelta(minutes=31), tick=False)
    shown = client.get(URL.format("M1"), **headers).json()[0]
    assert (shown["state"], shown["note"]) == ("expired", device_control.NOT_SENT)
    assert DeviceCommand.objects.get().state == CommandState.QUEUED
    # … and a receiver's poll writes it down; the device coming online later gets nothing.
    assert poll({m1.pk}) == []
    row = DeviceCommand.objects.get()
    assert row.state == CommandState.EXPIRED
    assert row.finished_at == start + dt.timedelta(minutes=30)


def test_a_queued_command_is_claimed_once_for_an_online_device(client, bearer, m1, clock):
    clock.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST))
    post(client, bearer("command"), "M1", {"kind": "set_interval", "params": {"value": 120}})
    claimed = poll({m1.pk})
    assert [(c.cn, c.cp) for c in claimed] == [("1062", "RtdInterval=120")]
    assert len(claimed[0].qn) == 17
    assert poll({m1.pk}) == []  # sent already
    row = DeviceCommand.objects.get()
    assert (row.state, row.cn, row.qn) == (CommandState.SENT, "1062", claimed[0].qn)


def test_a_sent_command_without_an_answer_fails_at_its_deadline(
    client, bearer, m1, clock, settings
):
    settings.GRIDGOV_HJ212_COMMAND_ANSWER_SECONDS = 60
    start = clock.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST), tick=False)
    post(client, bearer("command"), "M1", {"kind": "time_sync"})
    (sent,) = poll({m1.pk})
    assert sent.cp.startswith("SystemTime=20261207100")
    clock.travel(start + dt.timedelta(seconds=61), tick=False)
    poll(set())
    row = DeviceCommand.objects.get()
    assert (row.state, row.note) == (CommandState.FAILED, device_control.NO_ANSWER)


def test_automatic_time_syncs_are_queued_at_most_once_an_hour(m1, clock):
    start = clock.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST))
    first = commands.auto_time_sync(m1.pk, 300.0, start)
    assert first is not None and first.automatic and first.params == {"offset": 300.0}
    # The first one done, the clock still off: not again within the hour …
    DeviceCommand.objects.filter(pk=first.pk).update(state=CommandState.DONE)
    assert commands.auto_time_sync(m1.pk, 300.0, start + dt.timedelta(minutes=59)) is None
    # … then once more.
    assert commands.auto_time_sync(m1.pk, 300.0, start + dt.timedelta(minutes=61)) is not None
    assert DeviceCommand.objects.filter(automatic=True).count() == 2


# --- the station page ---------------------------------------------------------------------------


def test_the_station_page_offers_the_buttons_to_the_command_office_only(login, m1):
    page = login("command").get("/air/station/M1/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="device-control"' in text
    for label in ("校时", "查询上传间隔", "设置上传间隔", "补传历史数据"):
        assert label in text
    assert 'name="begin"' in text and 'name="end"' in text


def test_the_page_queues_a_command_and_shows_it_in_the_log(login, m1):
    client = login("command")
    got = client.post("/air/station/M1/commands/", {"kind": "get_interval", "which": "min"})
    assert got.status_code == 302
    assert got["Location"].endswith("/air/station/M1/#device-control")
    row = DeviceCommand.objects.get()
    assert (row.kind, row.params, row.requested_by.username) == (
        "get_interval",
        {"which": "min"},
        "command",
    )
    page = client.get("/air/station/M1/").content.decode()
    assert "state-queued" in page and "排队中" in page


def test_the_page_refuses_a_bad_interval_naming_the_field(login, m1):
    client = login("command")
    got = client.post(
        "/air/station/M1/commands/",
        {"kind": "set_interval", "which": "rtd", "value": "5"},
        follow=True,
    )
    assert not DeviceCommand.objects.exists()
    shown = [str(m) for m in got.context["messages"]]
    assert any("params.value" in m and "30–3600" in m for m in shown), shown


def test_the_page_answers_403_without_the_permission_and_404_outside_the_scope(login, m1, users):
    east = login("east_secretary")
    page = east.get("/air/station/M1/").content.decode()
    assert 'id="device-control"' in page and "设置上传间隔" not in page  # the log, no buttons
    assert east.post("/air/station/M1/commands/", {"kind": "time_sync"}).status_code == 403
    west = users["west_secretary"]
    west.user_permissions.add(Permission.objects.get(codename="control_device"))
    got = login("west_secretary").post("/air/station/M1/commands/", {"kind": "time_sync"})
    assert got.status_code == 404
    assert not DeviceCommand.objects.exists()
