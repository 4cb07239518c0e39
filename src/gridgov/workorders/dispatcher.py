"""Air alarms → work orders off the ingestion's path.

The ingestion that raises an alarm hands the alarm ids to this process's dispatcher thread once
its readings are committed, and answers at once; the thread makes the events and orders a few
milliseconds later, each in its own transaction. A storm of alarms therefore never holds up the
readings that follow. Nothing is lost if the process dies first: the every-minute sweep makes an
event for every open alarm that has none (`receivers.events_for_alarms`). At exit the queue is
drained. With `GRIDGOV_ALARM_ORDERS_ASYNC=false` (the tests, the demo) the orders are made in
the committing thread instead.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self) -> None:
        self._queue: queue.Queue[list[int]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, alarm_ids: list[int]) -> None:
        if not alarm_ids:
            return
        if not getattr(settings, "GRIDGOV_ALARM_ORDERS_ASYNC", True):
            from gridgov.workorders.receivers import make_events

            make_events(alarm_ids)
            return
        self._ensure_thread()
        self._queue.put(alarm_ids)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="gridgov-alarm-dispatcher", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        from gridgov.workorders.receivers import make_events

        while True:
            ids = self._queue.get()
            try:
                close_old_connections()
                make_events(ids)
            except Exception:  # the sweep will catch up; keep serving
                log.exception("alarms %s: events not made now", ids)
                connection.close()
            finally:
                if self._queue.empty():  # alarms are sporadic: hold no idle connection
                    connection.close()
                self._queue.task_done()

    def drain(self) -> None:
        """Wait until every submitted alarm has been handled (used at exit and in tests)."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.join()


dispatcher = Dispatcher()
atexit.register(dispatcher.drain)
