"""Data review (数据审核): decisions override the automatic checks, every decision is an audit row
that can be undone, aggregates follow, the day's state reaches the daily report, and only data
reviewers act, within their scope."""

import datetime as dt

import numpy as np
import pytest

from gridgov.air import review
from gridgov.air.assessment import station_units
from gridgov.air.models import (
    CST,
    DailyAggregate,
    Flag,
    HourlyAggregate,
    Reading,
    ReviewAction,
    ReviewDecision,
)
from gridgov.air.reports import daily_rows
from tests.air.conftest import T0, make_batch
from tests.conftest import PASSWORD, _person

DAY = dt.date(2026, 11, 20)


def at(hour, minute=0):
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=CST)


@pytest.fixture
def reviewer(people, territory):
    person = _person("审核员", "13900000099", "data_reviewer", territory["D"], "reviewer")
    return person.user


@pytest.fixture
def west_reviewer(people, territory):
    person = _person("西审核", "13900000098", "data_reviewer", territory["D-S2"], "west_reviewer")
    return person.user


def so2_hour(station, put, value=40.0, hours=3):
    """`hours` hours of one-minute SO2 stuck at `value` (above the stuck floor) and PM2.5
    varying, from T0."""
    n = 60 * hours
    pm25 = 30 + (np.arange(n) % 7)
    put(make_batch(station, T0, n, so2=value, pm25=pm25))


def hourly(station, hour, pollutant):
    row = HourlyAggregate.objects.get(station=station, ts=T0 + 3600 * hour)
    return getattr(row, f"{pollutant}_sum"), getattr(row, f"{pollutant}_n")


def test_stuck_values_are_suspect_and_count_until_a_reviewer_invalidates_them(
    stations, put, reviewer
):
    m1 = stations["micro"]
    so2_hour(m1, put)
    flags = list(
        Reading.objects.filter(station=m1).order_by("ts").values_list("so2_flag", flat=True)
    )
    assert flags[-1] & Flag.STUCK and not flags[0] & Flag.STUCK
    assert hourly(m1, 2, "so2")[1] == 60  # suspect values still count

    decision = review.decide(
        m1,
        reviewer,
        action="invalidate",
        pollutant="so2",
        start=at(2),
        end=at(2, 59),
        reason="分析仪故障，恒值",
    )
    assert decision.values_changed == 60
    assert hourly(m1, 2, "so2") == (0.0, 0)
    assert hourly(m1, 1, "so2")[1] == 60  # outside the range: untouched
    assert hourly(m1, 2, "pm25")[1] == 60  # another pollutant: untouched
    rejected = Reading.objects.filter(station=m1, ts__gte=T0 + 7200).values_list(
        "so2_flag", flat=True
    )
    assert all(f & Flag.REJECTED and f & Flag.STUCK for f in rejected)  # automatic marks kept

    review.undo(decision, reviewer)
    assert hourly(m1, 2, "so2") == (40.0 * 60, 60)
    assert not any(
        f & Flag.REVIEW
        for f in Reading.objects.filter(station=m1).values_list("so2_flag", flat=True)
    )
    decision.refresh_from_db()
    assert decision.undone_at is not None and decision.undone_by == reviewer


def test_confirming_an_invalid_value_makes_it_count(stations, put, reviewer):
    m1 = stations["micro"]
    values = np.full(60, 100.0)
    values[10] = 1500.0  # above the PM2.5 analyser's range: invalid, left out
    put(make_batch(m1, T0, 60, pm25=values))
    assert hourly(m1, 0, "pm25")[1] == 59
    review.decide(
        m1,
        reviewer,
        action="confirm",
        pollutant="pm25",
        start=at(0, 10),
        end=at(0, 10),
        reason="现场核实：附近焚烧，数值真实",
    )
    assert hourly(m1, 0, "pm25") == (100.0 * 59 + 1500.0, 60)


def test_the_later_decision_wins_and_undoing_it_restores_the_earlier(stations, put, reviewer):
    m1 = stations["micro"]
    so2_hour(m1, put, hours=1)
    first = review.decide(
        m1, reviewer, action="invalidate", pollutant="", start=at(0), end=at(0, 59), reason="维护"
    )
    assert hourly(m1, 0, "so2")[1] == 0 and hourly(m1, 0, "pm25")[1] == 0
    second = review.decide(
        m1,
        reviewer,
        action="confirm",
        pollutant="pm25",
        start=at(0, 30),
        end=at(0, 59),
        reason="PM2.5 后半小时有效",
    )
    assert hourly(m1, 0, "pm25")[1] == 30 and hourly(m1, 0, "so2")[1] == 0
    review.undo(second, reviewer)
    assert hourly(m1, 0, "pm25")[1] == 0
    review.undo(first, reviewer)
    assert hourly(m1, 0, "pm25")[1] == 60
    with pytest.raises(review.ReviewError):
        review.undo(first, reviewer)


def test_a_reviewer_may_leave_out_a_control_stations_published_value(stations, put, reviewer):
    n1 = stations["national"]
    hours = 24
    values = np.full(hours, 50.0)
    values[5] = 500.0  # a jump: marked, but published data are never left out automatically
    put(make_batch(n1, T0, hours, step=3600, o3=values, pm25=35.0))
    jump = Reading.objects.get(station=n1, ts=T0 + 5 * 3600)
    assert jump.o3_flag & Flag.JUMP
    day = DailyAggregate.objects.get(station=n1, day=DAY)
    assert day.o3_1h_max == 500.0
    review.decide(
        n1,
        reviewer,
        action="invalidate",
        pollutant="o3",
        start=at(5),
        end=at(5),
        reason="标准气体校准",
    )
    day.refresh_from_db()
    assert day.o3_1h_max == 50.0 and day.o3_n == 23


def test_approval_reaches_the_daily_report_and_can_be_undone(stations, put, reviewer):
    n1 = stations["national"]
    put(make_batch(n1, T0, 24, step=3600, pm25=35.0))
    units = station_units(["N1"])
    assert daily_rows(units, DAY, DAY)[0]["review"] == "unreviewed"
    approval = review.approve_day(n1, reviewer, DAY)
    assert review.approve_day(n1, reviewer, DAY) == approval  # taken again: the same
    assert daily_rows(units, DAY, DAY)[0]["review"] == "reviewed"
    review.undo(approval, reviewer)
    assert daily_rows(units, DAY, DAY)[0]["review"] == "unreviewed"
    assert ReviewDecision.objects.filter(station=n1).count() == 1  # kept, marked undone


def test_device_flags_other_than_n_are_invalid_and_keep_their_letter(stations, put):
    m1 = stations["micro"]
    batch = make_batch(m1, T0, 60, pm25=80.0)
    device = np.zeros(batch.values.shape, np.int16)
    device[:15, 0] = Flag.device_code("C")  # calibration for a quarter of an hour
    batch.device = device
    put(batch)
    assert hourly(m1, 0, "pm25") == (80.0 * 45, 45)
    flag = Reading.objects.get(station=m1, ts=T0).pm25_flag
    assert Flag.device_letter(flag) == "C" and flag & Flag.DEVICE
    assert Flag.device_code("N") == 0 and Flag.device_letter(0) == ""
    assert any("C" in r for r in review.reason_text(flag))
    runs = review.day_series(m1, DAY).runs()
    assert [(r.pollutant, r.start_ts, r.end_ts, r.counted) for r in runs] == [
        ("pm25", T0, T0 + 14 * 60, False)
    ]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"action": "delete"}, "action"),
        ({"pollutant": "tsp"}, "pollutant"),
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"reason": "bad\x00"}, "reason"),
        ({"end": at(0, 0) - dt.timedelta(minutes=1)}, "end"),
        ({"end": at(0) + dt.timedelta(days=1)}, "end"),
        ({"start": at(5), "end": at(6)}, "start"),  # no data then
    ],
)
def test_bad_decisions_are_refused_with_the_field_named(stations, put, reviewer, kwargs, field):
    m1 = stations["micro"]
    put(make_batch(m1, T0, 60, pm25=80.0))
    args = {
        "action": "invalidate",
        "pollutant": "pm25",
        "start": at(0),
        "end": at(0, 30),
        "reason": "维护",
    } | kwargs
    with pytest.raises(review.ReviewError) as caught:
        review.decide(m1, reviewer, **args)
    assert caught.value.field == field
    assert not ReviewDecision.objects.exists()
    assert not Reading.objects.filter(pm25_flag__gt=0).exists()


def test_scope_of_reviewers(stations, reviewer, west_reviewer, users):
    # The district's reviewer: its stations and the reference stations outside every grid.
    assert set(review.reviewable_stations(reviewer).values_list("code", flat=True)) == {
        "M1",
        "M2",
        "N1",
    }
    assert not review.reviewable_stations(west_reviewer).exists()  # no station in that street
    assert review.can_review(reviewer) and review.can_review(west_reviewer)
    assert not review.can_review(users["command"]) and not review.can_review(None)


# --- pages ---------------------------------------------------------------------------------


def test_review_pages_for_a_reviewer(client, stations, put, reviewer):
    m1 = stations["micro"]
    so2_hour(m1, put)
    assert client.login(username="reviewer", password=PASSWORD)
    queue = client.get("/air/review/", {"day": DAY.isoformat()})
    assert queue.status_code == 200
    assert "东一微站" in queue.content.decode() and "未审核" in queue.content.decode()
    page = client.get(f"/air/station/M1/review/{DAY.isoformat()}/")
    text = page.content.decode()
    assert page.status_code == 200 and "长时间恒值" in text and "review-data" in text

    url = f"/air/station/M1/review/{DAY.isoformat()}/"
    response = client.post(
        url + "decide/",
        {
            "action": "invalidate",
            "pollutant": "so2",
            "start": "02:00",
            "end": "02:59",
            "reason": "恒值",
        },
    )
    assert response.status_code == 302
    assert hourly(m1, 2, "so2")[1] == 0
    decision = ReviewDecision.objects.get()
    assert client.post(f"/air/review/decisions/{decision.pk}/undo/").status_code == 302
    assert hourly(m1, 2, "so2")[1] == 60
    assert client.post(url + "approve/").status_code == 302
    assert review.approval(m1, DAY) is not None
    assert "已审核" in client.get(url).content.decode()


def test_a_bad_form_writes_nothing_and_names_the_field(client, stations, put, reviewer):
    so2_hour(stations["micro"], put, hours=1)
    client.login(username="reviewer", password=PASSWORD)
    url = f"/air/station/M1/review/{DAY.isoformat()}/decide/"
    response = client.post(
        url,
        {
            "action": "invalidate",
            "pollutant": "so2",
            "start": "25:00",
            "end": "00:30",
            "reason": "x",
        },
        follow=True,
    )
    assert "start" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "invalidate",
            "pollutant": "so2",
            "start": "00:00",
            "end": "00:30",
            "reason": "",
        },
        follow=True,
    )
    assert "reason" in response.content.decode()
    assert not ReviewDecision.objects.exists()
    assert client.get("/air/station/M1/review/2026-02-30/").status_code == 400


def test_only_reviewers_act_and_only_in_their_scope(client, stations, put, reviewer, west_reviewer):
    so2_hour(stations["micro"], put, hours=1)
    url = f"/air/station/M1/review/{DAY.isoformat()}/"
    form = {
        "action": "invalidate",
        "pollutant": "so2",
        "start": "00:00",
        "end": "00:30",
        "reason": "x",
    }
    client.login(username="command", password=PASSWORD)  # the command office may look
    assert client.get(url).status_code == 200
    assert client.post(url + "decide/", form).status_code == 403
    client.login(username="g1_leader", password=PASSWORD)  # a grid leader may not
    assert client.get("/air/review/").status_code == 403
    client.login(username="west_reviewer", password=PASSWORD)  # another street: as if absent
    assert client.get(url).status_code == 404
    assert client.get("/air/station/NOPE/review/2026-11-20/").status_code == 404
    assert client.post(url + "decide/", form).status_code == 404
    client.login(username="reviewer", password=PASSWORD)
    d = review.decide(
        stations["micro"],
        reviewer,
        action="invalidate",
        pollutant="so2",
        start=at(0),
        end=at(0, 5),
        reason="x",
    )
    client.login(username="west_reviewer", password=PASSWORD)
    assert client.post(f"/air/review/decisions/{d.pk}/undo/").status_code == 404
    assert client.post("/air/review/decisions/999999/undo/").status_code == 404
    d.refresh_from_db()
    assert d.undone_at is None
    assert ReviewAction.APPROVE_DAY == "approve_day"


# --- API -----------------------------------------------------------------------------------


def test_review_api_round_trip(client, stations, put, reviewer, bearer):
    m1 = stations["micro"]
    so2_hour(m1, put)
    auth = bearer("reviewer")
    queue = client.get("/api/v1/air/review", {"day": DAY.isoformat()}, **auth)
    assert queue.status_code == 200
    row = next(r for r in queue.json() if r["station"] == "M1")
    assert row["suspect"] > 0 and row["review"] == "unreviewed"

    day = client.get(f"/api/v1/air/review/M1/{DAY.isoformat()}", **auth).json()
    stuck = [r for r in day["runs"] if r["pollutant"] == "so2"]
    assert stuck and stuck[0]["counted"] and "长时间恒值" in stuck[0]["reasons"]

    body = {
        "station": "M1",
        "action": "invalidate",
        "pollutant": "so2",
        "start": "2026-11-20T02:00:00",
        "end": "2026-11-20T02:59:00",
        "reason": "恒值",
    }
    made = client.post(
        "/api/v1/air/review/decisions", body, content_type="application/json", **auth
    )
    assert made.status_code == 201, made.content
    assert made.json()["values_changed"] == 60 and hourly(m1, 2, "so2")[1] == 0
    undone = client.post(f"/api/v1/air/review/decisions/{made.json()['id']}/undo", **auth)
    assert undone.status_code == 200 and undone.json()["undone_by"] == "reviewer"
    again = client.post(f"/api/v1/air/review/decisions/{made.json()['id']}/undo", **auth)
    assert again.status_code == 409
    approved = client.post(
        f"/api/v1/air/review/M1/{DAY.isoformat()}/approve",
        {},
        content_type="application/json",
        **auth,
    )
    assert approved.status_code == 200 and approved.json()["action"] == "approve_day"
    daily = client.get(
        "/api/v1/stations/M1/daily", {"from": DAY.isoformat(), "to": DAY.isoformat()}, **auth
    )
    assert daily.json()[0]["review"] == "reviewed"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"pollutant": "tsp"}, "pollutant"),
        ({"action": "delete"}, "action"),
        ({"end": "2026-11-21T01:00:00"}, "end"),
        ({"start": "2026-11-20T02:00:00", "end": "2026-11-20T01:00:00"}, "end"),
        ({"start": "2026-02-30T02:00:00"}, "start"),
    ],
)
def test_review_api_refuses_bad_decisions(client, stations, put, reviewer, bearer, change, field):
    so2_hour(stations["micro"], put)
    body = {
        "station": "M1",
        "action": "invalidate",
        "pollutant": "so2",
        "start": "2026-11-20T02:00:00",
        "end": "2026-11-20T02:59:00",
        "reason": "恒值",
    }
    response = client.post(
        "/api/v1/air/review/decisions",
        body | change,
        content_type="application/json",
        **bearer("reviewer"),
    )
    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_review_api_scope_and_roles(client, stations, put, reviewer, west_reviewer, bearer):
    so2_hour(stations["micro"], put, hours=1)
    body = {
        "station": "M1",
        "action": "invalidate",
        "pollutant": "so2",
        "start": "2026-11-20T00:00:00",
        "end": "2026-11-20T00:10:00",
        "reason": "x",
    }
    post = "/api/v1/air/review/decisions"
    west = bearer("west_reviewer")
    assert client.get(f"/api/v1/air/review/M1/{DAY}", **west).status_code == 404
    assert client.get(f"/api/v1/air/review/NOPE/{DAY}", **west).status_code == 404
    assert client.post(post, body, content_type="application/json", **west).status_code == 404
    command = bearer("command")
    assert client.get(f"/api/v1/air/review/M1/{DAY}", **command).status_code == 200
    assert client.post(post, body, content_type="application/json", **command).status_code == 403
    leader = bearer("g1_leader")
    assert client.get("/api/v1/air/review", **leader).status_code == 403
    assert not ReviewDecision.objects.exists()
