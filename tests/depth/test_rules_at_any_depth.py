"""Every relative rule at a city root (its office ranks districts) and at a district inside it
(its office ranks streets): the viewer's units, what it ranks, the overview's ranking and order
units, the air rankings, governance, the bulletins' sub-unit tables, the horse race, the
statistics by any unit level, the targets' district, the landing page."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import periods
from gridgov.air.models import CST
from gridgov.people import scope
from gridgov.territory.models import Level

pytestmark = pytest.mark.django_db

DISTRICTS = ["CT-D1", "CT-D2"]
D1_STREETS = ["CT-D1-S1", "CT-D1-S2"]


def today() -> dt.date:
    return dt.datetime.now(CST).date()


# --- the viewer's own units and what its office ranks ----------------------------------------


def test_the_city_office_ranks_districts_and_a_district_office_streets(city, city_users):
    u = city_users
    assert [r.code for r in scope.own_units(u["city_command"])] == ["CT"]
    assert scope.ranked_level(u["city_command"]) == Level.DISTRICT
    assert [r.code for r in scope.own_units(u["d1_office"])] == ["CT-D1"]
    assert scope.ranked_level(u["d1_office"]) == Level.STREET
    assert scope.ranked_level(u["s1_official"]) == Level.COMMUNITY
    assert scope.ranked_level(u["c1_secretary"]) == Level.GRID
    assert periods.default_level(u["city_command"]) == "district"
    assert periods.default_level(u["d1_office"]) == "street"
    assert periods.default_level(u["c1_secretary"]) == "station"


def test_a_district_root_still_ranks_streets(users):
    assert scope.ranked_level(users["command"]) == Level.STREET
    assert periods.default_level(users["command"]) == "street"


# --- the overview ------------------------------------------------------------------------------


def test_the_overview_ranking_of_a_city_lists_its_districts(city, city_users, city_air):
    from gridgov.centre import overview

    user = city_users["city_command"]
    units = overview.top_units(user)
    assert [u.code for u in units] == ["CT"]
    ranking = overview.ranking(user, units, [], today())
    assert ranking.level == "district"
    # 一区 (stations at 40 and 30) is cleaner than 二区 (70 and 60).
    assert [r.code for r in ranking.rows] == DISTRICTS
    assert "level=district" in ranking.url


def test_the_overview_ranking_of_a_district_in_a_city_lists_its_streets(city, city_users, city_air):
    from gridgov.centre import overview

    user = city_users["d1_office"]
    units = overview.top_units(user)
    ranking = overview.ranking(user, units, [], today())
    assert ranking.level == "street"
    assert [r.code for r in ranking.rows] == ["CT-D1-S2", "CT-D1-S1"]  # 30 before 40


def test_good_days_link_a_root_to_the_level_below_and_a_unit_to_its_peers(city):
    from gridgov.centre.overview import rankings_level

    assert rankings_level(city["CT"]) == "district"
    assert rankings_level(city["CT-D1"]) == "district"
    assert rankings_level(city["CT-D1-S1"]) == "street"
    assert rankings_level(city["CT-D1-S1-C1-G1"]) == "station"


def test_orders_are_counted_by_the_level_below_the_viewer(city, city_users):
    from gridgov.workorders.overview_panels import order_units

    u = city_users
    city_units = order_units(u["city_command"], scope.own_units(u["city_command"]))
    assert [r.code for r in city_units] == DISTRICTS
    district_units = order_units(u["d1_office"], scope.own_units(u["d1_office"]))
    assert [r.code for r in district_units] == D1_STREETS


def test_governance_compares_districts_for_the_city(city, city_users):
    from gridgov.centre.governance import compared_units

    assert [r.code for r in compared_units(city_users["city_command"])] == DISTRICTS
    assert [r.code for r in compared_units(city_users["d1_office"])] == D1_STREETS
    assert [r.code for r in compared_units(city_users["c1_secretary"])] == ["CT-D1-S1-C1"]


def test_the_landing_page_of_the_city_and_district_offices_is_the_overview(city, city_users):
    from gridgov.centre.landing import landing_for

    for name in ("city_command", "d1_office"):
        assert landing_for(city_users[name], "Mozilla/5.0 (X11; Linux)") == "/overview/"


# --- the air rankings --------------------------------------------------------------------------


def test_the_air_rankings_api_ranks_districts_by_default_for_the_city(
    client, city, city_users, city_air
):
    client.force_login(city_users["city_command"])
    answer = client.get("/api/v1/air/rankings", {"metric": "pm25"})
    assert answer.status_code == 200, answer.content
    assert [r["code"] for r in answer.json()["ranked"]] == DISTRICTS
    refused = client.get("/api/v1/air/rankings", {"level": "region"})
    assert refused.status_code == 400
    assert "district" in refused.json()["detail"]


def test_the_rankings_page_offers_districts_in_a_city(client, city, city_users, city_air):
    client.force_login(city_users["city_command"])
    page = client.get("/air/rankings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="district" selected' in text and "二区" in text


# --- bulletins -------------------------------------------------------------------------------


def test_a_city_bulletin_ranks_its_districts_and_their_streets(city, city_air):
    from gridgov.bulletins.air_sections import ranking_levels, ranking_section
    from gridgov.bulletins.periods import period_for
    from gridgov.bulletins.shapes import UnitReader

    assert ranking_levels(city["CT"]) == [Level.DISTRICT, Level.STREET]
    assert ranking_levels(city["CT-D1"]) == [Level.STREET, Level.COMMUNITY]
    period = period_for("day", today() - dt.timedelta(days=1))
    section = ranking_section(city["CT"], period, UnitReader(city["CT"]))
    districts, streets = section.tables[:2]
    assert districts.sheet == "区（县）排名"
    assert [row[1] for row in districts.rows] == ["一区", "二区"]
    assert len(streets.rows) == 4


def test_bulletin_units_run_from_the_city_down_to_the_streets(city, city_users):
    from gridgov.bulletins import services

    assert services.unit_for(None) == city["CT"]
    codes = [r.code for r in services.bulletin_units(city_users["city_command"])]
    assert codes == ["CT", *DISTRICTS, "CT-D1-S1", "CT-D1-S2", "CT-D2-S1", "CT-D2-S2"]
    assert [r.code for r in services.bulletin_units(city_users["d1_office"])] == [
        "CT-D1",
        *D1_STREETS,
    ]


def test_the_sub_unit_tables_find_units_at_any_depth(city):
    from gridgov.bulletins.shapes import UnitReader, unit_finder
    from gridgov.territory import ladder

    assert ladder.sub_unit_level(city["CT"].level) == Level.DISTRICT
    find = unit_finder(UnitReader(city["CT"]), Level.DISTRICT)
    assert find(city["CT-D2-S1-C1-G1"].path) == city["CT-D2"]
    find_streets = unit_finder(UnitReader(city["CT-D1"]), Level.STREET)
    assert find_streets(city["CT-D1-S2-C1-G1"].path) == city["CT-D1-S2"]
    assert find_streets(city["CT-D2-S2-C1-G1"].path) is None  # outside 一区


def test_order_statistics_group_by_any_configured_unit_level(city, city_users, clock):
    from gridgov.workorders.stats import order_stats

    day = today()
    result = order_stats(city_users["city_command"], day, day, by="district")
    assert result["ranked"] == [] and result["apart"] == []
    with pytest.raises(ValueError, match="district"):
        order_stats(city_users["city_command"], day, day, by="region")


# --- the horse race --------------------------------------------------------------------------


def test_a_city_card_races_its_districts(city, city_users, city_air):
    from gridgov.demo.racing import seed_district_card
    from gridgov.racing import services

    card = seed_district_card()
    assert card.level == Level.DISTRICT
    start, end = services.period_for(card.period_kind, today())
    result = services.compute(card, start, end, city_users["city_command"], with_previous=False)
    assert [r.code for r in result.rows] == DISTRICTS
    assert result.rows[0].rank == 1 and result.units == 2
    # The district's office sees its own row, ranked among all the city's districts.
    mine = services.compute(card, start, end, city_users["d1_office"], with_previous=False)
    assert [(r.code, r.rank) for r in mine.rows] == [("CT-D1", 1)]


# --- other statistics and targets ------------------------------------------------------------


def test_organisations_coverage_by_district(city, city_users):
    from gridgov.organisations import services

    assert services.default_by(city_users["city_command"]) == "district"
    assert services.default_by(city_users["d1_office"]) == "street"
    cov = services.coverage(city_users["city_command"], today(), by="district")
    assert [r.unit.code for r in cov.rows if r.unit] == DISTRICTS


def test_mediation_statistics_default_to_the_level_below(city, city_users):
    from gridgov.mediation.services import default_level

    assert default_level(city_users["city_command"]) == Level.DISTRICT
    assert default_level(city_users["d1_office"]) == Level.STREET
    assert default_level(city_users["c1_secretary"]) == Level.COMMUNITY


def test_a_streets_target_falls_back_to_its_district_not_the_city(city):
    from gridgov.air.assessment import _district_of
    from gridgov.centre.allowance import district_of

    street = city["CT-D2-S1"]
    assert _district_of(street) == city["CT-D2"]
    assert district_of(street) == city["CT-D2"]
    assert district_of(city["CT-D1"]) == city["CT-D1"]
    assert _district_of(city["CT-D1"]) == city["CT"]  # a district's own: the city above it


def test_inspection_statistics_are_by_district_for_the_city(client, city, city_users):
    from gridgov.inspections import plans

    day = today()
    rows = plans.statistics(city_users["city_command"], day, day, Level.DISTRICT)
    assert rows[-1].unit_code == ""  # the total; no source, so no unit row
    client.force_login(city_users["city_command"])
    page = client.get("/inspections/")
    assert page.status_code == 200 and page.context["level"] == "district"
    client.force_login(city_users["d1_office"])
    assert client.get("/inspections/").context["level"] == "street"
    client.force_login(city_users["s1_official"])
    assert client.get("/inspections/").context["level"] == "street"
    answer = client.get("/api/v1/inspections/stats", {"level": "grid", "from": day, "to": day})
    assert answer.status_code == 400 and "district" in answer.json()["detail"]
