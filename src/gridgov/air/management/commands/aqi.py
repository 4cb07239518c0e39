"""gridgov aqi --pm25 80 --pm10 120 … | --csv FILE: AQI for given concentrations."""

import csv
import datetime as dt
import io
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.air import aqi

DAILY_KEYS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h_max", "o3_1h_max")
HOURLY_KEYS = ("pm25", "pm10", "so2", "no2", "co", "o3", "o3_8h", "so2_24h")


class Command(BaseCommand):
    help = "Compute AQI (HJ 633) for concentrations (µg/m³; CO mg/m³) given here or in a CSV."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--report", choices=["daily", "hourly"], default="daily")
        parser.add_argument("--standard", choices=["2012", "2026"])
        parser.add_argument("--date", help="date of the data (picks the standard); default today")
        parser.add_argument("--csv", type=Path, help="a CSV with one column per pollutant")
        for key in sorted(set(DAILY_KEYS) | set(HOURLY_KEYS)):
            parser.add_argument(f"--{key.replace('_', '-')}", dest=key, type=float)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["standard"]:
            standard = aqi.Standard(opts["standard"])
        else:
            try:
                day = dt.date.fromisoformat(opts["date"]) if opts["date"] else dt.date.today()  # noqa: DTZ011
            except ValueError as exc:
                raise CommandError(f"--date: not a date: {opts['date']!r}") from exc
            standard = aqi.standard_for(day)
        keys = DAILY_KEYS if opts["report"] == "daily" else HOURLY_KEYS
        compute = aqi.daily_report if opts["report"] == "daily" else aqi.hourly_report
        if opts["csv"]:
            self._csv(opts["csv"], keys, compute, standard)
            return
        given = {k: opts[k] for k in keys if opts.get(k) is not None}
        if not given:
            raise CommandError("give at least one concentration, e.g. --pm25 80, or --csv FILE")
        for k, v in given.items():
            if not math.isfinite(v) or v < 0:
                raise CommandError(f"--{k.replace('_', '-')}: must be a non-negative number")
        data = {k: np.array([given.get(k, np.nan)]) for k in keys}
        record = aqi.record(compute(data, standard), 0)
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")

    def _csv(
        self,
        path: Path,
        keys: Sequence[str],
        compute: Callable[[dict[str, np.ndarray], aqi.Standard], Any],
        standard: aqi.Standard,
    ) -> None:
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            raise CommandError(f"{path}: no rows")
        data = {k: np.full(len(rows), np.nan) for k in keys}
        for i, row in enumerate(rows, start=2):
            for k in keys:
                text = (row.get(k) or "").strip()
                if text:
                    try:
                        data[k][i - 2] = float(text)
                    except ValueError as exc:
                        raise CommandError(f"row {i}, {k}: not a number: {text!r}") from exc
        report = compute(data, standard)
        out = io.StringIO()
        fields = [*rows[0].keys(), "aqi", "level", "category", "primary_pollutants", "standard"]
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for i, row in enumerate(rows):
            rec = aqi.record(report, i)
            writer.writerow(
                {
                    **row,
                    "aqi": rec["aqi"] if rec["aqi"] is not None else "NA",
                    "level": rec["level_name"],
                    "category": rec["category"],
                    "primary_pollutants": ";".join(rec["primary_pollutants"]),
                    "standard": rec["standard"],
                }
            )
        sys.stdout.write(out.getvalue())
