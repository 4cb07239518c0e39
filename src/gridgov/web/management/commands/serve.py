"""gridgov serve [--host H] [--port P] [--workers N]: run gunicorn (not runserver), and, unless
GRIDGOV_JOBS_IN_SERVE is off, the scheduled jobs (`gridgov worker`) in a child process that ends
when the server does."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve gridgov with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.GRIDGOV_HOST)
        parser.add_argument("--port", type=int, default=settings.GRIDGOV_PORT)
        parser.add_argument("--workers", type=int, default=settings.GRIDGOV_WEB_CONCURRENCY)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="do not run the scheduled jobs here (a separate `gridgov worker` runs them)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        host = opts["host"]
        bind = f"[{host}]:{opts['port']}" if ":" in host else f"{host}:{opts['port']}"
        self.stdout.write(f"gridgov serving on http://{bind}/ (Ctrl+C to stop)")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "gridgov.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(opts["workers"]),
            "--threads",
            str(opts["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "20",
        ]
        # glibc raises its mmap threshold after the first large free, so later large blocks
        # (decoded photos) come from per-thread arenas that keep them: RSS would stay at the peak
        # of every thread. A fixed threshold hands blocks of 1 MB and more back when freed.
        os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(1024 * 1024))
        if settings.GRIDGOV_JOBS_IN_SERVE and not opts["no_jobs"]:
            # execv keeps this process's id, so the child watches it and ends with gunicorn.
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gridgov.cli", "worker", "--parent", str(os.getpid())]
            )
            self.stdout.write("scheduled jobs: running beside the server (GRIDGOV_JOBS_IN_SERVE)")
            self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
