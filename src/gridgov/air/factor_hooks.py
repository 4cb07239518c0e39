"""Every factor value a device sent, for the apps above air that watch some devices (the
sources' own monitors: dust, fume, power circuits): the host's registry.

`register(listener, wants, refresh)`: `wants(mn)` says whether the listener cares about a
device (asked on the receiver's loop, so it must be cheap and never touch the database: an
in-memory set, which `refresh()` re-reads; the receiver calls it where it re-reads its
stations, in a thread). `listener(mn, at, cn, values)` gets the data time, the command code
(2011 real-time, 2051 minute, 2061 hourly) and every factor's value by code (`a34001` → 212.0;
a value that is no number stays text, e.g. a switch state). The receiver publishes a packet
once it is answered (stored, or holding only untracked factors); the listeners run on one
worker thread, never on the receiver's loop, and a failing listener is logged, never felt by
the device. `deliver` runs them in the caller's thread (tests, tools, the demo). Each guest
registers in its `AppConfig.ready()`; air never imports them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("gridgov.hj212")

Value = float | str
Listener = Callable[[str, dt.datetime, str, dict[str, Value]], None]
Wants = Callable[[str], bool]
_LISTENERS: list[tuple[Listener, Wants]] = []
_REFRESH: list[Callable[[], None]] = []
MAX_PENDING = 10_000  # packets waiting for the worker at most; more are dropped (and counted)
_pool: ThreadPoolExecutor | None = None
_pending = 0
_lock = threading.Lock()
dropped = 0


def register(
    listener: Listener, wants: Wants, refresh: Callable[[], None] | None = None
) -> Listener:
    if all(fn is not listener for fn, _w in _LISTENERS):
        _LISTENERS.append((listener, wants))
        if refresh is not None:
            _REFRESH.append(refresh)
    return listener


def refresh() -> None:
    """Let each listener re-read what `wants` answers from (in a thread with the database)."""
    for fn in list(_REFRESH):
        try:
            fn()
        except Exception:
            log.exception("refreshing factor listener %s failed", getattr(fn, "__name__", fn))


def wanted(mn: str) -> bool:
    return any(wants(mn) for _fn, wants in _LISTENERS)


def values_of(items: dict[str, str], cn: str) -> dict[str, Value]:
    """The packet's factor values by code: `code-Rtd` (real-time) or `code-Avg` (else)."""
    suffix = "Rtd" if cn == "2011" else "Avg"
    out: dict[str, Value] = {}
    for key, text in items.items():
        code, dash, kind = key.rpartition("-")
        if dash and kind == suffix and code:
            try:
                out[code] = float(text)
            except ValueError:
                out[code] = text
    return out


def deliver(mn: str, at: dt.datetime, cn: str, values: dict[str, Value]) -> None:
    """Run every listener that wants the device, each failure logged and contained."""
    for fn, wants in list(_LISTENERS):
        if not wants(mn):
            continue
        try:
            fn(mn, at, cn, values)
        except Exception:
            log.exception("factor listener %s failed for %s", getattr(fn, "__name__", fn), mn)


def _run(mn: str, at: dt.datetime, cn: str, values: dict[str, Value]) -> None:
    global _pending
    from django.db import close_old_connections, connection

    try:
        close_old_connections()
        deliver(mn, at, cn, values)
    finally:
        with _lock:
            _pending -= 1
            idle = _pending == 0
        if idle:  # no session kept while nothing comes (and none outlives a test database)
            connection.close()


def publish(mn: str, cn: str, items: dict[str, Any]) -> None:
    """Hand an answered packet's values (its data area's items) to the worker thread; nothing
    when no one wants the device."""
    global _pool, _pending, dropped
    if not _LISTENERS or not wanted(mn):
        return
    from gridgov.air.hj212 import codec

    try:
        at = codec.parse_stamp(items["DataTime"])
    except (KeyError, ValueError, codec.FrameError):
        return
    with _lock:
        if _pending >= MAX_PENDING:
            dropped += 1
            return
        _pending += 1
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="factor-hooks")
    _pool.submit(_run, mn, at, cn, values_of(items, cn))


def drain(timeout: float = 10) -> None:
    """Wait until every packet published so far has been delivered (tests, a shutdown)."""
    if _pool is not None:
        _pool.submit(lambda: None).result(timeout)
