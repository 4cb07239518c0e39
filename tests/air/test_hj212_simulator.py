"""The HJ 212 device simulator against a tiny fake platform written here: one that answers only
every other packet (the devices must re-send), drops a connection once (they must reconnect),
starts late (they must back off and retry) and asks for history (they must back-fill)."""

import asyncio
import contextlib
import datetime as dt
import socket
import time

import pytest

from gridgov.air.hj212 import codec
from gridgov.air.hj212.sim_config import Config
from gridgov.air.hj212.simulator import minute_values, parse_quirks, run
from gridgov.air.models import CST

START = dt.datetime(2026, 3, 1, 8, 0, tzinfo=CST)


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakePlatform:
    """Answers 9014 to every other minute packet it reads; can close the first connection after
    a few packets and ask the second connection of a device for its history."""

    def __init__(self, *, answer_every: int = 2, drop_after: int | None = None, history=None):
        self.answer_every = answer_every
        self.drop_after = drop_after
        self.history = history  # (begin, end): asked of each device on its second connection
        self.packets: list[codec.Packet] = []  # every packet read, in order
        self.seen = 0
        self.dropped = False
        self.connections: dict[str, int] = {}
        self.parts: dict[str, int] = {}
        self.server: asyncio.AbstractServer | None = None

    async def start(self, port: int) -> None:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def handle(self, reader, writer) -> None:
        frames = codec.FrameReader()
        asked = False
        try:
            while data := await reader.read(4096):
                for segment in frames.feed(data):
                    if isinstance(segment, codec.FrameError):
                        continue
                    packet = codec.parse_segment(segment)
                    self.packets.append(packet)
                    if packet.cn != "2051":
                        continue
                    n = self.connections.setdefault(packet.mn, 0)
                    if not asked:
                        asked = True
                        self.connections[packet.mn] = n = n + 1
                        if n == 2 and self.history:
                            writer.write(codec.history_request(packet.mn, "x", *self.history))
                    if packet.is_split:
                        got = self.parts[packet.qn] = self.parts.get(packet.qn, 0) + 1
                        if got < (packet.pnum or 1):
                            continue
                    self.seen += 1
                    if self.drop_after and not self.dropped and self.seen >= self.drop_after:
                        self.dropped = True
                        writer.close()
                        return
                    if self.seen % self.answer_every == 0:
                        writer.write(codec.answer_9014(packet))
                await writer.drain()
        except (ConnectionError, codec.FrameError):
            pass
        finally:
            writer.close()

    def minutes(self, mn: str) -> list[str]:
        return [p.items()["DataTime"] for p in self.packets if p.mn == mn and p.cn == "2051"]


def simulate(platform: FakePlatform, late: float = 0.0, **options) -> tuple:
    async def main():
        port = free_port()
        cfg = Config(
            port=port,
            timeout=0.2,
            backoff=0.05,
            backoff_max=0.2,
            drain=10,
            **{"devices": 2, "start": START, "minutes": 10, "window": 2, **options},
        )
        if late:  # the platform comes up after the devices first try

            async def later():
                await asyncio.sleep(late)
                await platform.start(port)

            starter = asyncio.create_task(later())
        else:
            await platform.start(port)
        try:
            stats = await run(cfg)
        finally:
            if late:
                await starter
            await platform.stop()
        return cfg, stats

    return asyncio.run(main())


def test_every_minute_answered_after_resends_and_a_dropped_connection():
    platform = FakePlatform(answer_every=2, drop_after=5)
    began = time.monotonic()
    cfg, stats = simulate(platform)
    expected = {
        (cfg.mn(i), codec.stamp(START + dt.timedelta(minutes=k)))
        for i in range(2)
        for k in range(10)
    }
    assert stats.sent_keys == expected
    assert stats.answered_keys == expected  # every minute answered in the end
    assert stats.unanswered_keys == set()
    assert stats.sent == 20 and stats.answered == 20
    assert stats.resent >= 10  # half the packets went unanswered the first time
    assert stats.drops == 1 and stats.connections == 3  # one connection closed, reopened
    assert len(stats.latencies) == 20
    assert all(lat >= 0 for lat in stats.latencies)
    assert stats.percentile(99) >= 0.2  # some answers needed a re-send after the 0.2 s timeout
    assert time.monotonic() - began < 10
    # A re-send is the same packet: same QN and the same data (QNs are a device's own).
    by_qn: dict[tuple[str, str], list[str]] = {}
    for p in platform.packets:
        by_qn.setdefault((p.mn, p.qn), []).append(p.cp)
    assert all(len(set(cps)) == 1 for cps in by_qn.values())
    assert any(len(cps) > 1 for cps in by_qn.values())  # some packets came twice
    # What the platform read is what the device measured: MN, PW, DataTime, codes, values.
    p = platform.packets[0]
    assert (p.st, p.cn, p.pw, p.flag) == ("22", "2051", "123456", 5)
    items = p.items()
    minute = codec.parse_stamp(items["DataTime"])
    number = int(p.mn.removeprefix("SIM"))
    assert float(items["a34004-Avg"]) == minute_values(number, minute)["a34004"]
    assert items["a34004-Flag"] == "N"
    for code in ("a34002", "a21026", "a21004", "a21005", "a05024"):
        assert f"{code}-Avg" in items
    summary = stats.summary()
    assert "20 answered" in summary and "re-sent" in summary


def test_devices_back_off_until_the_platform_is_up():
    platform = FakePlatform(answer_every=1)
    _, stats = simulate(platform, late=0.5, minutes=3)
    assert stats.connect_failures >= 2  # refused, retried with back-off
    assert stats.answered == 6 and stats.unanswered_keys == set()


def test_history_request_is_answered_with_the_minutes_asked_for():
    begin, end = START, START + dt.timedelta(minutes=2)
    platform = FakePlatform(answer_every=1, drop_after=3, history=(begin, end))
    cfg, stats = simulate(platform, devices=1, minutes=8)
    assert stats.history_requests == 1
    assert stats.backfilled == 3  # minutes 0, 1 and 2 again
    mn = cfg.mn(0)
    minutes = platform.minutes(mn)
    for k in range(3):
        assert minutes.count(codec.stamp(START + dt.timedelta(minutes=k))) >= 2
    cns = [p.cn for p in platform.packets if p.mn == mn]
    assert "9011" in cns and "9012" in cns
    assert cns.index("9011") < cns.index("9012")
    reply = next(p for p in platform.packets if p.cn == "9011")
    assert reply.items() == {"QnRtn": "1"}
    assert stats.answered == 8 and stats.unanswered_keys == set()


def test_paced_catch_up_keeps_its_rate():
    platform = FakePlatform(answer_every=1)
    began = time.monotonic()
    _, stats = simulate(platform, devices=3, minutes=10, rate=20, window=5)
    elapsed = time.monotonic() - began
    assert stats.answered == 30
    assert elapsed >= 9 / 20  # 10 packets at 20/s per device take at least 0.45 s
    assert stats.resent == 0


def test_quirks():
    platform = FakePlatform(answer_every=1)
    quirks = parse_quirks("codes2005,ng,lowercrc,garbage,chunked,split")
    _, stats = simulate(platform, devices=1, minutes=6, quirks=quirks)
    assert stats.answered == 6 and stats.resent == 0
    minute_packets = [p for p in platform.packets if p.cn == "2051"]
    assert len(minute_packets) == 12  # two parts each
    assert {(p.pnum, p.pno) for p in minute_packets} == {(2, 1), (2, 2)}
    assert all(p.flag == 7 for p in minute_packets)  # 2017, answer, split
    first = {**minute_packets[0].items(), **minute_packets[1].items()}
    minute = codec.parse_stamp(first["DataTime"])
    values = minute_values(1, minute)
    assert float(first["PM25-Avg"]) == pytest.approx(values["a34004"] * 1000)  # ng/m³
    assert float(first["SO2-Avg"]) == values["a21026"]
    with pytest.raises(ValueError, match="unknown quirk"):
        parse_quirks("pm25,colour")


def test_lower_case_crc_still_checks():
    from gridgov.air.hj212.simulator import Device, Simulator

    sim = Simulator(Config(quirks=frozenset({"lowercrc"})))
    data = Device(sim, 0).minute_packet(START, "20260301080000000")
    assert data[-6:-2] == data[-6:-2].lower()
    segments = list(codec.FrameReader().feed(data))
    assert len(segments) == 1 and isinstance(segments[0], bytes)


def test_command_runs_devices_and_prints_a_summary():
    import io
    import threading

    from django.core.management import CommandError, call_command

    port = free_port()
    platform = FakePlatform(answer_every=1)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(platform.start(port))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    out = io.StringIO()
    try:
        call_command(
            "hj212_sim",
            "--port",
            str(port),
            "--devices",
            "2",
            "--from",
            "2026-03-01T08:00",
            "--minutes",
            "3",
            "--window",
            "2",
            stdout=out,
        )
    finally:
        asyncio.run_coroutine_threadsafe(platform.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    assert "6 answered, 0 unanswered" in out.getvalue()
    assert sorted(platform.minutes("SIM000001")) == [
        "20260301080000",
        "20260301080100",
        "20260301080200",
    ]
    with pytest.raises(CommandError, match="unknown quirk"):
        call_command("hj212_sim", "--quirks", "colour", stdout=io.StringIO())
