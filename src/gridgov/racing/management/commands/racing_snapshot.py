"""gridgov racing-snapshot: store scorecards' results for a period, so history pages read them.

Without options, every active card's last whole period (the worker does this monthly); with
--card and --from/--to, that card and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov import inputs
from gridgov.racing import services


def _date(field: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return inputs.parse_date(field, text)
    except inputs.InputError as exc:
        raise CommandError(f"--{field}: {exc.message}") from exc


class Command(BaseCommand):
    help = "Store the horse race's results per period (赛马比拼快照)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--card", type=int, help="a scorecard id (default: every active one)")
        parser.add_argument("--from", dest="start", help="YYYY-MM-DD (with --card and --to)")
        parser.add_argument("--to", dest="end", help="YYYY-MM-DD")
        parser.add_argument("--on", help="store the last whole periods before this day")

    def handle(self, *args: Any, **opts: Any) -> None:
        start, end = _date("from", opts["start"]), _date("to", opts["end"])
        try:
            if opts["card"] is not None or start or end:
                if opts["card"] is None or start is None or end is None:
                    raise CommandError("--card, --from and --to go together")
                card = services.get_card(opts["card"])
                done = [services.snapshot(card, start, end)]
            else:
                done = services.snapshot_due(_date("on", opts["on"]), replace=True)
        except services.RacingError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        for snap in done:
            self.stdout.write(
                f"{snap.scorecard.name} {snap.start}–{snap.end}: {snap.ranked} ranked"
            )
