"""gridgov worker: the background jobs (deadline and offline sweeps, the daily backup), run beside
`gridgov serve` (which starts one itself). At start it frees the job locks left by a worker of
this host that was killed mid-run (gridgov.ops.locks); other stale locks expire by their ttl."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules

from gridgov.ops.locks import clear_dead_holders


class Command(BaseCommand):
    help = (
        "Run the Huey worker: deadline sweep and air offline sweep every minute, the daily "
        "backup (GRIDGOV_BACKUP_*)."
    )
    requires_system_checks: list[str] = []  # runs no web requests: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument(
            "--parent",
            type=int,
            default=None,
            help="stop when the process with this id ends (how `gridgov serve` runs the jobs)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["parent"]:
            watch_parent(opts["parent"])
        autodiscover_modules("tasks")  # registers every job's lock
        clear_dead_holders()  # a worker killed mid-run left its locks: free them now
        call_command("run_huey", workers=opts["workers"], worker_type="thread")


def watch_parent(pid: int, every: float = 2.0) -> threading.Thread:
    """Stop this worker gracefully (as Ctrl+C would) once the process `pid` is gone."""

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != pid:  # the parent ended: this process was handed to init
                os.kill(os.getpid(), signal.SIGINT)
                return

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
