"""Hot grids (air/hotspots.py): IDW with a known answer, a station's own grid exact, the planted
hot grid ranked first, the line and the rank; the API (centre/hotspots_api.py), page and export."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from openpyxl import load_workbook

from gridgov.air import hotspots
from gridgov.air.models import CST, HourlyAggregate, Station, StationKind
from gridgov.territory.models import Region


def _network(grids, stations, contains=None):
    g, s = len(grids), len(stations)
    return hotspots.Network(
        np.array(grids, dtype=float).reshape(-1, 2),
        np.array(stations, dtype=float).reshape(-1, 2),
        np.zeros((g, s)) if contains is None else np.array(contains, dtype=float),
    )


def test_idw_power_two_gives_the_known_answer_and_drops_a_missing_station():
    # A 1 km and B 2 km north/south of the grid: weights 1 and 1/4.
    km = 1 / 111.2
    net = _network([(30.0, 110.0)], [(30.0 + km, 110.0), (30.0 - 2 * km, 110.0)])
    out = hotspots.estimate(net, np.array([[10.0, 60.0], [10.0, np.nan], [np.nan, np.nan]]))
    assert out[0, 0] == pytest.approx((10 + 60 / 4) / 1.25, rel=2e-3)  # 20
    assert out[1, 0] == 10.0  # B missing that hour: A alone
    assert np.isnan(out[2, 0])  # nobody valid: no estimate


def test_idw_keeps_the_nearest_k_within_the_radius():
    km = 1 / 111.2
    net = _network([(30.0, 110.0)], [(30.0 + km, 110.0), (30.0 + 3 * km, 110.0), (31.0, 110.0)])
    w = hotspots.idw_weights(net, k=2, radius_km=10.0)
    assert w[0, 2] == 0.0 and w[0, 0] > w[0, 1] > 0  # the third is 111 km away
    w1 = hotspots.idw_weights(net, k=1, radius_km=10.0)
    assert (w1[0] > 0).tolist() == [True, False, False]
    far = hotspots.estimate(_network([(40.0, 110.0)], [(30.0, 110.0)]), np.array([[50.0]]))
    assert np.isnan(far[0, 0])  # beyond the radius: no estimate


def test_a_grid_containing_a_station_takes_exactly_its_value():
    km = 1 / 111.2
    # Grid 0 contains station 0 (2 km off its centroid); a nearer station 1 must not count.
    net = _network(
        [(30.0, 110.0), (30.0, 110.1)],
        [(30.0 + 2 * km, 110.0), (30.0 + 0.5 * km, 110.0)],
        [[1, 0], [0, 0]],
    )
    values = np.array([[37.3, 90.0], [np.nan, 90.0]])
    out = hotspots.estimate(net, values)
    assert out[0, 0] == 37.3
    assert out[1, 0] == 90.0  # its own station missing that hour: interpolated instead


def test_summary_counts_hours_above_the_line_and_ranks_worst_first():
    hourly = np.array([[80.0, 50.0, np.nan, 50.0], [70.0, 61.0, np.nan, 50.0]])
    mean, above, n, rank = hotspots.summarise(hourly, np.array([75.0, 60.0]))
    assert mean[:2].tolist() == [75.0, 55.5] and np.isnan(mean[2])
    assert above.tolist() == [2, 1, 0, 0] and n.tolist() == [2, 2, 0, 2]
    assert rank.tolist() == [1, 2, 0, 3]


def test_lines_follow_the_standard_in_force_by_china_day():
    t0 = int(dt.datetime(2026, 2, 28, 22, tzinfo=CST).timestamp())
    assert hotspots.hour_lines("pm25", t0, 4).tolist() == [75.0, 75.0, 60.0, 60.0]
    assert hotspots.hour_lines("pm10", t0, 4).tolist() == [150.0, 150.0, 120.0, 120.0]


def test_bench_figure_is_well_under_a_second():
    rng = np.random.default_rng(1)
    g, s, h = 800, 40, 30 * 24
    net = _network(
        np.column_stack([rng.uniform(35, 35.4, g), rng.uniform(113, 113.4, g)]),
        np.column_stack([rng.uniform(35, 35.4, s), rng.uniform(113, 113.4, s)]),
    )
    import time

    t = time.perf_counter()
    out = hotspots.estimate(net, rng.uniform(10, 200, (h, s)))
    hotspots.summarise(out, np.full(h, 60.0))
    assert time.perf_counter() - t < 1.0


# --- on the test territory: G1 and G2 (east street), G3 (west street) ----------------------

DAY = dt.date(2026, 11, 19)


def _station(code, grid, lat, lon):
    return Station.objects.create(
        code=code, name=code, kind=StationKind.MICRO, lat=lat, lon=lon, grid=grid
    )


def _hours(station, values, day=DAY):
    t0 = int(dt.datetime.combine(day, dt.time(), CST).timestamp())
    HourlyAggregate.objects.bulk_create(
        HourlyAggregate(station=station, ts=t0 + 3600 * i, need=1, pm25_sum=v, pm25_n=1)
        for i, v in enumerate(values)
        if v is not None
    )


@pytest.fixture
def planted(territory):
    t = territory
    hot = _station("HOT", t["D-S1-C1-G2"], 35.25, 113.15)  # planted high
    _station("W1", t["D-S1-C1-G1"], 35.2, 113.05)
    _station("W3", t["D-S2-C2-G3"], 35.2, 113.3)
    _hours(hot, [150.0] * 12 + [50.0] * 12)
    _hours(Station.objects.get(code="W1"), [30.0] * 24)
    _hours(Station.objects.get(code="W3"), [20.0] * 23 + [None])
    return t


@pytest.mark.django_db
def test_the_planted_hot_grid_is_found_first_with_its_stations_own_value(planted):
    grids = Region.objects.grids()
    out = hotspots.hot_grids(grids, DAY, DAY, "pm25")
    assert [f.code for f in out] == ["D-S1-C1-G2", "D-S1-C1-G1", "D-S2-C2-G3"]
    g2, g1, g3 = out
    assert (g2.rank, g2.mean, g2.hours_above, g2.exact) == (1, 100.0, 12, True)
    assert (g1.mean, g1.hours_above, g3.mean, g3.hours_estimated) == (30.0, 0, 20.0, 23)
    assert (g2.street_code, g2.street_name) == ("D-S1", "东街道")
    # A retired grid is left out.
    Region.objects.filter(code="D-S1-C1-G2").update(retired_at=dt.datetime(2026, 1, 1, tzinfo=CST))
    assert [f.code for f in hotspots.hot_grids(Region.objects.grids(), DAY, DAY, "pm25")] == [
        "D-S1-C1-G1",
        "D-S2-C2-G3",
    ]


URL = "/api/v1/air/hotspots"


@pytest.mark.django_db
def test_api_ranks_the_callers_grids_with_sources_and_open_orders(planted, client, bearer):
    body = client.get(
        f"{URL}?from=2026-11-19&to=2026-11-19&pollutant=pm25", **bearer("command")
    ).json()
    assert [g["code"] for g in body["grids"]] == ["D-S1-C1-G2", "D-S1-C1-G1", "D-S2-C2-G3"]
    top = body["grids"][0]
    assert (top["rank"], top["mean"], top["hours_above"]) == (1, 100.0, 12)
    assert (top["sources"], top["open_orders"]) == (0, 0)
    assert (body["from"], body["to"], body["pollutant"]) == ("2026-11-19", "2026-11-19", "pm25")
    west = client.get(f"{URL}?from=2026-11-19&to=2026-11-19", **bearer("west_secretary")).json()
    assert [g["code"] for g in west["grids"]] == ["D-S2-C2-G3"]
    limited = client.get(f"{URL}?from=2026-11-19&to=2026-11-19&limit=1", **bearer("command"))
    assert [g["code"] for g in limited.json()["grids"]] == ["D-S1-C1-G2"]


@pytest.mark.django_db
def test_api_defaults_to_the_month_to_date(planted, client, bearer, clock):
    clock.travel(dt.date(2026, 11, 20))
    body = client.get(URL, **bearer("command")).json()
    assert (body["from"], body["to"], body["pollutant"]) == ("2026-11-01", "2026-11-19", "pm25")
    clock.travel(dt.date(2026, 12, 1))
    body = client.get(URL, **bearer("command")).json()
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-30")
    assert body["grids"][0]["code"] == "D-S1-C1-G2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pollutant=o3", "pollutant"),
        ("from=2026-11-32", "from"),
        ("from=2026-11-19&to=2026-11-18", "to"),
        ("from=2024-01-01&to=2026-11-19", "to"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("limit=1001", "limit"),
    ],
)
def test_api_bad_input_names_the_field(planted, client, bearer, query, field):
    response = client.get(f"{URL}?{query}", **bearer("command"))
    assert response.status_code == 400, response.content
    assert field in response.content.decode()


@pytest.mark.django_db
def test_api_needs_a_login(client):
    assert client.get(URL).status_code == 401


@pytest.fixture
def acted(planted, people, report):
    """A source and an open order in the hot grid G2, a closed-down source there too."""
    from gridgov.sources.models import Status
    from gridgov.sources.services import SourceInput, create_source, point_geometry, set_status

    def make(name):
        return create_source(
            SourceInput(
                category="construction_site",
                name=name,
                geometry=point_geometry(35.2, 113.15),
                attributes={},
                address="建设路1号",
            )
        )

    make("东二工地")
    set_status(make("已关停工地").pk, Status.CLOSED)
    order = report_event_in_g2(report)
    return order


def report_event_in_g2(report):
    return report(point=(35.2, 113.15), title="工地扬尘")


@pytest.mark.django_db
def test_api_counts_the_grids_sources_and_open_orders(acted, client, bearer):
    body = client.get(f"{URL}?from=2026-11-19&to=2026-11-19", **bearer("command")).json()
    top = body["grids"][0]
    assert top["code"] == "D-S1-C1-G2" and (top["sources"], top["open_orders"]) == (1, 1)
    assert body["grids"][1]["sources"] == 0 and body["grids"][1]["open_orders"] == 0


@pytest.mark.django_db
def test_page_lists_the_worst_grids_per_street_and_exports_them(acted, login):
    order = acted
    c = login("command")
    page = c.get("/air/hotspots/?from=2026-11-19&to=2026-11-19&n=1")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="hot-grid"') == 2  # one per street: G2 (east), G3 (west)
    assert 'data-grid="D-S1-C1-G2"' in html and 'data-grid="D-S1-C1-G1"' not in html
    assert "东二工地" in html and "已关停工地" not in html and order.event.reference in html
    bad = c.get("/air/hotspots/?pollutant=o3").content.decode()
    assert "pollutant" in bad
    export = c.get("/air/hotspots/export.xlsx?from=2026-11-19&to=2026-11-19")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[2] for r in rows] == ["D-S1-C1-G2", "D-S1-C1-G1", "D-S2-C2-G3"]
    assert rows[0][0] == 1 and rows[0][4] == 100.0 and rows[0][5] == 12
    assert rows[0][8:11] == (1, 1, "东二工地")


@pytest.mark.django_db
def test_page_is_in_the_readers_scope(acted, login):
    html = login("west_secretary").get("/air/hotspots/?from=2026-11-19&to=2026-11-19")
    text = html.content.decode()
    assert 'data-grid="D-S2-C2-G3"' in text and "D-S1-C1-G2" not in text


@pytest.mark.django_db
def test_map_layer_colours_grids_by_their_estimate(planted, client, bearer, login):
    body = client.get(f"{URL}?from=2026-11-19&to=2026-11-19", **bearer("command")).json()
    top, g1 = body["grids"][0], body["grids"][1]
    # 100 µg/m³ PM2.5 as a 24-h value under HJ 633-2026 is level 3 (60–115), orange; 30 is 1.
    assert (top["level"], top["colour"]) == (3, "#ff7e00")
    assert (g1["level"], g1["colour"]) == (1, "#00e400")
    html = login("command").get("/air/").content.decode()
    assert 'id="hotspot-text"' in html and "air/station_map.js" in html
    assert "/air/hotspots/" in html


@pytest.mark.django_db
def test_the_monthly_bulletin_names_the_months_hot_grids(acted):
    from gridgov.bulletins import content
    from gridgov.bulletins.periods import period_for
    from gridgov.bulletins.services import issuer_of

    district = Region.objects.get(code="D")
    today = dt.date(2026, 12, 2)
    month = content.build(
        district, period_for("month", dt.date(2026, 11, 30), today), issuer_of(district)
    )
    section = month.section("hotspots")
    assert section.title.endswith("本月热点网格")
    assert "东一第2网格（东街道，100微克/立方米）" in section.paragraphs[0]
    assert section.tables[0].rows[0] == [1, "东街道", "东一第2网格", 100.0, 12, 1, 1]
    week = content.build(
        district, period_for("week", dt.date(2026, 11, 20), today), issuer_of(district)
    )
    assert "hotspots" not in [s.key for s in week.sections]
    # The west street's bulletin reads as its office: its grids only.
    west = Region.objects.get(code="D-S2")
    rows = content.build(west, period_for("month", dt.date(2026, 11, 30), today), issuer_of(west))
    assert [r[2] for r in rows.section("hotspots").tables[0].rows] == ["西一第1网格"]
