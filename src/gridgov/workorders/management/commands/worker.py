"""gridgov worker: the background jobs (deadline and offline sweeps, the daily backup), run beside
`gridgov serve`."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the Huey worker: deadline sweep and air offline sweep every minute, the daily "
        "backup (GRIDGOV_BACKUP_*)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("run_huey", workers=opts["workers"], worker_type="thread")
