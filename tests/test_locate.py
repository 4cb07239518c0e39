"""Point → grid: inside, shared border, vertex, outside, invalid input, refresh, bulk."""

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.territory.locate import InvalidCoordinates, get_index, locate
from gridgov.territory.services import redraw_region
from tests.conftest import box


def test_point_inside_a_grid_returns_the_grid_and_its_whole_chain(territory):
    where = locate(35.2, 113.05)
    assert where.inside
    assert where.grid.code == "D-S1-C1-G1"
    assert [r.code for r in where.chain] == ["D", "D-S1", "D-S1-C1", "D-S1-C1-G1"]
    assert [r.level for r in where.chain] == [1, 2, 3, 4]


def test_point_on_a_shared_border_goes_to_exactly_one_grid_the_smallest_code(territory):
    # lon 113.1 is the edge between G1 and G2; lon 113.2 between G2 and G3.
    assert locate(35.2, 113.1).grid.code == "D-S1-C1-G1"
    assert locate(35.2, 113.2).grid.code == "D-S1-C1-G2"
    # the same answer every time, and from the bulk path too
    index = get_index()
    bulk = index.lookup_many(np.array([35.2, 35.2]), np.array([113.1, 113.2]))
    assert [index.locations[i].grid.code for i in bulk] == ["D-S1-C1-G1", "D-S1-C1-G2"]


def test_point_on_a_vertex_shared_by_three_grids_goes_to_one(territory):
    # (35.4, 113.2) is a corner of G2, G3 and the district outline.
    where = locate(35.4, 113.2)
    assert where.inside
    assert where.grid.code == "D-S1-C1-G2"
    assert locate(35.0, 113.0).grid.code == "D-S1-C1-G1"  # the district's own corner


def test_point_outside_the_district_is_outside_not_an_error(territory):
    where = locate(36.0, 113.2)
    assert not where.inside
    assert where.grid is None
    assert where.chain == ()


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (91, 113.0, "lat"),
        (-90.5, 113.0, "lat"),
        (35.0, 181, "lon"),
        (float("nan"), 113.0, "lat"),
        (35.0, float("inf"), "lon"),
    ],
)
def test_invalid_coordinates_are_refused_naming_the_field(territory, lat, lon, field):
    with pytest.raises(InvalidCoordinates) as exc:
        locate(lat, lon)
    assert exc.value.field == field


def test_no_grids_means_everything_is_outside(db):
    assert not locate(35.2, 113.2).inside


def test_index_is_rebuilt_when_a_boundary_changes(territory):
    assert locate(35.2, 113.05).grid.code == "D-S1-C1-G1"
    first = get_index()
    # Shrink G1 to its northern half; its southern half becomes a gap inside C1.
    redraw_region("D-S1-C1-G1", box(113.0, 35.2, 113.1, 35.4), reason="test")
    assert get_index() is not first
    assert not locate(35.1, 113.05).inside
    assert locate(35.3, 113.05).grid.code == "D-S1-C1-G1"


def test_index_is_built_once_and_reused(territory):
    assert get_index() is get_index()


EDGES_LAT = st.sampled_from([35.0, 35.2, 35.4])
EDGES_LON = st.sampled_from([113.0, 113.1, 113.2, 113.4])


# The territory is only read here, so sharing one fixture across examples is safe.
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=st.one_of(st.floats(34.9, 35.5), EDGES_LAT),
    lon=st.one_of(st.floats(112.9, 113.5), EDGES_LON),
)
def test_locate_agrees_with_a_brute_force_search(territory, lat, lon):
    index = get_index()
    point = shapely.Point(lon, lat)
    expected = sorted(
        loc.grid.code
        for loc, geom in zip(index.locations, index.geoms, strict=True)
        if geom.intersects(point)
    )
    where = locate(lat, lon)
    if expected:
        assert where.grid.code == expected[0]
    else:
        assert not where.inside


def test_api_locate_inside_returns_chain_and_responsible_people(territory, people, bearer, client):
    response = client.get("/api/v1/locate", {"lat": 35.2, "lon": 113.05}, **bearer("command"))
    assert response.status_code == 200
    body = response.json()
    assert body["inside"] is True
    assert body["grid"]["code"] == "D-S1-C1-G1"
    assert [c["code"] for c in body["chain"]] == ["D", "D-S1", "D-S1-C1", "D-S1-C1-G1"]
    names = [(p["name"], p["post"]) for p in body["responsible"]]
    # grid staff first (leader before worker), then the chain above
    assert names[:2] == [("张网格", "网格长"), ("李专职", "专职网格员")]
    assert ("东书记", "社区/村书记") in names
    assert ("指挥长", "指挥中心") in names
    assert all(set(p) >= {"name", "post", "phone"} for p in body["responsible"])


def test_api_locate_outside(territory, people, bearer, client):
    response = client.get("/api/v1/locate", {"lat": 10, "lon": 10}, **bearer("command"))
    assert response.status_code == 200
    assert response.json() == {
        "inside": False,
        "grid": None,
        "chain": [],
        "responsible": [],
        "responsible_in_scope": False,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 95, "lon": 113}, "lat"),
        ({"lat": 35, "lon": -200}, "lon"),
        ({"lat": "north", "lon": 113}, "lat"),
        ({"lon": 113}, "lat"),
    ],
)
def test_api_locate_invalid_coordinates_is_400_naming_the_field(
    territory, people, bearer, client, params, field
):
    response = client.get("/api/v1/locate", params, **bearer("command"))
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


def test_api_locate_hides_people_of_a_grid_outside_the_callers_scope(
    territory, people, bearer, client
):
    response = client.get("/api/v1/locate", {"lat": 35.2, "lon": 113.3}, **bearer("east_secretary"))
    body = response.json()
    assert body["grid"]["code"] == "D-S2-C2-G3"
    assert body["responsible"] == []
    assert body["responsible_in_scope"] is False
