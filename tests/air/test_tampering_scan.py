"""The tampering scan (干扰监测) on stored data: a sprayed micro-station's values are marked
Flag.TAMPER and one finding is opened however often the scan runs; a control station with the
same pattern is not judged; the co-location humidity source reads the same factor hours; a
reviewer decides through the API and the page, within their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from gridgov.air import colocation, review, tamper_scan
from gridgov.air.factor_models import FactorHour
from gridgov.air.ingest import Batch, ingest, station_infos
from gridgov.air.models import CST, POLLUTANT_FIELDS, Flag, HourlyAggregate, Reading, Station
from gridgov.air.tamper_models import TamperFinding
from gridgov.air.upkeep_models import MaintenanceIssue, StationOperator
from gridgov.workorders.models import WorkOrder
from tests.air.conftest import T0
from tests.conftest import PASSWORD, _person

pytestmark = pytest.mark.django_db
HOURS = 6
SPRAY_HOUR = 4
DAY = dt.datetime.fromtimestamp(T0, CST).date()


@pytest.fixture
def reviewer(people, territory):
    return _person("审核员", "13900000099", "data_reviewer", territory["D"], "reviewer").user


@pytest.fixture
def west_reviewer(people, territory):
    person = _person("西审核", "13900000098", "data_reviewer", territory["D-S2"], "west_reviewer")
    return person.user


def pm(level: float, sprayed: bool) -> np.ndarray:
    values = np.full((HOURS, len(POLLUTANT_FIELDS)), np.nan)
    wiggle = 1 + 0.02 * np.sin(np.arange(HOURS))
    values[:, 0], values[:, 1], values[:, 3] = level * wiggle, 1.4 * level * wiggle, 30.0 * wiggle
    if sprayed:
        values[SPRAY_HOUR, :2] *= 0.25
    return values


def humidity(station: Station, jump: bool) -> None:
    rows = []
    for h in range(HOURS):
        rh = 90.0 if jump and h == SPRAY_HOUR else 58.0 + h
        rows.append(
            FactorHour(station=station, ts=T0 + 3600 * h, code="a01002", n=60, total=60 * rh)
        )
    FactorHour.objects.bulk_create(rows)


@pytest.fixture
def area(stations, territory):
    """Hourly data of M1 (sprayed in hour 4, humidity jumping), its neighbours M2 and M3 (steady)
    and a provincial station P1 beside them sprayed the same way (not judged)."""
    g1 = territory["D-S1-C1-G1"]
    m3 = Station.objects.create(
        code="M3", name="东三微站", kind="micro", lat=35.195, lon=113.05, grid=g1
    )
    p1 = Station.objects.create(
        code="P1", name="东省控站", kind="provincial", lat=35.2, lon=113.056, grid=g1
    )
    chosen = {"M1": stations["micro"], "M2": stations["micro2"], "M3": m3, "P1": p1}
    Station.objects.filter(pk__in=[s.pk for s in chosen.values()]).update(interval_minutes=60)
    infos = {k: replace(v, interval=60) for k, v in station_infos().items()}
    ts = T0 + 3600 * np.arange(HOURS, dtype=np.int64)
    for code, s in chosen.items():
        sprayed = code in ("M1", "P1")
        values = pm(80.0 + 5 * len(code) + s.pk % 3, sprayed)
        n = len(ts)
        batch = Batch(
            np.full(n, s.pk, dtype=np.int64),
            ts,
            values,
            np.zeros(values.shape, bool),
            np.arange(1, n + 1),
        )
        ingest(batch, infos, now=float(T0 + 40 * 86400), evaluate_alarms=False)
        humidity(s, jump=sprayed)
    return chosen


def window():
    start = dt.datetime.fromtimestamp(T0, dt.UTC)
    return start, start + dt.timedelta(hours=HOURS)


def flags_of(station, hour):
    return Reading.objects.filter(station=station, ts=T0 + 3600 * hour).values_list(
        "pm25_flag", "pm10_flag", "no2_flag"
    )[0]


def test_the_scan_marks_a_sprayed_hour_and_opens_one_finding(area):
    m1 = area["M1"]
    result = tamper_scan.scan(*window())
    assert (result.opened, result.marked) == (1, 1)
    finding = TamperFinding.objects.get()
    assert (finding.station, finding.kind, finding.status) == (m1, "spray", "open")
    assert int(finding.start.timestamp()) == T0 + 3600 * SPRAY_HOUR
    assert finding.pollutants == ["pm25", "pm10"]
    assert finding.evidence["rh_at"] == 90.0 and finding.evidence["pm25"]["drop_pct"] >= 70
    pm25, pm10, no2 = flags_of(m1, SPRAY_HOUR)
    assert pm25 & Flag.TAMPER and pm10 & Flag.TAMPER and not no2 & Flag.TAMPER
    assert not flags_of(m1, SPRAY_HOUR - 1)[0] & Flag.TAMPER
    assert not any(f & Flag.TAMPER for f in flags_of(area["P1"], SPRAY_HOUR))  # control
    # Suspect, not invalid: the hour still counts until a reviewer decides.
    hour = HourlyAggregate.objects.get(station=m1, ts=T0 + 3600 * SPRAY_HOUR)
    assert hour.pm25_n == 1
    assert review.day_counts([m1.pk], DAY)[m1.pk]["suspect"] == 2
    assert "疑似人为干扰" in review.reason_text(pm25)

    again = tamper_scan.scan(*window())  # the next hourly scan over overlapping hours
    assert (again.found, again.opened, again.marked) == (1, 0, 0)
    assert TamperFinding.objects.count() == 1


def test_no_finding_without_the_humidity_jump(area):
    FactorHour.objects.filter(station=area["M1"]).update(total=60 * 60.0)
    assert tamper_scan.scan(*window()).found == 0
    assert not Reading.objects.filter(station=area["M1"], pm25_flag__gte=Flag.TAMPER).exists()


def test_colocation_humidity_reads_the_factor_hours(area):
    m1, p1 = area["M1"], area["P1"]
    rh = colocation.humidity([m1.pk, p1.pk], T0, T0 + 3600 * HOURS)
    assert rh[T0 + 3600 * SPRAY_HOUR] == 90.0 and rh[T0] == 58.0
    FactorHour.objects.filter(station=m1, ts=T0).delete()
    assert colocation.humidity([m1.pk, p1.pk], T0, T0 + 3600)[T0] == 58.0  # P1's hour


def test_a_reviewer_confirms_through_the_api_and_asks_for_an_inspection(
    client, area, reviewer, bearer, people
):
    StationOperator.objects.create(station=area["M1"], name="蓝天运维")
    tamper_scan.scan(*window())
    finding = TamperFinding.objects.get()
    auth = bearer("reviewer")
    listed = client.get("/api/v1/air/tampering", {"status": "open"}, **auth)
    assert listed.status_code == 200
    (row,) = listed.json()
    assert (row["id"], row["station"], row["kind"]) == (finding.pk, "M1", "spray")
    assert row["evidence"]["pm25"]["neighbours"] >= 2
    assert client.get("/api/v1/air/tampering", {"station": "M2"}, **auth).json() == []

    url = f"/api/v1/air/tampering/{finding.pk}/decision"
    body = {"action": "confirm", "reason": "现场发现雾炮对准采样口", "inspect": True}
    decided = client.post(url, body, content_type="application/json", **auth)
    assert decided.status_code == 200, decided.content
    out = decided.json()
    assert (out["status"], out["decided_by"], out["reason"]) == (
        "confirmed",
        "reviewer",
        "现场发现雾炮对准采样口",
    )
    issue = MaintenanceIssue.objects.get(kind="tamper")
    assert issue.station == area["M1"] and issue.order_id is not None
    order = WorkOrder.objects.get(pk=issue.order_id)
    assert "蓝天运维" in order.event.description
    assert out["inspection_order"] == order.event.reference
    # Decided once: a second decision is a conflict, and nothing changes.
    again = client.post(
        url, {"action": "dismiss", "reason": "x"}, content_type="application/json", **auth
    )
    assert again.status_code == 409
    finding.refresh_from_db()
    assert finding.status == "confirmed"
    # The maintenance sweep ends the inspection once its order is made, never before.
    from gridgov.air import maintenance

    maintenance.sweep()
    issue.refresh_from_db()
    assert issue.ended_at is not None


def test_dismissing_keeps_the_marks(client, area, reviewer, bearer):
    tamper_scan.scan(*window())
    finding = TamperFinding.objects.get()
    auth = bearer("reviewer")
    url = f"/api/v1/air/tampering/{finding.pk}/decision"
    out = client.post(
        url, {"action": "dismiss", "reason": "降雨"}, content_type="application/json", **auth
    )
    assert out.status_code == 200 and out.json()["status"] == "dismissed"
    assert flags_of(area["M1"], SPRAY_HOUR)[0] & Flag.TAMPER  # people decide in the review
    assert not MaintenanceIssue.objects.filter(kind="tamper").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "approve", "reason": "x"}, "action"),
        ({"action": "confirm", "reason": ""}, "reason"),
        ({"action": "confirm"}, "reason"),
        ({"action": "dismiss", "reason": "x", "inspect": True}, "inspect"),
        ({"action": "confirm", "reason": "x" * 201}, "reason"),
    ],
)
def test_bad_decisions_are_refused_naming_the_field(client, area, reviewer, bearer, body, field):
    tamper_scan.scan(*window())
    finding = TamperFinding.objects.get()
    url = f"/api/v1/air/tampering/{finding.pk}/decision"
    answer = client.post(url, body, content_type="application/json", **bearer("reviewer"))
    assert answer.status_code == 400, answer.content
    assert any(field in e["field"] for e in answer.json()["errors"])
    finding.refresh_from_db()
    assert finding.status == "open"


def test_only_reviewers_decide_and_only_in_their_scope(
    client, area, reviewer, west_reviewer, bearer
):
    tamper_scan.scan(*window())
    finding = TamperFinding.objects.get()
    url = f"/api/v1/air/tampering/{finding.pk}/decision"
    body = {"action": "dismiss", "reason": "x"}
    west = bearer("west_reviewer")
    assert client.get("/api/v1/air/tampering", **west).json() == []
    assert client.post(url, body, content_type="application/json", **west).status_code == 404
    missing = "/api/v1/air/tampering/999999/decision"
    assert (
        client.post(
            missing, body, content_type="application/json", **bearer("reviewer")
        ).status_code
        == 404
    )
    command = bearer("command")  # the command office may look, not decide
    assert len(client.get("/api/v1/air/tampering", **command).json()) == 1
    assert client.post(url, body, content_type="application/json", **command).status_code == 403
    assert client.get("/api/v1/air/tampering", **bearer("g1_leader")).status_code == 403
    bad = client.get("/api/v1/air/tampering", {"status": "maybe"}, **bearer("reviewer"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
    finding.refresh_from_db()
    assert finding.status == "open"


def test_the_pages_list_and_decide(client, area, reviewer):
    tamper_scan.scan(*window())
    finding = TamperFinding.objects.get()
    client.login(username="reviewer", password=PASSWORD)
    page = client.get("/air/tampering/").content.decode()
    assert "东一微站" in page and "喷淋/雾炮干扰" in page and "降幅%" in page
    assert f"/air/station/M1/review/{DAY.isoformat()}/" in page
    station_page = client.get("/air/station/M1/").content.decode()
    assert 'id="tampering"' in station_page and "喷淋/雾炮干扰" in station_page
    assert "东一微站" not in client.get("/air/tampering/", {"station": "M2"}).content.decode()
    too_long = client.get("/air/tampering/", {"station": "M" * 41})  # refused, never cut
    assert too_long.status_code == 400 and "站点编码" in too_long.content.decode()
    url = f"/air/tampering/{finding.pk}/decision/"
    assert client.post(url, {"action": "dismiss", "reason": ""}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "open"  # no reason: refused, nothing recorded
    assert client.post(url, {"action": "dismiss", "reason": "降雨"}).status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.decided_by) == ("dismissed", reviewer)
    client.login(username="g1_leader", password=PASSWORD)
    assert client.get("/air/tampering/").status_code == 403
    assert 'id="tampering"' not in client.get("/air/station/M1/").content.decode()
