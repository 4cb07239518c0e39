"""Alarms: raised in the ingestion that brings the reading, one per condition while it lasts."""

import datetime as dt

import numpy as np

from gridgov.air.alarms import sweep_offline
from gridgov.air.models import Alarm, AlarmKind, AlarmRule, Flag, HourlyAggregate, Reading
from tests.air.conftest import T0, make_batch


def only_rules(*kinds):
    AlarmRule.objects.exclude(kind__in=kinds).update(active=False)


def wobble(n, base):
    return base + 3 * np.sin(np.arange(n) / 3.0)


def test_threshold_alarm_is_raised_once_while_the_condition_lasts_and_ends(stations, put):
    only_rules(AlarmKind.THRESHOLD)
    m = stations["micro"]
    # First 44 minutes at 150: the hour is not yet valid (needs 45), no alarm.
    r = put(make_batch(m, T0, 44, pm25=wobble(44, 150)))
    assert r.alarms == []
    r = put(make_batch(m, T0 + 44 * 60, 1, pm25=150))
    assert [a.rule.kind for a in r.alarms] == ["threshold"]
    alarm = r.alarms[0]
    assert alarm.grid_id == m.grid_id and alarm.pollutant == "pm25"
    assert alarm.value > 115 and alarm.reference == 115
    # More minutes of the same: still one alarm, updated.
    for k in range(45, 60, 5):
        assert put(make_batch(m, T0 + k * 60, 5, pm25=wobble(5, 160))).alarms == []
    assert Alarm.objects.filter(station=m).count() == 1
    # The next hour is clean: the alarm ends once that hour is valid.
    put(make_batch(m, T0 + 3600, 50, pm25=wobble(50, 30)))
    alarm.refresh_from_db()
    assert alarm.ended_at is not None
    assert alarm.last_seen_at <= alarm.ended_at
    assert Alarm.objects.filter(station=m, ended_at__isnull=True).count() == 0


def test_a_new_episode_raises_a_new_alarm(stations, put):
    only_rules(AlarmKind.THRESHOLD)
    m = stations["micro"]
    put(make_batch(m, T0, 50, pm25=wobble(50, 150)))
    put(make_batch(m, T0 + 3600, 50, pm25=wobble(50, 30)))
    put(make_batch(m, T0 + 7200, 50, pm25=wobble(50, 170)))
    assert Alarm.objects.filter(station=m).count() == 2
    assert Alarm.objects.filter(station=m, ended_at__isnull=True).count() == 1


def test_stuck_sensor_alarm(stations, put):
    only_rules(AlarmKind.STUCK)
    m = stations["micro"]
    r = put(make_batch(m, T0, 130, pm10=88, pm25=wobble(130, 40)))
    assert [(a.rule.kind, a.pollutant) for a in r.alarms] == [("stuck", "pm10")]
    put(make_batch(m, T0 + 130 * 60, 5, pm10=wobble(5, 60), pm25=wobble(5, 40)))
    assert not Alarm.objects.filter(ended_at__isnull=True).exists()


def test_sudden_jump_against_the_recent_baseline(stations, put):
    only_rules(AlarmKind.JUMP)
    m = stations["micro"]
    put(make_batch(m, T0, 60, pm25=wobble(60, 40)))
    r = put(make_batch(m, T0 + 3600, 5, pm25=wobble(5, 140)))
    assert [a.rule.kind for a in r.alarms] == ["jump"]
    baseline = wobble(60, 40)  # the 60 minutes before the last 5
    assert abs(r.alarms[0].reference - baseline.mean()) < 1e-9
    assert r.alarms[0].value > 2 * r.alarms[0].reference


def test_jumps_of_several_stations_in_one_batch_are_judged_each_on_its_own(stations, put):
    """The windows of all the batch's stations are read in one query and split per station."""
    only_rules(AlarmKind.JUMP)
    m, m2 = stations["micro"], stations["micro2"]
    put(
        concat(
            make_batch(m, T0, 60, pm25=wobble(60, 40)), make_batch(m2, T0, 60, pm25=wobble(60, 50))
        )
    )
    r = put(
        concat(
            make_batch(m, T0 + 3600, 5, pm25=wobble(5, 45)),
            make_batch(m2, T0 + 3600, 5, pm25=wobble(5, 160)),
        )
    )
    assert [(a.rule.kind, a.station_id) for a in r.alarms] == [("jump", m2.pk)]
    assert abs(r.alarms[0].reference - wobble(60, 50).mean()) < 1e-9


def concat(a, b):
    from gridgov.air.ingest import Batch

    return Batch(
        np.concatenate([a.station, b.station]),
        np.concatenate([a.ts, b.ts]),
        np.concatenate([a.values, b.values]),
        np.concatenate([a.nan_given, b.nan_given]),
        np.arange(1, len(a) + len(b) + 1),
    )


def test_far_above_the_neighbouring_stations(stations, put):
    only_rules(AlarmKind.NEIGHBOUR)
    m, m2 = stations["micro"], stations["micro2"]
    put(make_batch(m2, T0, 50, pm25=wobble(50, 40)))
    r = put(make_batch(m, T0, 50, pm25=wobble(50, 120)))
    assert [a.rule.kind for a in r.alarms] == ["neighbour"]
    assert abs(r.alarms[0].reference - np.mean(wobble(50, 40))) < 0.01
    # The hour's PM2.5 values are marked suspect (far from the neighbours) and still count.
    flags = Reading.objects.filter(station=m).values_list("pm25_flag", "pm10_flag")
    assert all(pm25 & Flag.NEIGHBOUR and not pm10 & Flag.NEIGHBOUR for pm25, pm10 in flags)
    assert not any(
        f & Flag.NEIGHBOUR for (f,) in Reading.objects.filter(station=m2).values_list("pm25_flag")
    )
    assert HourlyAggregate.objects.get(station=m, ts=T0).pm25_n == 50


def test_offline_sweep_raises_and_data_ends_it(stations, put):
    only_rules(AlarmKind.OFFLINE)
    m = stations["micro"]
    put(make_batch(m, T0, 10, pm25=wobble(10, 40)))
    later = dt.datetime.fromtimestamp(T0 + 3600, tz=dt.UTC)
    raised = sweep_offline(later)
    # the micro-station fell silent 50 minutes ago; the others never reported
    assert {a.station.code for a in raised} == {"M1", "M2", "N1"}
    assert sweep_offline(later + dt.timedelta(minutes=5)) == []  # no alarm per minute
    put(make_batch(m, T0 + 3600, 1, pm25=40))
    assert not Alarm.objects.filter(station=m, ended_at__isnull=True).exists()


def test_alarms_are_listed_and_acknowledged_through_the_api(stations, put, client, bearer):
    only_rules(AlarmKind.THRESHOLD)
    put(make_batch(stations["micro"], T0, 50, pm25=wobble(50, 150)))
    headers = bearer("east_secretary")
    listed = client.get("/api/v1/alarms", {"open": "true"}, **headers).json()
    assert [a["station"] for a in listed] == ["M1"]
    alarm_id = listed[0]["id"]
    done = client.post(
        f"/api/v1/alarms/{alarm_id}/acknowledge",
        {"note": "已派人核查"},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200 and done.json()["acknowledged_by"] == "east_secretary"
    # Another community's account cannot see or acknowledge it.
    other = bearer("west_secretary")
    assert client.get("/api/v1/alarms", **other).json() == []
    denied = client.post(
        f"/api/v1/alarms/{alarm_id}/acknowledge", {}, content_type="application/json", **other
    )
    assert denied.status_code == 404
    missing = client.post(
        "/api/v1/alarms/999999/acknowledge", {}, content_type="application/json", **headers
    )
    assert missing.status_code == 404


def test_threshold_alarm_does_not_flap_around_the_line(stations, put):
    only_rules(AlarmKind.THRESHOLD)
    m = stations["micro"]
    put(make_batch(m, T0, 50, pm25=wobble(50, 130)))
    # The first minutes of the next hour: that hour is not valid yet, the alarm stays open.
    put(make_batch(m, T0 + 3600, 10, pm25=wobble(10, 60)))
    assert Alarm.objects.filter(station=m, ended_at__isnull=True).count() == 1
    # The hour ends just under the line (≈112 < 115, but above 115 × 0.9): still one alarm.
    put(make_batch(m, T0 + 3600 + 600, 40, pm25=wobble(40, 125)))
    assert Alarm.objects.filter(station=m, ended_at__isnull=True).count() == 1
    # Clearly below: it ends; back above: a new one.
    put(make_batch(m, T0 + 7200, 50, pm25=wobble(50, 90)))
    assert Alarm.objects.filter(station=m, ended_at__isnull=True).count() == 0
    put(make_batch(m, T0 + 10800, 50, pm25=wobble(50, 140)))
    assert Alarm.objects.filter(station=m).count() == 2
