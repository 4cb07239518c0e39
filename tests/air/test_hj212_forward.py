"""Forwarding to an upper platform (`gridgov hj212-forward`, air/hj212/forwarder.py): every
reading arrives at least once, the cursor moves only on answers, an outage of the upper
platform and a crash of the forwarder lose nothing, late and corrected readings are sent again.
The upper platform is tests/air/hj212_upper.py (answers 9014, or late, or not at all) or our
own receiver. The forwarder's database thread shares the test database, hence transaction=True."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import pytest

from gridgov.air.forward_models import ForwardCursor, ForwardLog, ForwardStation, ForwardTarget
from gridgov.air.hj212 import codec
from gridgov.air.hj212.forwarder import Forwarder
from gridgov.air.models import CST, HourlyAggregate, Reading
from tests.air.conftest import T0, make_batch
from tests.air.hj212_upper import Upper

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

UP_PW = "up-pw"  # the upper platform's password, sent as given


def stamp(ts: int) -> str:
    return codec.stamp(dt.datetime.fromtimestamp(ts, CST))


def bind(stations, port: int, *, rate: float = 0, minute=True, hourly=False, since=T0):
    target = ForwardTarget.objects.create(
        name="省平台", host="127.0.0.1", port=port, rate=rate, minute=minute, hourly=hourly
    )
    links = [
        ForwardStation.objects.create(
            target=target, station=s, mn=f"UP{k + 1:04d}", pw=UP_PW, since=since
        )
        for k, s in enumerate(stations)
    ]
    return target, links


def forwarder(**options) -> Forwarder:
    defaults = dict(
        window=8,
        link_window=4,
        timeout=0.5,
        batch=50,
        poll=0.05,
        backoff=0.05,
        backoff_max=0.3,
        sweep_seconds=3600,
        hour_grace=0,
        tick=0.01,
    )
    defaults.update(options)
    return Forwarder(**defaults)


async def until(condition: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.02)


def cursor(fwd: Forwarder, link: ForwardStation, kind: str = "minute") -> int | None:
    for channel in fwd.channels.values():
        stream = channel.streams.get((link.id, kind))
        if stream is not None:
            return stream.cursor
    return None


def caught_up(fwd: Forwarder, last: dict[int, int], kind: str = "minute") -> Callable[[], bool]:
    def check() -> bool:
        return all(
            cursor(fwd, link, kind) == ts
            for link, ts in last.items()  # type: ignore[arg-type]
        ) and not any(c.in_flight for c in fwd.channels.values())

    return check


def db_cursors() -> dict[tuple[int, str], int]:
    return {(c.link_id, c.kind): c.acked_ts for c in ForwardCursor.objects.all()}


def expected(links) -> dict[tuple[str, str, str], float]:
    """(MN, CN, DataTime) → PM2.5 of every reading of the linked stations."""
    out = {}
    for link in links:
        for ts, pm25 in Reading.objects.filter(station=link.station).values_list("ts", "pm25"):
            out[(link.mn, "2051", stamp(ts))] = pm25
    return out


def check_values(upper: Upper, want: dict) -> None:
    assert upper.received() == set(want)
    for key, pm25 in want.items():
        assert float(upper.data[key]["a34004-Avg"]) == pytest.approx(pm25, abs=1e-3)
        assert upper.data[key]["a34004-Flag"] == "N"
    assert upper.pws == {UP_PW}


def minute_of(packet: codec.Packet) -> int:
    return int(packet.items()["DataTime"][10:12])


def test_every_reading_arrives_and_the_cursor_moves_only_on_answers(stations, put):
    micro, micro2 = stations["micro"], stations["micro2"]
    put(make_batch(micro, T0, 90, pm25=np.arange(90) + 10.0, pm10=60))
    put(make_batch(micro2, T0, 90, pm25=np.arange(90) + 200.0, pm10=60))
    held = stamp(T0 + 30 * 60)
    healed = [False]

    def drop(packet: codec.Packet, tries: int) -> bool:
        if packet.mn == "UP0001" and packet.items()["DataTime"] == held:
            return not healed[0]  # never answered until healed
        return tries == 1 and minute_of(packet) % 7 == 3  # first try unanswered

    def late(packet: codec.Packet, tries: int) -> bool:
        return minute_of(packet) % 5 == 1  # answered after 0.3 s (after some re-sends)

    target, links = bind([micro, micro2], 0)
    last = {links[0]: T0 + 89 * 60, links[1]: T0 + 89 * 60}

    async def main():
        upper = Upper(drop=drop, late=late, late_seconds=0.3)
        await upper.start()
        await asyncio.to_thread(ForwardTarget.objects.filter(pk=target.pk).update, port=upper.port)
        fwd = forwarder()
        await fwd.start()
        await until(lambda: cursor(fwd, links[1]) == last[links[1]], what="M2 forwarded")
        key = ("UP0001", "2051", held)
        await until(lambda: upper.counts[key] >= 3, what="the held minute re-sent")
        # Everything after the held minute is answered, yet its cursor waits before it.
        await until(lambda: ("UP0001", "2051", stamp(last[links[0]])) in upper.counts)
        await asyncio.sleep(0.3)  # the log is written
        saved = await asyncio.to_thread(db_cursors)
        assert cursor(fwd, links[0]) == T0 + 29 * 60
        assert saved[(links[0].id, "minute")] == T0 + 29 * 60
        assert saved[(links[1].id, "minute")] == last[links[1]]
        healed[0] = True
        await until(caught_up(fwd, last), what="M1 forwarded once healed")
        await fwd.stop()
        await upper.stop()
        return upper, fwd

    upper, fwd = asyncio.run(main())
    check_values(upper, expected(links))
    assert db_cursors() == {(link.id, "minute"): ts for link, ts in last.items()}
    logs = ForwardLog.objects.all()
    assert logs.count() == 180
    assert not logs.filter(acked_at__isnull=True).exists()
    assert logs.get(link=links[0], ts=T0 + 30 * 60).retries >= 2
    assert logs.filter(retries__gt=0).count() >= 180 // 7  # the unanswered first tries
    channel = next(iter(fwd.channels.values()))
    assert channel.counters["answered"] == 180
    line = fwd.summary()  # the JSON stats line's content
    assert line["event"] == "hj212_forward" and line["answered"] == 180
    assert line["targets"]["省平台"]["answered"] == 180
    assert line["targets"]["省平台"]["in_flight"] == 0
    assert channel.counters["resent"] >= 180 // 7
    # Each packet: ST, CN=2051, Flag=5 (2017, answer wanted), the upper platform's MN and PW.
    first = upper.packets[0]
    assert (first.st, first.cn, first.flag, first.pw) == ("22", "2051", 5, UP_PW)
    assert first.mn in ("UP0001", "UP0002")


def test_an_outage_of_the_upper_platform_loses_nothing(stations, put):
    micro, micro2 = stations["micro"], stations["micro2"]
    put(make_batch(micro, T0, 150, pm25=np.arange(150) % 40 + 10.0))
    put(make_batch(micro2, T0, 150, pm25=np.arange(150) % 30 + 50.0))
    target, links = bind([micro, micro2], 0, rate=100)  # a 100-packet burst, then 100/s
    last = {link: T0 + 149 * 60 for link in links}

    async def main():
        upper = Upper()
        await upper.start()
        port = upper.port
        await asyncio.to_thread(ForwardTarget.objects.filter(pk=target.pk).update, port=port)
        fwd = forwarder()
        await fwd.start()
        await until(lambda: upper.answers >= 60, what="a fifth forwarded")
        await upper.stop()  # the outage
        await asyncio.sleep(0.2)
        during = fwd.answered_total
        await asyncio.sleep(1.0)
        assert fwd.answered_total == during  # nothing answered, so nothing acknowledged
        saved = await asyncio.to_thread(db_cursors)
        assert all(ts < T0 + 149 * 60 for ts in saved.values())
        await upper.start(port)
        await until(caught_up(fwd, last), what="caught up after the outage")
        await fwd.stop()
        await upper.stop()
        return upper, fwd

    upper, fwd = asyncio.run(main())
    check_values(upper, expected(links))
    counters = next(iter(fwd.channels.values())).counters
    assert counters["connects"] >= 2
    assert counters["connect_failures"] >= 1  # it kept trying, with back-off
    assert db_cursors() == {(link.id, "minute"): ts for link, ts in last.items()}
    # What was on its way when the platform went is all that was sent twice.
    assert len(upper.duplicates()) <= 8


def test_a_crash_loses_nothing_and_resends_only_the_unacknowledged(stations, put):
    micro, micro2 = stations["micro"], stations["micro2"]
    put(make_batch(micro, T0, 120, pm25=np.arange(120) % 40 + 10.0))
    put(make_batch(micro2, T0, 120, pm25=np.arange(120) % 30 + 50.0))
    target, links = bind([micro, micro2], 0, rate=100)
    last = {link: T0 + 119 * 60 for link in links}
    window = 8

    def unacknowledged() -> set[tuple[str, str, str]]:
        """What the database does not hold as acknowledged, after each link's cursor."""
        saved = db_cursors()
        out = set()
        for link in links:
            after = saved.get((link.id, "minute"), link.since - 1)
            acked = set(
                ForwardLog.objects.filter(link=link, acked_at__isnull=False).values_list(
                    "ts", flat=True
                )
            )
            for ts in Reading.objects.filter(station=link.station, ts__gt=after).values_list(
                "ts", flat=True
            ):
                if ts not in acked:
                    out.add((link.mn, "2051", stamp(ts)))
        return out

    async def main():
        upper = Upper()
        await upper.start()
        await asyncio.to_thread(ForwardTarget.objects.filter(pk=target.pk).update, port=upper.port)
        first = forwarder(window=window)
        await first.start()
        await until(lambda: upper.answers >= 80, what="a third forwarded")
        await first.stop(clean=False)  # no drain, no last write: what a crash leaves
        before = dict(upper.counts)
        pending = await asyncio.to_thread(unacknowledged)
        second = forwarder(window=window)
        await second.start()
        await until(caught_up(second, last), what="the restart caught up")
        await second.stop()
        await upper.stop()
        return upper, before, pending, second

    upper, before, pending, second = asyncio.run(main())
    check_values(upper, expected(links))
    duplicates = set(upper.duplicates())
    sent_twice_by_restart = {k for k in duplicates if k in before}
    # Only what was not acknowledged in the database was sent again, and that is at most the
    # window (an answer holds its place in the window until it is written).
    assert sent_twice_by_restart <= pending
    assert len(pending - set(before)) == 240 - len(before)  # the rest, never sent before
    assert len(pending & set(before)) <= window
    # The restart sent (once each, no re-sends needed) exactly what was not acknowledged.
    counters = next(iter(second.channels.values())).counters
    assert counters["sent"] == len(pending)


def test_late_and_corrected_readings_are_sent_again(stations, put):
    micro = stations["micro"]
    put(make_batch(micro, T0, 12, pm25=np.arange(12) + 10.0))
    put(make_batch(micro, T0 + 13 * 60, 27, pm25=np.arange(27) + 30.0))  # minute 12 comes later
    target, links = bind([micro], 0)
    link = links[0]

    async def main():
        upper = Upper()
        await upper.start()
        await asyncio.to_thread(ForwardTarget.objects.filter(pk=target.pk).update, port=upper.port)
        fwd = forwarder()
        await fwd.start()
        await until(caught_up(fwd, {link: T0 + 39 * 60}), what="forwarded")
        assert ("UP0001", "2051", stamp(T0 + 12 * 60)) not in upper.counts

        def late_data():
            put(make_batch(micro, T0 + 12 * 60, 1, pm25=99.0))  # stored late
            Reading.objects.filter(station=micro, ts=T0 + 5 * 60).update(pm25=77.5)  # corrected

        await asyncio.to_thread(late_data)
        assert await fwd.sweep() == 2
        await until(lambda: upper.counts[("UP0001", "2051", stamp(T0 + 12 * 60))] == 1)
        await until(lambda: upper.counts[("UP0001", "2051", stamp(T0 + 5 * 60))] == 2)
        await until(lambda: not any(c.in_flight for c in fwd.channels.values()))
        assert await fwd.sweep() == 0  # acknowledged: nothing more to send
        assert cursor(fwd, link) == T0 + 39 * 60  # late data never move the cursor
        await fwd.stop()
        await upper.stop()
        return upper

    upper = asyncio.run(main())
    check_values(upper, expected(links))
    assert upper.data[("UP0001", "2051", stamp(T0 + 5 * 60))]["a34004-Avg"] == "77.5"
    assert upper.data[("UP0001", "2051", stamp(T0 + 12 * 60))]["a34004-Avg"] == "99"


def test_hourly_data_are_the_valid_hourly_means(stations, put):
    micro = stations["micro"]
    # Hour 0: 60 minutes; hour 1: 50 minutes, PM2.5 in 20 of them only (no valid mean), then
    # hour 2: 10 minutes (nothing valid: nothing sent, and the cursor passes it).
    minutes = np.arange(130)
    pm25 = np.where((minutes < 80) | (minutes >= 120), minutes + 10.0, np.nan)
    no2 = np.where(minutes < 110, 40.0, np.nan)
    no2[120:] = 40.0
    put(make_batch(micro, T0, 130, pm25=pm25, no2=no2))
    target, links = bind([micro], 0, minute=False, hourly=True)
    link = links[0]

    async def main():
        upper = Upper()
        await upper.start()
        await asyncio.to_thread(ForwardTarget.objects.filter(pk=target.pk).update, port=upper.port)
        fwd = forwarder()
        await fwd.start()
        await until(caught_up(fwd, {link: T0 + 2 * 3600}, "hourly"), what="hours forwarded")
        await fwd.stop()
        await upper.stop()
        return upper

    upper = asyncio.run(main())
    assert HourlyAggregate.objects.filter(station=micro).count() == 3
    assert set(upper.counts) == {
        ("UP0001", "2061", stamp(T0)),
        ("UP0001", "2061", stamp(T0 + 3600)),
    }
    hour0 = upper.data[("UP0001", "2061", stamp(T0))]
    assert float(hour0["a34004-Avg"]) == pytest.approx(np.mean(np.arange(60) + 10.0))
    assert float(hour0["a21004-Avg"]) == pytest.approx(40.0)
    hour1 = upper.data[("UP0001", "2061", stamp(T0 + 3600))]
    assert "a34004-Avg" not in hour1  # 20 values: no valid hourly mean
    assert float(hour1["a21004-Avg"]) == pytest.approx(40.0)
    assert ForwardCursor.objects.get(link=link, kind="hourly").acked_ts == T0 + 2 * 3600
