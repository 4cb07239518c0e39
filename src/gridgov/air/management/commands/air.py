"""gridgov air daily|assess|forecast|backtest|sweep|maintenance|retention|partitions: reports for
analysts, the forecast and its backtest, the offline sweep, the maintenance sweep and the time
series' upkeep."""

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov import inputs
from gridgov.air.alarms import sweep_offline
from gridgov.air.aqi import Standard
from gridgov.air.assessment import assess, region_units, station_units
from gridgov.air.management.commands import _forecast, _retention
from gridgov.air.reports import DAILY_COLUMNS, daily_rows
from gridgov.territory.models import Region


def date_arg(text: str) -> dt.date:
    try:
        return inputs.parse_date("date", text)
    except inputs.InputError as exc:
        raise CommandError(exc.message) from exc


class Command(BaseCommand):
    help = (
        "Air-quality reports: `air daily`, `air assess`, `air forecast`, `air backtest`, "
        "`air sweep`, `air maintenance`, `air retention`, `air partitions`."
    )
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("daily", "assess"):
            p = sub.add_parser(name)
            p.add_argument("--from", dest="start", required=True)
            p.add_argument("--to", dest="end", required=True)
            who = p.add_mutually_exclusive_group()
            who.add_argument("--station", nargs="+", metavar="CODE")
            who.add_argument("--region", metavar="CODE")
            p.add_argument("--standard", choices=["2012", "2026"])
            p.add_argument(
                "--format", choices=["csv", "json"], default="csv" if name == "daily" else "json"
            )
            p.add_argument("-o", "--output", type=Path)
        _forecast.add_arguments(sub)
        _retention.add_arguments(sub)
        sub.add_parser("sweep", help="raise offline alarms for silent stations")
        sub.add_parser("maintenance", help="open maintenance issues and their work orders")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "forecast":
            _forecast.show(opts, self.stdout, self.stderr)
            return
        if opts["action"] == "backtest":
            _forecast.run_backtest(opts, self.stdout, self.stderr)
            return
        if opts["action"] == "retention":
            _retention.run_retention(opts, self.stdout)
            return
        if opts["action"] == "partitions":
            _retention.show_partitions(opts, self.stdout)
            return
        if opts["action"] == "sweep":
            raised = sweep_offline()
            self.stdout.write(f"{len(raised)} offline alarm(s) raised.")
            return
        if opts["action"] == "maintenance":
            from gridgov.air.maintenance import sweep

            done = sweep()
            self.stdout.write(
                f"maintenance: {done.opened} issue(s) opened, {done.ended} ended, "
                f"{done.orders} work order(s) opened."
            )
            return
        start, end = date_arg(opts["start"]), date_arg(opts["end"])
        if end < start:
            raise CommandError("--to is before --from")
        if (end - start).days > 3660:
            raise CommandError("the period is longer than ten years")
        standard = Standard(opts["standard"]) if opts["standard"] else None
        if opts["region"]:
            region = Region.objects.filter(code=opts["region"]).first()
            if region is None:
                raise CommandError(f"--region: no region with code {opts['region']!r}")
            units, column = region_units([region]), "region"
        else:
            units, column = station_units(opts["station"]), "station"
            if opts["station"]:
                missing = sorted(set(opts["station"]) - {u.code for u in units})
                if missing:
                    raise CommandError(f"--station: unknown station(s) {', '.join(missing)}")
        if opts["action"] == "daily":
            rows = daily_rows(units, start, end, standard, unit_column=column)
            text = self._daily(rows, column, opts["format"])
        else:
            results = assess(units, start, end, standard)
            data = [{column: r.code, "name": r.name, **r.as_dict()} for r in results]
            for item in data:
                item.pop("code", None)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            if opts["format"] == "csv":
                raise CommandError("air assess prints JSON (--format json)")
        if opts["output"]:
            opts["output"].write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)

    def _daily(self, rows: list[dict[str, Any]], column: str, fmt: str) -> str:
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=[column, *DAILY_COLUMNS], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        return buf.getvalue()
