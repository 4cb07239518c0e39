"""gridgov import-readings FILE (.csv or .parquet) [--interval N] [--strict]."""

from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from gridgov.air.ingest import (
    IngestResult,
    RowError,
    StationInfo,
    check_rows,
    ingest,
    station_infos,
)
from gridgov.air.models import Station
from gridgov.air.readers import FileError, read_file, total_size
from gridgov.air.stations import ALLOWED_INTERVALS


class Command(BaseCommand):
    help = "Import readings from CSV or Parquet: streams, idempotent, per-row errors."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--interval", type=int, help="minutes each row averages (60 for hourly means)"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="check the whole file first; write nothing if any row is bad",
        )
        parser.add_argument(
            "--no-alarms",
            action="store_true",
            help="do not evaluate alarm rules (back-filling history)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        interval = opts["interval"]
        if interval is not None and interval not in ALLOWED_INTERVALS:
            raise CommandError("--interval must divide an hour (1, 5, 15, 30, 60 …)")
        ids = dict(Station.objects.values_list("code", "pk"))
        infos = station_infos()
        if interval:
            infos = {k: replace(v, interval=interval) for k, v in infos.items()}
        try:
            if opts["strict"]:
                self.bad_rows = 0
                errors = self._check(path, ids, infos, console)
                if errors:
                    self._print(console, errors, self.bad_rows)
                    raise CommandError(
                        f"{self.bad_rows} bad row(s); nothing was written (--strict)"
                    )
            total = self._import(path, ids, infos, console, not opts["no_alarms"])
        except FileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if total.errors:
            self._print(console, total.errors, total.error_count)
        console.print(
            f"{total.stored + total.duplicates + total.error_count:,} rows read: "
            f"{total.stored:,} stored, {total.duplicates:,} already there, "
            f"{total.flagged:,} with flagged values, {total.error_count:,} errors, "
            f"{len(total.alarms)} alarm(s) raised."
        )

    def _progress(self, console: Console, path: Path) -> Progress:
        unit = path.suffix.lower() == ".parquet"
        columns = [TextColumn("[bold]{task.description}"), BarColumn()]
        columns.append(
            TextColumn("{task.completed:,}/{task.total:,} rows") if unit else DownloadColumn()
        )
        columns.append(TimeRemainingColumn())
        return Progress(*columns, console=console)

    def _check(
        self, path: Path, ids: dict[str, int], infos: dict[int, StationInfo], console: Console
    ) -> list[RowError]:
        errors: list[RowError] = []
        with self._progress(console, path) as progress:
            task = progress.add_task("Checking", total=total_size(path))
            for chunk in read_file(path, ids):
                if len(chunk.batch):
                    _, bad = check_rows(chunk.batch, infos)
                    chunk.errors.extend(bad)
                errors.extend(chunk.errors[: max(0, 10_000 - len(errors))])
                self.bad_rows += len(chunk.errors)
                progress.update(task, completed=chunk.progress)
        return errors

    def _import(
        self,
        path: Path,
        ids: dict[str, int],
        infos: dict[int, StationInfo],
        console: Console,
        alarms: bool,
    ) -> IngestResult:
        total = IngestResult()
        with self._progress(console, path) as progress:
            task = progress.add_task("Importing", total=total_size(path))
            for chunk in read_file(path, ids):
                result = ingest(
                    chunk.batch, infos, reject_all_on_error=False, evaluate_alarms=alarms
                )
                result.errors = chunk.errors + result.errors
                total.add(result)
                progress.update(task, completed=chunk.progress)
        return total

    def _print(self, console: Console, errors: list[RowError], total: int) -> None:
        console.print(f"[red]{total:,} row error(s):[/]")
        for e in sorted(errors, key=lambda e: e.row)[:500]:
            console.print(f"  {e}", markup=False, soft_wrap=True)
        if total > 500:
            console.print(f"  … and {total - 500:,} more")
