"""gridgov export-sources -o FILE.xlsx [--category CODE] [--user NAME]: the registry in the
import template's columns, one sheet per category."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov import inputs
from gridgov.core.dbrouter import replica_reads
from gridgov.sources import categories
from gridgov.sources.excel import export_workbook
from gridgov.sources.models import PollutionSource
from gridgov.sources.services import sources_for


class Command(BaseCommand):
    help = "Export pollution sources to Excel (the columns the import reads)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--category", help=", ".join(c.value for c in categories.Category))
        parser.add_argument("--user", help="export only what this account may see")

    @replica_reads()  # an export: the read replica when there is one
    def handle(self, *args: Any, **opts: Any) -> None:
        out: Path = opts["output"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError("output must end in .xlsx")
        qs = PollutionSource.objects.all()
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"--user: no account {opts['user']!r}")
            qs = sources_for(user)
        only = None
        if opts["category"]:
            try:
                only = [categories.check_category(opts["category"]).value]
            except inputs.InputError as exc:
                raise CommandError(f"--category: {exc.message}") from None
            qs = qs.filter(category=only[0])
        qs = qs.order_by("category", "code")
        out.write_bytes(export_workbook(qs, only))
        self.stdout.write(f"Wrote {qs.count()} sources to {out}")
