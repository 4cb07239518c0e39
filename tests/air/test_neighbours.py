"""The one neighbour choice (air/neighbours.py) the alarms, the tampering scan and the DiD share."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.air import effect, tamper_data
from gridgov.air.models import Station
from gridgov.air.neighbours import CONTROL, Neighbourhood

KM = 1 / 111.195  # one km of latitude


@pytest.fixture
def line(territory):
    """Micro stations 0, 1, 2, 4 km north of M0, a national one 20 km north, an emission one
    and an inactive one next to M0."""
    grid = territory["D-S1-C1-G1"]

    def make(code: str, km: float, kind: str = "micro", active: bool = True) -> Station:
        return Station.objects.create(
            code=code,
            name=code,
            kind=kind,
            lat=35.2 + km * KM,
            lon=113.095,
            grid=grid,
            interval_minutes=1,
            active=active,
        )

    return {
        "m0": make("M0", 0.0),
        "m1": make("M1", 1.0),
        "m2": make("M2", 2.0),
        "m4": make("M4", 4.0),
        "nat": make("N20", 20.0, "national"),
        "emi": make("E0", 0.1, "emission"),
        "off": make("X0", 0.2, active=False),
    }


@pytest.mark.django_db
def test_around_is_nearest_first_within_the_radius_with_limit_and_controls_after(line):
    hood = Neighbourhood()
    with CaptureQueriesContext(connection) as q:
        pos, km = hood.of(line["m0"].pk, 3.0)
        hood.of(line["m1"].pk, 3.0)
    assert len(q.captured_queries) == 1  # the stations are read once
    assert hood.stations.ids[pos].tolist() == [line["m1"].pk, line["m2"].pk]
    assert km.tolist() == pytest.approx([1.0, 2.0], rel=1e-3)
    pos, _ = hood.of(line["m0"].pk, 3.0, limit=1)
    assert hood.stations.ids[pos].tolist() == [line["m1"].pk]
    pos, km = hood.around(35.2, 113.095, 3.0, exclude=line["m0"].pk, also=CONTROL)
    assert hood.stations.ids[pos].tolist() == [line["m1"].pk, line["m2"].pk, line["nat"].pk]
    assert km[-1] == pytest.approx(20.0, rel=1e-3)


@pytest.mark.django_db
def test_an_inactive_station_has_active_neighbours_and_the_three_callers_agree(line):
    assert effect.neighbours_of(line["off"].pk, 1.5) == [line["m0"].pk, line["m1"].pk]
    assert effect.neighbours_of(line["m0"].pk, 5.0, 2) == [line["m1"].pk, line["m2"].pk]
    area = tamper_data.area(2.5)
    k = area.ids.index(line["m0"].pk)
    assert [area.ids[n] for n in area.near[k]] == [line["m1"].pk, line["m2"].pk]
    assert line["emi"].pk not in area.ids and line["off"].pk not in area.ids
