"""gridgov hj212-sim: simulated HJ 212-2017 devices sending minute data to a receiver.

gridgov hj212-sim --devices 50 --port 8212                      # real time, one a minute
gridgov hj212-sim --devices 2000 --from 2026-03-01T08:00 --window 4 --seconds 60
gridgov hj212-sim --devices 10 --from 2026-03-01T08:00 --rate 5 --minutes 120
gridgov hj212-sim --devices 3 --rtd 30 --clock-offset 300 --clock-drift 0.5  # clocks off
"""

from __future__ import annotations

import asyncio
import datetime as dt
import resource
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.air.hj212.sim_config import Config, Stats
from gridgov.air.hj212.simulator import QUIRKS, parse_quirks, run
from gridgov.air.models import CST


def parse_time(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--from: {text!r} is not an ISO time (2026-03-01T08:00)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)


def raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


class Command(BaseCommand):
    help = "Simulated HJ 212 devices: minute data, re-sends, reconnection, history requests."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8212)
        parser.add_argument("--devices", type=int, default=1, help="connections, one per device")
        parser.add_argument("--prefix", default="SIM", help="MN = prefix + zero-padded number")
        parser.add_argument("--first", type=int, default=1, help="number of the first device")
        parser.add_argument("--digits", type=int, default=6)
        parser.add_argument("--pw", default="123456", help="the devices' access password (PW)")
        parser.add_argument(
            "--from",
            dest="start",
            type=parse_time,
            help="catch up from this minute (China time unless an offset is given) "
            "instead of sending in real time",
        )
        parser.add_argument(
            "--rate",
            type=float,
            help="packets/s per device while catching up (default: as fast "
            "as the answers allow within --window)",
        )
        parser.add_argument("--window", type=int, default=1, help="unanswered packets per device")
        parser.add_argument("--minutes", type=int, help="minute packets per device, then stop")
        parser.add_argument("--seconds", type=float, help="stop sending new minutes after this")
        parser.add_argument("--timeout", type=float, default=5.0, help="re-send after (s)")
        parser.add_argument("--drain", type=float, default=30.0, help="wait for answers (s)")
        parser.add_argument("--ramp", type=float, help="spread the devices' start over (s)")
        parser.add_argument("--rtd", type=float, help="also send CN=2011 every RTD seconds")
        parser.add_argument(
            "--hot", type=int, default=0, help="every HOT-th device sends PM2.5 over 150"
        )
        parser.add_argument("--quirks", default="", help="comma-separated: " + ", ".join(QUIRKS))
        parser.add_argument(
            "--clock-offset",
            type=float,
            default=0.0,
            help="the devices' clocks are this many seconds ahead (negative: behind); the "
            "platform sees it in their QNs and sets them (CN=1012)",
        )
        parser.add_argument(
            "--clock-drift",
            type=float,
            default=0.0,
            help="seconds the devices' clocks gain per minute (also after being set)",
        )
        parser.add_argument(
            "--ignore-commands",
            action="store_true",
            help="answer no command (1011/1012/1061–1064): an older logger",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            quirks = parse_quirks(opts["quirks"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["devices"] < 1 or opts["window"] < 1:
            raise CommandError("--devices and --window must be at least 1")
        hot = opts["hot"]
        cfg = Config(
            host=opts["host"],
            port=opts["port"],
            devices=opts["devices"],
            prefix=opts["prefix"],
            first=opts["first"],
            digits=opts["digits"],
            pw=opts["pw"],
            start=opts["start"],
            rate=opts["rate"],
            window=opts["window"],
            minutes=opts["minutes"],
            seconds=opts["seconds"],
            timeout=opts["timeout"],
            drain=opts["drain"],
            ramp=opts["ramp"] if opts["ramp"] is not None else min(opts["devices"] / 500, 10),
            rtd_seconds=opts["rtd"],
            hot=(lambda i: i % hot == 0) if hot else (lambda i: False),
            quirks=quirks,
            clock_offset=opts["clock_offset"],
            clock_drift=opts["clock_drift"],
            commands=not opts["ignore_commands"],
        )
        raise_open_files(cfg.devices + 256)
        from rich.console import Console
        from rich.live import Live
        from rich.table import Table

        console = Console(file=cast(IO[str], self.stdout))  # it passes the rest to stdout
        last = {"answered": 0, "t": 0.0}

        def table(stats: Stats) -> Table:
            import time

            now = time.monotonic()
            elapsed = now - stats.started
            recent = (stats.answered - last["answered"]) / max(now - last["t"], 1e-6)
            last["answered"], last["t"] = stats.answered, now
            t = Table(show_header=False, box=None)
            t.add_row("elapsed", f"{elapsed:,.0f} s")
            t.add_row("connected", f"{stats.connected:,} of {stats.devices:,}")
            t.add_row("sent / re-sent", f"{stats.sent:,} / {stats.resent:,}")
            t.add_row("answered", f"{stats.answered:,} ({recent:,.0f}/s)")
            t.add_row("p99 packet → answer", f"{stats.percentile(99) * 1000:,.0f} ms")
            if stats.commands:
                done = ", ".join(f"{cn} ×{n}" for cn, n in sorted(stats.commands.items()))
                t.add_row("platform commands", f"{done} (clock set {stats.clock_sets}×)")
            return t

        with Live(console=console, refresh_per_second=2, transient=True) as live:
            try:
                stats = asyncio.run(run(cfg, lambda s: live.update(table(s))))
            except KeyboardInterrupt:
                raise CommandError("interrupted") from None
        console.print(stats.summary())
