"""The HJ 212 port's fairness (air/hj212/fairness.py): connections per address, the first-packet
deadline, rate strikes, the store share, and a good device served while a crowd of idle sockets
and a flooder attack at once. Attackers connect from other loopback addresses (127.0.0.2, .3)
than the good device (127.0.0.1); timings are short settings with generous bounds."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import Counter

import pytest

from gridgov.air.hj212.peers import Elsewhere
from gridgov.air.models import CST, DeviceStatus, Reading
from tests.air.test_hj212_receiver import Client, minute, packet, run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

IDLE_FROM = "127.0.0.2"
FLOOD_FROM = "127.0.0.3"


@pytest.fixture
def fair(settings):
    settings.GRIDGOV_HJ212_GRACE_SECONDS = 0
    settings.GRIDGOV_HJ212_STATUS_SECONDS = 0.1
    settings.GRIDGOV_HJ212_TRUSTED_NETWORKS = []
    return settings


async def open_from(receiver, address: str) -> Client:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", receiver.port, local_addr=(address, 0)
    )
    return Client(reader, writer)


async def ended(client: Client, timeout: float) -> bool:
    """Whether the receiver ends the connection within `timeout` (whatever it sent before)."""
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            if not await asyncio.wait_for(client.reader.read(65536), left):
                return True
    except ConnectionError:
        return True
    except TimeoutError:
        return False
    return False


async def stored_answer(client: Client, timeout: float = 5) -> str:
    """The CN of the next answer, past the receiver's requests for missed data (CN=2051)."""
    while (got := await client.answer(timeout)).cn == "2051":
        pass
    return got.cn


def hourly(n: int) -> list[bytes]:
    """n distinct hourly packets of N1 (a valid device's data: a flooder with credentials)."""
    top = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0)
    return [
        packet("2061", top - dt.timedelta(hours=2 + i), {"a34004": 40}, mn="MN-N1")
        for i in range(n)
    ]


# --- (a) connections per address --------------------------------------------------------------


def test_connections_beyond_the_cap_of_one_address_are_refused(devices, fair, caplog):
    fair.GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS = 2
    caplog.set_level(logging.WARNING, "gridgov.hj212")

    async def scenario(receiver):
        crowd = [await open_from(receiver, IDLE_FROM) for _ in range(2)]
        await asyncio.sleep(0.1)
        extra = await open_from(receiver, IDLE_FROM)
        refused = await ended(extra, 2)
        # Another address is served while that one is at its cap.
        other = await Client.open(receiver)
        await other.send(packet("2051", minute(-5), {"a34004": 31}))
        other_answer = await other.answer()
        # One of the crowd leaves: the same address (a device reconnecting) is served again.
        crowd[0].close()
        await asyncio.sleep(0.2)
        again = await open_from(receiver, IDLE_FROM)
        await again.send(packet("2051", minute(-4), {"a34004": 32}))
        again_answer = await stored_answer(again)
        for c in [*crowd[1:], extra, other, again]:
            c.close()
        return (
            refused,
            other_answer.cn,
            again_answer,
            receiver.counters["refused"],
            receiver.fairness.summary(),
        )

    refused, other_cn, again_cn, count, summary = run(scenario)
    assert refused and other_cn == again_cn == "9014"
    assert count == 1 and summary["refused_address"] == 1
    assert summary["addresses"] == {IDLE_FROM: {"refused_address": 1}}
    assert Reading.objects.count() == 2
    assert any(
        "refused_address from 127.0.0.2 (1 so far)" in r.getMessage() for r in caplog.records
    )


def test_a_trusted_network_is_not_capped(devices, fair):
    fair.GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS = 1
    fair.GRIDGOV_HJ212_TRUSTED_NETWORKS = ["127.0.0.2/32"]

    async def scenario(receiver):
        clients = [await open_from(receiver, IDLE_FROM) for _ in range(3)]
        await asyncio.sleep(0.1)
        for i, c in enumerate(clients):
            await c.send(packet("2051", minute(-6 + i), {"a34004": 30 + i}))
        answers = [(await c.answer()).cn for c in clients]
        for c in clients:
            c.close()
        return answers, receiver.counters["refused"]

    assert run(scenario) == (["9014"] * 3, 0)


def test_connections_at_the_other_receivers_count_against_the_same_cap(devices, fair):
    """With several receivers (hj212/peers.py) an address's connections at the others count:
    2 open elsewhere and a cap of 3 leave room for 1 here; an address cooling elsewhere is
    refused here too."""
    fair.GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS = 3

    async def scenario(receiver):
        receiver.peers = None  # what the others published, set here (no Redis needed)
        receiver.fairness.elsewhere = Elsewhere(
            receivers=1,
            open_by_address=Counter({IDLE_FROM: 2}),
            cooling={FLOOD_FROM: time.time() + 60},
        )
        first = await open_from(receiver, IDLE_FROM)
        second = await open_from(receiver, IDLE_FROM)
        cooled = await open_from(receiver, FLOOD_FROM)
        results = (await ended(first, 0.5), await ended(second, 2), await ended(cooled, 2))
        for c in (first, second, cooled):
            c.close()
        return results, receiver.fairness.summary()

    (first_ended, second_ended, cooled_ended), summary = run(scenario)
    assert (first_ended, second_ended, cooled_ended) == (False, True, True)
    assert summary["refused_address"] == 1 and summary["refused_cooling"] == 1


# --- (b) the first packet ---------------------------------------------------------------------


def test_a_connection_that_sends_nothing_valid_is_closed_after_the_deadline(devices, fair):
    fair.GRIDGOV_HJ212_FIRST_PACKET_SECONDS = 0.5

    async def scenario(receiver):
        idle = await open_from(receiver, IDLE_FROM)
        await idle.send(b"##00")  # a header that never ends
        stranger = await open_from(receiver, IDLE_FROM)
        await stranger.send(packet("2051", minute(-3), {"a34004": 30}, mn="MN-NOBODY"))
        device = await Client.open(receiver)
        await device.send(packet("2051", minute(-5), {"a34004": 31}))
        first = await device.answer()
        started = time.monotonic()
        closed = [await ended(idle, 5), await ended(stranger, 5)]
        waited = time.monotonic() - started
        # The device that identified itself in time stays connected past the deadline.
        await asyncio.sleep(0.6)
        await device.send(packet("2051", minute(-4), {"a34004": 32}))
        second = await device.answer()
        for c in (idle, stranger, device):
            c.close()
        return closed, waited, first.cn, second.cn, receiver.fairness.summary()

    closed, waited, first, second, summary = run(scenario)
    assert closed == [True, True] and waited < 4
    assert first == second == "9014"
    assert summary["closed_first_packet"] == 2
    assert summary["addresses"][IDLE_FROM] == {"closed_first_packet": 2}


def test_a_crowd_holding_every_slot_makes_room_for_a_device(devices, fair, monkeypatch):
    from gridgov.air.hj212 import fairness

    monkeypatch.setattr(fairness, "EVICT_AFTER_SECONDS", 0.2)
    fair.GRIDGOV_HJ212_MAX_CONNECTIONS = 3

    async def scenario(receiver):
        crowd = [await open_from(receiver, IDLE_FROM) for _ in range(3)]
        await asyncio.sleep(0.4)
        device = await Client.open(receiver)
        await device.send(packet("2051", minute(-5), {"a34004": 31}))
        answer = await device.answer()
        oldest_gone = await ended(crowd[0], 2)
        for c in (*crowd, device):
            c.close()
        return answer.cn, oldest_gone, receiver.fairness.summary()["evicted"]

    assert run(scenario) == ("9014", True, 1)


# --- (c) rate strikes and the store share -----------------------------------------------------


def test_a_flooding_connection_is_closed_after_repeated_rate_excess(devices, fair):
    fair.GRIDGOV_HJ212_RATE = 2
    fair.GRIDGOV_HJ212_BURST = 10  # an address closed for its rate cools off 5 s
    fair.GRIDGOV_HJ212_RATE_STRIKES = 2
    blob = b"".join(hourly(200))

    async def scenario(receiver):
        flooder = await open_from(receiver, FLOOD_FROM)

        async def flood():
            with contextlib.suppress(ConnectionError):
                while True:
                    flooder.writer.write(blob)
                    await flooder.writer.drain()

        sending = asyncio.create_task(flood())
        started = time.monotonic()
        closed = await ended(flooder, 10)
        took = time.monotonic() - started
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        flooder.close()
        # Reconnecting at once buys no fresh burst; another address is served meanwhile.
        again = await open_from(receiver, FLOOD_FROM)
        cooled = await ended(again, 2)
        other = await Client.open(receiver)
        await other.send(packet("2051", minute(-5), {"a34004": 31}))
        other_cn = await stored_answer(other)
        again.close()
        other.close()
        await receiver.flush()
        return closed, took, cooled, other_cn, receiver.fairness.summary(), receiver.rejections

    closed, took, cooled, other_cn, summary, rejections = run(scenario)
    assert closed and took < 8 and cooled and other_cn == "9014"
    assert summary["refused_cooling"] == 1
    assert summary["closed_rate"] == 1 and summary["rate_strikes"] == 1
    assert summary["addresses"][FLOOD_FROM] == {"closed_rate": 1, "refused_cooling": 1}
    assert rejections["rate"] >= 190  # the rest of each read, counted by its headers
    # Counted on the device whose packets they were.
    status = DeviceStatus.objects.get(station=devices["national"])
    assert status.rejections["closed_rate"] == 1


def test_a_connection_waiting_for_its_share_of_the_store_is_not_read(devices, fair):
    fair.GRIDGOV_HJ212_MAX_PENDING = 2
    sent = [packet("2051", minute(-20 + i), {"a34004": 30 + i}) for i in range(10)]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(*sent)
        answers = [await c.answer() for _ in range(10)]
        await c.send(packet("2051", minute(-3), {"a34004": 50}))  # read again
        last = await c.answer()
        c.close()
        return len(answers), last.cn, receiver.fairness.summary()["store_holds"]

    n, last, holds = run(scenario)
    assert n == 10 and last == "9014" and holds >= 1
    assert Reading.objects.count() == 11


# --- (d) both attacks at once -----------------------------------------------------------------


def test_a_good_device_gets_every_answer_while_idle_crowd_and_flooder_attack(devices, fair):
    """300 idle sockets from one address (re-opened as they are closed) and a flooder with a
    device's credentials (reconnecting after each close) attack while a good device sends 30
    packets; it gets every answer. Sized for a 2-core shared machine."""
    fair.GRIDGOV_HJ212_MAX_CONN_PER_ADDRESS = 20
    fair.GRIDGOV_HJ212_FIRST_PACKET_SECONDS = 0.5
    fair.GRIDGOV_HJ212_RATE = 20
    fair.GRIDGOV_HJ212_BURST = 40
    fair.GRIDGOV_HJ212_RATE_STRIKES = 2
    blob = b"".join(hourly(300))

    async def scenario(receiver):
        stop = asyncio.Event()

        async def idle_socket():
            while not stop.is_set():
                with contextlib.suppress(ConnectionError, OSError, TimeoutError):
                    c = await open_from(receiver, IDLE_FROM)
                    c.writer.write(b"##00")
                    await ended(c, 5)
                    c.close()
                await asyncio.sleep(1)

        async def flooder():
            while not stop.is_set():
                with contextlib.suppress(ConnectionError, OSError):
                    c = await open_from(receiver, FLOOD_FROM)
                    while not stop.is_set():
                        c.writer.write(blob)
                        await asyncio.wait_for(c.writer.drain(), 5)
                with contextlib.suppress(Exception):
                    c.close()
                await asyncio.sleep(0.2)

        attackers = [asyncio.create_task(idle_socket()) for _ in range(300)]
        attackers.append(asyncio.create_task(flooder()))
        await asyncio.sleep(1)
        device = await Client.open(receiver)
        latencies = []
        for i in range(30):
            began = time.monotonic()
            await device.send(packet("2051", minute(-40 + i), {"a34004": 20 + i}))
            answer = await stored_answer(device, timeout=10)
            latencies.append(time.monotonic() - began)
            assert answer == "9014"
            await asyncio.sleep(0.1)
        stop.set()
        for task in attackers:
            task.cancel()
        await asyncio.gather(*attackers, return_exceptions=True)
        device.close()
        return latencies, receiver.fairness.summary()

    latencies, summary = run(scenario)
    assert len(latencies) == 30 and max(latencies) < 10
    m1 = Reading.objects.filter(station=devices["micro"]).count()
    assert m1 == 30
    assert summary["refused_address"] >= 1
    assert summary["closed_first_packet"] >= 1
    assert summary["closed_rate"] >= 1


def test_addresses_are_counted_by_ipv4_or_ipv6_prefix_and_trusted_by_network(settings):
    from gridgov.air.hj212.fairness import Fairness

    settings.GRIDGOV_HJ212_TRUSTED_NETWORKS = ["10.0.0.0/8", "2001:db8:ffff::/48"]
    policy = Fairness(None)  # type: ignore[arg-type]  # the address rules need no receiver
    assert policy._address("10.1.2.3") == ("10.1.2.3", True)
    assert policy._address("::ffff:10.1.2.3") == ("10.1.2.3", True)  # IPv4-mapped
    assert policy._address("192.0.2.7") == ("192.0.2.7", False)
    # One IPv6 subscriber (a /64) is one address, whichever of its addresses connects.
    assert policy._address("2001:db8:1:2::9") == ("2001:db8:1:2::/64", False)
    assert policy._address("2001:db8:1:2:ffff::1") == ("2001:db8:1:2::/64", False)
    assert policy._address("2001:db8:ffff:1::1")[1] is True
