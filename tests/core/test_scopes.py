"""One path-to-query helper for every scoped list: subtrees by materialised path."""

from __future__ import annotations

import pytest
from django.db.models import Q

from gridgov.core.scopes import under_paths
from gridgov.territory.models import Region

pytestmark = pytest.mark.django_db


def codes(q: Q) -> set[str]:
    return set(Region.objects.filter(q).values_list("code", flat=True))


def test_rows_under_any_of_the_paths(territory):
    east, west = territory["D-S1"], territory["D-S2-C2"]
    assert codes(under_paths([east.path], "path")) == {
        "D-S1", "D-S1-C1", "D-S1-C1-G1", "D-S1-C1-G2"
    }  # fmt: skip
    assert codes(under_paths([east.path, west.path], "path")) == {
        "D-S1", "D-S1-C1", "D-S1-C1-G1", "D-S1-C1-G2", "D-S2-C2", "D-S2-C2-G3"
    }  # fmt: skip


def test_everything_for_the_all_scope_and_nothing_for_no_paths(territory):
    assert codes(under_paths(None, "path")) == set(territory)
    assert codes(under_paths([], "path")) == set()


def test_several_lookups_are_alternatives(territory):
    grid = territory["D-S2-C2-G3"]
    q = under_paths([grid.path], "path", "parent__path")
    assert codes(q) == {"D-S2-C2-G3"}
    q = under_paths([territory["D-S1-C1"].path], "parent__path")  # the community's children
    assert codes(q) == {"D-S1-C1-G1", "D-S1-C1-G2"}
