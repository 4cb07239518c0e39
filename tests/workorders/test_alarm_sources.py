"""From an air alarm's order to the sources around its station: upwind first when the station's
wind is known and recent, nearest first otherwise; scoped to what the viewer may see; handling
names the source found responsible, refused (400, source_id) when it is not one the handler sees.

Geometry: station S at (35.2, 113.095), 500 m west of the G1/G2 boundary (lon 113.1). Sources:
north ~1.1 km (G1), east ~1.0 km (across the boundary, in G2), south ~0.56 km (G1, the nearest),
a closed one 300 m west and one 5 km away. With hourly winds stored (FactorHour) the order is
the back-trace's (air/trace.py); the latest wind (StationWind) is the fallback."""

from __future__ import annotations

import math
import time

import pytest
from django.utils import timezone

from gridgov.air.factor_models import FactorHour
from gridgov.air.factors import DIRECTION, SPEED
from gridgov.air.models import Alarm, AlarmKind, AlarmRule, Station, StationWind
from gridgov.sources.models import PollutionSource
from gridgov.sources.nearby import angle_between, nearby_for_point, usable_wind
from gridgov.sources.services import SourceInput, create_source, point_geometry
from gridgov.workorders.models import Event, WorkOrder
from gridgov.workorders.receivers import event_for_alarm
from gridgov.workorders.services import WorkflowError, perform
from gridgov.workorders.sourcing import around_order, nearby_for_order, source_section
from gridgov.workorders.states import State

pytestmark = pytest.mark.django_db

S = (35.2, 113.095)


def site(name, lat, lon, status="active"):
    return create_source(
        SourceInput(
            category="construction_site",
            name=name,
            geometry=point_geometry(lat, lon),
            status=status,
        )
    )


@pytest.fixture
def sources(territory, people):
    return {
        "north": site("北侧工地", 35.21, 113.095),
        "east": site("东侧工地", 35.2, 113.106),
        "south": site("南侧工地", 35.195, 113.095),
        "closed": site("已关停工地", 35.2, 113.0917, status="closed"),
        "far": site("远处工地", 35.245, 113.095),
    }


@pytest.fixture
def station(territory):
    return Station.objects.create(
        code="S1", name="边界微站", kind="micro", lat=S[0], lon=S[1],
        grid=territory["D-S1-C1-G1"], interval_minutes=1,
    )  # fmt: skip


def set_wind(station, wd, ws, age_seconds=60):
    StationWind.objects.update_or_create(
        station=station, defaults={"ts": int(time.time()) - age_seconds, "wd": wd, "ws": ws}
    )


@pytest.fixture
def alarm_order(station, crew, territory):
    rule = AlarmRule.objects.filter(kind=AlarmKind.THRESHOLD).first()
    now = timezone.now()
    alarm = Alarm.objects.create(
        station=station, grid=territory["D-S1-C1-G1"], rule=rule, pollutant="pm25",
        value=160, started_at=now, last_seen_at=now,
    )  # fmt: skip
    event_for_alarm(alarm)
    return Event.objects.get(alarm=alarm).order


def names(items):
    return [n.name for n in items]


# --- the ordering, as a pure question of geometry -------------------------------------------


def test_wind_from_the_north_puts_the_north_source_first(sources):
    got = nearby_for_point(*S, 0.0)
    assert names(got) == ["北侧工地", "南侧工地", "东侧工地"]
    assert [n.upwind for n in got] == [True, False, False]
    north = got[0]
    assert 1050 <= north.metres <= 1150 and (north.bearing in (0, 360))
    assert north.url == f"/sources/{sources['north'].pk}/" and north.category == "construction_site"
    assert north.responsible_unit.startswith("东一第1网格")  # a unit and post, never a name
    assert "李专职" not in str(north.as_dict())


def test_without_wind_nearest_first_and_closed_or_far_sources_left_out(sources):
    got = nearby_for_point(*S, None)
    assert names(got) == ["南侧工地", "东侧工地", "北侧工地"]
    assert not any(n.upwind for n in got)
    assert "已关停工地" not in names(got) and "远处工地" not in names(got)


def test_east_wind_and_the_radius_setting(sources, settings):
    assert names(nearby_for_point(*S, 90.0))[0] == "东侧工地"
    settings.GRIDGOV_NEARBY_SOURCES_METRES = 800
    assert names(nearby_for_point(*S, None)) == ["南侧工地"]
    settings.GRIDGOV_NEARBY_SOURCES_METRES = 6000
    assert "远处工地" in names(nearby_for_point(*S, None))


def test_light_wind_widens_the_sector_calm_or_stale_wind_is_not_used():
    now = time.time()
    strong = usable_wind(30.0, 5.0, int(now), now)
    light = usable_wind(30.0, 1.0, int(now), now)
    assert strong is not None and strong.spread == 45
    assert light is not None and light.spread == 67.5
    # The east source (90°) with wind from 30°: 60° off — upwind only in light wind.
    assert angle_between(90, strong.from_deg) > strong.spread
    assert angle_between(90, light.from_deg) <= light.spread
    assert usable_wind(30.0, 0.3, int(now), now) is None  # calm
    assert usable_wind(30.0, 5.0, int(now) - 4 * 3600, now) is None  # stale
    assert usable_wind(None, 5.0, int(now), now) is None
    assert usable_wind(350.0, None, int(now), now).spread == 45  # no speed: the normal sector
    assert angle_between(350, 10) == 20 and angle_between(0, 180) == 180


# --- orders ---------------------------------------------------------------------------------


def test_order_lists_sources_upwind_first_scoped_to_the_viewer(alarm_order, sources, crew, station):
    set_wind(station, 90, 4)  # from the east: the source across the boundary first
    sec = nearby_for_order(alarm_order, crew["east_secretary"])
    assert names(sec) == ["东侧工地", "南侧工地", "北侧工地"] and sec[0].upwind
    worker = nearby_for_order(alarm_order, crew["g1_worker"])
    assert names(worker) == ["南侧工地", "北侧工地"]  # G2's source is not the G1 worker's
    assert nearby_for_order(alarm_order, crew["west_secretary"]) == []
    set_wind(station, 90, 4, age_seconds=5 * 3600)  # stale: nearest first
    assert names(nearby_for_order(alarm_order, crew["east_secretary"]))[0] == "南侧工地"


def test_api_order_detail_has_nearby_sources(client, bearer, alarm_order, sources, station, report):
    set_wind(station, 0, 3)
    r = client.get(f"/api/v1/orders/{alarm_order.pk}", **bearer("east_secretary"))
    assert r.status_code == 200
    body = r.json()
    first = body["nearby_sources"][0]
    assert first["name"] == "北侧工地" and first["upwind"] is True
    assert set(first) >= {"metres", "bearing", "category", "status", "responsible_unit", "url"}
    assert body["pollution_source"] is None
    patrol = report()  # not from an alarm: nothing to list
    r = client.get(f"/api/v1/orders/{patrol.pk}", **bearer("east_secretary"))
    assert r.json()["nearby_sources"] == []


def signed(order, crew):
    perform(order.pk, "sign", crew["g1_worker"])
    return order


def test_handling_by_api_names_the_source(client, bearer, alarm_order, sources, crew):
    signed(alarm_order, crew)
    south = sources["south"]
    r = client.post(
        f"/api/v1/orders/{alarm_order.pk}/transitions",
        {"action": "handle", "note": "工地裸土已苫盖", "source_id": south.pk},
        content_type="application/json",
        **bearer("g1_worker"),
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == State.HANDLED
    assert body["pollution_source"] == {
        "id": south.pk, "code": south.code, "name": "南侧工地",
        "category": "construction_site", "url": f"/sources/{south.pk}/",
    }  # fmt: skip
    assert "认定污染源：南侧工地" in body["transitions"][-1]["note"]
    section = source_section(south, crew["east_secretary"])
    assert [row["reference"] for row in section["orders"]] == [alarm_order.event.reference]
    assert section["total"] == 1
    assert source_section(south, crew["west_secretary"])["orders"] == []  # not theirs
    assert source_section(sources["north"], crew["command"])["orders"] == []


@pytest.mark.parametrize(
    "bad",
    ["east", "missing", 2**63 - 1, 2**70, 0, -3, "text"],
    ids=["out-of-scope", "no-such-id", "int-max", "huge", "zero", "negative", "text"],
)
def test_a_bad_source_is_refused_naming_source_id_and_nothing_changes(
    client, bearer, alarm_order, sources, crew, bad
):
    signed(alarm_order, crew)
    if bad == "east":
        bad = sources["east"].pk  # in G2: the G1 worker may not name it
    elif bad == "missing":
        bad = PollutionSource.objects.order_by("-pk").first().pk + 100
    r = client.post(
        f"/api/v1/orders/{alarm_order.pk}/transitions",
        {"action": "handle", "note": "已处理", "source_id": bad},
        content_type="application/json",
        **bearer("g1_worker"),
    )
    assert r.status_code == 400, r.content
    assert any("source_id" in (e.get("field") or "") for e in r.json()["errors"]), r.json()
    order = WorkOrder.objects.get(pk=alarm_order.pk)
    assert order.state == State.SIGNED and order.event.pollution_source_id is None


def test_a_source_only_with_handling(alarm_order, sources, crew):
    with pytest.raises(WorkflowError) as caught:
        perform(alarm_order.pk, "sign", crew["g1_worker"], source_id=sources["south"].pk)
    assert caught.value.field == "source_id" and caught.value.status == 400
    assert WorkOrder.objects.get(pk=alarm_order.pk).state == State.DISPATCHED


# --- pages ----------------------------------------------------------------------------------


def test_desk_page_lists_sources_and_the_handle_form_offers_them(
    login, alarm_order, sources, station, crew
):
    set_wind(station, 0, 3)
    signed(alarm_order, crew)
    page = login("g1_worker").get(f"/orders/{alarm_order.pk}/").content.decode()
    assert "周边污染源" in page and f'href="/sources/{sources["north"].pk}/"' in page
    assert page.index("北侧工地") < page.index("南侧工地")  # upwind first
    assert "东侧工地" not in page  # out of the worker's scope
    assert f'<option value="{sources["south"].pk}"' in page and 'name="source_id"' in page
    assert "风从北方向吹来" in page
    assert "trace-map" not in page and "leaflet" not in page  # no hourly winds: no trace map


def test_phone_page_handles_with_a_source_and_refuses_a_foreign_one(
    login, client, alarm_order, sources, crew
):
    signed(alarm_order, crew)
    c = login("g1_worker")
    url = f"/orders/m/{alarm_order.pk}/"
    page = c.get(url).content.decode()
    assert "周边污染源" in page and "站点无近期风向数据" in page
    assert 'name="source_id"' in page
    refused = c.post(
        url, {"action": "handle", "note": "已处理", "source_id": sources["east"].pk}, follow=True
    )
    assert "污染源不存在或不在您的管辖范围内" in refused.content.decode()
    assert WorkOrder.objects.get(pk=alarm_order.pk).state == State.SIGNED
    done = c.post(
        url, {"action": "handle", "note": "已处理", "source_id": sources["north"].pk}, follow=True
    )
    assert done.status_code == 200
    event = Event.objects.get(pk=alarm_order.event_id)
    assert event.pollution_source == sources["north"]
    assert f'href="/sources/{sources["north"].pk}/"' in done.content.decode()


def test_pages_of_an_ordinary_order_show_no_source_list(login, report, crew):
    order = report()
    page = login("g1_worker").get(f"/orders/m/{order.pk}/").content.decode()
    assert "周边污染源" not in page and 'name="source_id"' not in page


# --- ordered by the back-trace when the stations have hourly winds (air/trace.py) --------------


def hourly_wind(station, from_deg: float, speed: float = 3.0) -> None:
    """The station's hourly wind for the 5 hours before now and the current hour."""
    d = math.radians(from_deg)
    now = int(time.time())
    for k in range(0, 6):
        hour = now - now % 3600 - k * 3600
        FactorHour.objects.create(
            station=station, ts=hour, code=DIRECTION, n=1, total=from_deg,
            x=speed * math.sin(d), y=speed * math.cos(d), ux=math.sin(d), uy=math.cos(d),
        )  # fmt: skip
        FactorHour.objects.create(station=station, ts=hour, code=SPEED, n=1, total=speed)


def test_hourly_winds_order_by_the_trace_over_the_latest_wind(alarm_order, sources, crew, station):
    set_wind(station, 90, 4)  # the latest wind says east ...
    hourly_wind(station, 0.0)  # ... the hours before the alarm say north: the trace wins
    around = around_order(alarm_order, crew["east_secretary"])
    assert around.trace is not None and around.trace.usable
    got = around.sources
    assert names(got) == ["北侧工地", "南侧工地", "东侧工地"]
    assert got[0].upwind and got[0].score is not None and 0 < got[0].score < 1
    assert [n.upwind for n in got[1:]] == [False, False] and got[1].score is None


def test_without_hourly_winds_the_latest_wind_orders_as_before(alarm_order, sources, crew, station):
    set_wind(station, 90, 4)
    around = around_order(alarm_order, crew["east_secretary"])
    assert around.trace is None
    assert names(around.sources) == ["东侧工地", "南侧工地", "北侧工地"]
    assert around.sources[0].score is None
    # Hourly winds from the east: the trace agrees, the east source scored.
    hourly_wind(station, 90.0)
    got = nearby_for_order(alarm_order, crew["east_secretary"])
    assert names(got)[0] == "东侧工地" and got[0].score is not None


def test_api_and_desk_page_show_the_trace_ordering(
    client, bearer, login, alarm_order, sources, crew, station
):
    hourly_wind(station, 0.0)
    r = client.get(f"/api/v1/orders/{alarm_order.pk}", **bearer("east_secretary"))
    first = r.json()["nearby_sources"][0]
    assert first["name"] == "北侧工地" and first["upwind"] is True and first["score"] > 0
    signed(alarm_order, crew)
    page = login("g1_worker").get(f"/orders/{alarm_order.pk}/").content.decode()
    assert "后向轨迹" in page and "轨迹锥内" in page
    assert 'id="trace-map"' in page and 'id="trace-data"' in page and "tracemap.js" in page
    assert page.index("北侧工地") < page.index("南侧工地")
