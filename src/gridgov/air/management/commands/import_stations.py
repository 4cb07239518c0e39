"""gridgov import-stations FILE.csv [--commit]: code,name,kind,lat,lon[,interval_minutes]
[,mn,pw,crc,codes,factors] (the HJ 212 device id, its password — stored hashed, `-` for none;
a blank cell leaves the current value — the CRC it sends: hj212, modbus or swapped, vendor code
aliases "PM25=pm25;PM10=pm10" and unit factors "pm25=0.001")."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from gridgov.air.stations import apply_stations, read_stations_csv


class Command(BaseCommand):
    help = "Import monitoring stations from CSV (dry run unless --commit)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        report = read_stations_csv(path)
        if report.problems:
            console.print(f"[red]{len(report.problems)} problem(s):[/]")
            for p in report.problems:
                console.print(f"  {p}", markup=False, soft_wrap=True)
            raise CommandError("nothing was written")
        console.print(
            f"Would create {len(report.created)}, change {len(report.changed)}, "
            f"leave {len(report.unchanged)} unchanged."
        )
        for code, fields in report.changed.items():
            console.print(f"  {code}: {', '.join(fields)}", markup=False)
        if not opts["commit"]:
            console.print("[yellow]Dry run: nothing was written. Add --commit to apply.[/]")
            return
        apply_stations(report)
        console.print(
            "[green]Applied.[/] Issue ingestion tokens with `gridgov station-token CODE`."
        )
