"""Device control over a real receiver: commands queued in the database reach a simulated
device on its live connection and end with its answers logged; a device whose clock is off gets
one automatic time sync (and no more within the hour); restart notices are logged. The receiver
and the simulator run in the test's own event loop, the test database behind
(transaction=True: the receiver stores from its own threads)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from gridgov.air import device_control
from gridgov.air.device_models import CommandKind, CommandState, DeviceCommand
from gridgov.air.hj212 import codec
from gridgov.air.hj212.devices import hash_password
from gridgov.air.hj212.receiver import Receiver
from gridgov.air.hj212.sim_config import Config
from gridgov.air.hj212.simulator import Simulator
from gridgov.air.models import CST, Reading

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PW = "123456"
MN = "SIM000001"  # the simulator's first device (prefix SIM, 6 digits)


@pytest.fixture
def m1(stations, users, settings):
    settings.GRIDGOV_HJ212_GRACE_SECONDS = 0
    settings.GRIDGOV_HJ212_STATUS_SECONDS = 0.1
    settings.GRIDGOV_HJ212_COMMAND_SECONDS = 0.1
    station = stations["micro"]
    station.mn, station.pw_hash = MN, hash_password(PW)
    station.save()
    return station


def db(fn):
    """`fn` in asgiref's worker thread, its database connection closed after each call."""

    def call_and_close(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return sync_to_async(call_and_close)


async def until(check, timeout: float = 15.0):
    """Wait until `check()` (run against the database) is truthy; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await db(check)()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {check.__name__}")


def minute(offset: int) -> dt.datetime:
    return dt.datetime.now(CST).replace(second=0, microsecond=0) + dt.timedelta(minutes=offset)


def with_simulator(scenario, start: dt.datetime | None = None, **config):
    """Run `scenario(receiver, sim)` with a receiver on port 0 and one simulated device that
    catches up from `start` (3 minutes ago) and stays connected until the scenario ends."""

    async def main():
        receiver = Receiver("127.0.0.1", 0, tick=0.05)
        await receiver.start()
        cfg = Config(
            port=receiver.port,
            start=start or minute(-3),
            seconds=120,
            drain=0.5,
            timeout=2,
            **config,
        )
        sim = Simulator(cfg)
        task = asyncio.create_task(sim.run())
        try:
            return await scenario(receiver, sim)
        finally:
            sim.stop()
            sim.drain_deadline = time.monotonic()
            await asyncio.wait_for(task, 10)
            await receiver.stop()

    return asyncio.run(main())


def readings(station) -> int:
    return Reading.objects.filter(station=station).count()


def test_queued_commands_reach_the_device_and_end_with_its_answers(m1, users):
    command_office = users["command"]
    first = minute(-3)

    def queue():
        ask = device_control.request_command
        return [
            ask(command_office, m1, CommandKind.TIME_SYNC).pk,
            ask(command_office, m1, CommandKind.GET_INTERVAL, {"which": "rtd"}).pk,
            ask(command_office, m1, CommandKind.SET_INTERVAL, {"which": "min", "value": 5}).pk,
            ask(command_office, m1, CommandKind.GET_INTERVAL, {"which": "min"}).pk,
            ask(
                command_office,
                m1,
                CommandKind.HISTORY,
                {"begin": first.isoformat(), "end": (first + dt.timedelta(minutes=2)).isoformat()},
            ).pk,
            # Past the validation (an older row, say): the device refuses it (ExeRtn=3).
            DeviceCommand.objects.create(
                station=m1,
                kind=CommandKind.SET_INTERVAL,
                params={"which": "rtd", "value": 5},
                requested_at=dt.datetime.now(dt.UTC),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
            ).pk,
        ]

    def all_finished():
        return not DeviceCommand.objects.filter(
            state__in=(CommandState.QUEUED, CommandState.SENT, CommandState.ACKNOWLEDGED)
        ).exists()

    async def scenario(receiver, sim):
        await until(lambda: readings(m1) >= 3)  # the device is online and has caught up
        ids = await db(queue)()
        await until(all_finished)
        await receiver.flush()
        return ids, dict(receiver.counters)

    (sync, get_rtd, set_min, get_min, history, refused), counters = with_simulator(
        scenario, start=first
    )
    rows = {c.pk: c for c in DeviceCommand.objects.all()}
    for pk in (sync, get_rtd, set_min, get_min, history):
        row = rows[pk]
        assert (row.state, row.qn_rtn, row.exe_rtn) == (CommandState.DONE, 1, 1), row.kind
        assert len(row.qn) == 17 and row.sent_at and row.acknowledged_at and row.finished_at
    assert rows[sync].cn == "1012"
    assert rows[get_rtd].cn == "1061" and rows[get_rtd].answer == {"RtdInterval": 30}
    assert rows[set_min].cn == "1064"
    assert rows[get_min].cn == "1063" and rows[get_min].answer == {"MinInterval": 5}
    assert rows[history].cn == "2051" and rows[history].answer == {"received": 3}
    assert (rows[refused].state, rows[refused].exe_rtn) == (CommandState.FAILED, 3)
    assert rows[refused].note == "ExeRtn=3 命令请求条件错误"
    assert counters["commands_sent"] == 6
    # No clock was off: nothing automatic.
    assert not DeviceCommand.objects.filter(automatic=True).exists()


def test_a_device_five_minutes_ahead_is_set_to_the_platform_time_once(m1):
    def synced():
        return DeviceCommand.objects.filter(automatic=True, state=CommandState.DONE).first()

    async def scenario(receiver, sim):
        row = await until(synced)
        await asyncio.sleep(0.5)  # more packets, now with the right time
        return row, sim.stats.clock_sets, sim.devices[0].settings.clock.now() - time.time()

    row, sets, offset_after = with_simulator(scenario, clock_offset=300, rtd_seconds=0.1)
    assert row.kind == CommandKind.TIME_SYNC and row.cn == "1012"
    assert 295 <= row.params["offset"] <= 305
    assert (row.qn_rtn, row.exe_rtn) == (1, 1)
    assert sets == 1
    assert abs(offset_after) < 2
    assert DeviceCommand.objects.filter(kind=CommandKind.TIME_SYNC).count() == 1


def test_a_clock_that_stays_off_is_synced_only_once_an_hour(m1):
    """A logger that ignores commands keeps its clock 5 minutes off: one sync is queued and
    sent, none again while its packets keep coming."""

    async def scenario(receiver, sim):
        await until(lambda: DeviceCommand.objects.filter(state=CommandState.SENT).exists())
        await asyncio.sleep(1.0)  # ~10 more real-time packets, all 5 minutes ahead
        await receiver.flush()
        return sim.stats.commands, sim.stats.rtd_sent, receiver.counters["clock_syncs"]

    got, rtd_sent, syncs = with_simulator(
        scenario, clock_offset=-300, rtd_seconds=0.1, commands=False
    )
    assert got == {"1012": 1}
    assert rtd_sent >= 10
    assert syncs == 1
    (row,) = DeviceCommand.objects.all()
    assert (row.kind, row.automatic, row.state) == (CommandKind.TIME_SYNC, True, "sent")
    assert -305 <= row.params["offset"] <= -295


def test_a_command_for_a_device_that_is_not_connected_stays_queued(m1, users):
    def queue():
        return device_control.request_command(users["command"], m1, CommandKind.TIME_SYNC).pk

    pk = queue()

    async def main():
        receiver = Receiver("127.0.0.1", 0, tick=0.05)
        await receiver.start()
        try:
            await asyncio.sleep(0.6)  # several polls
            return receiver.counters["commands_sent"]
        finally:
            await receiver.stop()

    assert asyncio.run(main()) == 0
    assert DeviceCommand.objects.get(pk=pk).state == CommandState.QUEUED


def test_a_restart_notice_is_answered_and_logged(m1):
    restart = dt.datetime.now(CST).replace(microsecond=0) - dt.timedelta(seconds=30)
    qn = codec.qn_now()
    data = codec.frame(
        codec.segment_text(
            qn=qn,
            st="22",
            cn="2081",
            pw=PW,
            mn=MN,
            flag=5,
            cp=f"DataTime={codec.stamp(restart)};RestartTime={codec.stamp(restart)}",
        )
    )

    async def main():
        receiver = Receiver("127.0.0.1", 0, tick=0.05)
        await receiver.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
            writer.write(data)
            await writer.drain()
            frames = codec.FrameReader()
            got = []
            while not got:
                chunk = await asyncio.wait_for(reader.read(4096), 5)
                got = [codec.parse_segment(s) for s in frames.feed(chunk)]
            writer.close()
            await receiver.flush()
            return got[0]
        finally:
            await receiver.stop()

    answer = asyncio.run(main())
    assert (answer.cn, answer.qn) == ("9013", qn)
    (row,) = DeviceCommand.objects.filter(station=m1)
    assert (row.kind, row.state, row.cn, row.qn) == (CommandKind.RESTART, "done", "2081", qn)
    assert row.answer == {"RestartTime": codec.stamp(restart)}
