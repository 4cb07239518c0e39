"""gridgov import-people FILE.xlsx [--commit]: dry-run by default, row-level errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from gridgov.people.roster import apply_roster, read_roster


class Command(BaseCommand):
    help = "Import a roster of people and posts from Excel (dry-run unless --commit)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="apply the changes")
        parser.add_argument("--user", help="check every row against this account's scope")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"--user: no account {opts['user']!r}")
        with console.status(f"Checking {path.name} …"):
            report = read_roster(path, user=user)
        if not report.ok:
            console.print(f"[red]{len(report.errors)} row error(s):[/]")
            for e in report.errors[:500]:
                console.print(f"  {e}", soft_wrap=True, markup=False)
            raise CommandError(f"{len(report.errors)} error(s); nothing was written")
        console.print(
            f"{len(report.rows)} rows: {report.new_people} new people, "
            f"{report.updated_people} people updated, {report.new_posts} new posts, "
            f"{report.unchanged_posts} posts unchanged."
        )
        if not opts["commit"]:
            console.print("[yellow]Dry run: nothing was written. Add --commit to apply.[/]")
            return
        with console.status("Applying …"):
            apply_roster(report)
        console.print("[green]Applied.[/]")
