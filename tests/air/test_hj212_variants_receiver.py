"""Issue 22 end to end: real loggers of every era against the receiver — 2005-era headers,
the other length convention, long data segments, CRC variants and empty passwords per station,
faults counted on the device that sent them, notices and untracked-only packets answered, late
real-time packets correcting their stored interval; the simulator's variants against it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from gridgov.air.hj212 import codec
from gridgov.air.hj212.devices import hash_password
from gridgov.air.hj212.simulator import minute_values
from gridgov.air.models import CST, DeviceStatus, HourlyAggregate, Reading, Station
from tests.air.test_hj212_receiver import (
    PW,
    Client,
    db,
    minute,
    packet,
    pm25_of,
    qn,
    run,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def raw_packet(segment: str, *, crc: str = "hj212", length: str = "data") -> bytes:
    return codec.frame(segment, crc=crc, length=length)


def minute_segment(
    when,
    values: dict[str, float],
    *,
    q: str | None = "",
    flag: int | None = 5,
    cn="2051",
    mn="MN-M1",
    pw=PW,
    suffix="Avg",
) -> str:
    groups = [f"{code}-{suffix}={v},{code}-Flag=N" for code, v in values.items()]
    cp = ";".join([f"DataTime={codec.stamp(when)}", *groups])
    return codec.segment_text(
        qn=qn() if q == "" else q, st="22", cn=cn, pw=pw, mn=mn, flag=flag, cp=cp
    )


def status_of(station) -> DeviceStatus:
    return DeviceStatus.objects.get(station=station)


def test_2005_headers_are_stored_and_answered_the_2005_way(devices, fast):
    m1 = devices["micro"]
    Station.objects.filter(pk=m1.pk).update(device_codes={"PM25": "pm25"})
    no_qn, no_flag = minute(-3), minute(-4)
    sent_qn = qn()

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(raw_packet(minute_segment(no_qn, {"PM25": 33.0}, q=None, flag=None)))
        first = await c.answer()
        await c.send(raw_packet(minute_segment(no_flag, {"a34004": 44.0}, q=sent_qn, flag=None)))
        second = await c.answer()
        await receiver.flush()
        c.close()
        return first, second

    first, second = run(scenario)
    assert (first.qn, first.cn, first.flag, first.mn) == ("", "9014", 0, "MN-M1")
    assert "QN" not in first.fields
    assert (second.qn, second.cn, second.flag) == (sent_qn, "9014", 4)
    assert pm25_of(m1, no_qn) == (33.0, 0) and pm25_of(m1, no_flag) == (44.0, 0)
    assert status_of(m1).variants == {"header_2005_no_qn": 1, "header_2005_no_flag": 2}


def test_a_long_segment_and_the_other_length_convention_are_stored(devices, fast):
    m1 = devices["micro"]
    long_when, crc_len_when = minute(-3), minute(-4)
    values = {"a34004": 51.0, **{f"a99{k:03d}": 1.5 for k in range(45)}}
    long_seg = minute_segment(long_when, values)
    k = 0
    while len(long_seg) < 1623:  # pad with more factors to exactly 1,623 bytes
        room = 1623 - len(long_seg) - len(f";a98{k:03d}-Avg=")
        digits = min(max(room, 1), 20) if room < 20 or room > 33 else room - 13
        long_seg = long_seg[:-2] + f";a98{k:03d}-Avg=" + "7" * digits + "&&"
        values[f"a98{k:03d}"] = 7.0
        k += 1
    assert len(long_seg) == 1623

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(raw_packet(long_seg))
        long_answer = await c.answer()
        # Alone on the connection: answered without waiting for another packet to follow.
        await c.send(raw_packet(minute_segment(crc_len_when, {"a34004": 62.0}), length="with_crc"))
        other = await c.answer()
        await receiver.flush()
        c.close()
        return long_answer, other

    long_answer, other = run(scenario)
    assert long_answer.cn == other.cn == "9014"
    assert pm25_of(m1, long_when) == (51.0, 0) and pm25_of(m1, crc_len_when) == (62.0, 0)
    status = status_of(m1)
    assert status.variants == {"length_with_crc": 1}
    assert len(status.untracked) == len(values) - 1 and status.untracked["a99000"] == 1


def test_crc_variants_are_refused_unless_the_station_is_set_for_them(devices, fast):
    m1 = devices["micro"]
    first, second = minute(-3), minute(-4)

    async def refused(receiver):
        c = await Client.open(receiver)
        await c.send(raw_packet(minute_segment(first, {"a34004": 30.0}), crc="swapped"))
        await c.no_answer()
        await receiver.flush()
        c.close()

    run(refused)
    status = status_of(m1)
    assert status.rejections == {"crc": 1} and status.packets == 0
    assert [f["reason"] for f in status.faults] == ["crc"]
    assert status.faults[0]["raw"].startswith("##") and "MN=MN-M1;" in status.faults[0]["raw"]
    assert pm25_of(m1, first) is None

    Station.objects.filter(pk=m1.pk).update(crc_variant="swapped")

    async def accepted(receiver):
        c = await Client.open(receiver)
        await c.send(raw_packet(minute_segment(first, {"a34004": 30.0}), crc="swapped"))
        a = await c.answer()
        await c.send(raw_packet(minute_segment(second, {"a34004": 31.0}), crc="modbus"))
        await c.no_answer()  # set for "swapped" only: a Modbus CRC is still refused
        await c.send(raw_packet(minute_segment(second, {"a34004": 31.0})))
        b = await c.answer()  # the standard CRC always is accepted
        await receiver.flush()
        c.close()
        return a, b

    a, b = run(accepted)
    assert a.cn == b.cn == "9014"
    assert pm25_of(m1, first) == (30.0, 0) and pm25_of(m1, second) == (31.0, 0)
    status = status_of(m1)
    assert status.variants == {"crc_swapped": 1}
    assert status.rejections == {"crc": 2}


def test_every_refusal_with_a_readable_mn_is_counted_on_its_device(devices, fast):
    m1 = devices["micro"]
    when = minute(-3)
    good = minute_segment(when, {"a34004": 30.0})
    bad_crc = raw_packet(good)[:-6] + b"0000\r\n"
    wrong_pw = raw_packet(minute_segment(when, {"a34004": 30.0}, pw="000000"))
    malformed = raw_packet(good.replace(";Flag=5;", ";Flag=x;"))
    bad_length = b"##0050" + good.encode() + b"ABCD\r\n"  # the length lies

    async def scenario(receiver):
        c = await Client.open(receiver)
        for data in (bad_crc, wrong_pw, malformed, bad_length, bad_crc, bad_crc, bad_crc):
            await c.send(data)
        await c.send(raw_packet(good))
        await c.answer()
        await receiver.flush()
        c.close()
        return dict(receiver.rejections)

    rejections = run(scenario)
    status = status_of(m1)
    assert status.rejections == {"crc": 4, "wrong_pw": 1, "malformed": 1, "length": 1}
    assert sum(status.rejections.values()) == sum(
        n for r, n in rejections.items() if r != "garbage"
    )
    assert len(status.faults) == 5  # the last five, newest last
    assert [f["reason"] for f in status.faults] == ["malformed", "length", "crc", "crc", "crc"]
    assert all(len(f["raw"]) <= 2048 for f in status.faults)


def test_an_empty_password_is_a_station_option(devices, fast):
    m1 = devices["micro"]
    Station.objects.filter(pk=m1.pk).update(pw_hash=hash_password(""))
    when = minute(-3)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(raw_packet(minute_segment(when, {"a34004": 30.0}, pw="")))
        answer = await c.answer()
        await c.send(raw_packet(minute_segment(minute(-4), {"a34004": 30.0})))  # PW=123456
        await c.no_answer()
        await receiver.flush()
        c.close()
        return answer

    assert run(scenario).pw == ""
    status = status_of(m1)
    assert status.variants == {"empty_pw": 1} and status.rejections == {"wrong_pw": 1}


def test_a_restart_notice_gets_the_notice_answer(devices, fast):
    sent_qn = qn()
    notice = codec.segment_text(
        qn=sent_qn,
        st="22",
        cn="2081",
        pw=PW,
        mn="MN-M1",
        flag=5,
        cp=f"DataTime={codec.stamp(minute(0))};RestartTime={codec.stamp(minute(-1))}",
    )

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(raw_packet(notice))
        answer = await c.answer()
        c.close()
        return answer, dict(receiver.rejections), receiver.counters["notices"]

    answer, rejections, notices = run(scenario)
    assert (answer.qn, answer.st, answer.cn, answer.flag) == (sent_qn, "91", "9013", 4)
    assert rejections == {} and notices == 1


def hourly_pm25(station, when):
    start = int(when.timestamp()) - int(when.timestamp()) % 3600
    row = HourlyAggregate.objects.get(station=station, ts=start)
    return row.pm25_sum, row.pm25_n


def test_late_real_time_packets_correct_their_stored_interval(devices, fast):
    """The issue's case: two CN=2011 packets for one minute arriving after the minute's grace
    are both answered — and both are in the stored mean, the hourly figure following. A re-sent
    packet (same QN) counts once."""
    m1 = devices["micro"]
    when = minute(-3)
    first_qn = qn()
    first = packet("2011", when.replace(second=10), {"a34004": 30}, q=first_qn)
    second = packet("2011", when.replace(second=40), {"a34004": 50})

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(first)
        await c.answer()
        after_first = await db(pm25_of)(m1, when)
        await c.send(second)
        await c.answer()
        after_second = await db(pm25_of)(m1, when)
        await c.send(first)  # re-sent: answered again, changes nothing
        await c.answer()
        after_resend = await db(pm25_of)(m1, when)
        await receiver.flush()
        c.close()
        return after_first, after_second, after_resend, receiver.counters["late_corrections"]

    after_first, after_second, after_resend, corrections = run(scenario)
    assert after_first == (30.0, 0)
    assert after_second == (40.0, 0)  # both packets' values, not only the first's
    assert after_resend == (40.0, 0)
    assert corrections == 3  # the interval was already over when each arrived
    assert hourly_pm25(m1, when) == (40.0, 1)
    assert Reading.objects.filter(station=m1).count() == 1


def test_a_late_packet_for_an_interval_no_longer_held_is_merged(devices, fast):
    m1 = devices["micro"]
    fast.GRIDGOV_HJ212_LATE_SECONDS = 0  # committed intervals are forgotten at once
    when = minute(-3)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2011", when.replace(second=5), {"a34004": 30, "a34002": 80}))
        await c.answer()
        await asyncio.sleep(0.2)  # a few ticks: the interval is no longer held
        await c.send(packet("2011", when.replace(second=50), {"a34004": 70}))
        await c.answer()
        c.close()

    run(scenario)
    row = Reading.objects.get(station=m1, ts=int(when.timestamp()))
    # The stored mean counts as one sample beside the late one; PM10 had no late value.
    assert (row.pm25, row.pm10) == (50.0, 80.0)
    assert hourly_pm25(m1, when) == (50.0, 1)


@pytest.mark.parametrize(
    ("quirks", "crc"),
    [
        ({"header2005", "codes2005"}, "hj212"),
        ({"noflag", "lengthcrc"}, "hj212"),
        ({"modbus"}, "modbus"),
        ({"swapped", "lengthcrc"}, "swapped"),
    ],
    ids=["2005", "noflag-lengthcrc", "modbus", "swapped-lengthcrc"],
)
def test_the_simulators_real_world_variants_are_all_stored(devices, simulate_devices, quirks, crc):
    m1 = devices["micro"]
    Station.objects.filter(pk=m1.pk).update(
        crc_variant=crc,
        device_codes={
            "PM25": "pm25",
            "PM10": "pm10",
            "SO2": "so2",
            "NO2": "no2",
            "CO": "co",
            "O3": "o3",
        },
    )
    start = minute(-12)
    began = dt.datetime.now(dt.UTC)

    stats = simulate_devices(start=start, minutes=6, window=1, quirks=frozenset(quirks))
    assert stats.answered == 6 and stats.unanswered_keys == set()
    stored = dict(Reading.objects.filter(station=m1).values_list("ts", "pm25"))
    for k in range(6):
        moment = start + dt.timedelta(minutes=k)
        assert stored[int(moment.timestamp())] == minute_values(1, moment)["a34004"]
    status = status_of(m1)
    assert status.rejections == {}
    expected = {
        "header2005": ["header_2005_no_qn", "header_2005_no_flag"],
        "noflag": ["header_2005_no_flag"],
        "lengthcrc": ["length_with_crc"],
        "modbus": ["crc_modbus"],
        "swapped": ["crc_swapped"],
    }
    names = {n for q in quirks for n in expected.get(q, [])}
    counts = dict.fromkeys(names, 6)
    if "swapped" in quirks:  # a CRC whose two bytes are equal reads the same either way round
        sent, palindromic = archived_crcs("MN-M1", began)
        assert sent == 6
        counts["crc_swapped"] -= palindromic
    assert {k: v for k, v in status.variants.items()} == counts


def archived_crcs(mn: str, since: dt.datetime) -> tuple[int, int]:
    """(packets of `mn` since `since` in the raw packet archive, those among them whose standard
    CRC has two equal bytes): byte-swapped such a CRC is the same, so the receiver rightly takes
    it as the standard CRC (1 packet in 256)."""
    from gridgov.air.packet_archive import packets_of

    sent = palindromic = 0
    for day in {since.astimezone(CST).date(), dt.datetime.now(CST).date()}:
        for p in packets_of(day, mn)[0]:
            if p.received_at < since:
                continue
            body = p.raw[:-2] if p.raw.endswith(b"\r\n") else p.raw
            crc = codec.crc16(body[6:-4])
            sent += 1
            palindromic += crc >> 8 == crc & 0xFF
    return sent, palindromic


def test_a_mix_of_logger_eras_per_device(devices, simulate_devices):
    """Config.quirks_of: each simulated device its own era (the bench's realistic mix)."""
    m1, m2 = devices["micro"], Station.objects.get(code="M2")
    Station.objects.filter(pk=m1.pk).update(device_codes={"PM25": "pm25", "PM10": "pm10"})
    m2.mn, m2.pw_hash = "MN-M2", hash_password(PW)
    m2.save()
    start = minute(-12)
    eras = {0: frozenset({"header2005", "codes2005"}), 1: frozenset({"untracked"})}

    stats = simulate_devices(devices=2, start=start, minutes=4, quirks_of=eras.__getitem__)
    assert stats.answered == 8 and stats.unanswered_keys == set()
    assert Reading.objects.filter(station=m1).count() == 4
    assert Reading.objects.filter(station=m2).count() == 4
    assert status_of(m1).variants == {"header_2005_no_qn": 4, "header_2005_no_flag": 4}
    assert status_of(m2).untracked == {"a34001": 4, "LA": 4, "a24088": 4}
    assert status_of(m2).variants == {}
