"""gridgov import-forward FILE.csv --target NAME [--host H --port P] [--kinds minute,hourly]
[--st 22] [--rate 20] [--commit]: bind stations to an upper platform for `gridgov
hj212-forward` (columns station,mn,pw[,since]; see air/hj212/forward_config.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.air.forward_models import ForwardTarget
from gridgov.air.hj212.forward_config import apply_forward, read_forward_csv


class Command(BaseCommand):
    help = "Bind stations to an HJ 212 upper platform from CSV (dry run unless --commit)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--target", required=True, help="the upper platform's name")
        parser.add_argument("--host", help="its address (creates the target, or changes it)")
        parser.add_argument("--port", type=int, help="its port")
        parser.add_argument("--kinds", help="minute, hourly or minute,hourly (new: minute)")
        parser.add_argument("--st", help="system code sent (ST, new: 22)")
        parser.add_argument("--rate", type=float, help="packets/s at most (0: no limit; new: 20)")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        target = ForwardTarget.objects.filter(name=opts["target"]).first()
        if target is None:
            if not opts["host"] or opts["port"] is None:
                raise CommandError(f"no target {opts['target']!r}: give --host and --port")
            target = ForwardTarget(name=opts["target"], host="", port=0)
        if opts["host"]:
            target.host = opts["host"]
        if opts["port"] is not None:
            if not 1 <= opts["port"] <= 65535:
                raise CommandError("--port must be between 1 and 65535")
            target.port = opts["port"]
        if opts["kinds"]:
            kinds = {k.strip() for k in opts["kinds"].split(",") if k.strip()}
            if not kinds or kinds - {"minute", "hourly"}:
                raise CommandError("--kinds: minute, hourly or minute,hourly")
            target.minute, target.hourly = "minute" in kinds, "hourly" in kinds
        if opts["st"]:
            target.st = opts["st"]
        if opts["rate"] is not None:
            if opts["rate"] < 0:
                raise CommandError("--rate must be 0 or more")
            target.rate = opts["rate"]
        report = read_forward_csv(path.read_text(encoding="utf-8"), target)
        if report.problems:
            for p in report.problems:
                self.stdout.write(f"  {p}")
            raise CommandError(f"{len(report.problems)} problem(s); nothing was written")
        self.stdout.write(
            f"{target.name} ({target.host}:{target.port}): would bind {len(report.created)}, "
            f"change {len(report.changed)}, leave {len(report.unchanged)} unchanged."
        )
        if not opts["commit"]:
            self.stdout.write("Dry run: nothing was written. Add --commit to apply.")
            return
        apply_forward(target, report)
        self.stdout.write("Applied. Run `gridgov hj212-forward` to send.")
