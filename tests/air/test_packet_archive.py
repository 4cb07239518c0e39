"""The raw packet archive (原始报文存档): the hash chain as the writer lays it down, each kind of
tampering found (which line, why), days chained across midnight, the commands, the API."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json

import pytest
from django.core.management import CommandError, call_command

from gridgov.air import packet_archive as pa
from gridgov.air.archive_models import PacketArchiveDay
from gridgov.air.hj212 import codec
from gridgov.air.hj212.archive import ArchiveWriter
from gridgov.air.models import CST

DAY = dt.date(2026, 12, 7)
T = dt.datetime(2026, 12, 7, 10, 0, tzinfo=CST).timestamp()


@pytest.fixture
def archive(settings, tmp_path):
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path / "archive"


def frame(mn: str = "MN-M1", minute: int = 0, pw: str = "123456") -> bytes:
    when = dt.datetime.fromtimestamp(T, CST) + dt.timedelta(minutes=minute)
    cp = f"DataTime={codec.stamp(when)};a34004-Avg=35,a34004-Flag=N"
    qn = codec.qn_now(when)
    return codec.frame(codec.segment_text(qn=qn, st="22", cn="2051", pw=pw, mn=mn, flag=5, cp=cp))


def write(directory, items):
    ArchiveWriter(directory).write_now(items)


def five(archive):
    """Five records of DAY: three of MN-M1 (one refused), one of MN-M2, one without an MN."""
    items = [
        (T + 1.5, "10.0.0.1:4000", frame("MN-M1", 1), "MN-M1", "accepted", ""),
        (T + 2, "10.0.0.1:4000", frame("MN-M1", 2, pw="bad"), "MN-M1", "refused", "wrong_pw"),
        (T + 3, "10.0.0.2:4001", frame("MN-M2", 3), "MN-M2", "accepted", ""),
        (T + 4, "10.0.0.3:4002", b"##0010QN=;ST=22;ABCD\r\n", None, "refused", "crc"),
        (T + 5, "10.0.0.1:4000", frame("MN-M1", 5), None, "accepted", ""),  # MN read by writer
    ]
    write(archive, items)
    return archive / "2026/12/07.jsonl", items


def lines(path):
    return path.read_bytes().splitlines(keepends=True)


@pytest.mark.django_db
def test_records_chain_and_checkpoint(archive):
    path, items = five(archive)
    records = [json.loads(line) for line in lines(path)]
    assert [r["n"] for r in records] == [1, 2, 3, 4, 5]
    assert records[0]["prev"] == pa.GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(records))
    assert records[0]["at"] == "2026-12-07T02:00:01.500Z"  # UTC, milliseconds
    assert [base64.b64decode(r["raw"]) for r in records] == [i[2] for i in items]
    assert records[4]["mn"] == "MN-M1" and records[3]["mn"] is None
    row = PacketArchiveDay.objects.get(day=DAY)
    assert (row.records, row.head_hash, row.first_hash, row.prev_hash, row.path) == (
        5,
        records[4]["hash"],
        records[0]["hash"],
        pa.GENESIS,
        "2026/12/07.jsonl",
    )
    v = pa.verify_day(DAY)
    assert (v.ok, v.records, v.head, v.bad_line) == (True, 5, records[4]["hash"], None)
    packets, v = pa.packets_of(DAY, "MN-M1")
    assert [(p.n, p.outcome, p.reason) for p in packets] == [
        (1, "accepted", ""),
        (2, "refused", "wrong_pw"),
        (5, "accepted", ""),
    ]
    assert packets[1].raw == items[1][2] and packets[0].text == items[0][2][:-2].decode()
    assert v.ok


def _edit_byte(path):
    """One byte of the packet changed (a34004 35 → 95), the line kept well-formed."""
    data = lines(path)
    record = json.loads(data[2])
    raw = base64.b64decode(record["raw"]).replace(b"Avg=35", b"Avg=95")
    record["raw"] = base64.b64encode(raw).decode()
    data[2] = pa.canonical(record) + b"\n"
    path.write_bytes(b"".join(data))


def _flip_one_byte(path):
    data = bytearray(path.read_bytes())
    start = sum(len(x) for x in lines(path)[:2])
    at = data.index(b'"raw":"', start) + 12
    data[at] = ord("A") if data[at] != ord("A") else ord("B")
    path.write_bytes(bytes(data))


def _delete_line(path):
    data = lines(path)
    del data[2]
    path.write_bytes(b"".join(data))


def _truncate_mid_line(path):
    data = path.read_bytes()
    path.write_bytes(data[:-40])


def _truncate_whole_line(path):
    path.write_bytes(b"".join(lines(path)[:4]))


def _reorder(path):
    data = lines(path)
    data[1], data[2] = data[2], data[1]
    path.write_bytes(b"".join(data))


def _add_space(path):
    data = lines(path)
    data[3] = data[3].replace(b'"n":4', b'"n": 4')
    path.write_bytes(b"".join(data))


def _remove_file(path):
    path.unlink()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "line", "why"),
    [
        (_flip_one_byte, 3, "hash mismatch"),
        (_edit_byte, 3, "hash mismatch"),
        (_delete_line, 3, "chain break"),
        (_truncate_mid_line, 5, "cut short"),
        (_truncate_whole_line, 5, "holds 4 record(s), its checkpoint 5"),
        (_reorder, 2, "chain break"),
        (_add_space, 4, "canonical"),
        (_remove_file, None, "missing"),
    ],
    ids=lambda x: getattr(x, "__name__", None) or str(x),
)
def test_tampering_is_found_with_its_line(archive, tamper, line, why):
    path, _ = five(archive)
    assert pa.verify_day(DAY).ok
    tamper(path)
    v = pa.verify_day(DAY)
    assert not v.ok
    assert v.bad_line == line, v.why
    assert why in v.why


@pytest.mark.django_db
def test_a_rewritten_chain_still_differs_from_the_checkpoint(archive):
    """Records removed from the end and the chain left whole: only the checkpoint tells."""
    path, _ = five(archive)
    path.write_bytes(b"".join(lines(path)[:3]))
    v = pa.verify_day(DAY)
    assert (v.ok, v.bad_line, v.records) == (False, 4, 3)


@pytest.mark.django_db
def test_days_chain_across_midnight_and_seal(archive):
    midnight = dt.datetime(2026, 12, 8, 0, 0, tzinfo=CST).timestamp()
    write(
        archive,
        [
            (midnight - 0.2, "p", frame(minute=1), "MN-M1", "accepted", ""),
            (midnight - 0.1, "p", frame(minute=2), "MN-M1", "accepted", ""),
            (midnight + 0.1, "p", frame(minute=3), "MN-M1", "accepted", ""),
        ],
    )
    # A later writer (a restarted receiver) takes the chain up where it was left.
    write(archive, [(midnight + 86400 + 5, "p", frame(minute=4), "MN-M1", "notice", "")])
    first = [json.loads(x) for x in lines(archive / "2026/12/07.jsonl")]
    second = [json.loads(x) for x in lines(archive / "2026/12/08.jsonl")]
    third = [json.loads(x) for x in lines(archive / "2026/12/09.jsonl")]
    assert [len(first), len(second), len(third)] == [2, 1, 1]
    assert second[0]["prev"] == first[-1]["hash"] and second[0]["n"] == 1
    assert third[0]["prev"] == second[0]["hash"]
    rows = {r.day: r for r in PacketArchiveDay.objects.all()}
    assert rows[DAY].sealed_at is not None and rows[dt.date(2026, 12, 8)].sealed_at is not None
    assert rows[dt.date(2026, 12, 9)].sealed_at is None
    assert rows[dt.date(2026, 12, 8)].prev_hash == first[-1]["hash"]
    for day in rows:
        assert pa.verify_day(day).ok, day
    # The next day's first record no longer chains when the day before's last is edited away.
    (archive / "2026/12/07.jsonl").write_bytes(b"".join(lines(archive / "2026/12/07.jsonl")[:1]))
    assert not pa.verify_day(DAY).ok
    # A record appended to a sealed day is found, even with its chain made whole.
    path = archive / "2026/12/08.jsonl"
    line, _ = pa.make_line(2, midnight + 9, "p", "MN-M1", "accepted", "", b"x", second[0]["hash"])
    path.write_bytes(path.read_bytes() + line)
    v = pa.verify_day(dt.date(2026, 12, 8))
    assert (v.ok, v.bad_line) == (False, 2) and "sealed" in v.why


@pytest.mark.django_db
def test_a_file_cut_short_while_down_is_not_papered_over_by_the_next_writer(archive):
    path, _ = five(archive)
    path.write_bytes(b"".join(lines(path)[:3]))
    write(archive, [(T + 60, "p", frame(minute=9), "MN-M1", "accepted", "")])
    v = pa.verify_day(DAY)
    assert (v.ok, v.bad_line) == (False, 4) and "chain break" in v.why


# --- the commands ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_command_passes_seals_and_fails_with_the_day(archive, stations, clock, capsys):
    clock.travel(dt.datetime(2026, 12, 8, 9, 0, tzinfo=CST))
    path, _ = five(archive)
    call_command("packet_archive", "verify", "--since", "2026-12-01")
    assert "1 archived day(s) verified, 5 record(s)" in capsys.readouterr().out
    row = PacketArchiveDay.objects.get(day=DAY)
    assert row.sealed_at is not None and row.verified_ok is True  # a past day, verified: sealed
    _delete_line(path)
    with pytest.raises(CommandError) as failed:
        call_command("packet_archive", "verify", "--day", "2026-12-07")
    assert failed.value.returncode == 1 and "2026-12-07" in str(failed.value)
    out = capsys.readouterr().out
    assert "line 3" in out and "chain break" in out
    assert PacketArchiveDay.objects.get(day=DAY).verified_ok is False


@pytest.mark.django_db
def test_show_command_prints_one_stations_packets(archive, stations, tmp_path, capsys):
    m1 = stations["micro"]
    m1.mn = "MN-M1"
    m1.save()
    _, items = five(archive)
    call_command("packet_archive", "show", "--mn", "MN-M1", "--day", "2026-12-07")
    out = capsys.readouterr().out
    body = [x for x in out.splitlines() if not x.startswith("#")]
    assert len(body) == 3 and "refused:wrong_pw" in body[1]
    assert body[0].endswith(items[0][2][:-2].decode()) and "MN-M2" not in out
    target = tmp_path / "m1.txt"
    call_command("packet_archive", "show", "--mn", "MN-M1", "--day", "2026-12-07", "--out", target)
    assert target.read_text(encoding="utf-8").count("\n2026-12-07T02:00:0") == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "--day", "2026-02-30"], "--day"),
        (["verify", "--since", "2999-01-01"], "--since"),
        (["show", "--mn", "MN-M1", "--day", "07/12/2026"], "--day"),
        (["show", "--mn", "MN\x1b[31m", "--day", "2026-12-07"], "--mn"),
        (["show", "--mn", "MN-NOBODY", "--day", "2026-12-07"], "no station"),
    ],
)
def test_commands_refuse_bad_input(archive, stations, args, message):
    with pytest.raises(CommandError) as refused:
        call_command("packet_archive", *args)
    assert message in str(refused.value) and refused.value.returncode == 1


def test_the_cli_exits_non_zero(archive, capsys):
    from gridgov.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["gridgov", "packet-archive", "verify", "--day", "2026-13-01"])
    assert exited.value.code == 1
    assert "--day" in capsys.readouterr().err


# --- the API and the page -------------------------------------------------------------------------


@pytest.fixture
def m1_archived(archive, stations, clock):
    clock.travel(dt.datetime(2026, 12, 7, 18, 0, tzinfo=CST))
    m1 = stations["micro"]
    m1.mn = "MN-M1"
    m1.save()
    return five(archive)


@pytest.mark.django_db
def test_api_returns_the_stations_packets_and_the_days_verification(m1_archived, client, bearer):
    _, items = m1_archived
    east = bearer("east_secretary")
    body = client.get("/api/v1/air/stations/M1/packets", **east).json()  # today (CST) by default
    assert body["day"] == "2026-12-07" and body["mn"] == "MN-M1"
    assert [(p["n"], p["outcome"], p["reason"]) for p in body["packets"]] == [
        (1, "accepted", ""),
        (2, "refused", "wrong_pw"),
        (5, "accepted", ""),
    ]
    first = body["packets"][0]
    assert base64.b64decode(first["raw_base64"]) == items[0][2]
    assert first["raw"] == items[0][2][:-2].decode()
    assert first["received_at"].startswith("2026-12-07T02:00:01.500")
    head = PacketArchiveDay.objects.get(day=DAY).head_hash
    assert body["verification"] == {
        "ok": True,
        "records": 5,
        "head_hash": head,
        "checkpoint_records": 5,
        "sealed": False,
        "bad_line": None,
        "why": "",
    }
    other = client.get("/api/v1/air/stations/M1/packets?day=2026-12-06", **east).json()
    assert other["packets"] == [] and other["verification"]["records"] == 0


@pytest.mark.django_db
def test_api_scope_and_bad_day(m1_archived, client, bearer):
    west = bearer("west_secretary")
    assert client.get("/api/v1/air/stations/M1/packets", **west).status_code == 404
    assert client.get("/api/v1/air/stations/M1/packets").status_code == 401
    east = bearer("east_secretary")
    for bad in ("2026-02-30", "yesterday", "2026-12-07%00"):
        response = client.get(f"/api/v1/air/stations/M1/packets?day={bad}", **east)
        assert response.status_code in (400, 422), bad
        assert [e["field"] for e in response.json()["errors"]] == ["day"], bad


@pytest.mark.django_db
def test_station_page_shows_the_day_and_its_download(m1_archived, client, login):
    east = login("east_secretary")
    page = east.get("/air/station/M1/").content.decode()
    head = PacketArchiveDay.objects.get(day=DAY).head_hash
    assert 'id="packet-archive"' in page and head in page
    assert "/air/station/M1/packets/?day=2026-12-07" in page
    download = east.get("/air/station/M1/packets/?day=2026-12-07")
    assert download.status_code == 200
    text = download.content.decode()
    assert "verification: ok: 5 record(s)" in text and text.count("\n2026-12-07T") == 3
    assert east.get("/air/station/M1/packets/?day=2026-02-30").status_code == 400
    assert east.get("/air/station/M1/?archive_day=2026-02-30").status_code == 400
    west = login("west_secretary")
    assert west.get("/air/station/M1/packets/").status_code == 404


@pytest.mark.django_db
def test_a_line_being_written_on_the_open_day_is_not_a_failure_but_is_on_a_sealed_one(archive):
    path, _ = five(archive)
    with path.open("ab") as f:
        f.write(b'{"at":"2026-12-07T02:00:09')  # the writer's next batch, half on disk
    v = pa.verify_day(DAY)
    assert (v.ok, v.records) == (True, 5)
    PacketArchiveDay.objects.filter(day=DAY).update(sealed_at=dt.datetime.now(dt.UTC))
    v = pa.verify_day(DAY)
    assert (v.ok, v.bad_line) == (False, 6) and "cut short" in v.why
