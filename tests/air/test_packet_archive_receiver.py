"""The raw packet archive written by a real receiver run: every packet read, whatever its
outcome (stored, refused for its password, an unknown MN, no MN at all, a bad CRC), with its
exact bytes, chained and checkpointed when the receiver flushes."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time

import pytest

from gridgov.air import packet_archive as pa
from gridgov.air.archive_models import PacketArchiveDay
from gridgov.air.hj212 import codec
from tests.air.test_hj212_receiver import (
    PW,
    Client,
    minute,
    packet,
    qn,
    run,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_every_packet_read_is_archived_with_its_exact_bytes(devices, fast, settings, tmp_path):
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = tmp_path / "archive"
    settings.GRIDGOV_HJ212_ARCHIVE_NAME = "r1"  # its own chain: YYYY/MM/DD.r1.jsonl
    good = packet("2051", minute(-3), {"a34004": 35})
    wrong_pw = packet("2051", minute(-2), {"a34004": 36}, pw="nope")
    unknown = packet("2051", minute(-2), {"a34004": 36}, mn="MN-NOBODY")
    no_mn = codec.frame(f"QN={qn()};ST=22;CN=2051;PW={PW};Flag=5;CP=&&DataTime=20261207100000&&")
    bad_crc = bytearray(packet("2051", minute(-2), {"a34004": 37}))
    bad_crc[-6:-2] = b"0000" if bad_crc[-6:-2] != b"0000" else b"0001"
    last = packet("2051", minute(-1), {"a34004": 38})
    sent = [good, wrong_pw, unknown, no_mn, bytes(bad_crc), last]

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(*sent)
        answers = [await c.answer(), await c.answer()]  # the two good ones: all six were read
        await receiver.flush()
        c.close()
        return answers

    answers = run(scenario)
    assert [a.cn for a in answers] == ["9014", "9014"]
    day = pa.day_of(time.time())
    path = tmp_path / "archive" / pa.relative_path(day, "r1")
    records = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert [base64.b64decode(r["raw"]) for r in records] == sent
    assert [(r["mn"], r["outcome"], r["reason"]) for r in records] == [
        ("MN-M1", "accepted", ""),
        ("MN-M1", "refused", "wrong_pw"),
        ("MN-NOBODY", "refused", "unknown_mn"),
        (None, "refused", "malformed"),
        ("MN-M1", "refused", "crc"),
        ("MN-M1", "accepted", ""),
    ]
    assert all(r["peer"].startswith("127.0.0.1:") for r in records)
    received = [dt.datetime.fromisoformat(r["at"].replace("Z", "+00:00")) for r in records]
    assert all(abs(t.timestamp() - time.time()) < 60 for t in received)
    assert received == sorted(received)  # in the order read, to the millisecond
    row = PacketArchiveDay.objects.get(day=day, receiver="r1")
    assert (row.records, row.head_hash) == (6, records[-1]["hash"])  # checkpointed on flush
    v = pa.verify_day(day)
    assert (v.ok, v.records, v.head) == (True, 6, records[-1]["hash"])
    packets, _ = pa.packets_of(day, "MN-M1")
    assert [p.raw for p in packets] == [good, wrong_pw, bytes(bad_crc), last]


def test_a_second_run_continues_the_chain(devices, fast, settings, tmp_path):
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = tmp_path / "archive"
    settings.GRIDGOV_HJ212_ARCHIVE_NAME = "r1"

    def one_run(value):
        async def scenario(receiver):
            c = await Client.open(receiver)
            await c.send(packet("2051", minute(-value), {"a34004": value}))
            await c.answer()
            c.close()

        run(scenario)  # stop() writes and checkpoints what is left

    one_run(2)
    one_run(3)
    day = pa.day_of(time.time())
    v = pa.verify_day(day)
    assert (v.ok, v.records, v.checkpoint_records) == (True, 2, 2)
    assert [part.receiver for part in v.parts] == ["r1"]  # one chain: the same name went on


def test_the_archive_can_be_off(devices, fast, settings, tmp_path):
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = None

    async def scenario(receiver):
        c = await Client.open(receiver)
        await c.send(packet("2051", minute(-2), {"a34004": 30}))
        await c.answer()
        c.close()
        return receiver.archive, c

    archive, _ = run(scenario)
    assert archive is None and not PacketArchiveDay.objects.exists()


def test_a_second_receiver_with_the_same_archive_name_refuses_to_start(
    devices, fast, settings, tmp_path
):
    import socket

    from gridgov.air.hj212.receiver import Receiver
    from gridgov.errors import DomainError

    settings.GRIDGOV_PACKET_ARCHIVE_DIR = tmp_path / "archive"

    async def scenario(receiver):
        # Unnamed: the host name and the port it listens on, a safe file-name token.
        assert receiver.archive.name == pa.default_name(socket.gethostname(), receiver.port)
        assert pa.NAME_PATTERN.fullmatch(receiver.archive.name)
        settings.GRIDGOV_HJ212_ARCHIVE_NAME = receiver.archive.name  # a copy's setting
        second = Receiver("127.0.0.1", 0, tick=0.05)
        try:
            await second.start()
        except DomainError as exc:
            return exc.message
        finally:
            await second.stop()
        return None

    refused = run(scenario)
    assert refused is not None and "GRIDGOV_HJ212_ARCHIVE_NAME" in refused
