"""The raw packet archive (原始报文存档): what each device sent, kept so that a later dispute can
show it, and checked for changes.

The HJ 212 receiver appends every packet it reads (stored, refused with its reason, a device's
answer, a notice; also those whose MN cannot be read) to one file per China-time day under
GRIDGOV_PACKET_ARCHIVE_DIR, ``YYYY/MM/DD.<name>.jsonl`` (air/hj212/archive.py writes them),
one per receiver: each receiver (``GRIDGOV_HJ212_ARCHIVE_NAME``, 接收端存档名) keeps its own chain
(``DD.jsonl``, name "", is the format from before there were several receivers). Each line
is one JSON record, its keys sorted, no spaces, ASCII only:

- ``n``: the record's number in its day (1, 2, …);
- ``at``: the receive time, UTC, to the millisecond (``2026-12-07T01:02:03.456Z``);
- ``peer``: the device's address and port; ``mn``: the MN, or null when it cannot be read;
- ``outcome``: accepted (checked and handed to storage: answered once stored), refused (with
  ``reason``: crc, unknown_mn, wrong_pw, malformed, not_interval, rate …), device_answer,
  notice, upload (a value a command asked for) or split_part (a part awaiting the others);
- ``raw``: the packet's exact bytes as received (``##``, length, data segment, CRC, CR LF),
  base64 (so that any byte, CR and LF included, comes back unchanged);
- ``prev``: the hash of the record before (the previous day's last for a day's first; 64 zeros
  for the archive's very first); ``hash``: sha256 of ``prev`` + LF + the record without
  ``hash``, in the same canonical form.

A receiver's days form one chain. The database keeps a checkpoint per day and receiver
(PacketArchiveDay: records, last hash), so a file cut short or edited after its checkpoint is
detected even though its chain alone would still look whole. `verify_day` reads a day back
(every receiver's chain); `packets_of` one station's, the receivers' records merged in
receive-time order.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from gridgov.air.archive_models import PacketArchiveDay
from gridgov.air.models import CST

GENESIS = "0" * 64
FIELDS = ("at", "hash", "mn", "n", "outcome", "peer", "prev", "raw", "reason")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")  # a receiver's archive name
TAIL_BYTES = 65536  # enough for the longest record (a 9,999-byte segment is 13.4 kB base64)


# --- the format ----------------------------------------------------------------------------------


def archive_dir() -> Path | None:
    """GRIDGOV_PACKET_ARCHIVE_DIR, or None when the archive is off."""
    directory = settings.GRIDGOV_PACKET_ARCHIVE_DIR
    return Path(directory) if directory else None


def day_of(at: float) -> dt.date:
    """The China-time day of an epoch time."""
    return dt.datetime.fromtimestamp(at, CST).date()


def relative_path(day: dt.date, receiver: str = "") -> str:
    """A receiver's file of a day: ``YYYY/MM/DD.<name>.jsonl`` (``DD.jsonl`` for the name "")."""
    suffix = f".{receiver}" if receiver else ""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}{suffix}.jsonl"


def default_name(host: str, port: int) -> str:
    """A receiver's archive name from its host name and listening port (``host-9212``)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", host.split(".")[0]).strip("-_")[:32] or "receiver"
    return f"{safe}-{port}"


def receivers_of(day: dt.date) -> list[str]:
    """The receivers with a file or a checkpoint on a day ("" for the old single file)."""
    names = set(PacketArchiveDay.objects.filter(day=day).values_list("receiver", flat=True))
    directory = archive_dir()
    folder = directory / f"{day.year:04d}/{day.month:02d}" if directory else None
    if folder is not None and folder.is_dir():
        for path in folder.glob(f"{day.day:02d}*.jsonl"):
            stem = path.name[: -len(".jsonl")]
            if stem == f"{day.day:02d}":
                names.add("")
            elif stem.startswith(f"{day.day:02d}.") and NAME_PATTERN.fullmatch(stem[3:]):
                names.add(stem[3:])
    return sorted(names)


def utc_ms(at: float) -> str:
    moment = dt.datetime.fromtimestamp(at, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(prev: str, body: bytes) -> str:
    return hashlib.sha256(prev.encode("ascii") + b"\n" + body).hexdigest()


def make_line(
    n: int, at: float, peer: str, mn: str | None, outcome: str, reason: str, raw: bytes, prev: str
) -> tuple[bytes, str]:
    """One record's line (with its LF) and its hash."""
    record: dict[str, Any] = {
        "n": n,
        "at": utc_ms(at),
        "peer": peer,
        "mn": mn,
        "outcome": outcome,
        "reason": reason,
        "raw": base64.b64encode(raw).decode("ascii"),
        "prev": prev,
    }
    body = canonical(record)
    digest = chain_hash(prev, body)
    # The same as canonical() with "hash" added: its key sorts between "at" and "mn".
    cut = body.index(b',"mn":') + 1
    return body[:cut] + b'"hash":"' + digest.encode("ascii") + b'",' + body[cut:] + b"\n", digest


def read_tail(path: Path) -> tuple[dict[str, Any] | None, bool]:
    """The file's last whole record (or None) and whether the file ends with a line end (a
    writer stopped mid-line leaves it without)."""
    with path.open("rb") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - TAIL_BYTES))
        tail = f.read()
    ends = tail.endswith(b"\n") or not tail
    for line in reversed(tail.split(b"\n")):
        record = _record(line)
        if record is not None:
            return record, ends
    return None, ends


def read_first(path: Path) -> dict[str, Any] | None:
    with path.open("rb") as f:
        return _record(f.readline(TAIL_BYTES))


def _record(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and set(record) == set(FIELDS) else None


def latest_file_day(directory: Path, receiver: str = "") -> dt.date | None:
    """The latest day with a file of the receiver in the archive folder."""
    for year in sorted(_numbered(directory, 4), reverse=True):
        for month in sorted(_numbered(directory / year, 2), reverse=True):
            suffix = f".{receiver}.jsonl" if receiver else ".jsonl"
            names = [p.name[: -len(suffix)] for p in (directory / year / month).glob("*" + suffix)]
            days = sorted((d for d in names if d.isdigit()), reverse=True)
            for day in days:
                try:
                    return dt.date(int(year), int(month), int(day))
                except ValueError:
                    continue
    return None


def _numbered(directory: Path, digits: int) -> list[str]:
    if not directory.is_dir():
        return []
    return [p.name for p in directory.iterdir() if p.name.isdigit() and len(p.name) == digits]


# --- reading back --------------------------------------------------------------------------------


@dataclass
class Verification:
    """What reading a day back found. `ok` when every record chains and hashes right and the
    file agrees with the day's checkpoint; else `bad_line` (1-based; None for the file as a
    whole) and `why`."""

    day: dt.date
    ok: bool = True
    records: int = 0  # records read that chain and hash right (up to the first bad one)
    head: str = ""  # hash of the last of them
    file: bool = False  # the day has a file
    checkpoint_records: int | None = None
    checkpoint_head: str = ""
    sealed: bool = False
    unchecked: int = 0  # good records after the checkpoint (written since; the current day)
    bad_line: int | None = None
    why: str = ""
    receiver: str = ""  # whose chain ("" for the old single file)
    parts: list[Verification] = field(default_factory=list)  # a day's: one per receiver

    def fail(self, line: int | None, why: str) -> None:
        if self.ok:
            self.ok, self.bad_line, self.why = False, line, why

    @property
    def summary(self) -> str:
        if self.ok:
            who = f", {len(self.parts)} receiver(s)" if len(self.parts) > 1 else ""
            return f"ok: {self.records} record(s){who}, head {self.head[:16] or '-'}"
        where = f"line {self.bad_line}: " if self.bad_line is not None else ""
        return f"FAILED {where}{self.why}"

    def add(self, part: Verification) -> None:
        """A receiver's chain of the day into the day's verification."""
        self.parts.append(part)
        self.records += part.records
        self.unchecked += part.unchecked
        self.file = self.file or part.file
        if part.checkpoint_records is not None:
            self.checkpoint_records = (self.checkpoint_records or 0) + part.checkpoint_records
        self.head = part.head if len(self.parts) == 1 else ""
        self.checkpoint_head = part.checkpoint_head if len(self.parts) == 1 else ""
        self.sealed = all(p.sealed for p in self.parts)
        if not part.ok:
            who = f"receiver {part.receiver or '(single file)'}: " if part.receiver else ""
            self.fail(part.bad_line, who + part.why)


@dataclass
class ArchivedPacket:
    n: int
    received_at: dt.datetime  # UTC
    peer: str
    mn: str | None
    outcome: str
    reason: str
    raw: bytes
    receiver: str = ""  # whose archive file it was read from

    @property
    def text(self) -> str:
        """The packet as text on one line: CR LF at its end left out, any other byte that is not
        printable ASCII escaped (``\\r``, ``\\x1b`` …)."""
        body = self.raw[:-2] if self.raw.endswith(b"\r\n") else self.raw
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else _escape(b) for b in body)


def _escape(b: int) -> str:
    return {13: "\\r", 10: "\\n", 9: "\\t", 92: "\\\\"}.get(b, f"\\x{b:02x}")


@dataclass
class _Scan:
    verification: Verification
    packets: list[ArchivedPacket] = field(default_factory=list)


def verify_day(day: dt.date) -> Verification:
    """Read a day's files back, every receiver's: each record's hash, the chain from the
    receiver's day before, and the file against its database checkpoint (record count, last
    hash; nothing after a sealed one)."""
    return _scan_day(day, None).verification


def packets_of(day: dt.date, mn: str) -> tuple[list[ArchivedPacket], Verification]:
    """One station's packets of a day (by MN), every receiver's merged in receive-time order,
    with the day's verification."""
    scan = _scan_day(day, mn)
    return scan.packets, scan.verification


def _scan_day(day: dt.date, mn: str | None) -> _Scan:
    v = Verification(day)
    scan = _Scan(v)
    if archive_dir() is None:
        v.fail(None, "the packet archive is off (GRIDGOV_PACKET_ARCHIVE_DIR is empty)")
        return scan
    for receiver in receivers_of(day):
        part = _scan(day, receiver, mn)
        v.add(part.verification)
        scan.packets.extend(part.packets)
    scan.packets.sort(key=lambda p: (p.received_at, p.receiver, p.n))
    return scan


def _scan(day: dt.date, receiver: str, mn: str | None) -> _Scan:
    v = Verification(day, receiver=receiver)
    scan = _Scan(v)
    directory = archive_dir()
    assert directory is not None
    row = PacketArchiveDay.objects.filter(day=day, receiver=receiver).first()
    before = (
        PacketArchiveDay.objects.filter(day__lt=day, receiver=receiver)
        .order_by("-day")
        .values_list("head_hash", flat=True)
        .first()
    )
    prev = before or GENESIS
    if row is not None:
        v.checkpoint_records, v.checkpoint_head = row.records, row.head_hash
        v.sealed = row.sealed_at is not None
    path = directory / relative_path(day, receiver)
    if not path.is_file():
        if row is not None and row.records:
            v.fail(None, f"the day's file {relative_path(day, receiver)} is missing")
        return scan
    v.file = True
    if row is not None and row.prev_hash != prev:
        v.fail(None, "the day's checkpoint does not chain to the previous day's last hash")
    at_checkpoint = ""
    for i, line, record in _lines(path):
        if not line.endswith(b"\n") and row is not None and not v.sealed and i > row.records:
            break  # the writer's batch being written now (past the checkpoint): not read yet
        if mn is not None and record is not None and record.get("mn") == mn:
            scan.packets.append(_packet(record, receiver))
        if not v.ok:
            if mn is None:
                break
            continue
        why = _check(i, line, record, prev)
        if why:
            v.fail(i, why)
            continue
        assert record is not None
        prev = v.head = record["hash"]
        v.records = i
        if i == 1 and row is not None and record["hash"] != row.first_hash:
            v.fail(1, "the first record differs from the checkpoint's first hash")
        if row is not None and i == row.records:
            at_checkpoint = record["hash"]
    if v.ok:
        _against_checkpoint(v, row, at_checkpoint)
    return scan


def _lines(path: Path) -> Iterator[tuple[int, bytes, dict[str, Any] | None]]:
    with path.open("rb") as f:
        for i, line in enumerate(f, 1):
            yield i, line, _record(line)


def _check(i: int, line: bytes, record: dict[str, Any] | None, prev: str) -> str:
    """Why line `i` is not the right record after `prev` ("" when it is)."""
    if not line.endswith(b"\n"):
        return "the line is cut short (no line end): the file was truncated or a write torn"
    if record is None:
        return "not a record (not JSON with the archive's fields): the line was edited or torn"
    if line != canonical(record) + b"\n":
        return "the line is not in its canonical form: it was edited"
    if record["prev"] != prev:
        return (
            "chain break: prev is not the hash of the record before "
            "(a line removed, moved or inserted)"
        )
    body = {k: v for k, v in record.items() if k != "hash"}
    if chain_hash(prev, canonical(body)) != record["hash"]:
        return "hash mismatch: the record's content was changed"
    if record["n"] != i:
        return f"record number {record['n']} on line {i}"
    try:
        base64.b64decode(record["raw"], validate=True)
    except ValueError:
        return "raw is not base64"
    return ""


def _against_checkpoint(v: Verification, row: PacketArchiveDay | None, at_checkpoint: str) -> None:
    if row is None:
        if v.records:
            v.fail(None, "the day has no database checkpoint")
        return
    if v.records < row.records:
        v.fail(
            v.records + 1 if v.records else 1,
            f"the file holds {v.records} record(s), its checkpoint {row.records}: "
            "records were removed or the file was truncated",
        )
    elif row.records and at_checkpoint != row.head_hash:
        v.fail(row.records, "the record at the checkpoint differs from the checkpoint's hash")
    elif v.records > row.records and row.sealed_at is not None:
        v.fail(row.records + 1, "records after the day was sealed")
    else:
        v.unchecked = v.records - row.records


def _packet(record: dict[str, Any], receiver: str = "") -> ArchivedPacket:
    try:
        raw = base64.b64decode(str(record.get("raw", "")))
    except ValueError:
        raw = b""
    try:
        at = dt.datetime.fromisoformat(str(record.get("at", "")).replace("Z", "+00:00"))
    except ValueError:
        at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return ArchivedPacket(
        int(record.get("n") or 0),
        at,
        str(record.get("peer", "")),
        record.get("mn"),
        str(record.get("outcome", "")),
        str(record.get("reason", "")),
        raw,
        receiver,
    )


# --- what the commands and pages use ------------------------------------------------------------


def record_verification(v: Verification, today: dt.date | None = None) -> None:
    """Keep a verification on the day's checkpoint (the station page shows it) and seal a past
    day that verified."""
    today = today or timezone.now().astimezone(CST).date()
    now = timezone.now()
    changes: dict[str, Any] = {
        "verified_at": now,
        "verified_ok": v.ok,
        "verified_note": v.summary[:200],
    }
    for part in v.parts or [v]:
        rows = PacketArchiveDay.objects.filter(day=v.day, receiver=part.receiver)
        if part.ok and v.day < today:
            rows.filter(sealed_at__isnull=True).update(sealed_at=now)
        rows.update(**{**changes, "verified_ok": part.ok, "verified_note": part.summary[:200]})


def days_since(since: dt.date, until: dt.date) -> list[dt.date]:
    return [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]


def first_day() -> dt.date | None:
    return PacketArchiveDay.objects.order_by("day").values_list("day", flat=True).first()


@dataclass
class DayCheckpoint:
    """A day's checkpoints, every receiver's, taken together (what the station page shows)."""

    records: int
    head_hash: str  # the one receiver's last hash; with several, "name:hash" each
    sealed_at: dt.datetime | None  # the last receiver's sealing, once all are sealed
    verified_at: dt.datetime | None  # the earliest receiver's last verification
    verified_ok: bool | None
    verified_note: str


def day_checkpoint(day: dt.date) -> DayCheckpoint | None:
    rows = list(PacketArchiveDay.objects.filter(day=day).order_by("receiver"))
    if not rows:
        return None
    if len(rows) == 1:
        heads = rows[0].head_hash
    else:
        heads = " ".join(f"{r.receiver or '-'}:{r.head_hash}" for r in rows)
    sealed = [r.sealed_at for r in rows]
    verified = [r.verified_at for r in rows]
    return DayCheckpoint(
        records=sum(r.records for r in rows),
        head_hash=heads,
        sealed_at=None if None in sealed else max(s for s in sealed if s is not None),
        verified_at=None if None in verified else min(t for t in verified if t is not None),
        verified_ok=all(r.verified_ok for r in rows) if None not in verified else None,
        verified_note="; ".join(r.verified_note for r in rows if r.verified_note)[:200],
    )


def listing(packets: list[ArchivedPacket], v: Verification, title: str) -> str:
    """A day's packets as text: a header (the station, the day's verification and last hash),
    then one line per packet: receive time (UTC), peer, outcome[:reason], the packet, and (when
    the day has records of several receivers) the receiver that read it."""
    lines = [
        f"# {title}",
        f"# {v.day.isoformat()} (China time) verification: {v.summary}",
        f"# head hash: {v.head or '-'}; checkpoint: {v.checkpoint_records} record(s)"
        + (", sealed" if v.sealed else ""),
        f"# {len(packets)} packet(s); raw bytes exactly: base64 in the archive file or the API",
    ]
    several = len({p.receiver for p in packets}) > 1 or len(v.parts) > 1
    for p in packets:
        outcome = f"{p.outcome}:{p.reason}" if p.reason else p.outcome
        at = (
            p.received_at.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{p.received_at.microsecond // 1000:03d}Z"
        )
        who = f"\t{p.receiver or '-'}" if several else ""
        lines.append(f"{at}\t{p.peer}\t{outcome}\t{p.text}{who}")
    return "\n".join(lines) + "\n"
