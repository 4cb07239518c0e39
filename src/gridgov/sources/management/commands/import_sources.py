"""gridgov import-sources FILE.xlsx --category CODE [--commit] [--user NAME]: dry run by default;
every row is checked and each error names its row and column; non-zero exit on errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridgov import inputs
from gridgov.sources import categories
from gridgov.sources.excel import ImportReport, apply_import, read_sources
from gridgov.sources.services import SourceError

ACTIONS = {"create": "[green]create[/]", "update": "[yellow]update[/]", "unchanged": "unchanged"}


class Command(BaseCommand):
    help = "Import pollution sources of one category from Excel (dry run unless --commit)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--category",
            required=True,
            help=", ".join(c.value for c in categories.Category),
        )
        parser.add_argument("--commit", action="store_true", help="write the rows")
        parser.add_argument("--user", help="check every row against this account's scope")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            category = categories.check_category(opts["category"]).value
        except inputs.InputError as exc:
            raise CommandError(f"--category: {exc.message}") from None
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"--user: no account {opts['user']!r}")
        with self._bars(console) as bars:
            task = bars.add_task(f"Checking {path.name}", total=None)
            report = read_sources(
                path,
                category,
                user=user,
                progress=lambda done, total: bars.update(task, completed=done, total=total),
            )
        self._table(console, report)
        if not report.ok:
            console.print(f"[red]{len(report.errors)} error(s):[/]")
            for e in report.errors[:500]:
                console.print(f"  {e}", soft_wrap=True, markup=False)
            if len(report.errors) > 500:
                console.print(f"  … and {len(report.errors) - 500} more")
            raise CommandError(f"{len(report.errors)} error(s); nothing was written")
        summary = (
            f"{len(report.rows)} rows: {report.count('create')} to create, "
            f"{report.count('update')} to update, {report.count('unchanged')} unchanged."
        )
        console.print(summary)
        if not opts["commit"]:
            console.print("[yellow]Dry run: nothing was written. Add --commit to apply.[/]")
            return
        try:
            with self._bars(console) as bars:
                task = bars.add_task("Writing", total=len(report.rows))
                apply_import(
                    report,
                    user,
                    progress=lambda done, total: bars.update(task, completed=done, total=total),
                )
        except SourceError as exc:
            raise CommandError(f"{exc}; nothing was written") from exc
        console.print(
            f"[green]Applied: {report.count('create')} created, "
            f"{report.count('update')} updated.[/]"
        )

    def _bars(self, console: Console) -> Progress:
        return Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def _table(self, console: Console, report: ImportReport) -> None:
        if not report.rows:
            return
        table = Table(title=f"{report.category}: what would happen")
        for column in ("row", "action", "code", "name", "changed"):
            table.add_column(column)
        for r in report.rows[:300]:
            table.add_row(
                str(r.row),
                ACTIONS[r.action],
                r.data.code or "(new)",
                r.data.name,
                ", ".join(r.changed),
            )
        console.print(table)
        if len(report.rows) > 300:
            console.print(f"… and {len(report.rows) - 300} more rows")
