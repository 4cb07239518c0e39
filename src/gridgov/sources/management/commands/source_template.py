"""gridgov source-template --category CODE -o FILE.xlsx: the empty import sheet of a category,
with a second sheet explaining each column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov import inputs
from gridgov.sources import categories
from gridgov.sources.excel import template_workbook


class Command(BaseCommand):
    help = "Write the Excel import template of one source category."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--category", required=True, help=", ".join(c.value for c in categories.Category)
        )
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        out: Path = opts["output"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError("output must end in .xlsx")
        try:
            category = categories.check_category(opts["category"]).value
        except inputs.InputError as exc:
            raise CommandError(f"--category: {exc.message}") from None
        out.write_bytes(template_workbook(category))
        self.stdout.write(f"Wrote the {category} template to {out}")
