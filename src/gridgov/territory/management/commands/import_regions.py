"""gridgov import-regions FILE.geojson [--level L] [--parent CODE] [--commit]: a dry run
unless --commit, which applies everything in one transaction or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gridgov.errors import DomainError
from gridgov.territory.importer import FieldMap, read_feature_collection, resolve_parent
from gridgov.territory.levels import accepted_names, parse_level
from gridgov.territory.services import PlanError, PlanReport, apply_plan, validate_plan


class Command(BaseCommand):
    help = "Import regions from a GeoJSON FeatureCollection (dry-run unless --commit)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="apply the changes")
        parser.add_argument("--reason", default="import", help="recorded in boundary history")
        parser.add_argument(
            "--level",
            help="level of every feature without a level property (-1 to 4, 省, 市, 州, 区, 县, "
            "街道, 镇, 乡, 社区, 村, 网格, …)",
        )
        parser.add_argument(
            "--parent",
            metavar="CODE",
            help="stored region that is the parent of every top-level feature of the file",
        )
        defaults = FieldMap()
        for name in ("code", "name", "level", "parent", "kind", "lines"):
            parser.add_argument(
                f"--{name}-field",
                default=getattr(defaults, name),
                help=f"feature property holding the {name} (default: %(default)s)"
                + (
                    "; 'id' reads the Feature's own id member, and without a 'code' property "
                    "DataV's 'adcode' is read"
                    if name == "code"
                    else ""
                ),
            )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(stderr=False, highlight=False)
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        fields = FieldMap(
            code=opts["code_field"],
            name=opts["name_field"],
            level=opts["level_field"],
            parent=opts["parent_field"],
            kind=opts["kind_field"],
            lines=opts["lines_field"],
        )
        level = None
        if opts["level"] is not None:
            level = parse_level(opts["level"])
            if level is None:
                raise CommandError(
                    f"--level {opts['level']!r}: unknown level name (accepted: -1 to 4 or "
                    f"{accepted_names()})"
                )
        parent = (opts["parent"] or "").strip() or None
        if parent is not None:
            try:
                resolve_parent(parent, level)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        with console.status(f"Reading {path.name} …"):
            parsed = read_feature_collection(path, fields, level=level, parent=parent)
        if parsed.repairs:
            console.print(f"[yellow]{len(parsed.repairs)} invalid boundar(ies) repaired:[/]")
            for note in parsed.repairs[:500]:
                console.print(f"  {note}", soft_wrap=True, markup=False)
        if parsed.problems:
            self._print_problems(console, parsed.problems)
            raise CommandError(f"{len(parsed.problems)} problem(s); nothing was written")
        with console.status(f"Checking {len(parsed.specs)} regions …"):
            report = validate_plan(parsed.specs)
        if not report.ok:
            self._print_problems(console, report.problems)
            raise CommandError(f"{len(report.problems)} problem(s); nothing was written")
        self._print_report(console, report)
        if not opts["commit"]:
            console.print("[yellow]Dry run: nothing was written. Add --commit to apply.[/]")
            return
        try:
            with console.status("Applying …"):
                apply_plan(parsed.specs, reason=opts["reason"])
        except PlanError as exc:
            self._print_problems(console, exc.problems)
            raise CommandError("nothing was written") from exc
        console.print(
            f"[green]Applied: {len(report.created)} created, {len(report.changed)} changed.[/]"
        )

    def _print_problems(self, console: Console, problems: Sequence[object]) -> None:
        console.print(f"[red]{len(problems)} problem(s):[/]")
        for p in problems[:500]:
            console.print(f"  {p}", soft_wrap=True, markup=False)
        if len(problems) > 500:
            console.print(f"  … and {len(problems) - 500} more")

    def _print_report(self, console: Console, report: PlanReport) -> None:
        console.print(
            f"Would create {len(report.created)}, change {len(report.changed)}, "
            f"leave {len(report.unchanged)} unchanged."
        )
        if report.changed:
            table = Table(title="Changes")
            table.add_column("code")
            table.add_column("changed fields")
            for code, fields in list(report.changed.items())[:200]:
                table.add_row(code, ", ".join(fields))
            console.print(table)
