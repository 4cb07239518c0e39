"""Group commit for single-reading posts: many stations each sending one reading a minute.

Each post is checked completely on its own (one bad row rejects that post, with 400), then handed to
this process's committer thread, which merges whatever posts arrived meanwhile into one batch and
runs the ordinary ingestion path once, in one transaction. The post's request waits until that
transaction has committed, so what is acknowledged is stored — as before, but one transaction
and one set of aggregate updates serve dozens of posts instead of one each. Should a merged
group still fail, its posts are retried one by one, so one station's fault is never another's.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
from django.db import close_old_connections, connection

from gridgov.air.factors import Factors
from gridgov.air.ingest import Batch, IngestResult, StationInfo, ingest

_STOP = object()
MAX_POSTS = 256  # per group
WAIT_SECONDS = 0.005  # how long the committer waits for more posts after the first


@dataclass
class _Post:
    batch: Batch
    infos: dict[int, StationInfo]
    future: Future[IngestResult]


class GroupCommitter:
    def __init__(self) -> None:
        self._queue: queue.Queue[_Post] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, batch: Batch, infos: dict[int, StationInfo]) -> IngestResult:
        """Store one checked post; returns its own result once its group has committed."""
        self._ensure_thread()
        post = _Post(batch, infos, Future[IngestResult]())
        self._queue.put(post)
        return post.future.result()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="gridgov-group-commit", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """End the committer thread (it closes its database connection on the way out)."""
        with self._lock:
            thread = self._thread
            self._thread = None
        if thread is not None and thread.is_alive():
            self._queue.put(_STOP)  # type: ignore[arg-type]
            thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                connection.close()
                return
            group = [first]
            while len(group) < MAX_POSTS:
                try:
                    nxt = self._queue.get(timeout=WAIT_SECONDS)
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._queue.put(nxt)  # finish this group, then stop
                    break
                group.append(nxt)
            close_old_connections()
            try:
                results = commit_group(group)
            except Exception:
                connection.close()
                self._commit_alone(group)
                continue
            for post, result in zip(group, results, strict=True):
                post.future.set_result(result)

    @staticmethod
    def _commit_alone(group: list[_Post]) -> None:
        """A merged group failed: each post is retried on its own, so only the post at fault
        learns of an error and every other post is stored and acknowledged."""
        for post in group:
            close_old_connections()
            try:
                (result,) = commit_group([post])
            except Exception as exc:
                post.future.set_exception(exc)
                connection.close()
            else:
                post.future.set_result(result)


def _merged_device(group: list[_Post]) -> np.ndarray | None:
    """The posts' device flags side by side (zeros for posts without any); None if none has."""
    if all(p.batch.device is None for p in group):
        return None
    return np.concatenate(
        [
            np.zeros(p.batch.values.shape, np.int16) if p.batch.device is None else p.batch.device
            for p in group
        ]
    )


def _merged_wind(group: list[_Post]) -> np.ndarray | None:
    """The posts' wind side by side (NaN for posts without any); None if none has."""
    if all(p.batch.wind is None for p in group):
        return None
    return np.concatenate(
        [
            np.full((len(p.batch), 2), np.nan) if p.batch.wind is None else p.batch.wind
            for p in group
        ]
    )


def _merged_factors(group: list[_Post]) -> list[Factors | None] | None:
    """The posts' other factors one after the other; None if no post has any."""
    if all(p.batch.factors is None for p in group):
        return None
    return [f for p in group for f in (p.batch.factors or [None] * len(p.batch))]


def commit_group(group: list[_Post]) -> list[IngestResult]:
    """One ingestion for several posts; each post's share of the result."""
    offsets = np.cumsum([0] + [len(p.batch) for p in group])
    merged = Batch(
        np.concatenate([p.batch.station for p in group]),
        np.concatenate([p.batch.ts for p in group]),
        np.concatenate([p.batch.values for p in group]),
        np.concatenate([p.batch.nan_given for p in group]),
        np.arange(offsets[-1], dtype=np.int64),  # row id = position in the group
        _merged_device(group),
        _merged_wind(group),
        _merged_factors(group),
    )
    infos: dict[int, StationInfo] = {}
    for p in group:
        infos.update(p.infos)
    total = ingest(merged, infos, reject_all_on_error=False)
    owner = np.searchsorted(offsets, np.arange(offsets[-1]), side="right") - 1
    stored = np.bincount(owner[total.stored_rows], minlength=len(group))
    flagged = np.bincount(owner[total.flagged_rows], minlength=len(group))
    out = []
    for i, p in enumerate(group):
        stations = set(p.batch.station.tolist())
        out.append(
            IngestResult(
                received=len(p.batch),
                stored=int(stored[i]),
                duplicates=len(p.batch) - int(stored[i]),
                flagged=int(flagged[i]),
                alarms=[a for a in total.alarms if a.station_id in stations],
            )
        )
    return out


committer = GroupCommitter()
