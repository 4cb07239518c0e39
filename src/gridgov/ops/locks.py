"""Job locks that cannot outlive their holder: one run of a scheduled job at a time across every
worker sharing the queue, yet a worker killed mid-run (kill -9, power cut) does not stop the job
for ever, as Huey's own `lock_task` would.

A lock is a key in the queue's storage (the SQLite queue file, or Redis) holding who took it
(host, process id) and when. It is taken over once it is older than its `ttl` (the job's longest
reasonable run), and a starting worker clears at once the locks held by dead processes on its own
host (`clear_dead_holders`). A lock is only ever released by the run that took it."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from huey.exceptions import TaskLockedException

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# The longest a run of an every-minute job is expected to take; past it its lock is taken over.
MINUTE_JOB = dt.timedelta(minutes=10)

_registered: dict[str, JobLock] = {}


def _huey() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class JobLock:
    """`@JobLock("deadline-sweep", ttl=dt.timedelta(minutes=10))` on a Huey task: a run that
    finds the lock held raises Huey's TaskLockedException (logged, not retried)."""

    def __init__(self, name: str, ttl: dt.timedelta) -> None:
        self.name = name
        self.ttl = ttl
        _registered[name] = self

    @property
    def key(self) -> str:
        return f"{_huey().name}.lock.{self.name}"

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            token = self.acquire()
            if token is None:
                raise TaskLockedException(f"unable to acquire lock {self.name}")
            try:
                return fn(*args, **kwargs)
            finally:
                self.release(token)

        return inner

    # --- the two storages ---

    def acquire(self, now: float | None = None) -> str | None:
        """The token of this run, or None while another live run holds the lock."""
        now = time.time() if now is None else now
        token = json.dumps(
            {"host": socket.gethostname(), "pid": os.getpid(), "at": now, "id": uuid.uuid4().hex}
        )
        storage = _huey().storage
        if (redis := _redis(storage)) is not None:  # Redis: SET NX EX, the expiry is Redis's
            seconds = max(1, int(self.ttl.total_seconds()))
            return token if redis.set(self.key, token, nx=True, ex=seconds) else None
        with storage.db(commit=True) as curs:  # SQLite: one exclusive transaction
            curs.execute(
                "select value from kv where queue = ? and key = ?", (storage.name, self.key)
            )
            row = curs.fetchone()
            if row is not None:
                held = _holder(row[0])
                if held and now - float(held.get("at", 0)) < self.ttl.total_seconds():
                    return None
                # Older than its ttl, or Huey's own lock_task value (no holder, no expiry).
                log.warning("lock %s (%s) taken over: older than %s", self.name, held, self.ttl)
            curs.execute(
                "insert or replace into kv (queue, key, value) values (?, ?, ?)",
                (storage.name, self.key, token.encode()),
            )
        return token

    def release(self, token: str) -> bool:
        """Remove the lock if it is still this run's (not taken over meanwhile)."""
        return self._delete_if(lambda value: value == token)

    def holder(self) -> dict[str, Any] | None:
        storage = _huey().storage
        if (redis := _redis(storage)) is not None:
            return _holder(redis.get(self.key))
        rows = storage.sql(
            "select value from kv where queue = ? and key = ?",
            (storage.name, self.key),
            results=True,
        )
        return _holder(rows[0][0]) if rows else None

    def _delete_if(self, keep_unless: Callable[[str], bool]) -> bool:
        storage = _huey().storage
        if (redis := _redis(storage)) is not None:
            # Compare and delete in one step, so a lock taken over meanwhile is left alone.
            from redis.exceptions import LockNotOwnedError
            from redis.lock import Lock

            value = redis.get(self.key)
            if value is None or not keep_unless(_text(value)):
                return False
            try:
                Lock(redis, self.key).do_release(value)
            except LockNotOwnedError:
                return False
            return True
        with storage.db(commit=True) as curs:
            curs.execute(
                "select value from kv where queue = ? and key = ?", (storage.name, self.key)
            )
            row = curs.fetchone()
            if row is None or not keep_unless(_text(row[0])):
                return False
            curs.execute("delete from kv where queue = ? and key = ?", (storage.name, self.key))
        return True


def _redis(storage: Any) -> Any:
    from huey.storage import RedisStorage

    return storage.conn if isinstance(storage, RedisStorage) else None


def _text(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, bytes | bytearray | memoryview) else value


def _holder(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        held = json.loads(_text(value))
    except (ValueError, UnicodeDecodeError):
        return None  # Huey's own lock_task value ("1"): no holder known
    return held if isinstance(held, dict) else None


def clear_dead_holders() -> list[str]:
    """At a worker's start: remove the locks whose holder was a process of this host that is gone
    (a worker killed mid-run), and any left by Huey's own lock_task (no holder recorded). A lock
    held by a live process, or by another host, stays until its run ends or its ttl passes."""
    host = socket.gethostname()

    def dead(value: str) -> bool:
        held = _holder(value)
        if held is None:
            return True
        return held.get("host") == host and not _alive(int(held.get("pid", 0)))

    cleared = [name for name, lock in sorted(_registered.items()) if lock._delete_if(dead)]
    for name in cleared:
        log.warning("lock %s left by a stopped worker cleared", name)
    return cleared
