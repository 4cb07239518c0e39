"""gridgov serve [--host H] [--port P] [--workers N]: run gunicorn (not runserver)."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve gridgov with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GRIDGOV_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
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
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
