"""Boundaries change without rewriting the past: versions, merges, retirement."""

import datetime as dt

import pytest

from gridgov.people.models import Person, Post, PostType
from gridgov.territory.locate import locate
from gridgov.territory.models import BoundaryVersion, Region
from gridgov.territory.services import PlanError, merge_grids, redraw_region, retire_region
from tests.conftest import box


def test_redraw_keeps_the_old_version(territory):
    redraw_region("D-S1-C1-G1", box(113.0, 35.1, 113.1, 35.4), reason="road moved")
    versions = list(BoundaryVersion.objects.filter(region__code="D-S1-C1-G1").order_by("version"))
    assert [(v.version, v.reason) for v in versions] == [(1, "created"), (2, "road moved")]
    assert versions[0].valid_to == versions[1].valid_from


def test_redraw_that_breaks_the_rules_is_refused_and_changes_nothing(territory):
    with pytest.raises(PlanError, match="overlaps"):
        redraw_region("D-S1-C1-G1", box(113.0, 35.0, 113.15, 35.4))
    assert Region.objects.get(code="D-S1-C1-G1").version == 1
    assert BoundaryVersion.objects.filter(region__code="D-S1-C1-G1").count() == 1


def test_merge_retires_the_old_grids_and_keeps_their_records(territory):
    worker = Person.objects.create(name="赵兼职", phone="13700000009")
    post = Post.objects.create(
        person=worker,
        post_type=PostType.objects.get(code="grid_worker_part"),
        region=territory["D-S1-C1-G1"],
        start_date=dt.date(2024, 1, 1),
    )
    merged = merge_grids(["D-S1-C1-G1", "D-S1-C1-G2"], "D-S1-C1-G12", "东一合并网格")
    assert merged.parent.code == "D-S1-C1"
    assert merged.area_km2 == pytest.approx(
        territory["D-S1-C1-G1"].area_km2 + territory["D-S1-C1-G2"].area_km2, rel=1e-6
    )
    old = Region.objects.get(code="D-S1-C1-G1")
    assert old.retired_at is not None and old.successor == merged
    assert old.boundary_versions.get().valid_to is not None
    # What was recorded against the old grid stays against it.
    post.refresh_from_db()
    assert post.region == old
    # Routing now answers the merged grid on both sides of the old border.
    assert locate(35.2, 113.05).grid.code == "D-S1-C1-G12"
    assert locate(35.2, 113.15).grid.code == "D-S1-C1-G12"


def test_merge_of_grids_from_two_communities_is_refused(territory):
    with pytest.raises(PlanError, match="share one community"):
        merge_grids(["D-S1-C1-G1", "D-S2-C2-G3"], "X", "跨社区")
    assert not Region.objects.filter(code="X").exists()
    assert Region.objects.active().count() == 8


def test_retired_region_is_not_routed(territory):
    retire_region("D-S2-C2")
    assert not locate(35.2, 113.3).inside
    assert Region.objects.get(code="D-S2-C2-G3").retired_at is not None
