"""The bulletin's figures equal the API's for the same period and scope: the street and
community rankings (GET /api/v1/air/rankings) and the orders by unit (GET /api/v1/orders/stats)."""

from __future__ import annotations

import datetime as dt

from gridgov.bulletins import services

TODAY = dt.date(2026, 12, 2)
PERIOD = "from=2026-11-01&to=2026-11-30"


def test_rankings_equal_the_rankings_api(territory, air_data, orders, login):
    b, _ = services.generate("month", dt.date(2026, 11, 30), territory["D"], on=TODAY)
    client = login("command")
    for level in ("street", "community"):
        api = client.get(f"/api/v1/air/rankings?{PERIOD}&level={level}&metric=pm25").json()
        mine = b.figures["sections"]["ranking"][level]
        assert len(api["ranked"]) == len(mine["ranked"]) == 2
        for group in ("ranked", "apart"):
            assert len(api[group]) == len(mine[group])
            for theirs, ours in zip(api[group], mine[group], strict=True):
                assert {k: ours[k] for k in theirs} == theirs


def test_order_figures_equal_the_stats_api(territory, air_data, orders, login):
    b, _ = services.generate("month", dt.date(2026, 11, 30), territory["D"], on=TODAY)
    client = login("command")
    api = client.get(f"/api/v1/orders/stats?{PERIOD}&by=street&min_orders=1").json()
    theirs = sorted([*api["ranked"], *api["apart"]], key=lambda r: r["key"])
    ours = b.figures["sections"]["work"]["orders"]["rows"]
    assert [r["key"] for r in ours] == ["D-S1", "D-S2"]
    assert [{k: r[k] for k in t} for r, t in zip(ours, theirs, strict=True)] == theirs


def test_a_street_bulletin_equals_what_its_official_sees(territory, air_data, orders, s1_official):
    from django.test import Client

    b, _ = services.generate("month", dt.date(2026, 11, 30), territory["D-S1"], on=TODAY)
    client = Client()
    client.force_login(s1_official)
    api = client.get(f"/api/v1/air/rankings?{PERIOD}&level=community").json()
    mine = b.figures["sections"]["ranking"]["community"]
    assert [{k: r[k] for k in t} for r, t in zip(mine["ranked"], api["ranked"], strict=True)] == (
        api["ranked"]
    )
    stats = client.get(f"/api/v1/orders/stats?{PERIOD}&by=community&min_orders=1").json()
    ours = b.figures["sections"]["work"]["orders"]["rows"]
    assert [(r["key"], r["received"], r["overdue"]) for r in ours] == [
        (r["key"], r["received"], r["overdue"]) for r in stats["ranked"]
    ]
