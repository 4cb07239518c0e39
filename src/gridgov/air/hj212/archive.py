"""The receiver's raw packet archive writer (原始报文存档): one thread appends the packets the
loop read to the day's file and checkpoints the day in the database.

The loop only appends a tuple per packet to a deque (its receive time, peer, exact bytes, MN
when parsed, outcome); this thread turns them into hash-chained records (air/packet_archive.py),
writes them, fsyncs the file, then writes the day's checkpoint (PacketArchiveDay: records, last
hash) — on every tick of the receiver (or after WAIT_SECONDS), on `flush()` and on `stop()`. A
record of a later China-time day closes the day before (fsynced, checkpointed, sealed) and
opens the next file; its first record chains to the day before's last hash.

On start the thread takes up the chain where it was left: the later of the database's last
checkpointed day and the archive folder's last file; the file's last record where it goes past
the checkpoint (written before a crash, not yet checkpointed), else the checkpoint's hash — so a
file cut short while the receiver was down is not papered over: its next record shows the
break. A line a crash left half-written stays as it is (the next record starts on a new line)
and `gridgov packet-archive verify` reports it.

Several receivers: each writes its own chain under its archive name (GRIDGOV_HJ212_ARCHIVE_NAME;
``YYYY/MM/DD.<name>.jsonl``, a checkpoint per day and name). The open day file is held with an
exclusive lock (flock): a second receiver under the same name is refused at `start()`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import threading
from collections import deque
from pathlib import Path
from typing import IO, Any

from django.db import close_old_connections, connection
from django.utils import timezone

from gridgov.air import packet_archive as pa
from gridgov.air.archive_models import PacketArchiveDay
from gridgov.air.hj212.accounting import MN_PATTERN
from gridgov.air.hj212.codec import RAW_KEEP
from gridgov.air.models import CST
from gridgov.errors import CONFLICT, DomainError

log = logging.getLogger("gridgov.hj212")

WAIT_SECONDS = 1.0  # longest a record waits for its write when no tick comes
MAX_QUEUED = 500_000  # records waiting at most (a stuck disk); more are dropped and counted

Item = tuple[float, str, bytes, str | None, str, str]  # at, peer, raw, mn, outcome, reason


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class ArchiveWriter:
    """`add()` from the loop; `tick()`, `flush()` and `stop()` as the receiver's life goes."""

    def __init__(self, directory: Path, name: str = "") -> None:
        self.directory = directory
        self.name = name  # the receiver's archive name ("": the old single file per day)
        self.claimed = threading.Event()
        self.claim_error: BaseException | None = None
        self.items: deque[Any] = deque()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.day: dt.date | None = None  # the day of the open file
        self.n = 0  # records in that day
        self.head = pa.GENESIS
        self.prev_of_day = pa.GENESIS
        self.first = ""
        self.file: IO[bytes] | None = None
        self.written = 0
        self.errors = 0
        self.dropped = 0

    # --- from the loop ---

    def add(
        self, at: float, peer: str, raw: bytes, mn: str | None, outcome: str, reason: str = ""
    ) -> None:
        if len(self.items) >= MAX_QUEUED:  # the disk has stopped taking them: memory is kept
            self.dropped += 1
            return
        self.items.append((at, peer, raw, mn, outcome, reason))

    def tick(self) -> None:
        if self.items:
            self.wake.set()

    def summary(self) -> dict[str, int]:
        """For the receiver's stats line: records written, waiting, failed writes."""
        return {
            "written": self.written,
            "queued": len(self.items),
            "errors": self.errors,
            "dropped": self.dropped,
        }

    # --- life cycle (any thread but the writer's) ---

    def start(self) -> None:
        """Start the thread once it has taken up the chain and locked the day's file; a
        `DomainError` (conflict) when another live receiver writes under the same name."""
        self.claimed.clear()
        self.claim_error = None
        self.thread = threading.Thread(target=self._run, name="gridgov-hj212-archive", daemon=True)
        self.thread.start()
        self.claimed.wait(60)
        if self.claim_error is not None:
            self.thread.join(5)
            self.thread = None
            raise self.claim_error

    def flush(self, timeout: float = 30) -> None:
        """Return once everything added before is written, fsynced and checkpointed."""
        if self.thread is None or not self.thread.is_alive():
            return
        request = _Flush()
        self.items.append(request)
        self.wake.set()
        request.done.wait(timeout)

    def stop(self, timeout: float = 30) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.items.append(_STOP)
            self.wake.set()
            self.thread.join(timeout)
        self.thread = None

    def write_now(self, items: list[Item]) -> None:
        """Take up the chain and write `items` in the calling thread, then close the file (for
        tests and tools; never while the thread runs)."""
        assert self.thread is None, "the writer thread is running"
        try:
            self._resume()
            self._write(items)
        finally:
            self._close_file()

    def claim(self, today: dt.date | None = None) -> None:
        """Take up the chain and hold the day file's lock (that of the chain's last day, else
        today's, created empty). Raises DomainError when another process holds it."""
        self._resume()
        if self.day is None:
            self._open_day(today or dt.datetime.now(CST).date())

    def release(self) -> None:
        self._close_file()

    # --- the thread ---

    def _run(self) -> None:
        try:
            try:
                close_old_connections()
                self.claim()
            except DomainError as exc:
                self.claim_error = exc
                return
            except Exception:
                log.exception("packet archive: reading where the chain was left failed")
                connection.close()
            finally:
                self.claimed.set()
            while True:
                self.wake.wait(WAIT_SECONDS)
                self.wake.clear()
                if self._drain():
                    return
        finally:
            self._close_file()
            connection.close()

    def _drain(self) -> bool:
        batch: list[Item] = []
        flushes: list[_Flush] = []
        stop = False
        while self.items:
            item = self.items.popleft()
            if item is _STOP:
                stop = True
            elif isinstance(item, _Flush):
                flushes.append(item)
            else:
                batch.append(item)
        if batch:
            try:
                close_old_connections()  # the thread's connection, reused while it is usable
                self._write(batch)
            except Exception:
                self.errors += len(batch)
                log.exception("packet archive: writing %d record(s) failed", len(batch))
        for request in flushes:
            request.done.set()
        return stop

    def _write(self, batch: list[Item]) -> None:
        """Chain the batch's records and write them. If writing fails, the chain goes back to
        the last record written (the batch's unwritten records are lost, counted as errors) and
        the file is opened afresh for the next batch (a torn line stays, flagged by verify)."""
        saved = self._state()
        try:
            self._chain_and_write(batch, saved)
        except Exception:
            self.day, self.n, self.head, self.first, self.prev_of_day = saved[0]
            self._close_file()
            raise

    def _state(self) -> list[tuple[Any, ...]]:
        return [(self.day, self.n, self.head, self.first, self.prev_of_day)]

    def _chain_and_write(self, batch: list[Item], saved: list[tuple[Any, ...]]) -> None:
        if self.file is None and self.day is not None:  # after a failed write
            self._open(self.directory / pa.relative_path(self.day, self.name))
        lines: list[bytes] = []
        for at, peer, raw, mn, outcome, reason in batch:
            day = pa.day_of(at)
            if self.day is None or day > self.day:
                self._finish_day(lines)
                saved[:] = self._state()  # written: a later failure goes back to here
                lines = []
                self._open_day(day)
            if mn is None:
                found = MN_PATTERN.search(raw[:RAW_KEEP])
                mn = found.group(1).decode("ascii", "replace") if found else None
            self.n += 1
            line, self.head = pa.make_line(self.n, at, peer, mn, outcome, reason, raw, self.head)
            if self.n == 1:
                self.first = self.head
            lines.append(line)
        self._finish_day(lines, seal=False)

    def _finish_day(self, lines: list[bytes], seal: bool = True) -> None:
        """Write, fsync and checkpoint the open day (sealed when a later day follows)."""
        if self.file is None or self.day is None:
            return
        if lines:
            self.file.write(b"".join(lines))
            self.file.flush()
            os.fsync(self.file.fileno())
            self.written += len(lines)
            self._checkpoint()
        if seal:
            self._close_file()
            self._seal_before(self.day + dt.timedelta(days=1))

    def _open_day(self, day: dt.date) -> None:
        path = self.directory / pa.relative_path(day, self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._close_file()
        self._open(path)
        self.day, self.n, self.prev_of_day, self.first = day, 0, self.head, ""
        with contextlib.suppress(OSError):  # the new file's name made durable too
            fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def _open(self, path: Path) -> None:
        self.file = path.open("ab")
        try:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._close_file()
            raise DomainError(
                CONFLICT,
                f"the packet archive file {path} is held by another running receiver with the "
                f"archive name {self.name or '(none)'!r}: give each receiver its own "
                "GRIDGOV_HJ212_ARCHIVE_NAME",
            ) from exc
        if self.file.tell() > 0:
            with path.open("rb") as f:
                f.seek(-1, 2)
                if f.read(1) != b"\n":  # a half-written line: left as it is, flagged by verify
                    self.file.write(b"\n")

    def _close_file(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def _checkpoint(self) -> None:
        assert self.day is not None
        try:
            PacketArchiveDay.objects.update_or_create(
                day=self.day,
                receiver=self.name,
                defaults={
                    "path": pa.relative_path(self.day, self.name),
                    "records": self.n,
                    "prev_hash": self.prev_of_day,
                    "first_hash": self.first,
                    "head_hash": self.head,
                    "updated_at": timezone.now(),
                },
            )
        except Exception:
            self.errors += 1
            log.exception("packet archive: the checkpoint of %s failed", self.day)
            connection.close()

    def _seal_before(self, day: dt.date) -> None:
        try:
            PacketArchiveDay.objects.filter(
                receiver=self.name, day__lt=day, sealed_at__isnull=True
            ).update(sealed_at=timezone.now())
        except Exception:
            log.exception("packet archive: sealing the days before %s failed", day)
            connection.close()

    def _resume(self) -> None:
        row = PacketArchiveDay.objects.filter(receiver=self.name).order_by("-day").first()
        on_disk = pa.latest_file_day(self.directory, self.name)
        candidates = [d for d in (row.day if row else None, on_disk) if d is not None]
        if not candidates:
            return
        day = max(candidates)
        checkpoint = row if row is not None and row.day == day else None
        if row is not None:
            self.head = row.head_hash
        path = self.directory / pa.relative_path(day, self.name)
        last = pa.read_tail(path)[0] if path.is_file() else None
        first = pa.read_first(path) if path.is_file() else None
        if checkpoint is not None and (last is None or int(last["n"]) <= checkpoint.records):
            # The checkpoint is what holds (a file cut short shows its break at the next record).
            self.n, self.head = checkpoint.records, checkpoint.head_hash
            self.prev_of_day, self.first = checkpoint.prev_hash, checkpoint.first_hash
        elif last is not None and first is not None:  # records beyond the checkpoint (a crash)
            self.n, self.head = int(last["n"]), str(last["hash"])
            self.prev_of_day, self.first = str(first["prev"]), str(first["hash"])
        else:
            return  # an unreadable file without a checkpoint: the next day starts afresh
        self.day = day
        path.parent.mkdir(parents=True, exist_ok=True)
        self._open(path)
