"""gridgov export-regions -o FILE.geojson|FILE.xlsx [--level N] [--user NAME]."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.core.dbrouter import replica_reads
from gridgov.people.scope import regions_for
from gridgov.territory.export import feature_collection, workbook_bytes
from gridgov.territory.models import Region


class Command(BaseCommand):
    help = "Export regions to GeoJSON or Excel (by the output file's extension)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--level", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("--include-retired", action="store_true")
        parser.add_argument("--user", help="export only what this account may see")

    @replica_reads()  # an export: the read replica when there is one
    def handle(self, *args: Any, **opts: Any) -> None:
        out: Path = opts["output"]
        suffix = out.suffix.lower()
        if suffix not in {".geojson", ".json", ".xlsx"}:
            raise CommandError("output must end in .geojson, .json or .xlsx")
        regions: Any = Region.objects.all()
        if opts["user"]:
            try:
                user = get_user_model().objects.get(username=opts["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"--user: no account {opts['user']!r}") from exc
            regions = regions_for(user)
        if not opts["include_retired"]:
            regions = regions.filter(retired_at__isnull=True)
        if opts["level"]:
            regions = regions.filter(level=opts["level"])
        if suffix == ".xlsx":
            rows = (
                regions.select_related("parent").prefetch_related("lines").order_by("level", "code")
            )
            out.write_bytes(workbook_bytes(rows))
        else:
            out.write_text(json.dumps(feature_collection(regions), ensure_ascii=False))
        self.stdout.write(f"Wrote {regions.count()} regions to {out}")
