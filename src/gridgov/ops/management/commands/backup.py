"""gridgov backup [-o FILE|DIR] [--keep N]: the database, the queue, the secret key and the
uploads in one .tar.gz, consistent while the server runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from gridgov.ops.backup import BackupError, archive_name, create_backup, prune
from gridgov.ops.progress import rich_progress


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump), the queue, the secret key "
        "and the uploads into one .tar.gz; safe while the server runs."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            help="the archive to write, or a directory (an existing one, or ending in /) "
            "for a dated name in it "
            "(default: GRIDGOV_BACKUP_DIR, else DATA_DIR/backups)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="then delete all but the N newest gridgov-backup-*.tar.gz in that directory",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        keep = opts["keep"]
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more")
        raw: str = opts["output"] or ""
        output = Path(raw or settings.GRIDGOV_BACKUP_DIR or Path(settings.DATA_DIR) / "backups")
        if not raw or raw.endswith(("/", os.sep)) or output.is_dir():
            output.mkdir(parents=True, exist_ok=True)
            output = archive_name(output)
        try:
            with rich_progress(console) as progress:
                info = create_backup(output, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        console.print(
            f"[green]Backup written: {info.path}[/]\n"
            f"  {info.size / 1e6:,.1f} MB in {info.seconds:.1f} s; {info.engine} database, "
            f"{len(info.tables)} tables, {info.rows:,} rows; {info.media_files:,} uploaded "
            f"file(s) ({info.media_bytes / 1e6:,.1f} MB); secret key "
            f"{'included' if info.secret_key else 'not in the data dir (SECRET_KEY is set)'}"
            f"{'; queue included' if info.queue else ''}."
        )
        if keep is not None:
            removed = prune(info.path.parent, keep)
            console.print(f"  Kept the {keep} newest; removed {len(removed)} older archive(s).")
            for path in removed:
                console.print(f"    {path.name}")
