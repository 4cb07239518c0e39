"""gridgov import-hotline FILE | --pull [--system CODE] [--commit]: 12345 hotline records (an
export file, or pulled from GRIDGOV_HOTLINE_URL) become hotline events at the desk. A dry run by
default: every record is checked and the outcome counts printed as `--commit` would give them,
nothing kept (gridgov.intake.dryrun). `--retry` makes the status pushes that are due now (the
worker's minute job does the same). Columns: gridgov.intake.hotline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.intake import dryrun, firepoints, hotline, rows
from gridgov.intake.management.commands.import_firepoints import system_named
from gridgov.intake.models import SystemKind


class Command(BaseCommand):
    help = (
        "Import 12345 hotline records (a CSV/JSON export, or --pull over HTTP); "
        "dry run unless --commit."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--pull", action="store_true", help="from GRIDGOV_HOTLINE_URL")
        parser.add_argument("--retry", action="store_true", help="retry due status pushes")
        parser.add_argument("--system", default="hotline12345", help="the intake system's code")
        parser.add_argument("--commit", action="store_true", help="keep the events (else: dry run)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["retry"]:
            self.stdout.write(f"retried {hotline.retry_due()} push(es)")
            return
        path: Path | None = opts["file"]
        adapter: hotline.HotlineAdapter
        if opts["pull"] == (path is not None):
            raise CommandError("give a FILE or --pull (one of them)")
        if path is not None:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            adapter = hotline.FileHotline(path)
        else:
            if not settings.GRIDGOV_HOTLINE_URL:
                raise CommandError("--pull needs GRIDGOV_HOTLINE_URL")
            adapter = hotline.HttpHotline(
                settings.GRIDGOV_HOTLINE_URL,
                settings.GRIDGOV_HOTLINE_TOKEN,
                settings.GRIDGOV_HOTLINE_TIMEOUT_SECONDS,
            )
        commit: bool = opts["commit"]

        def work() -> firepoints.ImportSummary:
            system = system_named(opts["system"], SystemKind.HOTLINE, "12345热线")
            try:
                return hotline.import_records(system, adapter)
            except (rows.CellError, hotline.HotlineError) as exc:
                raise CommandError(str(exc)) from None

        summary = dryrun.run(work, commit=commit)
        for e in summary.errors[:200]:
            self.stdout.write(f"  {e}")
        self.stdout.write(summary.line() if commit else f"would have: {summary.line()}")
        if not commit:
            self.stdout.write(dryrun.DRY_RUN_NOTE)
        if summary.errors:
            if commit:
                raise CommandError(
                    f"{len(summary.errors)} record(s) refused; the others were taken"
                )
            raise CommandError(f"{len(summary.errors)} record(s) would be refused; nothing written")
