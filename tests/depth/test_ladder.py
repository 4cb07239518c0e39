"""The ladder (territory/ladder.py): configured lists with gaps, roots at any level, and a bad
GRIDGOV_TERRITORY_LEVELS stopping the start with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.territory import ladder
from gridgov.territory.levels import Level, from_key, key, parse_level
from gridgov.territory.models import Region
from gridgov.territory.services import RegionSpec, apply_plan, validate_plan
from tests.conftest import box

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_default_ladder_is_the_whole_chain_top_first():
    assert ladder.configured() == (
        Level.PROVINCE,
        Level.CITY,
        Level.DISTRICT,
        Level.STREET,
        Level.COMMUNITY,
        Level.GRID,
    )
    assert ladder.top() == Level.PROVINCE
    assert ladder.below(Level.CITY) == Level.DISTRICT
    assert ladder.above(Level.DISTRICT) == Level.CITY
    assert ladder.below(Level.GRID) is None and ladder.above(Level.PROVINCE) is None
    assert ladder.sub_unit_level(Level.CITY) == Level.DISTRICT
    assert ladder.sub_unit_level(Level.COMMUNITY) == Level.COMMUNITY  # tables itself


def test_the_four_levels_keep_their_stored_numbers():
    assert (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID) == (1, 2, 3, 4)
    assert (Level.PROVINCE, Level.CITY) == (-1, 0)


@pytest.mark.parametrize(
    ("raw", "levels"),
    [
        ("", tuple(Level)),
        ("市,区,街道,社区,网格", (0, 1, 2, 3, 4)),
        ("city, district, street, grid", (0, 1, 2, 4)),
        ("区，街道，网格", (1, 2, 4)),
        ("-1,0,1,2,3,4", tuple(Level)),
        ("地级市,县,镇,村,网格", (0, 1, 2, 3, 4)),
    ],
)
def test_configured_lists_parse(raw, levels):
    assert ladder.parse_config(raw) == levels


def test_a_level_left_out_is_skipped(settings):
    settings.GRIDGOV_TERRITORY_LEVELS = ladder.parse_config("市,区,街道,网格")
    assert ladder.below(Level.STREET) == Level.GRID  # no community level
    assert ladder.above(Level.GRID) == Level.STREET
    assert ladder.below(Level.CITY) == Level.DISTRICT
    assert ladder.top() == Level.CITY and ladder.above(Level.CITY) is None
    assert ladder.units() == (Level.CITY, Level.DISTRICT, Level.STREET)
    assert list(ladder.unit_keys()) == ["city", "district", "street"]
    # A street tables itself when only grids lie below it.
    assert ladder.sub_unit_level(Level.STREET) == Level.STREET


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("市,大区,网格", "unknown level '大区'"),
        ("市,区,区,网格", "named twice"),
        ("区,市,网格", "from the top down"),
        ("市,区,街道", "the last level must be the grid"),
        ("网格", "at least one level above the grid"),
    ],
)
def test_a_bad_list_is_a_clear_error(raw, message):
    with pytest.raises(ValueError, match=message) as err:
        ladder.parse_config(raw)
    assert "GRIDGOV_TERRITORY_LEVELS" in str(err.value)


def test_a_bad_list_stops_the_start_with_the_reason(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "GRIDGOV_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "GRIDGOV_TERRITORY_LEVELS": "区,市,网格",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "GRIDGOV_TERRITORY_LEVELS: list the levels from the top down" in done.stderr


def test_level_names_for_the_province_and_the_city():
    for name in ("省", "自治区", "直辖市", "province"):
        assert parse_level(name) == Level.PROVINCE
    for name in ("市", "地级市", "州", "自治州", "盟", "city", "0"):
        assert parse_level(name) == Level.CITY
    assert parse_level("-1") == Level.PROVINCE and parse_level("大区") is None
    assert key(Level.CITY) == "city" and from_key("district") == Level.DISTRICT


def test_the_roots_are_where_the_stored_trees_start(city):
    assert ladder.root_levels() == [Level.CITY]
    assert ladder.root_level() == Level.CITY
    assert ladder.units_below_root() == (Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def test_a_district_root_beside_nothing_else(territory):
    assert ladder.root_level() == Level.DISTRICT
    assert ladder.units_below_root() == (Level.STREET, Level.COMMUNITY)


def test_no_territory_has_no_root(db):
    assert ladder.root_levels() == [] and ladder.root_level() is None


def test_on_path_finds_the_unit_at_any_depth(city):
    units = {r.path: r for r in Region.objects.filter(level=Level.STREET)}
    grid = city["CT-D2-S1-C1-G1"]
    assert ladder.on_path(grid.path, units) == city["CT-D2-S1"]
    assert ladder.on_path(city["CT"].path, units) is None


def test_a_tree_may_start_at_any_level_and_parents_follow_the_ladder(db, settings):
    # A street with no parent is a tree of its own.
    apply_plan([RegionSpec("S", "独立街道", Level.STREET, None, box(110, 30, 110.2, 30.2))])
    assert Region.objects.get(code="S").parent is None
    # A street under a city skips the district: refused, naming the level wanted.
    report = validate_plan(
        [
            RegionSpec("C", "市", Level.CITY, None, box(111, 30, 112, 31)),
            RegionSpec("C-S", "街道", Level.STREET, "C", box(111, 30, 111.5, 31)),
            RegionSpec("G", "网格", Level.GRID, None, box(113, 30, 113.1, 30.1)),
        ]
    )
    reasons = {(p.code, p.field): p.reason for p in report.problems}
    assert "needs a level-1 parent" in reasons[("C-S", "parent")]
    assert reasons[("G", "parent")] == "missing parent code"
    # With no community level configured, a grid's parent is the street, and a community is
    # not a level this deployment has.
    settings.GRIDGOV_TERRITORY_LEVELS = ladder.parse_config("市,区,街道,网格")
    ok = validate_plan(
        [RegionSpec("S-G", "网格", Level.GRID, "S", box(110, 30, 110.1, 30.1), "urban", [])]
    )
    assert ok.ok, ok.problems
    bad = validate_plan(
        [RegionSpec("S-C", "社区", Level.COMMUNITY, "S", box(110, 30, 110.1, 30.1))]
    )
    assert "not one of the configured levels" in bad.problems[0].reason
