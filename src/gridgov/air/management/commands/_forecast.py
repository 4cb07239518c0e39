"""`gridgov air forecast` and `gridgov air backtest` (the air command's forecast actions)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gridgov import inputs
from gridgov.air import backtest, forecast, forecast_issue, forecast_series
from gridgov.air.assessment import region_units
from gridgov.air.models import Station
from gridgov.territory.models import Region

POLLUTANTS = ("pm25", "pm10", "o3")


def add_arguments(sub: Any) -> None:
    p = sub.add_parser("forecast", help="the latest forecast (issue it first with --issue)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--station", metavar="CODE")
    who.add_argument("--region", metavar="CODE")
    p.add_argument("--issue", action="store_true", help="issue what is due now first")
    p.add_argument("--retrain", action="store_true", help="retrain the models first")
    p.add_argument("--format", choices=["text", "json"], default="text")
    b = sub.add_parser("backtest", help="forecast every day of a range from the data before it")
    b.add_argument("--from", dest="start", required=True)
    b.add_argument("--to", dest="end", required=True)
    who = b.add_mutually_exclusive_group()
    who.add_argument("--station", nargs="+", metavar="CODE")
    who.add_argument("--region", metavar="CODE")
    b.add_argument("--lead", type=int, choices=[1, 2, 3], default=1)
    b.add_argument("--met", choices=["observed", "none"], default="none")
    b.add_argument("--pollutant", choices=POLLUTANTS, default="pm25")
    b.add_argument("--retrain-days", type=int, default=7, metavar="N")
    b.add_argument("--format", choices=["json", "csv"], default="json")


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(f"--region: no region with code {code!r}")
    return region


def _stations(codes: list[str] | None, region: str | None) -> list[Station]:
    if region:
        inside = region_units([_region(region)])[0].station_ids
        return list(Station.objects.filter(pk__in=inside).order_by("code"))
    found = list(Station.objects.filter(pk__in=forecast_issue.station_ids()).order_by("code"))
    if codes:
        chosen = [s for s in found if s.code in set(codes)]
        missing = sorted(set(codes) - {s.code for s in chosen})
        if missing:
            raise CommandError(f"--station: not an active ambient station: {', '.join(missing)}")
        return chosen
    return found


def _date(option: str, text: str) -> dt.date:
    try:
        return inputs.parse_date(option, text)
    except inputs.InputError as exc:
        raise CommandError(f"{option}: {exc.message}") from exc


def show(opts: dict[str, Any], out: Any, err: Any) -> None:
    if opts["issue"] or opts["retrain"]:
        done = forecast_issue.issue(retrain=True if opts["retrain"] else None)
        err.write(
            f"trained {done.trained} model(s); daily rows {done.daily_rows}, "
            f"hourly rows {done.hourly_rows}\n"
        )
    if opts["region"]:
        unit = forecast.for_region(_region(opts["region"]))
        label = opts["region"]
    else:
        stations = _stations([opts["station"]] if opts["station"] else None, None)
        unit = forecast.for_stations([s.pk for s in stations])
        label = opts["station"] or "all ambient stations"
    if opts["format"] == "json":
        out.write(json.dumps(as_json(unit), ensure_ascii=False, indent=2) + "\n")
        return
    if unit.issued_at is None:
        out.write(f"{label}: no forecast yet (gridgov air forecast --issue)\n")
        return
    out.write(f"{label}: issued {unit.issued_at.astimezone(forecast.CST):%Y-%m-%d %H:%M}\n")
    for d in unit.days:
        parts = [f"{k} {b.value:g} ({b.lo:g}–{b.hi:g})" for k, b in d.values.items()]
        out.write(f"  {d.date}  AQI {d.aqi} ({d.aqi_lo}–{d.aqi_hi})  " + "  ".join(parts) + "\n")
    if unit.hours:
        hours = ", ".join(f"{h.at:%H}h {h.pm25.value:g}" for h in unit.hours)
        out.write(f"  next hours PM2.5: {hours}\n")


def as_json(unit: forecast.UnitForecast) -> dict[str, Any]:
    return {
        "issued_at": unit.issued_at.isoformat() if unit.issued_at else None,
        "stations": unit.stations,
        "met": unit.met,
        "days": [
            {
                "date": d.date.isoformat(),
                "lead": d.lead,
                "aqi": d.aqi,
                "aqi_lo": d.aqi_lo,
                "aqi_hi": d.aqi_hi,
                "level": d.level,
                "primary": d.primary,
                **{k: vars(b) for k, b in d.values.items()},
            }
            for d in unit.days
        ],
        "hours": [{"at": h.at.isoformat(), **vars(h.pm25)} for h in unit.hours],
        "skill": unit.skill,
    }


def run_backtest(opts: dict[str, Any], out: Any, err: Any) -> None:
    start, end = _date("--from", opts["start"]), _date("--to", opts["end"])
    if end < start:
        raise CommandError("--to is before --from")
    if (end - start).days > 3660:
        raise CommandError("the period is longer than ten years")
    if not 1 <= opts["retrain_days"] <= 366:
        raise CommandError("--retrain-days must be 1 to 366")
    stations = _stations(opts["station"], opts["region"])
    if not stations:
        raise CommandError("no ambient station to backtest")
    ids = [s.pk for s in stations]
    first = start - dt.timedelta(days=settings.GRIDGOV_FORECAST_HISTORY_DAYS)
    earliest = forecast_series.earliest_day(ids)
    if earliest is None:
        raise CommandError("the stations have no hourly data")
    first = max(first, earliest)
    if first >= start:
        raise CommandError(f"no data before --from (the first stored day is {earliest})")
    series = forecast_series.load(ids, first, end)
    console = Console(stderr=True)
    blocks = len(range(0, (end - start).days + 1, opts["retrain_days"]))
    columns = (TextColumn("Backtest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("backtest", total=blocks)
        rows = backtest.run(
            series,
            start,
            end,
            lead=opts["lead"],
            met=opts["met"] == "observed",
            pollutant=opts["pollutant"],
            retrain_days=opts["retrain_days"],
            step=lambda: progress.advance(task),
        )
    code = {s.pk: s.code for s in stations}
    p = opts["pollutant"]
    records = [
        {
            "station": code[r.station_id],
            "issued_at": r.issued_at.isoformat(),
            "date": r.date.isoformat(),
            "lead": r.lead,
            f"{p}_forecast": r.forecast,
            f"{p}_lo": r.lo,
            f"{p}_hi": r.hi,
            f"{p}_observed": r.observed,
            f"{p}_persistence": r.persistence,
        }
        for r in rows
    ]
    s = backtest.score(rows)
    err.write(
        f"{len(rows)} station-days: RMSE {s.rmse:.1f} vs persistence {s.persistence_rmse:.1f} "
        f"(×{s.ratio:.3f}), 80% interval holds {s.coverage:.1%}, forecast for "
        f"{s.availability:.1%} of observed days\n"
    )
    if opts["format"] == "json":
        out.write(json.dumps(records, ensure_ascii=False) + "\n")
        return
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(records[0]) if records else ["station"], lineterminator="\n"
    )
    writer.writeheader()
    for rec in records:
        writer.writerow({k: ("" if v is None else v) for k, v in rec.items()})
    out.write(buf.getvalue())
