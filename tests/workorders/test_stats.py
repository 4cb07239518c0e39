"""Statistics per unit and person: rates, mean and p90 times, overdue and returned counts, and
units with too few orders listed apart."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.workorders.services import perform
from gridgov.workorders.stats import order_stats
from gridgov.workorders.sweep import sweep
from tests.workorders.fixtures import G3_POINT

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 2)  # a Monday


def t(hh, mm=0):
    return dt.datetime(2026, 11, 2, hh, mm, tzinfo=CST)


def run(order, user, steps):
    for code, at, kw in steps:
        perform(order.pk, code, user(code), now=at, **kw)


def test_rates_times_and_ranking(crew, people, report):
    worker, sec = crew["g1_worker"], crew["east_secretary"]

    def who(code):
        return sec if code in ("verify", "close") else worker

    # Three G1 orders of 特急 straw burning (15 minutes to sign, 240 to handle):
    a = report(code="straw_burning", now=t(9))
    run(a, who, [("sign", t(9, 5), {}), ("handle", t(10, 5), {"note": "ok"}),
                 ("verify", t(10, 30), {}), ("close", t(10, 35), {})])  # fmt: skip
    b = report(code="straw_burning", now=t(9))
    run(b, who, [("sign", t(9, 30), {}), ("handle", t(14, 30), {"note": "late"})])
    c = report(code="straw_burning", now=t(9))
    run(c, who, [("return", t(9, 10), {"note": "not ours"})])
    sweep(t(9, 20))  # c, back at its community, is past its 10-minute dispatch deadline
    g3 = report(point=G3_POINT, code="straw_burning", now=t(9))
    del g3

    result = order_stats(crew["command"], DAY, DAY, "community", min_orders=2, now=t(9, 20))
    [c1] = result["ranked"]
    assert c1["key"] == "D-S1-C1" and c1["rank"] == 1
    assert c1["received"] == 3 and c1["closed"] == 1 and c1["open"] == 2
    assert c1["on_time_sign_rate"] == 0.5  # a on time, b late
    assert c1["on_time_handle_rate"] == 0.5  # a in 60 minutes, b in 300 (> 240)
    assert c1["mean_sign_minutes"] == 17.5  # 5 and 30
    assert c1["p90_sign_minutes"] == 27.5  # linear between 5 and 30
    assert c1["mean_handle_minutes"] == 180.0  # 60 and 300
    assert c1["mean_close_minutes"] == 95.0
    # b signed for and handled late; c is past its dispatch deadline: both were overdue.
    assert c1["overdue"] == 2 and c1["returned"] == 1
    [c2] = result["apart"]  # one order: listed apart, not ranked
    assert c2["key"] == "D-S2-C2" and c2["rank"] is None

    people_rows = order_stats(crew["command"], DAY, DAY, "person", min_orders=1)["ranked"]
    names = {r["name"]: r for r in people_rows}
    assert names["李专职"]["received"] == 2  # c went back to the community
    assert names["王兼职"]["received"] == 1


def test_scope_and_bad_periods(crew, report):
    report(now=t(9))
    report(point=G3_POINT, now=t(9))
    east = order_stats(crew["east_secretary"], DAY, DAY, "grid", min_orders=1)
    assert [r["key"] for r in east["ranked"]] == ["D-S1-C1-G1"]
    with pytest.raises(ValueError):
        order_stats(crew["command"], DAY, DAY - dt.timedelta(days=1))
    with pytest.raises(ValueError):
        order_stats(crew["command"], DAY, DAY, "planet")


def test_stats_api(client, crew, bearer, report):
    report(now=t(9))
    h = bearer("command")
    r = client.get("/api/v1/orders/stats?from=2026-11-01&to=2026-11-30&by=street&min_orders=1", **h)
    assert r.status_code == 200, r.content
    assert r.json()["ranked"][0]["key"] == "D-S1" and r.json()["from"] == "2026-11-01"
    assert client.get("/api/v1/orders/stats?from=2026-11-30&to=2026-11-01", **h).status_code == 400
    assert (
        client.get("/api/v1/orders/stats?from=2026-11-01&to=2026-11-30&by=x", **h).status_code
        == 400
    )


def test_waiting_past_a_deadline_counts_as_late_without_any_sweep(crew, report):
    """An order not yet signed for, past its sign-for deadline, lowers the on-time rate at
    once: the rate must not read 100% just because nobody has signed (and no sweep ran)."""
    a = report(code="straw_burning", now=t(9))
    perform(a.pk, "sign", crew["g1_worker"], now=t(9, 5))
    report(code="straw_burning", now=t(9))  # waits to be signed for: 15 minutes allowed

    early = order_stats(crew["command"], DAY, DAY, "community", min_orders=1, now=t(9, 10))
    [row] = early["ranked"]
    assert row["on_time_sign_rate"] == 1.0 and row["overdue"] == 0

    later = order_stats(crew["command"], DAY, DAY, "community", min_orders=1, now=t(9, 16))
    [row] = later["ranked"]
    assert row["on_time_sign_rate"] == 0.5 and row["overdue"] == 1
