"""The HJ 212 receiver, end to end: a receiver on port 0 in the test's own event loop, small
asyncio clients acting as devices, the test database behind (storage runs in the receiver's
own threads, hence transaction=True)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from gridgov.air import aggregate, months
from gridgov.air.hj212 import codec
from gridgov.air.hj212.devices import hash_password
from gridgov.air.hj212.receiver import Receiver
from gridgov.air.models import (
    CST,
    DeviceStatus,
    Flag,
    HourlyAggregate,
    Reading,
    StationState,
)
from tests.air.conftest import PW, run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def minute(offset: int = 0) -> dt.datetime:
    """The start of the minute `offset` minutes from the current one (CST)."""
    now = dt.datetime.now(CST).replace(second=0, microsecond=0)
    return now + dt.timedelta(minutes=offset)


_qn = [0]


def qn() -> str:
    _qn[0] += 1
    return codec.qn_now() + f"{_qn[0] % 1000:03d}"


def packet(
    cn: str,
    when: dt.datetime,
    values: dict[str, object],
    *,
    mn: str = "MN-M1",
    pw: str = PW,
    flag: int = 5,
    q: str | None = None,
    suffix: str | None = None,
    cp: str | None = None,
    **extra: int,
) -> bytes:
    suffix = suffix or ("Rtd" if cn == "2011" else "Avg")
    groups = []
    for code, value in values.items():
        if isinstance(value, tuple):
            groups.append(f"{code}-{suffix}={value[0]},{code}-Flag={value[1]}")
        else:
            groups.append(f"{code}-{suffix}={value},{code}-Flag=N")
    if cp is None:
        cp = ";".join([f"DataTime={codec.stamp(when)}", *groups])
    text = codec.segment_text(qn=q or qn(), st="22", cn=cn, pw=pw, mn=mn, flag=flag, cp=cp, **extra)
    return codec.frame(text)


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.frames = codec.FrameReader()
        self.got: list[codec.Packet] = []

    @classmethod
    async def open(cls, receiver: Receiver) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
        return cls(reader, writer)

    async def send(self, *data: bytes) -> None:
        self.writer.write(b"".join(data))
        await self.writer.drain()

    async def answer(self, timeout: float = 5) -> codec.Packet:
        while not self.got:
            data = await asyncio.wait_for(self.reader.read(4096), timeout)
            if not data:
                raise ConnectionError("closed")
            for seg in self.frames.feed(data):
                assert not isinstance(seg, codec.FrameError), seg
                self.got.append(codec.parse_segment(seg))
        return self.got.pop(0)

    async def no_answer(self, wait: float = 0.4) -> None:
        with pytest.raises(TimeoutError):
            await self.answer(wait)

    async def closed(self, timeout: float = 5) -> bool:
        try:
            data = await asyncio.wait_for(self.reader.read(4096), timeout)
        except (ConnectionError, TimeoutError):
            return False
        return data == b""

    def close(self) -> None:
        self.writer.close()


def db(fn):
    """`fn` run from the scenario in asgiref's worker thread, whose database connection is
    closed after each call: no session may outlive the test database."""

    def call_and_close(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return sync_to_async(call_and_close)


def pm25_of(station, when):
    row = Reading.objects.filter(station=station, ts=int(when.timestamp())).first()
    return None if row is None else (row.pm25, row.pm25_flag)


# --- storage and answers -----------------------------------------------------------------------


@pytest.mark.parametrize("uvloop", [False, True], ids=["asyncio", "uvloop"])
def test_minute_data_are_stored_before_the_answer(devices, fast, uvloop):
    m1 = devices["micro"]
    when = minute(-3)

    async def scenario(receiver):
        c = await Client.open(receiver)
        sent = packet("2051", when, {"a34004": 35.5, "a34002": 70, "a21005": 0.8}, q=qn())
        await c.send(sent)
        answer = await c.answer()
        # The reading is committed when its answer arrives.
        stored = await db(pm25_of)(m1, when)
        c.close()
        return answer, stored, codec.parse_segment(sent[6:-6]).qn

    answer, stored, sent_qn = run(scenario, uvloop=uvloop)
    assert (answer.cn, answer.st, answer.qn, answer.mn) == ("9014", "91", sent_qn, "MN-M1")
    assert stored == (35.5, 0)
    row = Reading.objects.get(station=m1, ts=int(when.timestamp()))
    assert (row.pm10, row.co) == (70, 0.8)


def test_a_resent_packet_changes_nothing_and_is_answered_again(devices, fast):
    m1 = devices["micro"]
    when = minute(-3)
    first = packet("2051", when, {"a34004": 35})
    changed = packet("2051", when, {"a34004": 99})  # a re-send with another value: ignored

    async def scenario(receiver):
        c = await Client.open(receiver)
        answers = []
        for data in (first, first, changed):
            await c.send(data)
            answers.append(await c.answer())
        c.close()
        return answers

    answers = run(scenario)
    assert [a.cn for a in answers] == ["9014"] * 3
    assert Reading.objects.filter(station=m1).count() == 1
    assert pm25_of(m1, when) == (35, 0)
    assert HourlyAggregate.objects.get(station=m1).pm25_n == 1


def test_real_time_packets_of_a_minute_are_averaged(devices, fast):
    m1 = devices["micro"]
    when = minute(-2)
    sent = [
        packet("2011", when + dt.timedelta(seconds=s), {"a34004": v})
        for s, v in ((5, 30), (25, 40), (45, 50))
    ]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(*sent)  # one write: the three arrive before the minute is stored
        answers = [await c.answer() for _ in sent]
        c.close()
        return answers

    answers = run(scenario)
    assert len(answers) == 3
    assert pm25_of(m1, when) == (40, 0)
    assert Reading.objects.filter(station=m1).count() == 1


def test_real_time_minute_waits_for_its_end(devices, settings):
    settings.GRIDGOV_HJ212_GRACE_SECONDS = 30
    m1 = devices["micro"]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2011", dt.datetime.now(CST), {"a34004": 30}))
        await c.no_answer(0.3)
        c.close()
        return len(receiver.intervals)

    assert run(scenario) == 1  # still open; stored (unanswered) when the receiver stops
    assert Reading.objects.filter(station=m1).count() == 1


def test_hourly_data_for_an_hourly_station_only(devices, fast):
    n1, m1 = devices["national"], devices["micro"]
    hour = minute(0).replace(minute=0) - dt.timedelta(hours=2)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2061", hour, {"a34004": 41, "a05024": 120}, mn="MN-N1"))
        hourly = await c.answer()
        await c.send(packet("2061", hour, {"a34004": 41}, mn="MN-M1"))  # not a minute station's
        await c.no_answer()
        await c.send(packet("2051", minute(-3), {"a34004": 41}, mn="MN-N1"))  # nor the reverse
        await c.no_answer()
        c.close()
        return hourly, dict(receiver.rejections)

    hourly, rejections = run(scenario)
    assert hourly.cn == "9014"
    assert Reading.objects.get(station=n1).o3 == 120
    assert not Reading.objects.filter(station=m1).exists()
    assert rejections["not_interval"] == 2


def test_a_row_refused_by_ingestion_is_counted_and_not_answered(devices, fast):
    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", minute(60), {"a34004": 41}))  # an hour in the future
        await c.no_answer()
        off = minute(-3).replace(minute=0) - dt.timedelta(hours=1) + dt.timedelta(minutes=7)
        await c.send(packet("2061", off, {"a34004": 41}, mn="MN-N1"))  # 07 past: off the hour
        await c.no_answer()
        c.close()
        return dict(receiver.rejections)

    assert run(scenario) == {"refused_time": 2}
    assert not Reading.objects.exists()


def test_device_flags_are_stored_and_left_out_of_the_hourly_mean(devices, fast):
    m1 = devices["micro"]
    start = minute(-10)

    async def scenario(receiver):
        c = await Client.open(receiver)
        for i, (value, letter) in enumerate(((30, "N"), (500, "D"), (40, "N"), (50, "M"))):
            when = start + dt.timedelta(minutes=i)
            await c.send(packet("2051", when, {"a34004": (value, letter)}))
            await c.answer()
        c.close()

    run(scenario)
    rows = {r.ts: r for r in Reading.objects.filter(station=m1)}
    flags = [rows[int((start + dt.timedelta(minutes=i)).timestamp())].pm25_flag for i in range(4)]
    assert flags[0] == 0 and flags[2] == 0
    assert Flag.device_letter(flags[1]) == "D" and flags[1] & Flag.DEVICE
    assert Flag.device_letter(flags[3]) == "M"
    hours = HourlyAggregate.objects.filter(station=m1)
    assert sum(h.pm25_n for h in hours) == 2
    assert sum(h.pm25_sum for h in hours) == 70


# --- faults ------------------------------------------------------------------------------------


def test_faults_are_counted_by_reason_unanswered_and_close_the_connection(devices, settings):
    settings.GRIDGOV_HJ212_MAX_FAULTS = 5
    m1 = devices["micro"]
    when = minute(-3)
    good = packet("2051", when, {"a34004": 30})
    bad_crc = good[:-6] + b"0000\r\n"
    unknown = packet("2051", when, {"a34004": 30}, mn="NOBODY")
    wrong_pw = packet("2051", when, {"a34004": 30}, pw="654321")
    malformed = packet("2051", when, {}, cp="DataTime=2026;a34004-Avg=1")
    control = codec.frame(
        codec.segment_text(
            qn=qn(), st="22", cn="2051", pw=PW, mn="MN-M1", flag=5, cp="DataTime=x"
        ).replace("MN=MN-M1", "MN=MN\x7fM1")
    )

    async def scenario(receiver):
        c = await Client.open(receiver)
        # Four faults, then a good packet: the run of faults starts again.
        await c.send(bad_crc, unknown, wrong_pw, malformed)
        await c.no_answer()
        await c.send(good)
        assert (await c.answer()).cn == "9014"
        await c.send(bad_crc, unknown, wrong_pw, malformed, control)
        closed = await c.closed()
        c.close()
        await receiver.flush()
        return closed, dict(receiver.rejections), receiver.counters["closed_faults"]

    closed, rejections, closed_faults = run(scenario)
    assert closed and closed_faults == 1
    assert rejections == {
        "crc": 2,
        "unknown_mn": 2,
        "wrong_pw": 2,
        "data_area": 2,
        "malformed": 1,
    }
    status = DeviceStatus.objects.get(station=m1)
    assert status.rejections["wrong_pw"] == 2
    assert status.answered == 1


def test_garbage_between_packets_is_skipped(devices, fast):
    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(b"\x00\x01hello", packet("2051", minute(-3), {"a34004": 30}), b"#")
        answer = await c.answer()
        c.close()
        return answer

    assert run(scenario).cn == "9014"


def test_rate_limit_drops_excess_packets(devices, fast):
    fast.GRIDGOV_HJ212_RATE = 0.01
    fast.GRIDGOV_HJ212_BURST = 3
    sent = [packet("2051", minute(-10 + i), {"a34004": 30 + i}) for i in range(6)]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(*sent)
        answers = [await c.answer() for _ in range(3)]
        await c.no_answer()
        c.close()
        return answers, receiver.rejections["rate"]

    answers, dropped = run(scenario)
    assert len(answers) == 3 and dropped == 3
    assert Reading.objects.count() == 3


def test_an_idle_connection_is_closed(devices, settings):
    settings.GRIDGOV_HJ212_IDLE_SECONDS = 1

    async def scenario(receiver):
        c = await Client.open(receiver)
        started = time.monotonic()
        closed = await c.closed(timeout=5)
        c.close()
        return closed, time.monotonic() - started, receiver.counters["closed_idle"]

    closed, waited, count = run(scenario)
    assert closed and 0.9 <= waited < 4 and count == 1


def test_connections_beyond_the_limit_are_refused(devices, settings):
    settings.GRIDGOV_HJ212_MAX_CONNECTIONS = 2

    async def scenario(receiver):
        clients = [await Client.open(receiver) for _ in range(2)]
        await asyncio.sleep(0.1)
        extra = await Client.open(receiver)
        closed = await extra.closed(timeout=2)
        for c in [*clients, extra]:
            c.close()
        return closed, receiver.counters["refused"]

    assert run(scenario) == (True, 1)


def test_split_packets_are_reassembled(devices, fast):
    m1 = devices["micro"]
    when = minute(-3)
    q = qn()
    part1 = packet(
        "2051", when, {}, q=q, flag=7, pnum=2, pno=1,
        cp=f"DataTime={codec.stamp(when)};a34004-Avg=33,a34004-Flag=N",
    )  # fmt: skip
    part2 = packet("2051", when, {}, q=q, flag=7, pnum=2, pno=2, cp="a34002-Avg=66,a34002-Flag=N")

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(part2)  # out of order
        await c.no_answer(0.2)
        await c.send(part1)
        answer = await c.answer()
        c.close()
        return answer

    answer = run(scenario)
    assert answer.qn == q
    row = Reading.objects.get(station=m1)
    assert (row.pm25, row.pm10) == (33, 66)


def test_an_incomplete_split_packet_times_out(devices, fast):
    fast.GRIDGOV_HJ212_SPLIT_SECONDS = 1
    part1 = packet("2051", minute(-3), {"a34004": 1}, flag=7, pnum=2, pno=1)

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(part1)
        await asyncio.sleep(1.3)
        c.close()
        return receiver.rejections["split_timeout"], len(receiver.splits)

    assert run(scenario) == (1, 0)
    assert not Reading.objects.exists()


# --- back-fill, aliases, status ------------------------------------------------------------


def test_a_reconnecting_device_is_asked_for_the_minutes_it_missed(devices, fast):
    m1 = devices["micro"]
    last = minute(-30)
    StationState.objects.create(
        station=m1, last_ts=int(last.timestamp()), last_values=[None] * 6, runs=[0] * 6
    )

    async def scenario(receiver):
        c = await Client.open(receiver)
        now = receiver.clock()
        await c.send(packet("2011", dt.datetime.now(CST), {"a34004": 30}))
        request = await c.answer()
        # Not twice on the same connection.
        await c.send(packet("2011", dt.datetime.now(CST), {"a34004": 30}))
        c.close()
        c2 = await Client.open(receiver)  # but again after a reconnection
        await c2.send(packet("2011", dt.datetime.now(CST), {"a34004": 30}))
        again = await c2.answer()
        c2.close()
        return request, again, now

    request, again, now = run(scenario)
    assert (request.cn, request.mn, request.pw, request.st) == ("2051", "MN-M1", PW, "22")
    items = request.items()
    assert items["BeginTime"] == codec.stamp(last + dt.timedelta(minutes=1))
    end = dt.datetime.fromtimestamp(now - now % 60 - 60, CST)
    assert items["EndTime"] == codec.stamp(end)
    assert again.cn == "2051"


def test_no_back_fill_request_beyond_a_day_or_without_a_gap(devices, fast):
    m1 = devices["micro"]
    state = StationState.objects.create(
        station=m1, last_ts=int(minute(-60 * 25).timestamp()), last_values=[None] * 6, runs=[0] * 6
    )

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", minute(-1), {"a34004": 30}))
        first = await c.answer()
        c.close()
        return first.cn, receiver.counters["backfill_requests"]

    assert run(scenario) == ("9014", 0)
    state.last_ts = int(minute(-1).timestamp())
    state.save()
    assert run(scenario) == ("9014", 0)


def test_aliases_and_unit_factors(devices, fast):
    """The standard's field example: particulates in ng/m³, factor 0.001 → µg/m³; a station
    whose logger still sends 2005-era names gets them through its aliases."""
    m1 = devices["micro"]
    m1.device_factors = {"pm25": 0.001, "pm10": 0.001}
    m1.device_codes = {"PM25": "pm25"}
    m1.save()
    when = minute(-2)
    stamp = codec.stamp(when + dt.timedelta(seconds=9))
    field_example = (
        f"DataTime={stamp};a34004-Rtd=75600.000,a34004-Flag=N;a34002-Rtd=140600.000,a34002-Flag=N;"
        "a34001-Rtd=178000.000,a34001-Flag=N;a01001-Rtd=24.8,a01001-Flag=N;a01002-Rtd=46.8,"
        "a01002-Flag=N;a01006-Rtd=101.380,a01006-Flag=N;a01007-Rtd=0.0,a01007-Flag=N;"
        "a01008-Rtd=25,a01008-Flag=N;LA-Rtd=57.9,LA-Flag=N"
    )

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2011", when, {}, cp=field_example))
        await c.answer()
        await c.send(packet("2051", when - dt.timedelta(minutes=1), {"PM25": 80000}))
        await c.answer()
        c.close()

    run(scenario)
    row = Reading.objects.get(station=m1, ts=int(when.timestamp()))
    assert row.pm25 == pytest.approx(75.6) and row.pm10 == pytest.approx(140.6)
    assert pm25_of(m1, when - dt.timedelta(minutes=1))[0] == pytest.approx(80)


def test_a_packet_with_only_untracked_factors_is_answered_and_its_codes_counted(devices, fast):
    """Issue 22: a device sending only factors the platform does not track (temperature, TSP,
    VOCs…) is answered — it would re-send forever otherwise — nothing is stored, and the codes
    are counted on the device for the station page. A packet with no factor at all is refused."""
    m1 = devices["micro"]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", minute(-2), {"a01001": 24.8, "a34001": 120}))
        answer = await c.answer()
        await c.send(packet("2051", minute(-3), {}))
        await c.no_answer()
        await receiver.flush()
        c.close()
        return answer, dict(receiver.rejections), receiver.counters["untracked_only"]

    answer, rejections, untracked_only = run(scenario)
    assert answer.cn == "9014"
    assert rejections == {"no_values": 1}
    assert untracked_only == 1
    assert not Reading.objects.filter(station=m1).exists()
    status = DeviceStatus.objects.get(station=m1)
    assert status.untracked == {"a01001": 1, "a34001": 1}
    assert status.answered == 1


def test_device_status_is_written(devices, fast):
    m1 = devices["micro"]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", minute(-2), {"a34004": 30}))
        await c.answer()
        await receiver.flush()
        online = await db(DeviceStatus.objects.get)(station=m1)
        c.close()
        await asyncio.sleep(0.2)
        await receiver.flush()
        offline = await db(DeviceStatus.objects.get)(station=m1)
        return online, offline

    online, offline = run(scenario)
    assert online.connected and online.packets == 1 and online.answered == 1
    assert online.peer.startswith("127.0.0.1:")
    assert not offline.connected and offline.disconnected_at is not None


def test_a_new_station_and_a_password_change_apply_without_restart(devices, fast):
    fast.GRIDGOV_HJ212_REFRESH_SECONDS = 1
    m2 = devices["micro2"]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", minute(-2), {"a34004": 30}, mn="MN-M2", pw="abc"))
        await c.no_answer(0.2)
        m2.mn, m2.pw_hash = "MN-M2", hash_password("abc")
        await db(m2.save)()
        await asyncio.sleep(1.3)
        await c.send(packet("2051", minute(-2), {"a34004": 30}, mn="MN-M2", pw="abc"))
        answer = await c.answer()
        c.close()
        return answer

    assert run(scenario).cn == "9014"


def test_no_store_answers_at_once_and_stores_nothing(devices, fast):
    lines = []

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2011", dt.datetime.now(CST), {"a34004": 30}))
        answer = await c.answer()
        receiver.stats_every = 0.05
        receiver._next_stats = 0
        await asyncio.sleep(0.2)
        c.close()
        return answer

    assert run(scenario, store=False, emit=lines.append).cn == "9014"
    assert not Reading.objects.exists()
    stats = json.loads(lines[-1])
    assert stats["event"] == "hj212_stats" and stats["answered"] == 1 and stats["packets"] == 1


def test_real_time_data_from_the_future_are_refused_at_once(devices, fast):
    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2011", minute(60 * 24 * 365), {"a34004": 30}))
        await c.no_answer(0.2)
        c.close()
        return dict(receiver.rejections), len(receiver.intervals)

    assert run(scenario) == ({"refused_time": 1}, 0)


# --- deferred days -----------------------------------------------------------------------------


def _an_hour_of_minutes(receiver_hour: dt.datetime) -> list[bytes]:
    return [
        packet("2051", receiver_hour + dt.timedelta(minutes=m), {"a34004": 30 + m % 7})
        for m in range(45)
    ]


def _daily_n(station) -> tuple[int | None, int]:
    from gridgov.air.models import DailyAggregate, PendingDay

    day = DailyAggregate.objects.filter(station=station).first()
    return (None if day is None else day.pm25_n), PendingDay.objects.count()


def test_the_receivers_daily_rows_are_right_after_a_flush(devices, fast):
    """Its days are deferred (GRIDGOV_DAY_REFRESH_SECONDS) but a flush brings them up to date:
    45 answered minutes of an hour make one valid hour of that day."""
    fast.GRIDGOV_DAY_REFRESH_SECONDS = 3600
    m1 = devices["micro"]
    hour = minute(0).replace(minute=0) - dt.timedelta(hours=2)

    async def scenario(receiver):
        c = await Client.open(receiver)
        for data in _an_hour_of_minutes(hour):
            await c.send(data)
            assert (await c.answer()).cn == "9014"
        before = await db(_daily_n)(m1)
        await receiver.flush()
        after = await db(_daily_n)(m1)
        c.close()
        return before, after

    before, after = run(scenario)
    assert before == (None, 1)  # answered and committed; the day pending
    assert after == (1, 0)
    # The monthly store has the day too (a day of one valid hour: no daily PM2.5 mean).
    month = hour.year * 100 + hour.month
    block = months.fetch([m1.pk], [month])[(m1.pk, month)]
    day = aggregate.day_date(int(aggregate.cst_day(np.array([int(hour.timestamp())]))[0]))
    assert np.isnan(block[day.day - 1, 0])


def test_the_receiver_refreshes_days_within_the_bound_while_idle(devices, fast):
    fast.GRIDGOV_DAY_REFRESH_SECONDS = 0.3
    m1 = devices["micro"]
    hour = minute(0).replace(minute=0) - dt.timedelta(hours=2)

    async def scenario(receiver):
        c = await Client.open(receiver)
        for data in _an_hour_of_minutes(hour):
            await c.send(data)
            await c.answer()
        deadline = time.monotonic() + 5
        while await db(_daily_n)(m1) != (1, 0) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        waited = 5 - (deadline - time.monotonic())
        c.close()
        return waited

    assert run(scenario) < 2


def test_a_receiver_starting_recomputes_days_left_pending(devices, fast):
    """A receiver killed before its refresh leaves marks in the database; the next one starts
    with a refresh."""
    from gridgov.air.ingest import ingest, station_infos
    from tests.air.conftest import make_batch

    fast.GRIDGOV_DAY_REFRESH_SECONDS = 3600
    m1 = devices["micro"]
    start = int((minute(0).replace(minute=0) - dt.timedelta(hours=3)).timestamp())
    ingest(make_batch(m1, start, 45, pm25=30 + np.arange(45) % 7), station_infos(), defer_days=True)
    assert _daily_n(m1) == (None, 1)

    async def scenario(receiver):
        deadline = time.monotonic() + 5
        while await db(_daily_n)(m1) != (1, 0) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    run(scenario)
    assert _daily_n(m1) == (1, 0)


def test_with_no_deferral_every_batch_recomputes_its_days(devices, fast):
    fast.GRIDGOV_DAY_REFRESH_SECONDS = 0
    m1 = devices["micro"]
    hour = minute(0).replace(minute=0) - dt.timedelta(hours=2)

    async def scenario(receiver):
        c = await Client.open(receiver)
        for data in _an_hour_of_minutes(hour):
            await c.send(data)
            await c.answer()
        got = await db(_daily_n)(m1)
        c.close()
        return got

    assert run(scenario) == (1, 0)
