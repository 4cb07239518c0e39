"""gridgov packet-archive verify [--day D | --since D] | show --mn MN --day D [--out FILE]: the
raw packet archive (原始报文存档, air/packet_archive.py) read back and checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gridgov import inputs
from gridgov.air import packet_archive as pa
from gridgov.air.models import CST, Station

MAX_MN = 24


def _date(field: str, text: str) -> dt.date:
    try:
        return inputs.parse_date(field, text)
    except inputs.InputError as exc:
        raise CommandError(f"{field}: {exc.message}") from exc


class Command(BaseCommand):
    help = (
        "The raw HJ 212 packet archive: `verify` checks each day's hash chain against its "
        "checkpoint (non-zero exit when a day fails); `show` prints a station's packets of a day."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check days (default: every archived day)")
        when = verify.add_mutually_exclusive_group()
        when.add_argument("--day", help="one day, YYYY-MM-DD (China time)")
        when.add_argument("--since", help="every day from this one to today")
        show = sub.add_parser("show", help="a station's raw packets of a day")
        show.add_argument("--mn", required=True, help="the device's MN")
        show.add_argument("--day", required=True, help="YYYY-MM-DD (China time)")
        show.add_argument("--out", type=Path, help="write the listing to this file")

    def handle(self, *args: Any, **opts: Any) -> None:
        if pa.archive_dir() is None:
            raise CommandError("the packet archive is off (GRIDGOV_PACKET_ARCHIVE_DIR is empty)")
        if opts["action"] == "show":
            self._show(opts)
        else:
            self._verify(opts)

    def _verify(self, opts: dict[str, Any]) -> None:
        today = timezone.now().astimezone(CST).date()
        if opts["day"]:
            days = [_date("--day", opts["day"])]
        else:
            since = _date("--since", opts["since"]) if opts["since"] else pa.first_day()
            if since is not None and since > today:
                raise CommandError("--since: the day is in the future")
            days = pa.days_since(since, today) if since is not None else []
        console = Console(highlight=False)
        failed: list[pa.Verification] = []
        checked = records = 0
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} days"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("Verifying", total=len(days))
            for day in days:
                progress.update(task, description=f"Verifying {day.isoformat()}")
                v = pa.verify_day(day)
                if v.file or v.checkpoint_records is not None:
                    pa.record_verification(v, today)
                    checked += 1
                    records += v.records
                if not v.ok:
                    failed.append(v)
                progress.advance(task)
        for v in failed:
            console.print(f"[red]{v.day.isoformat()}[/red] {v.summary}", markup=True)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(days)} day(s) failed verification: "
                + ", ".join(v.day.isoformat() for v in failed)
            )
        console.print(f"{checked} archived day(s) verified, {records:,} record(s): all intact.")

    def _show(self, opts: dict[str, Any]) -> None:
        mn = opts["mn"].strip()
        bad = inputs.bad_char(mn)
        if not mn or len(mn) > MAX_MN or bad or any(c in mn for c in ";&,= \t"):
            raise CommandError(f"--mn: {mn[:30]!r} is not an MN" + (f" ({bad})" if bad else ""))
        day = _date("--day", opts["day"])
        station = Station.objects.filter(mn=mn).first()
        if station is None:
            raise CommandError(f"--mn: no station has the MN {mn!r}")
        packets, v = pa.packets_of(day, mn)
        text = pa.listing(packets, v, f"{station.code} {station.name} MN={mn}")
        if opts["out"]:
            try:
                opts["out"].write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"--out: {exc}") from exc
            self.stdout.write(f"{len(packets)} packet(s) written to {opts['out']}; {v.summary}")
        else:
            self.stdout.write(text, ending="")
        if not v.ok:
            raise CommandError(f"{day.isoformat()}: {v.summary}")
