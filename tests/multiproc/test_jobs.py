"""Scheduled jobs take effect once per due moment, not once per worker: each job is put on the
shared queue several times at once (as every worker's scheduler does at its due minute) for the
two `gridgov worker`, and its domain function is run at the same instant by two other processes
(no job lock between those: the functions' own claims must hold). Then every effect is there
once: escalations and their audit rows and notices, the bulletins, the racing snapshot. A
back-fill (补发) asked from the page reaches the device once, though it is connected to both
receivers."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from tests.multiproc.devices import HISTORY, Link, minute_packet, minutes_back

pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("multiproc")]


def at_once(cluster, task: str, call: str) -> list:
    """scenario.`call` run by two processes at the same moment while `task` is put on the
    queue 4 times for the two workers; the two answers, once the workers are done."""
    answers = cluster.at_once(call, task)
    drained(cluster)
    return answers


def drained(cluster, timeout: float = 60) -> None:
    import redis

    from tests.multiproc.conftest import REDIS_URL

    r = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout
    while r.llen("huey.redis.gridgov") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not r.llen("huey.redis.gridgov"), "the workers did not take the queued jobs"
    time.sleep(1.5)  # the last job taken is run


def test_the_deadline_sweep_escalates_and_tells_once(cluster):
    at_once(cluster, "gridgov.workorders.tasks.deadline_sweep", "sweep_at")
    escalations = cluster.one("SELECT count(*) FROM workorders_escalation")
    assert escalations >= 6  # each of the six overdue orders at least one level up
    rows = cluster.sql(
        "SELECT action, count(*) FROM workorders_transition "
        "WHERE action IN ('escalate', 'warn') GROUP BY 1"
    )
    assert dict(rows).get("escalate") == escalations  # one audit row per escalation
    assert not cluster.sql(  # a yellow warning at most once per order and step
        "SELECT order_id FROM workorders_transition WHERE action = 'warn' "
        "GROUP BY order_id, note HAVING count(*) > 1"
    )
    told = cluster.one("SELECT count(*) FROM workorders_notification WHERE key LIKE 'esc:%%'")
    assert told >= 1  # the escalations were told (once each: unique per person and key)
    overdue = cluster.one("SELECT count(*) FROM workorders_workorder WHERE overdue_noticed")
    assert overdue == 6


def test_the_bulletin_schedule_makes_each_bulletin_once(cluster):
    from gridgov.bulletins.services import due_kinds

    answers = at_once(cluster, "gridgov.bulletins.tasks.scheduled_bulletins", "bulletins_at")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    units = 3  # the district and its two streets
    expected = units * len(due_kinds(today))
    assert cluster.one("SELECT count(*) FROM bulletins_bulletin") == expected
    assert sum(a["made"] for a in answers) <= expected
    assert not cluster.sql(  # one number per unit, kind and year: none taken twice
        "SELECT region_id, kind, year, number FROM bulletins_bulletin "
        "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1"
    )


def test_the_racing_snapshot_is_stored_once(cluster):
    at_once(cluster, "gridgov.racing.tasks.snapshot_last_period", "racing_at")
    assert cluster.one("SELECT count(*) FROM racing_snapshot") == 1


def test_a_back_fill_asked_from_the_page_reaches_the_device_once(cluster):
    mn, number = "MP000006", 6
    links = [Link(port, "127.0.1.6") for port in cluster.hj212_ports]
    try:
        (minute,) = minutes_back(1, hours_ago=1)
        for k, link in enumerate(links):  # the device is online at both receivers
            link.send(minute_packet(mn, number, minute, f"2026010100060000{k}"))
            assert link.wait_answers({f"2026010100060000{k}"})
        cluster.scenario(f"queue_history_command({mn!r}, 30)")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for link in links:
                link.read_for(0.1)
        asked = [len(HISTORY.findall(link.received)) for link in links]
        assert sorted(asked) == [0, 1]
        assert cluster.sql(
            "SELECT state FROM air_device_command c JOIN air_station s ON s.id = c.station_id "
            "WHERE s.mn = %s",
            [mn],
        ) == [("sent",)]
    finally:
        for link in links:
            link.close()
