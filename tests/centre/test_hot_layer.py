"""The overview map's hot-grid layer (热点网格, centre/mapdata.py → centre/hotspots.surface):
the planted hot grid filled and outlined over the default period, the month so far or, in a
month's first days, the previous month; the page carries the shared drawing (web/hotgrids.js)."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import periods
from gridgov.air.models import CST, HourlyAggregate, Station, StationKind

pytestmark = pytest.mark.django_db

URL = "/api/v1/overview/map"


def _station(code, grid, lat, lon):
    return Station.objects.create(
        code=code, name=code, kind=StationKind.MICRO, lat=lat, lon=lon, grid=grid
    )


def _hours(station, values, day):
    t0 = int(dt.datetime.combine(day, dt.time(), CST).timestamp())
    HourlyAggregate.objects.bulk_create(
        HourlyAggregate(station=station, ts=t0 + 3600 * i, need=1, pm25_sum=v, pm25_n=1)
        for i, v in enumerate(values)
    )


def plant(territory, day):
    """G2 (east street) hot on `day`: 150 µg/m³ for 12 hours, 50 after; G1 30, G3 20."""
    t = territory
    _hours(_station("HOT", t["D-S1-C1-G2"], 35.25, 113.15), [150.0] * 12 + [50.0] * 12, day)
    _hours(_station("W1", t["D-S1-C1-G1"], 35.2, 113.05), [30.0] * 24, day)
    _hours(_station("W3", t["D-S2-C2-G3"], 35.2, 113.3), [20.0] * 24, day)


def test_overview_map_has_the_planted_hot_grid(territory, client, bearer, clock):
    clock.travel(dt.date(2026, 11, 20))
    plant(territory, dt.date(2026, 11, 19))
    body = client.get(f"{URL}?layers=hotspots", **bearer("command")).json()
    assert body["layers"] == ["hotspots"] and body["stations"] == []
    assert body["hotspot_period"] == {"from": "2026-11-01", "to": "2026-11-19", "pollutant": "pm25"}
    grids = body["hotspots"]
    assert [g["code"] for g in grids] == ["D-S1-C1-G2", "D-S1-C1-G1", "D-S2-C2-G3"]
    top = grids[0]
    assert (top["rank"], top["mean"], top["hours_above"], top["hot"]) == (1, 100.0, 12, True)
    # Filled in the AQI colour of 100 µg/m³ PM2.5 as a 24-h value (IAQI 133, 轻度污染, orange).
    assert (top["level"], top["colour"]) == (3, "#ff7e00")
    assert top["geometry"]["type"] == "Polygon"
    assert grids[1]["colour"] == "#00e400" and grids[2]["colour"] == "#00e400"
    # A street's secretary sees its own grids only.
    west = client.get(f"{URL}?layers=hotspots", **bearer("west_secretary")).json()
    assert [g["code"] for g in west["hotspots"]] == ["D-S2-C2-G3"]


def test_only_the_worst_n_are_outlined(territory, client, bearer, clock, monkeypatch):
    from gridgov.air import hotspots

    monkeypatch.setattr(hotspots, "MAP_WORST", 1)
    clock.travel(dt.date(2026, 11, 20))
    plant(territory, dt.date(2026, 11, 19))
    grids = client.get(f"{URL}?layers=hotspots", **bearer("command")).json()["hotspots"]
    assert [g["hot"] for g in grids] == [True, False, False]


@pytest.mark.dates
def test_on_the_first_of_a_month_the_layer_shows_the_previous_month(
    territory, client, bearer, clock
):
    clock.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=CST))  # two hours into the month
    plant(territory, dt.date(2026, 11, 19))
    _hours(Station.objects.get(code="W3"), [300.0, 300.0], dt.date(2026, 12, 1))  # today's
    body = client.get(f"{URL}?layers=hotspots", **bearer("command")).json()
    assert body["hotspot_period"]["from"] == "2026-11-01"
    assert body["hotspot_period"]["to"] == "2026-11-30"
    assert body["hotspots"][0]["code"] == "D-S1-C1-G2"  # today's two hours left out
    assert body["hotspots"][0]["hot"]


@pytest.mark.dates
def test_the_layer_has_data_on_any_day(territory, client, bearer, clock):
    """Whatever day the clock says: the default period's last day planted, the layer draws it."""
    start, end = periods.default_period(clock.today())
    plant(territory, end)
    body = client.get(f"{URL}?layers=hotspots", **bearer("command")).json()
    assert body["hotspot_period"]["from"] == start.isoformat()
    assert body["hotspot_period"]["to"] == end.isoformat()
    assert start.day == 1 and end < clock.today()
    assert body["hotspots"][0]["code"] == "D-S1-C1-G2" and body["hotspots"][0]["rank"] == 1


def test_overview_page_and_station_map_share_the_layer(territory, login):
    c = login("command")
    html = c.get("/overview/", HTTP_USER_AGENT="x").content.decode()
    assert "web/hotgrids.js" in html and "centre/overview.js" in html
    assert '"hotspots": ' in html and '"worst": 10' in html
    station_map = c.get("/air/").content.decode()
    assert "web/hotgrids.js" in station_map and '"worst": 10' in station_map
