"""A device's clock regularity (时钟规律计数): the receiver counts each data packet's QN in
memory and writes the day's counts with the device's status; the simulator's fake-regular clock
is found suspect, its ordinary clock is not; the counters' own arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air import tamper_data, tamper_scan, tampering
from gridgov.air.hj212.clock import ClockCounter, merge
from gridgov.air.hj212.devices import hash_password
from gridgov.air.models import CST, DeviceStatus, Flag, Reading, Station
from gridgov.air.tamper_models import TamperFinding
from tests.air.test_hj212_receiver import (
    PW,
    minute,
)

MINUTES = 8


def test_the_counter_keeps_distinct_milliseconds_and_the_spacing_per_day():
    c = ClockCounter()
    for qn in ("20261120235800000", "20261120235900000", "20261120235959500"):
        c.see(qn)
    c.see("20261121000100250")  # the next day: the first day's counts are kept aside
    c.see("20261121000100250")  # a re-sent packet: counted, no spacing
    taken = c.take()
    assert taken == [
        {"day": "20261120", "packets": 3, "millis": [0, 500], "gap_min": 59_500, "gap_max": 60_000},
        {"day": "20261121", "packets": 2, "millis": [250], "gap_min": 60_750, "gap_max": 60_750},
    ]
    assert c.take() == []  # deltas: nothing new since
    c.see("20261121000200250")  # the spacing goes on from the last QN across writes
    saved = merge(merge(None, taken), c.take())
    assert saved["days"][-1] == {
        "day": "20261121",
        "packets": 3,
        "millis": [250],
        "gap_min": 60_000,
        "gap_max": 60_750,
    }
    assert len(merge(saved, [{**saved["days"][-1], "day": "20261122"}])["days"]) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_fake_regular_clock_is_found_and_a_real_one_is_not(devices, simulate_devices, settings):
    settings.GRIDGOV_TAMPER_THRESHOLDS = {"clock_min_packets": 3}
    m1, m2 = devices["micro"], Station.objects.get(code="M2")
    m2.mn, m2.pw_hash = "MN-M2", hash_password(PW)
    m2.save()
    start = minute(-12)
    eras = {0: frozenset({"regularclock"}), 1: frozenset()}

    stats = simulate_devices(
        devices=2, start=start, minutes=MINUTES, timeout=2, quirks_of=eras.__getitem__
    )
    assert stats.answered == 2 * MINUTES and stats.unanswered_keys == set()
    regular = DeviceStatus.objects.get(station=m1).clock["days"]
    ordinary = DeviceStatus.objects.get(station=m2).clock["days"]
    # Every packet counted once, on the QN's day (a run across midnight has two days).
    assert sum(d["packets"] for d in regular) == sum(d["packets"] for d in ordinary) == MINUTES
    assert all(d["millis"] == [0] for d in regular)
    assert all(d["gap_min"] in (None, 60_000) and d["gap_max"] in (None, 60_000) for d in regular)
    assert any(len(d["millis"]) == 2 for d in ordinary)

    found = tamper_data.clock_days([m1.pk, m2.pk])
    assert tampering.clock(m1.pk, found[m1.pk])
    assert tampering.clock(m2.pk, found[m2.pk]) == []

    # The scan opens the finding and marks the day's values so far.
    now = dt.datetime.now(dt.UTC)
    result = tamper_scan.scan(now - dt.timedelta(hours=1), now + dt.timedelta(minutes=1))
    assert result.opened >= 1
    assert set(TamperFinding.objects.values_list("station__code", "kind")) == {("M1", "clock")}
    marked = Reading.objects.filter(station=m1, pm25_flag__gte=Flag.TAMPER).count()
    times = Reading.objects.filter(station=m1).values_list("ts", flat=True)
    days = {d["day"] for d in regular} | {
        dt.datetime.fromtimestamp(ts, CST).strftime("%Y%m%d") for ts in times
    }
    if len(days) == 1:  # (a run across midnight marks the minutes of the judged day only)
        assert marked == MINUTES
    assert not Reading.objects.filter(station=m2, pm25_flag__gte=Flag.TAMPER).exists()
