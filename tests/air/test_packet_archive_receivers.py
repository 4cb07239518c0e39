"""The raw packet archive with several receivers (原始报文存档, issue 24): one hash chain per
receiver per day (DD.<name>.jsonl, a checkpoint per day and name), the same name refused twice,
old single-file days still verified, the receivers' records merged in receive-time order."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from gridgov.air import packet_archive as pa
from gridgov.air.archive_models import PacketArchiveDay
from gridgov.air.hj212.archive import ArchiveWriter
from gridgov.air.models import CST
from gridgov.errors import DomainError
from tests.air.test_packet_archive import DAY, T, frame


@pytest.fixture
def archive(settings, tmp_path):
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path / "archive"


def interleaved(directory):
    """Two receivers, r1 and r2, writing the same day in turns (as behind HAProxy)."""
    a, b = ArchiveWriter(directory, "r1"), ArchiveWriter(directory, "r2")
    for i in range(6):
        writer, mn = (a, "MN-M1") if i % 2 == 0 else (b, "MN-M2")
        if i == 4:
            mn = "MN-M2"  # r1 reads MN-M2 too (the device reconnected to it)
        writer.write_now([(T + i, f"10.0.0.{i}:4000", frame(mn, i), mn, "accepted", "")])
    return a, b


@pytest.mark.django_db
def test_two_receivers_writing_one_day_each_keep_a_chain_that_verifies(archive):
    interleaved(archive)
    assert sorted(p.name for p in (archive / "2026/12").iterdir()) == ["07.r1.jsonl", "07.r2.jsonl"]
    for name in ("r1", "r2"):
        records = [
            json.loads(x) for x in (archive / f"2026/12/07.{name}.jsonl").read_bytes().splitlines()
        ]
        assert [r["n"] for r in records] == [1, 2, 3]
        assert records[0]["prev"] == pa.GENESIS
        row = PacketArchiveDay.objects.get(day=DAY, receiver=name)
        assert (row.records, row.head_hash, row.path) == (
            3,
            records[-1]["hash"],
            f"2026/12/07.{name}.jsonl",
        )
    v = pa.verify_day(DAY)
    assert v.ok, v.summary
    assert (v.records, v.checkpoint_records) == (6, 6)
    assert [(p.receiver, p.ok, p.records) for p in v.parts] == [("r1", True, 3), ("r2", True, 3)]
    assert v.summary.startswith("ok: 6 record(s), 2 receiver(s)")


@pytest.mark.django_db
def test_a_receivers_tampered_file_fails_the_day_naming_it(archive):
    interleaved(archive)
    path = archive / "2026/12/07.r2.jsonl"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:2]))  # cut short
    v = pa.verify_day(DAY)
    assert not v.ok and "receiver r2" in v.why and "checkpoint 3" in v.why
    assert [p.ok for p in v.parts] == [True, False]


@pytest.mark.django_db
def test_each_receivers_chain_goes_on_across_days(archive):
    a, b = interleaved(archive)
    next_day = T + 86400
    a.write_now([(next_day, "10.0.0.1:4000", frame("MN-M1", 1), "MN-M1", "accepted", "")])
    b.write_now([(next_day + 1, "10.0.0.2:4000", frame("MN-M2", 2), "MN-M2", "accepted", "")])
    for name in ("r1", "r2"):
        last = json.loads((archive / f"2026/12/07.{name}.jsonl").read_bytes().splitlines()[-1])
        first = json.loads((archive / f"2026/12/08.{name}.jsonl").read_bytes().splitlines()[0])
        assert (first["n"], first["prev"]) == (1, last["hash"])
        assert PacketArchiveDay.objects.get(day=DAY, receiver=name).sealed_at is not None
    assert pa.verify_day(DAY + dt.timedelta(days=1)).ok


@pytest.mark.django_db
def test_the_same_name_twice_is_refused_while_the_first_holds_it(archive):
    first = ArchiveWriter(archive, "r1")
    first.claim(DAY)
    second = ArchiveWriter(archive, "r1")
    with pytest.raises(DomainError) as refused:
        second.claim(DAY)
    assert refused.value.kind == "conflict"
    assert "GRIDGOV_HJ212_ARCHIVE_NAME" in refused.value.message and "'r1'" in refused.value.message
    other = ArchiveWriter(archive, "r2")  # another name is free
    other.claim(DAY)
    other.release()
    first.release()  # the first stopped (or died: the kernel drops its lock)
    second.claim(DAY)
    second.release()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_start_refuses_a_second_writer_with_the_same_name(archive):
    first = ArchiveWriter(archive, "r1")
    first.start()
    try:
        second = ArchiveWriter(archive, "r1")
        with pytest.raises(DomainError, match="GRIDGOV_HJ212_ARCHIVE_NAME"):
            second.start()
        assert second.thread is None
        first.add(T, "10.0.0.1:4000", frame("MN-M1", 0), "MN-M1", "accepted")
        first.flush()
    finally:
        first.stop()
    assert pa.verify_day(pa.day_of(T)).ok


@pytest.mark.django_db
def test_an_old_single_file_day_still_verifies_and_shows_beside_named_ones(archive):
    ArchiveWriter(archive).write_now(  # before several receivers: DD.jsonl, receiver ""
        [(T - 10, "10.0.0.9:4000", frame("MN-M1", 0), "MN-M1", "accepted", "")]
    )
    assert (archive / "2026/12/07.jsonl").is_file()
    assert PacketArchiveDay.objects.get(day=DAY).receiver == ""
    interleaved(archive)
    v = pa.verify_day(DAY)
    assert v.ok, v.summary
    assert [(p.receiver, p.records) for p in v.parts] == [("", 1), ("r1", 3), ("r2", 3)]
    packets, _ = pa.packets_of(DAY, "MN-M1")
    assert [(p.receiver, p.n) for p in packets] == [("", 1), ("r1", 1), ("r1", 2)]


@pytest.mark.django_db
def test_packets_of_merges_the_receivers_in_receive_time_order(archive):
    interleaved(archive)
    packets, v = pa.packets_of(DAY, "MN-M2")
    assert v.ok
    assert [(p.receiver, p.n) for p in packets] == [("r2", 1), ("r2", 2), ("r1", 3), ("r2", 3)]
    times = [p.received_at for p in packets]
    assert times == sorted(times)
    text = pa.listing(packets, v, "M2")
    rows = [line.split("\t") for line in text.splitlines() if not line.startswith("#")]
    assert [row[-1] for row in rows] == ["r2", "r2", "r1", "r2"]


@pytest.fixture
def m1_two_receivers(archive, stations, clock):
    clock.travel(dt.datetime(2026, 12, 7, 18, 0, tzinfo=CST))
    m1 = stations["micro"]
    m1.mn = "MN-M2"
    m1.save()
    return interleaved(archive)


@pytest.mark.django_db
def test_the_download_and_the_api_merge_the_receivers_in_time_order(
    m1_two_receivers, client, login, bearer
):
    east = login("east_secretary")
    page = east.get("/air/station/M1/").content.decode()
    assert 'class="archive-records">6<' in page
    text = east.get("/air/station/M1/packets/?day=2026-12-07").content.decode()
    assert "verification: ok: 6 record(s), 2 receiver(s)" in text
    rows = [line.split("\t") for line in text.splitlines() if line.startswith("2026-12-07T")]
    assert [(row[0][11:19], row[-1]) for row in rows] == [
        ("02:00:01", "r2"),
        ("02:00:03", "r2"),
        ("02:00:04", "r1"),
        ("02:00:05", "r2"),
    ]
    body = client.get("/api/v1/air/stations/M1/packets", **bearer("east_secretary")).json()
    assert [(p["receiver"], p["n"]) for p in body["packets"]] == [
        ("r2", 1),
        ("r2", 2),
        ("r1", 3),
        ("r2", 3),
    ]
    assert body["verification"]["ok"] and body["verification"]["records"] == 6


def test_default_name_is_a_safe_token_of_host_and_port():
    assert pa.default_name("gg-rx1.city.example", 9212) == "gg-rx1-9212"
    assert pa.default_name("weird host!", 9213) == "weird-host-9213"
    assert pa.default_name("...", 9212) == "receiver-9212"
    for name in (pa.default_name("a" * 80, 65535), "r1", "rx_2"):
        assert pa.NAME_PATTERN.fullmatch(name), name
    for bad in ("", "../x", "a b", "-r", "r.1", "x" * 41):
        assert not pa.NAME_PATTERN.fullmatch(bad), bad


# Transactional: the migrations run outside a test transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_the_rows_and_makes_day_and_receiver_unique():
    from django.db.migrations.executor import MigrationExecutor

    now = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
    executor = MigrationExecutor(connection)
    executor.migrate([("air", "0019_partition_time_series")])
    old_apps = executor.loader.project_state([("air", "0019_partition_time_series")]).apps
    Old = old_apps.get_model("air", "PacketArchiveDay")
    Old.objects.create(
        day=DAY,
        path="2026/12/07.jsonl",
        records=7,
        prev_hash="a" * 64,
        first_hash="b" * 64,
        head_hash="c" * 64,
        updated_at=now,
        sealed_at=now,
        verified_ok=True,
        verified_note="ok",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    row = PacketArchiveDay.objects.get(day=DAY)
    assert (row.receiver, row.path, row.records, row.head_hash, row.sealed_at) == (
        "",
        "2026/12/07.jsonl",
        7,
        "c" * 64,
        now,
    )
    PacketArchiveDay.objects.create(
        day=DAY,
        receiver="r1",
        path="2026/12/07.r1.jsonl",
        records=1,
        prev_hash=pa.GENESIS,
        first_hash="d" * 64,
        head_hash="d" * 64,
        updated_at=now,
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PacketArchiveDay.objects.create(
            day=DAY,
            receiver="r1",
            path="x",
            records=0,
            prev_hash="",
            first_hash="",
            head_hash="",
            updated_at=now,
        )
    PacketArchiveDay.objects.all().delete()


@pytest.mark.parametrize("value", ["../x", "a b", "r.1", "-r"])
def test_a_bad_archive_name_setting_is_refused_at_start(value):
    import os
    import subprocess
    import sys

    env = {**os.environ, "GRIDGOV_HJ212_ARCHIVE_NAME": value}
    code = "import gridgov.settings"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "ImproperlyConfigured: GRIDGOV_HJ212_ARCHIVE_NAME=" in done.stderr
