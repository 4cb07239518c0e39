"""gridgov import-met FILE (.csv or .xlsx) --kind forecast --issued 2026-12-07T08:00+08:00
[--commit] | --kind observed [--commit]: meteorology per station or region (air/met_import.py).
Dry run by default; every row is checked first and each error names its row and column; a bad
file, argument or row exits non-zero with nothing written."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gridgov.air import met_import
from gridgov.core.sheets import RowError


class Command(BaseCommand):
    help = "Import meteorology (forecast or observed) from CSV or Excel (dry run unless --commit)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=met_import.KINDS)
        parser.add_argument(
            "--issued", help="the forecast's issue time, ISO 8601 (no offset = China time)"
        )
        parser.add_argument("--commit", action="store_true", help="write the rows")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        path: Path = opts["file"]
        forecast = opts["kind"] == "forecast"
        issued: int | None = None
        if forecast and not opts["issued"]:
            raise CommandError("--issued is required with --kind forecast")
        if not forecast and opts["issued"]:
            raise CommandError("--issued is only for --kind forecast")
        try:
            if forecast:
                issued = met_import.parse_issued(opts["issued"], timezone.now())
        except met_import.MetFileError as exc:
            raise CommandError(f"--issued: {exc.message}") from None
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with self._bars(console) as bars:
            task = bars.add_task(f"Checking {path.name}", total=None)
            try:
                report = met_import.read_met_file(
                    path, issued, progress=lambda done: bars.update(task, completed=done)
                )
            except met_import.MetFileError as exc:
                raise CommandError(f"{path}: {exc.message}; nothing was written") from None
        errors = list(report.errors)
        prepared = None
        if not forecast and report.rows:
            prepared, late = met_import.observed_batch(report)
            errors.extend(late)
        if errors:
            self._print(console, errors)
            raise CommandError(f"{len(errors)} error(s); nothing was written")
        what = "forecast" if forecast else "observed"
        console.print(
            f"{len(report.rows):,} rows: {report.values:,} {what} values "
            f"({', '.join(report.columns)})."
        )
        if not opts["commit"]:
            console.print("[yellow]Dry run: nothing was written. Add --commit to apply.[/]")
            return
        with self._bars(console) as bars:
            bars.add_task("Writing", total=None)
            if issued is not None:
                written = met_import.save_forecast(report, issued)
                summary = f"{written:,} forecast values stored (re-imported values replaced)"
            else:
                result = met_import.save_observed(prepared)
                summary = (
                    f"{result.stored:,} station-hours stored, {result.duplicates:,} already there"
                )
        console.print(f"[green]Applied:[/] {summary}.")

    def _bars(self, console: Console) -> Progress:
        return Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def _print(self, console: Console, errors: list[RowError]) -> None:
        console.print(f"[red]{len(errors):,} error(s):[/]")
        for e in sorted(errors, key=lambda e: e.row)[:500]:
            console.print(f"  {e}", markup=False, soft_wrap=True)
        if len(errors) > 500:
            console.print(f"  … and {len(errors) - 500:,} more")
