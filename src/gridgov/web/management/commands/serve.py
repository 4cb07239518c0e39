"""gridgov serve [--host H] [--port P] [--workers N]: run gunicorn (not runserver)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve gridgov with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.GRIDGOV_HOST)
        parser.add_argument("--port", type=int, default=settings.GRIDGOV_PORT)
        parser.add_argument("--workers", type=int, default=settings.GRIDGOV_WEB_CONCURRENCY)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, **opts):
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
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
