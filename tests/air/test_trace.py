"""Back-tracing (air/trace.py, sources/trace.py, GET /api/v1/air/trace): made-up wind fields
whose answer is known, the cone and its scores, the API's scope and bad inputs.

Meteorological convention: a01008 is where the wind comes FROM; an east wind (90°) at 3 m/s
carries air westward, so an hour back the air was 3 × 3600 = 10 800 m due EAST."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from gridgov.air import trace as tracing
from gridgov.air.factor_models import FactorHour
from gridgov.air.factors import DIRECTION, SPEED
from gridgov.air.models import CST
from gridgov.sources.services import SourceInput, create_source, point_geometry
from gridgov.sources.trace import traced_sources

AT = int(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST).timestamp())  # an hour's start
START = (35.2, 113.095)


def uniform(from_deg: float, speed: float) -> np.ndarray:
    """One station far west and one far east, both with the same wind: rows lat, lon, u, v."""
    d = math.radians(from_deg)
    u, v = -speed * math.sin(d), -speed * math.cos(d)
    return np.array([[35.2, 112.5, u, v], [35.6, 113.7, u, v]])


def end_xy(t: tracing.Trace) -> tuple[float, float]:
    x, y = t.plane.xy(t.points[-1].lat, t.points[-1].lon)
    return float(x), float(y)


# --- the trajectory on made-up fields --------------------------------------------------------


def test_an_east_wind_puts_the_air_of_an_hour_ago_10_8_km_due_east():
    t = tracing.backtrack(*START, AT, 1, lambda hour: uniform(90.0, 3.0))
    assert t.stopped == "done" and len(t.points) == 7  # the start and six 10-min steps
    x, y = end_xy(t)
    assert x == pytest.approx(10_800, abs=1) and y == pytest.approx(0, abs=1)
    assert t.points[-1].ts == AT - 3600 and t.points[-1].hours_back == 1.0
    assert t.points[-1].along_m == pytest.approx(10_800)
    # The half-width: 500 m + tan 15° × 10.8 km + 500 m × 1 h.
    assert t.points[-1].half_width_m == pytest.approx(
        500 + math.tan(math.radians(15)) * 10_800 + 500
    )


def test_a_north_wind_goes_north_and_a_south_west_wind_goes_south_west():
    x, y = end_xy(tracing.backtrack(*START, AT, 2, lambda hour: uniform(0.0, 2.0)))
    assert x == pytest.approx(0, abs=1) and y == pytest.approx(14_400, abs=1)
    x, y = end_xy(tracing.backtrack(*START, AT, 1, lambda hour: uniform(225.0, 2.0 * math.sqrt(2))))
    assert x == pytest.approx(-7_200, abs=1) and y == pytest.approx(-7_200, abs=1)


def test_the_wind_turns_hour_by_hour_and_each_step_uses_its_own_hour():
    """The last hour (09:00–10:00) from the east, the hour before (08:00–09:00) from the north:
    two hours back the air was 10.8 km east and 10.8 km north."""

    def winds(hour: int) -> np.ndarray:
        return uniform(90.0, 3.0) if hour == AT - 3600 else uniform(0.0, 3.0)

    t = tracing.backtrack(*START, AT, 2, winds)
    x, y = end_xy(t)
    assert x == pytest.approx(10_800, abs=2) and y == pytest.approx(10_800, abs=2)
    half = t.points[6]
    hx, hy = t.plane.xy(half.lat, half.lon)
    assert float(hx) == pytest.approx(10_800, abs=1) and float(hy) == pytest.approx(0, abs=1)


def test_idw_is_exact_at_a_station_and_the_mean_of_the_components_midway():
    sx, sy = np.array([0.0, 2000.0]), np.array([0.0, 0.0])
    uv = np.array([[-3.0, 0.0], [0.0, -3.0]])
    assert tracing.idw(0.0, 0.0, sx, sy, uv).tolist() == [-3.0, 0.0]
    assert tracing.idw(1000.0, 0.0, sx, sy, uv).tolist() == pytest.approx([-1.5, -1.5])
    # A quarter of the way: weights 1/500² and 1/1500², 9 : 1.
    assert tracing.idw(500.0, 0.0, sx, sy, uv).tolist() == pytest.approx([-2.7, -0.3])


def test_two_regions_the_path_bends_where_the_other_station_takes_over():
    """West station: wind from the east; a station 20 km east: wind from the north. Starting at
    the west station the path first runs east, then turns north as the east station's weight
    grows; it never goes west or south."""
    field_ = np.array([[35.2, 113.0, -3.0, 0.0], [35.2, 113.0 + 20_000 / 91_000, 0.0, -3.0]])
    t = tracing.backtrack(35.2, 113.0, AT, 3, lambda hour: field_)
    xs, ys = t.plane.xy(np.array([p.lat for p in t.points]), np.array([p.lon for p in t.points]))
    assert np.all(np.diff(xs) >= -1e-6) and np.all(np.diff(ys) >= -1e-6)
    first = (xs[1] - xs[0], ys[1] - ys[0])
    last = (xs[-1] - xs[-2], ys[-1] - ys[-2])
    assert first[0] > 10 * first[1]  # east at first
    assert last[1] > last[0]  # more north than east at the end


def test_no_wind_gives_an_empty_path_with_the_reason():
    t = tracing.backtrack(*START, AT, 3, lambda hour: np.zeros((0, 4)))
    assert t.stopped == "no_wind" and len(t.points) == 1 and not t.usable
    assert tracing.score_points(t, [START[0]], [START[1] + 0.05]) == [None]
    # Wind in the last hour only: the path stops after it.
    t = tracing.backtrack(
        *START, AT, 3, lambda hour: uniform(90, 3) if hour == AT - 3600 else np.zeros((0, 4))
    )
    assert t.stopped == "no_wind" and len(t.points) == 7 and t.usable


def test_hours_outside_1_to_6_are_refused():
    for hours in (0, 7):
        with pytest.raises(ValueError):
            tracing.backtrack(*START, AT, hours, lambda hour: uniform(90, 3))


def test_scores_fall_with_time_back_and_distance_from_the_path():
    t = tracing.backtrack(*START, AT, 2, lambda hour: uniform(90.0, 3.0))
    k = 1 / (111_194.9 * math.cos(math.radians(35.2)))  # degrees of longitude per metre
    on_near, on_far, off, downwind = tracing.score_points(
        t,
        [35.2, 35.2, 35.2 + 1000 / 111_195, 35.2],
        [START[1] + 3000 * k, START[1] + 15_000 * k, START[1] + 3000 * k, START[1] - 3000 * k],
    )
    assert on_near is not None and on_far is not None and off is not None
    assert downwind is None
    assert on_near.hours_back == pytest.approx(3000 / 10_800, abs=1e-3)
    assert on_near.score == pytest.approx(math.exp(-on_near.hours_back / 3))
    assert on_near.score > on_far.score and on_near.score > off.score
    assert off.path_m == pytest.approx(1000, abs=2)
    w = 500 + math.tan(math.radians(15)) * 3000 + 500 * on_near.hours_back
    assert off.score == pytest.approx(math.exp(-off.hours_back / 3) * (1 - 1000 / w), rel=1e-3)


@pytest.mark.parametrize("from_deg", [0.0, 90.0, 200.0])
def test_the_cone_polygon_is_simple_and_holds_the_path_not_what_lies_downwind(from_deg):
    from shapely.geometry import Point, shape

    t = tracing.backtrack(*START, AT, 2, lambda hour: uniform(from_deg, 3.0))
    cone = tracing.cone_polygon(t)
    ring = cone["coordinates"][0]
    assert cone["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) > 10
    polygon = shape(cone)
    assert polygon.is_valid  # no bow-tie at either cap
    assert all(polygon.contains(Point(p.lon, p.lat)) for p in t.points)
    # 3 km downwind of the station: outside (the cone starts 500 m wide at the station).
    d = math.radians(from_deg + 180.0)
    k = 1 / (111_194.9 * math.cos(math.radians(35.2)))
    down = Point(START[1] + 3000 * math.sin(d) * k, START[0] + 3000 * math.cos(d) / 111_195)
    assert not polygon.contains(down)
    # The far cap reaches past the end point, upwind.
    end = t.points[-1]
    assert polygon.contains(Point(end.lon, end.lat))


# --- the stored winds, the grids and the sources ---------------------------------------------


def store_wind(station, hour: int, from_deg: float, speed: float) -> None:
    d = math.radians(from_deg)
    x, y = math.sin(d), math.cos(d)
    FactorHour.objects.create(
        station=station, ts=hour, code=DIRECTION, n=1, total=from_deg,
        x=speed * x, y=speed * y, ux=x, uy=y,
    )  # fmt: skip
    FactorHour.objects.create(station=station, ts=hour, code=SPEED, n=1, total=speed)


def windy(stations, from_deg: float, speed: float = 3.0, hours: int = 6) -> None:
    for k in range(1, hours + 1):
        for s in (stations["micro"], stations["national"]):
            store_wind(s, AT - k * 3600, from_deg, speed)


@pytest.mark.django_db
def test_stored_hourly_winds_make_the_trace_and_the_cone_holds_the_upwind_grid(stations, territory):
    from gridgov.territory.models import Region

    windy(stations, 90.0)  # from the east: G2 (east of M1) is upwind
    m1 = stations["micro"]
    t = tracing.trace_from(m1.lat, m1.lon, AT, 1)
    assert t.stopped == "done"
    x, y = end_xy(t)
    assert x == pytest.approx(10_800, abs=1) and y == pytest.approx(0, abs=1)
    grids = [g.code for g in tracing.score_grids(t, Region.objects.all())]
    assert "D-S1-C1-G2" in grids and grids[0] == "D-S1-C1-G1"  # the station's own grid first
    FactorHour.objects.all().delete()
    windy(stations, 270.0)  # from the west: G2 is downwind
    t = tracing.trace_from(m1.lat, m1.lon, AT, 1)
    assert "D-S1-C1-G2" not in [g.code for g in tracing.score_grids(t, Region.objects.all())]


@pytest.mark.django_db
def test_hours_without_a_valid_speed_or_direction_are_not_wind(stations):
    store_wind(stations["micro"], AT - 3600, 90.0, 3.0)
    FactorHour.objects.filter(code=SPEED).update(n=0)  # only flagged speeds: no wind
    assert len(tracing.hour_winds(AT - 3600)) == 0
    t = tracing.trace_from(35.2, 113.05, AT, 2)
    assert t.stopped == "no_wind" and not t.usable


@pytest.mark.django_db
def test_sources_in_the_cone_scored_best_first(stations, territory):
    from gridgov.sources.models import PollutionSource

    def site(name, lat, lon, status="active"):
        return create_source(
            SourceInput(category="construction_site", name=name,
                        geometry=point_geometry(lat, lon), status=status)
        )  # fmt: skip

    windy(stations, 90.0)
    site("上风近", 35.2, 113.08)
    site("上风远", 35.2, 113.14)
    site("下风", 35.2, 113.02)
    site("上风停产", 35.2, 113.07, status="closed")
    t = tracing.trace_from(35.2, 113.05, AT, 1)
    got = traced_sources(t, PollutionSource.objects.all())
    assert [s.name for s in got] == ["上风近", "上风远"]
    assert got[0].score > got[1].score and got[0].bearing == 90
    assert 2700 <= got[0].metres <= 2760


# --- the API ---------------------------------------------------------------------------------

URL = "/api/v1/air/trace?station={}&at=2026-12-07T10:00%2B08:00&hours={}"


@pytest.mark.django_db
def test_api_trace_answers_path_cone_grids_and_sources_in_scope(stations, client, bearer):
    windy(stations, 90.0)
    create_source(
        SourceInput(category="construction_site", name="东边工地",
                    geometry=point_geometry(35.2, 113.15))
    )  # fmt: skip
    r = client.get(URL.format("M1", 3), **bearer("command"))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["stopped"] == "done" and body["hours"] == 3 and len(body["points"]) == 19
    assert body["path"]["type"] == "LineString" and body["cone"]["type"] == "Polygon"
    assert body["points"][-1]["hours_back"] == 3.0
    assert body["path"]["coordinates"][0] == [113.05, 35.2]
    codes = [g["code"] for g in body["grids"]]
    assert "D-S2-C2-G3" in codes  # 30 km east over three hours
    assert body["sources"][0]["name"] == "东边工地" and 0 < body["sources"][0]["score"] < 1
    east = client.get(URL.format("M1", 3), **bearer("east_secretary")).json()
    assert "D-S2-C2-G3" not in [g["code"] for g in east["grids"]]  # the west street's grid


@pytest.mark.django_db
def test_api_trace_without_wind_is_an_empty_path_with_the_reason(stations, client, bearer):
    body = client.get(URL.format("M1", 2), **bearer("command")).json()
    assert body["stopped"] == "no_wind" and len(body["points"]) == 1
    assert body["sources"] == []


@pytest.mark.django_db
def test_api_trace_station_outside_the_scope_is_404(stations, client, bearer):
    west = bearer("west_secretary")
    assert client.get(URL.format("M1", 1), **west).status_code == 404
    assert client.get(URL.format("NOPE", 1), **west).status_code == 404
    assert client.get(URL.format("M1", 1), **bearer("east_secretary")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("station=M1&at=2026-12-07T10:00&hours=0", "hours"),
        ("station=M1&at=2026-12-07T10:00&hours=7", "hours"),
        ("station=M1&at=2026-12-07T10:00&hours=x", "hours"),
        ("station=M1&at=yesterday", "at"),
        ("station=M1", "at"),
        ("station=M1&at=1800-01-01T00:00", "at"),
        ("at=2026-12-07T10:00", "station"),
    ],
)
def test_api_trace_bad_input_names_the_field(stations, client, bearer, query, field):
    r = client.get(f"/api/v1/air/trace?{query}", **bearer("east_secretary"))
    assert r.status_code == 400, r.content
    assert field in r.content.decode()
