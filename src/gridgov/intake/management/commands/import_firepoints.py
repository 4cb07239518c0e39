"""gridgov import-firepoints FILE [--system CODE] [--utc]: satellite fire points (CSV, JSON or
GeoJSON; columns: gridgov.intake.firepoints) become events; repeats merge, points outside the
district are counted. Non-zero exit when a row was refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gridgov.intake import firepoints, rows
from gridgov.intake.models import IntakeSystem, SystemKind


def system_named(code: str, kind: SystemKind, name: str) -> IntakeSystem:
    """The named system, made on first use (of this kind); CommandError for one of another."""
    system, _made = IntakeSystem.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind}
    )
    if system.kind != kind:
        raise CommandError(f"--system {code!r} is a {system.kind} system, not {kind.value}")
    if not system.active:
        raise CommandError(f"--system {code!r} is switched off")
    return system


class Command(BaseCommand):
    help = "Import satellite fire points (CSV/JSON/GeoJSON) as events."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", default="firepoints", help="the intake system's code")
        parser.add_argument("--utc", action="store_true", help="times without offset are UTC")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False, stderr=True)  # the bar; the summary: stdout
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        system = system_named(opts["system"], SystemKind.SATELLITE, "卫星遥感火点")
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
        ) as bars:  # fmt: skip
            task = bars.add_task(f"Importing {path.name}", total=None)
            try:
                summary = firepoints.import_file(
                    system,
                    path,
                    utc=opts["utc"],
                    progress=lambda done, total: bars.update(task, completed=done, total=total),
                )
            except rows.CellError as exc:
                raise CommandError(f"{path.name}: {exc}") from None
        for e in summary.errors[:200]:
            self.stdout.write(f"  {e}")
        if len(summary.errors) > 200:
            self.stdout.write(f"  … and {len(summary.errors) - 200} more")
        self.stdout.write(summary.line())
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} row(s) refused; the others were taken")
