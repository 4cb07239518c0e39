"""gridgov hj212 [--host H] [--port 8212] [--no-store] [--stats-every S]: the HJ 212-2017
device receiver (air/hj212/receiver.py), run beside `gridgov serve` and `gridgov worker`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.air.hj212.receiver import Receiver, run
from gridgov.errors import DomainError


class Command(BaseCommand):
    help = (
        "Receive HJ 212-2017 data from monitoring devices over TCP and store them (answering "
        "each stored packet with CN=9014). Prints a JSON stats line every --stats-every seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="address (GRIDGOV_HJ212_HOST, 0.0.0.0)")
        parser.add_argument(
            "--port", type=int, default=None, help="port (GRIDGOV_HJ212_PORT, 8212; 0: any)"
        )
        parser.add_argument(
            "--no-store",
            action="store_true",
            help="parse, check and answer only; store nothing (the front's own limit)",
        )
        parser.add_argument(
            "--stats-every",
            type=float,
            default=60,
            help="seconds between JSON stats lines on standard output (0: none; default 60)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        port = opts["port"]
        if port is not None and not 0 <= port <= 65535:
            raise CommandError("--port must be between 0 and 65535")
        if opts["stats_every"] < 0:
            raise CommandError("--stats-every must be 0 or more")
        receiver = Receiver(
            opts["host"] or settings.GRIDGOV_HJ212_HOST,
            settings.GRIDGOV_HJ212_PORT if port is None else port,
            store=not opts["no_store"],
            stats_every=opts["stats_every"],
        )
        try:
            run(receiver)
        except OSError as exc:
            raise CommandError(f"cannot listen on {receiver.host}:{receiver.port}: {exc}") from exc
        except DomainError as exc:  # the archive name is taken by another running receiver
            raise CommandError(exc.message) from exc
