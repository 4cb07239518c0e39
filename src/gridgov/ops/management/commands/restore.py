"""gridgov restore FILE [--data-dir DIR]: a backup into an empty data dir (and database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from gridgov.ops.backup import BackupError
from gridgov.ops.progress import rich_progress
from gridgov.ops.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `gridgov backup` archive into an empty data directory (PostgreSQL: into the "
        "configured, empty database). Checks every checksum first; writes nothing on failure."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="the data directory to restore into (default: GRIDGOV_DATA_DIR); with SQLite "
            "the database goes to DIR/gridgov.sqlite3",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console(highlight=False)
        data_dir = opts["data_dir"] or Path(settings.DATA_DIR)
        try:
            with rich_progress(console) as progress:
                info = restore_backup(opts["file"], data_dir, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        console.print(
            f"[green]Restored the backup of {info.created_at} (gridgov {info.gridgov_version}) "
            f"in {info.seconds:.1f} s.[/]\n"
            f"  Database: {info.database} — {len(info.tables)} tables, {info.rows:,} rows.\n"
            f"  Data dir: {info.data_dir} — {info.media_files:,} uploaded file(s)"
            f"{', the secret key' if info.secret_key else ''}"
            f"{', the queue' if info.queue else ''}."
        )
        for note in info.notes:
            console.print(f"[yellow]  Note: {note}[/]")
        if opts["data_dir"]:
            console.print(f"  Run the install with GRIDGOV_DATA_DIR={info.data_dir}.")
        console.print("  Next: `gridgov migrate` (for a backup from an older version), then start.")
