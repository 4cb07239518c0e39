"""`gridgov demo --city`: the demo district as one of the city's districts, the others with
their streets, grids, people and stations; the city's command office ranks the districts, the
district's own office its streets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from gridgov.air.models import CST, Station
from gridgov.centre import overview
from gridgov.demo import city
from gridgov.demo.generator import DISTRICT_CODE
from gridgov.people import scope
from gridgov.people.models import Post
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region


def test_demo_city_builds_districts_the_city_office_ranks(db):
    call_command(
        "demo", "--no-serve", "--no-air", "--no-orders", "--no-sources", "--city",
        "--city-districts", "3", "--seed", "7",
    )  # fmt: skip
    root = Region.objects.get(code=city.CITY_CODE)
    assert root.level == Level.CITY and root.parent is None
    assert ladder.root_levels() == [Level.CITY]
    districts = list(Region.objects.filter(level=Level.DISTRICT).order_by("code"))
    codes = [d.code for d in districts]
    assert len(codes) == 3 and DISTRICT_CODE in codes
    assert all(d.parent_id == root.pk for d in districts)
    # The demo district as `gridgov demo` builds it, one level deeper.
    demo_district = Region.objects.get(code=DISTRICT_CODE)
    assert demo_district.children.count() == 7
    grids = Region.objects.active().grids()
    others = [c for c in codes if c != DISTRICT_CODE]
    per_district = city.STREETS * city.COMMUNITIES * city.GRIDS
    assert grids.count() == 819 + 2 * per_district
    # Someone responsible in every grid of the other districts, an office in each district.
    for code in others:
        path = Region.objects.get(code=code).path
        other_grids = grids.filter(path__startswith=path)
        assert other_grids.count() == per_district
        led = Post.objects.current().filter(post_type__code="grid_leader", region__in=other_grids)
        assert led.values("region").distinct().count() == per_district
        assert (
            Post.objects.current()
            .filter(post_type__code="district_command_office", region__code=code)
            .exists()
        )
        assert Station.objects.filter(code__startswith=f"{code}-").count() == 1
        assert Station.objects.filter(code__startswith=f"W{code}").count() == 1

    stored = city.seed_readings(seed=7, days=40)
    assert stored > 0

    User = get_user_model()
    command, district = User.objects.get(username="command"), User.objects.get(username="district")
    assert scope.sees_everything(command)
    units = overview.top_units(command)
    assert [u.code for u in units] == [city.CITY_CODE]
    today = dt.datetime.now(CST).date()
    ranking = overview.ranking(command, units, [], today)
    assert ranking.level == "district"
    assert sorted(r.code for r in ranking.rows + ranking.apart) == codes
    assert {r.code for r in ranking.rows} >= set(others)  # ranked: they have data
    # The district's office sees its district only, and ranks its streets.
    assert not scope.sees_everything(district)
    own = overview.top_units(district)
    assert [u.code for u in own] == [DISTRICT_CODE]
    streets = overview.ranking(district, own, [], today)
    assert streets.level == "street"
    assert len(streets.rows + streets.apart) == 7
    # The city's card races the districts.
    from gridgov.racing.models import Scorecard

    assert Scorecard.objects.get(name="区县赛马").level == Level.DISTRICT


def test_demo_city_refuses_a_bad_size(db):
    with pytest.raises(CommandError, match="--city-districts must be from 2 to 10"):
        call_command("demo", "--no-serve", "--city", "--city-districts", "11")
