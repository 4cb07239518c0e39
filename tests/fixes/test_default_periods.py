"""Pages and the API default to the month's complete days (the previous month on a month's
first days),
and rankings to the level below the viewer's unit; explicit from/to are kept as given."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import periods
from gridgov.air.models import Station
from gridgov.people.models import Person, Post, PostType
from tests.air.conftest import put_days


@pytest.fixture
def frozen(monkeypatch):
    def freeze(day: dt.date) -> None:
        monkeypatch.setattr(periods, "today", lambda: day)

    return freeze


@pytest.fixture
def stations(territory):
    made = {}
    for code, grid, lon in [("E1", "D-S1-C1-G1", 113.05), ("E2", "D-S1-C1-G2", 113.15)]:
        made[code] = Station.objects.create(
            code=code, name=f"{code}站", kind="micro", lat=35.2, lon=lon, grid=territory[grid]
        )
    put_days(made["E1"], dt.date(2026, 11, 1), [30.0] * 30 + [40.0] * 10)
    put_days(made["E2"], dt.date(2026, 11, 1), [50.0] * 30 + [20.0] * 10)
    return made


def test_resolve_keeps_explicit_ends():
    on = dt.date(2026, 12, 15)
    assert periods.resolve(None, None, on) == (dt.date(2026, 12, 1), dt.date(2026, 12, 14))
    assert periods.resolve(None, None, dt.date(2026, 12, 1)) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert periods.resolve(None, dt.date(2026, 10, 9), on) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 9),
    )
    assert periods.resolve(dt.date(2026, 12, 10), None, on) == (
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 14),
    )
    assert periods.resolve(on, None, on) == (on, on)  # from today: today so far


def test_default_level_is_the_level_below_the_viewers_unit(territory, users):
    street_person = Person.objects.create(name="街道主任", phone="13900000009")
    Post.objects.create(
        person=street_person,
        post_type=PostType.objects.get(code="street_official"),
        region=territory["D-S1"],
        start_date=dt.date(2024, 1, 1),
    )
    street_person.user = users["nobody"]
    street_person.save()
    assert periods.default_level(users["command"]) == "street"
    assert periods.default_level(users["nobody"]) == "community"
    assert periods.default_level(users["east_secretary"]) == "station"
    assert periods.default_level(users["g1_leader"]) == "station"


def test_api_rankings_on_the_first_rank_last_month(stations, login, frozen):
    frozen(dt.date(2026, 12, 1))
    body = login("command").get("/api/v1/air/rankings").json()
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-30")
    assert body["level"] == "street"
    east = next(r for r in body["ranked"] if r["code"] == "D-S1")
    assert east["valid_days"] == 30 and east["pm25"] == 40


def test_api_rankings_mid_month_are_month_to_date(stations, login, frozen):
    frozen(dt.date(2026, 12, 10))
    body = login("command").get("/api/v1/air/rankings?level=station").json()
    assert (body["from"], body["to"]) == ("2026-12-01", "2026-12-09")
    assert [(r["code"], r["pm25"]) for r in body["ranked"]] == [("E2", 20), ("E1", 40)]


def test_explicit_period_is_kept(stations, login, frozen):
    frozen(dt.date(2026, 12, 1))
    body = login("command").get("/api/v1/air/rankings?from=2026-12-01&to=2026-12-01").json()
    assert (body["from"], body["to"]) == ("2026-12-01", "2026-12-01")
    assessment = login("command").get("/api/v1/air/assessment?level=street").json()
    assert {(a["start"], a["end"]) for a in assessment} == {("2026-11-01", "2026-11-30")}


def test_community_user_sees_its_stations_ranked_not_an_empty_street_table(stations, login, frozen):
    frozen(dt.date(2026, 12, 2))
    client = login("east_secretary")
    body = client.get("/api/v1/air/rankings").json()
    assert body["level"] == "station"
    assert {r["code"] for r in body["ranked"]} == {"E1", "E2"}
    html = client.get("/air/rankings/").content.decode()
    assert "E1站" in html and "E2站" in html
    assert 'value="2026-11-01"' in html and 'value="2026-11-30"' in html
    assert '<option value="station" selected>' in html


def test_order_statistics_page_defaults(stations, login, frozen):
    frozen(dt.date(2026, 12, 2))
    response = login("east_secretary").get("/orders/stats/")
    assert response.status_code == 200
    assert response.context["r"]["by"] == "grid"
    assert (response.context["r"]["from"], response.context["r"]["to"]) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )


def test_a_bad_date_is_refused_naming_the_field(login):
    response = login("command").get("/api/v1/air/rankings?from=2026-02-30")
    assert response.status_code == 400 and "from" in response.content.decode()
