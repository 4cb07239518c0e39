"""A city of two districts, for the rules that must hold at any depth.

测试市 (CT, a 市 region) holds 一区 (CT-D1, lon 113.0-113.4) and 二区 (CT-D2, lon 113.4-113.8);
each district has two streets (west and east halves), each street one community of its shape,
each community one grid. Accounts: `city_command` (the city's 城运中心, sees everything),
`d1_office` (一区's own 指挥中心: its district only), `s1_official` (一区东街道) and
`c1_secretary` (its community). Station M-<street code> sits in each street's grid."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.models import CST
from gridgov.air.stations import StationSpec, save_station
from gridgov.territory.models import GridKind, Level, Region
from gridgov.territory.services import RegionSpec, apply_plan
from tests.air.conftest import put_days
from tests.conftest import _person, box

DISTRICTS = {"CT-D1": ("一区", 113.0), "CT-D2": ("二区", 113.4)}


def city_specs() -> list[RegionSpec]:
    specs = [RegionSpec("CT", "测试市", Level.CITY, None, box(113.0, 35.0, 113.8, 35.4))]
    for code, (name, lon) in DISTRICTS.items():
        specs.append(RegionSpec(code, name, Level.DISTRICT, "CT", box(lon, 35.0, lon + 0.4, 35.4)))
        for s, (label, west) in enumerate((("东", lon), ("西", lon + 0.2)), start=1):
            street, community = f"{code}-S{s}", f"{code}-S{s}-C1"
            cell = box(west, 35.0, west + 0.2, 35.4)
            specs += [
                RegionSpec(street, f"{name}{label}街道", Level.STREET, code, cell),
                RegionSpec(community, f"{name}{label}一社区", Level.COMMUNITY, street, cell),
                RegionSpec(
                    f"{community}-G1",
                    f"{name}{label}一第1网格",
                    Level.GRID,
                    community,
                    cell,
                    GridKind.URBAN,
                    ["governance"],
                ),
            ]
    return specs


@pytest.fixture
def city(db) -> dict[str, Region]:
    apply_plan(city_specs())
    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def city_users(city):
    from django.contrib.auth import get_user_model

    _person("市指挥长", "13900000101", "city_command_office", city["CT"], "city_command")
    _person("一区指挥长", "13900000102", "district_command_office", city["CT-D1"], "d1_office")
    _person("一区东街干部", "13900000103", "street_official", city["CT-D1-S1"], "s1_official")
    _person("一区东书记", "13900000104", "secretary", city["CT-D1-S1-C1"], "c1_secretary")
    return {u.username: u for u in get_user_model().objects.all()}


# PM2.5 of each street's station (daily, every day): 二区 is dirtier than 一区, and within
# each district the east street is dirtier than the west.
PM25 = {"CT-D1-S1": 40.0, "CT-D1-S2": 30.0, "CT-D2-S1": 70.0, "CT-D2-S2": 60.0}


@pytest.fixture
def city_air(city):
    """A station in each street's grid with 60 days of daily values to today (China time)."""
    today = dt.datetime.now(CST).date()
    start = today - dt.timedelta(days=60)
    out = {}
    for street, pm25 in PM25.items():
        lon = 113.05 if street.endswith("S1") else 113.25
        lon += 0.4 if street.startswith("CT-D2") else 0.0
        station = save_station(StationSpec(f"M-{street}", f"{street}站", "micro", 35.2, lon, 1))
        put_days(station, start, [pm25] * 61)
        out[street] = station
    return out
