"""gridgov hj212-forward [--target NAME …] [--stats-every S] …: forward stations' data to upper
platforms as HJ 212-2017, at least once (air/hj212/forwarder.py). Run beside `gridgov hj212`;
SIGTERM or SIGINT stops it cleanly (what is on its way gets --drain seconds to be answered)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.air.hj212.forwarder import Forwarder, run


class Command(BaseCommand):
    help = (
        "Forward stations' minute/hourly data to upper HJ 212 platforms (ForwardTarget), "
        "advancing each station's cursor only on the platform's CN=9014 answer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add = parser.add_argument
        add("--target", action="append", help="only this target (repeatable; default: all)")
        add("--window", type=int, default=64, help="unanswered packets per target (64)")
        add("--link-window", type=int, default=16, help="unanswered packets per station (16)")
        add("--timeout", type=float, default=10, help="seconds before a re-send (10, doubling)")
        add("--batch", type=int, default=500, help="intervals read per station at a time (500)")
        add("--poll", type=float, default=2, help="seconds between looks for new data (2)")
        add("--backoff-max", type=float, default=60, help="longest reconnection wait (60 s)")
        add("--lookback-hours", type=float, default=24, help="late-data window (24 h)")
        add("--sweep-seconds", type=float, default=300, help="late-data sweep period (300 s)")
        add("--hour-grace", type=float, default=600, help="an hour is sent this long after (600 s)")
        add("--drain", type=float, default=5, help="seconds to wait for answers on stop (5)")
        add("--stats-every", type=float, default=60, help="seconds between JSON lines (0: none)")

    def handle(self, *args: Any, **opts: Any) -> None:
        for name in ("window", "link_window", "batch"):
            if opts[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        for name in ("timeout", "poll", "backoff_max", "sweep_seconds"):
            if opts[name] <= 0:
                raise CommandError(f"--{name.replace('_', '-')} must be more than 0")
        for name in ("lookback_hours", "hour_grace", "drain", "stats_every"):
            if opts[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must be 0 or more")
        forwarder = Forwarder(
            targets=opts["target"],
            window=opts["window"],
            link_window=opts["link_window"],
            timeout=opts["timeout"],
            batch=opts["batch"],
            poll=opts["poll"],
            backoff_max=opts["backoff_max"],
            lookback_hours=opts["lookback_hours"],
            sweep_seconds=opts["sweep_seconds"],
            hour_grace=opts["hour_grace"],
            stats_every=opts["stats_every"],
        )
        run(forwarder, opts["drain"])
