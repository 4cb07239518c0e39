"""The sources' own monitors: each rule at its limit and over it, one finding and one order per
source, rule and hour, the order to the site's responsible person due in an hour, thresholds
per category and per monitor, the warning's stop/limit measures, the receiver's hook end to end,
the write path's checks, and the source's API and page in and out of scope."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import factor_hooks
from gridgov.emergency import declaring, services
from gridgov.emergency.models import Level
from gridgov.sources import monitor_rules
from gridgov.sources.models import MonitorFinding, MonitorSettings, SourceMonitor
from gridgov.sources.monitor_rules import evaluate_monitor_hour
from gridgov.sources.monitor_services import MonitorInput, save_monitor
from gridgov.sources.services import SourceError, SourceInput, create_source, point_geometry
from gridgov.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
G1 = (35.2, 113.05)
G3 = (35.2, 113.3)
NOW = dt.datetime(2026, 11, 10, 10, 5, tzinfo=CST)
HOUR = dt.datetime(2026, 11, 10, 9, 0, tzinfo=CST)


def source(category: str, name: str, point=G1, **attributes):
    return create_source(
        SourceInput(
            category=category, name=name, geometry=point_geometry(*point), attributes=attributes
        )
    )


def monitor(src, kind: str, mn: str, **kw) -> SourceMonitor:
    return save_monitor(src.pk, MonitorInput(kind=kind, mn=mn, **kw), None)


@pytest.fixture
def now(clock):
    clock.travel(NOW, tick=False)
    return NOW


@pytest.fixture
def site(people, now):
    return source("construction_site", "东一花园工地", phase="structure")


@pytest.fixture
def dust(site):
    return monitor(site, "dust", "DUST0001")


def orders() -> list[WorkOrder]:
    return list(WorkOrder.objects.select_related("event", "assignee").order_by("pk"))


# ------------------------------------------------------------------------------------ dust --


def test_dust_at_the_limit_is_no_exceedance_over_it_opens_an_order_due_in_an_hour(dust, now):
    assert evaluate_monitor_hour(dust, HOUR, {"a34002": 150.0}) == []
    assert orders() == []
    found = evaluate_monitor_hour(dust, HOUR, {"a34002": 150.1})
    assert [(f.rule, f.value, f.limit) for f in found] == [("dust", 150.1, 150.0)]
    [order] = orders()
    assert found[0].order_id == order.pk
    # to the site's responsible person (the grid's leader), due one hour after it was found
    assert order.assignee.name == "张网格"
    assert order.extended_until == now + dt.timedelta(hours=1)
    assert order.event.category.code == "construction_dust"
    assert order.event.source == "monitor"  # 污染源自动监控, not an air-station alarm
    assert "东一花园工地" in order.event.title and "PM10 150.1" in order.event.description


def test_one_finding_and_one_order_per_source_and_hour(dust, site, now):
    other = monitor(site, "dust", "DUST0002")
    evaluate_monitor_hour(dust, HOUR, {"a34002": 200})
    assert evaluate_monitor_hour(dust, HOUR.replace(minute=30), {"a34002": 260}) == []
    assert evaluate_monitor_hour(other, HOUR, {"a34002": 300}) == []  # same site, same hour
    assert len(orders()) == 1 and MonitorFinding.objects.count() == 1
    later = evaluate_monitor_hour(dust, HOUR + dt.timedelta(hours=1), {"a34002": 200})
    assert len(later) == 1 and len(orders()) == 2


def test_tsp_when_no_pm10_and_noise_is_lower_at_night(dust):
    [tsp] = evaluate_monitor_hour(dust, HOUR, {"a34001": 300.5})
    assert (tsp.rule, tsp.limit) == ("dust", 300.0)
    night = dt.datetime(2026, 11, 10, 23, 0, tzinfo=CST)
    assert evaluate_monitor_hour(dust, night, {"LA": 55.0}) == []
    [noise] = evaluate_monitor_hour(dust, night, {"LA": 55.5})
    assert (noise.rule, noise.limit) == ("noise", 55.0) and "夜间" in noise.detail
    assert evaluate_monitor_hour(dust, HOUR, {"LA": 70.0}) == []  # day: 70 is the limit


def test_thresholds_per_category_then_per_monitor(dust, site):
    MonitorSettings.objects.create(category="construction_site", kind="dust", pm10_limit=100)
    assert monitor_rules.thresholds(dust)["pm10_limit"] == 100
    assert [f.limit for f in evaluate_monitor_hour(dust, HOUR, {"a34002": 120})] == [100]
    own = monitor(site, "dust", "DUST0003", thresholds={"pm10_limit": 250})
    assert monitor_rules.thresholds(own)["pm10_limit"] == 250
    assert evaluate_monitor_hour(own, HOUR + dt.timedelta(hours=1), {"a34002": 240}) == []


# ------------------------------------------------------------------------------------ fume --


def test_fume_over_the_limit_and_fan_on_with_the_purifier_off(people, now):
    eatery = source("restaurant", "老王饭店", seats=40)
    fume = monitor(eatery, "fume", "FUME0001")
    assert evaluate_monitor_hour(fume, HOUR, {"a34041": 2.0, "fan": 1, "purifier": 1}) == []
    assert evaluate_monitor_hour(fume, HOUR, {"a34041": 1.0, "fan": "0", "purifier": "0"}) == []
    found = evaluate_monitor_hour(fume, HOUR, {"a34041": 2.01, "fan": "1", "purifier": "0"})
    assert sorted(f.rule for f in found) == ["fume", "purifier_off"]
    assert {o.event.category.code for o in orders()} == {"restaurant_fumes"}
    assert len(orders()) == 2


# ----------------------------------------------------------------------------------- power --


@pytest.fixture
def plant(people, now):
    ent = source("enterprise", "丁级企业", grade="D")
    return monitor(
        ent, "power", "POWER001", production_codes=["pw01", "pw02"], treatment_codes=["pw09"]
    )


def test_producing_with_treatment_off_and_the_running_threshold(plant):
    # 1.0 A is the running threshold: at it a circuit is off, above it it runs
    assert evaluate_monitor_hour(plant, HOUR, {"pw01": 1.0, "pw02": 0, "pw09": 0}) == []
    assert evaluate_monitor_hour(plant, HOUR, {"pw01": 12.0, "pw09": 3.5}) == []
    assert evaluate_monitor_hour(plant, HOUR, {"pw01": 12.0}) == []  # treatment not reported
    [found] = evaluate_monitor_hour(plant, HOUR, {"pw01": 12.0, "pw09": 1.0})
    assert found.rule == "treatment_off" and "pw09" in found.detail
    assert [o.event.category.code for o in orders()] == ["industrial_emission"]


def test_producing_during_a_warning_stop_is_on_the_compliance_record(plant, users, now):
    done = declaring.declare(
        users["command"],
        Level.ORANGE,
        HOUR - dt.timedelta(hours=2),
        HOUR + dt.timedelta(days=1),
        "PM2.5 预计连续重度污染",
        now=HOUR - dt.timedelta(hours=3),
    )
    before = HOUR - dt.timedelta(hours=3)  # not in force yet: producing is no violation
    assert evaluate_monitor_hour(plant, before, {"pw01": 12.0, "pw09": 3.0}) == []
    [found] = evaluate_monitor_hour(plant, HOUR, {"pw01": 12.0, "pw09": 3.0})
    assert (found.rule, found.warning_id) == ("warning_stop", done.warning.pk)
    record = services.compliance(done.warning, users["command"], now)
    assert [(m.name, m.rule) for m in record.monitored] == [("丁级企业", "warning_stop")]
    assert record.monitored[0].order_id == found.order_id is not None
    # outside the west secretary's scope: not on his record
    assert services.compliance(done.warning, users["west_secretary"], now).monitored == []


def test_a_limit_measure_allows_half_the_lines(people, users, now):
    ent = source("enterprise", "丙级企业", grade="C")  # orange: 限产 30 %, not a stop
    plant = monitor(ent, "power", "POWER002", production_codes=["a", "b"], treatment_codes=["t"])
    declaring.declare(
        users["command"],
        Level.ORANGE,
        HOUR,
        HOUR + dt.timedelta(days=1),
        "PM2.5 预计连续重度污染",
        now=HOUR - dt.timedelta(hours=1),
    )
    assert evaluate_monitor_hour(plant, HOUR, {"a": 5, "b": 0.2, "t": 2}) == []
    [found] = evaluate_monitor_hour(plant, HOUR, {"a": 5, "b": 5, "t": 2})
    assert (found.rule, found.value, found.limit) == ("warning_limit", 2.0, 1.0)


# ------------------------------------------------------------------------ the receiver's hook --


def test_the_hook_judges_hourly_dust_and_any_fume_upload(dust, people, now):
    eatery = source("restaurant", "东二烧烤店")
    monitor(eatery, "fume", "FUME0002")
    monitor_rules.clear_cache()
    assert factor_hooks.wanted("DUST0001") and not factor_hooks.wanted("NOBODY")
    items = {"DataTime": "20261110090000", "a34002-Rtd": "180.0", "a34002-Flag": "N"}
    values = factor_hooks.values_of(items, "2011")
    assert values == {"a34002": 180.0}
    factor_hooks.deliver("DUST0001", HOUR, "2011", values)  # real-time: not an hourly mean
    assert orders() == []
    hourly = {"DataTime": "20261110090000", "a34002-Avg": "180.0", "a34001-Avg": "260"}
    factor_hooks.deliver("DUST0001", HOUR, "2061", factor_hooks.values_of(hourly, "2061"))
    [order] = orders()
    assert order.assignee.name == "张网格"
    states = {"DataTime": "20261110091500", "fan-Rtd": "on", "purifier-Rtd": "off"}
    factor_hooks.deliver("FUME0002", HOUR, "2011", factor_hooks.values_of(states, "2011"))
    assert [f.rule for f in MonitorFinding.objects.order_by("pk")] == ["dust", "purifier_off"]


# -------------------------------------------------------------------------- the write path --


def test_the_write_path_checks_kind_mn_codes_and_scope(site, users):
    with pytest.raises(SourceError) as info:
        monitor(site, "fume", "FUME0009")
    assert info.value.field == "kind"
    with pytest.raises(SourceError) as info:
        monitor(site, "dust", "not an mn!")
    assert info.value.field == "mn"
    ent = source("enterprise", "乙级企业", grade="B")
    with pytest.raises(SourceError) as info:
        monitor(ent, "power", "P1", production_codes=["x"], treatment_codes=["x"])
    assert info.value.field == "treatment_codes"
    with pytest.raises(SourceError) as info:
        monitor(ent, "power", "P1")
    assert info.value.field == "production_codes"
    with pytest.raises(SourceError) as info:  # the west secretary does not see 东一's site
        save_monitor(site.pk, MonitorInput(kind="dust", mn="D9"), users["west_secretary"])
    assert info.value.field == "source"
    assert save_monitor(site.pk, MonitorInput(kind="dust", mn="D9"), users["command"]).pk


# ------------------------------------------------------------------------- API and the page --


def test_api_and_page_show_monitors_in_scope_only(client, bearer, login, dust, site, users):
    evaluate_monitor_hour(dust, HOUR, {"a34002": 151})
    response = client.get(f"/api/v1/sources/{site.pk}", **bearer("east_secretary"))
    assert response.status_code == 200, response.content
    body = response.json()
    [row] = body["monitors"]
    assert (row["mn"], row["kind"], row["thresholds"]["pm10_limit"]) == ("DUST0001", "dust", 150)
    [finding] = body["monitor_findings"]
    assert (finding["rule"], finding["value"]) == ("dust", 151)
    assert finding["order_id"] == MonitorFinding.objects.get().order_id
    west = client.get(f"/api/v1/sources/{site.pk}", **bearer("west_secretary"))
    assert west.status_code == 404
    page = login("east_secretary").get(f"/sources/{site.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "自有监控设备" in text and "DUST0001" in text and "扬尘超标" in text
    assert login("west_secretary").get(f"/sources/{site.pk}/").status_code == 404
