"""gridgov import-firepoints FILE [--system CODE] [--utc] [--commit]: satellite fire points (CSV,
JSON or GeoJSON; columns: gridgov.intake.firepoints) become events; repeats merge, points outside
the district are counted. A dry run by default: every row is checked and the outcome counts
printed as `--commit` would give them, nothing kept (gridgov.intake.dryrun). Non-zero exit when
a row was (or would be) refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gridgov.intake import dryrun, firepoints, rows
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
    help = "Import satellite fire points (CSV/JSON/GeoJSON) as events (dry run unless --commit)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", default="firepoints", help="the intake system's code")
        parser.add_argument("--utc", action="store_true", help="times without offset are UTC")
        parser.add_argument("--commit", action="store_true", help="keep the events (else: dry run)")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False, stderr=True)  # the bar; the summary: stdout
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        commit: bool = opts["commit"]

        def work() -> firepoints.ImportSummary:
            system = system_named(opts["system"], SystemKind.SATELLITE, "卫星遥感火点")
            with Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console, transient=True,
            ) as bars:  # fmt: skip
                verb = "Importing" if commit else "Checking"
                task = bars.add_task(f"{verb} {path.name}", total=None)
                try:
                    return firepoints.import_file(
                        system,
                        path,
                        utc=opts["utc"],
                        progress=lambda done, total: bars.update(task, completed=done, total=total),
                    )
                except rows.CellError as exc:
                    raise CommandError(f"{path.name}: {exc}") from None

        summary = dryrun.run(work, commit=commit)
        for e in summary.errors[:200]:
            self.stdout.write(f"  {e}")
        if len(summary.errors) > 200:
            self.stdout.write(f"  … and {len(summary.errors) - 200} more")
        self.stdout.write(summary.line() if commit else f"would have: {summary.line()}")
        if not commit:
            self.stdout.write(dryrun.DRY_RUN_NOTE)
        if summary.errors:
            if commit:
                raise CommandError(f"{len(summary.errors)} row(s) refused; the others were taken")
            raise CommandError(f"{len(summary.errors)} row(s) would be refused; nothing written")
