"""gridgov bulletin --period day|week|month --date D [--region CODE] [--force] -o FILE.pdf|.xlsx:
generate (or find) the unit's bulletin for the period and write its PDF or Excel file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from gridgov import inputs
from gridgov.bulletins import services
from gridgov.bulletins.periods import KINDS

SUFFIXES = (".pdf", ".xlsx")


class Command(BaseCommand):
    help = "Generate a dispatch bulletin (调度通报) and write it as PDF or Excel."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", choices=KINDS, required=True)
        parser.add_argument("--date", required=True, help="a day of the period, YYYY-MM-DD")
        parser.add_argument("--region", help="a street/town code (default: the district)")
        parser.add_argument(
            "--force", action="store_true", help="redraw a stored bulletin from today's data"
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="FILE.pdf or .xlsx")

    def handle(self, *args: Any, **opts: Any) -> None:
        out: Path = opts["output"]
        if out.suffix.lower() not in SUFFIXES:
            raise CommandError(f"-o: {out.name!r} must end in .pdf or .xlsx")
        check_writable(out)  # before any work: a bad -o costs nothing and stores nothing
        try:
            day = inputs.parse_date("--date", opts["date"])
        except inputs.InputError as exc:
            raise CommandError(f"--date: {exc.message}") from None
        console = Console(stderr=True)
        try:
            region = services.unit_for(opts["region"])
            with console.status(f"Generating the {opts['period']} bulletin of {region.name}…"):
                bulletin, made = services.generate(opts["period"], day, region, force=opts["force"])
        except services.BulletinError as exc:
            message = f"--{exc.field}: {exc.message}" if exc.field else exc.message
            raise CommandError(message) from None
        stored = bulletin.pdf_file if out.suffix.lower() == ".pdf" else bulletin.xlsx_file
        source = services.file_path(stored)
        if not source.is_file():
            raise CommandError(f"the stored file {stored} is missing: run again with --force")
        write_whole(source, out)
        state = "generated" if made else "already stored"
        self.stdout.write(f"{bulletin} ({bulletin.start}–{bulletin.end}, {state}): wrote {out}")


def check_writable(out: Path) -> None:
    folder = out.parent
    if not folder.is_dir():
        raise CommandError(f"-o: the folder {folder} does not exist")
    if out.is_dir():
        raise CommandError(f"-o: {out} is a folder; name a file ending in .pdf or .xlsx")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"-o: cannot write in the folder {folder}")


def write_whole(source: Path, out: Path) -> None:
    """Copy beside the target, then rename over it: `out` is the whole file or untouched."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"-o: could not write {out}: {exc.strerror or exc}") from None
