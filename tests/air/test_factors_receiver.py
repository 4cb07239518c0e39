"""Issue 22 item 2 through the HJ 212 receiver: every factor of a packet kept with its flag, a
packet with only other factors stored before it is answered, a re-send changing nothing, wind
direction averaged across north, the station's latest wind fed by the same."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.air.factor_models import FactorHour, FactorReading
from gridgov.air.factor_store import factor_hours
from gridgov.air.hj212 import codec
from gridgov.air.models import CST, DeviceStatus, Reading, StationWind
from tests.air.test_hj212_receiver import (
    Client,
    db,
    minute,
    packet,
    qn,
    run,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def stored(station, when):
    rows = FactorReading.objects.filter(station=station, ts=int(when.timestamp()))
    return {r.code: (r.value, r.flag) for r in rows}


def test_a_packet_with_only_other_factors_is_stored_then_answered(devices, fast):
    m1 = devices["micro"]
    when = minute(-2)
    sent = packet("2051", when, {"a34001": 120, "LA": 57.9, "a01001": (24.8, "D")}, q=qn())

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(sent)
        answer = await c.answer()
        at_answer = await db(stored)(m1, when)  # committed when the answer arrives
        await c.send(sent)  # re-sent: answered again, nothing changes
        again = await c.answer()
        await receiver.flush()
        c.close()
        return answer, again, at_answer

    answer, again, at_answer = run(scenario)
    assert answer.cn == again.cn == "9014"
    assert answer.qn == codec.parse_segment(sent[6:-6]).qn
    expected = {"a34001": (120.0, "N"), "LA": (57.9, "N"), "a01001": (24.8, "D")}
    assert at_answer == expected
    assert stored(m1, when) == expected
    assert not Reading.objects.filter(station=m1).exists()  # no pollutant: no reading
    hour = int(when.timestamp()) // 3600 * 3600
    hours = {h.code: h for h in FactorHour.objects.filter(station=m1, ts=hour)}
    assert (hours["a34001"].n, hours["a34001"].total) == (1, 120.0)
    assert (hours["a01001"].n, hours["a01001"].bad_n, hours["a01001"].bad_flag) == (0, 1, "D")
    status = DeviceStatus.objects.get(station=m1)
    assert status.answered == 2
    assert status.untracked == {"a34001": 2, "LA": 2, "a01001": 2}


def test_factors_beside_pollutants_are_kept_with_their_flags(devices, fast):
    m1 = devices["micro"]
    when = minute(-2)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", when, {"a34004": 35, "a01002": (93.0, "C"), "a34005": 20}))
        await c.answer()
        await receiver.flush()
        c.close()

    run(scenario)
    assert Reading.objects.get(station=m1, ts=int(when.timestamp())).pm25 == 35
    assert stored(m1, when) == {"a01002": (93.0, "C"), "a34005": (20.0, "N")}


def test_wind_direction_hourly_mean_across_north_and_the_latest_wind(devices, fast):
    m1 = devices["micro"]
    base = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    a, b = base + dt.timedelta(minutes=10), base + dt.timedelta(minutes=20)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", a, {"a01008": 350, "a01007": 2.0, "a01001": 10}))
        await c.answer()
        await c.send(packet("2051", b, {"a01008": 10, "a01007": 2.0, "a01001": 12}))
        await c.answer()
        await receiver.flush()
        c.close()

    run(scenario)
    t0 = int(base.timestamp())
    series = {s["code"]: s["hours"] for s in factor_hours(m1.pk, t0, t0 + 3600)}
    assert series["a01008"] == [
        {"hour": base, "mean": 0.0, "count": 2, "flag": "N"}
    ]  # an arithmetic mean would say 180°
    assert series["a01001"][0]["mean"] == 11.0 and series["a01007"][0]["mean"] == 2.0
    wind = StationWind.objects.get(station=m1)
    assert (wind.ts, wind.wd, wind.ws) == (int(b.timestamp()), 10.0, 2.0)


def test_real_time_factors_are_averaged_per_interval(devices, fast):
    m1 = devices["micro"]
    when = minute(-2)
    later = when + dt.timedelta(seconds=30)

    async def scenario(receiver):
        c = await Client.open(receiver)
        # Both in one write: one interval (350° and 10° → 0°; noise 50 and 60 → 55).
        await c.send(
            packet("2011", when, {"a01008": 350, "a01007": 1.0, "LA": 50}),
            packet("2011", later, {"a01008": 10, "a01007": 1.0, "LA": 60}),
        )
        await c.answer()
        await c.answer()
        await receiver.flush()
        c.close()

    run(scenario)
    got = stored(m1, when)
    assert got["a01008"] == (0.0, "N") and got["LA"] == (55.0, "N")
    assert got["a01007"] == (1.0, "N")


def test_a_factor_only_packet_off_the_interval_is_refused(devices, fast):
    m1 = devices["micro"]
    when = minute(-2) + dt.timedelta(seconds=20)  # minute data must start on the minute

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", when, {"a34001": 120}))
        await c.no_answer()
        await receiver.flush()
        c.close()
        return dict(receiver.rejections)

    assert run(scenario) == {"refused_time": 1}
    assert not FactorReading.objects.filter(station=m1).exists()
