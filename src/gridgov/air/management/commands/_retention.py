"""`gridgov air retention [--dry-run]` and `gridgov air partitions` (the air command's time-series
upkeep actions): what the worker's daily `air_partitions` job does, by hand, with a report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from gridgov.air import partitions, retention
from gridgov.air.models import CST


def add_arguments(sub: Any) -> None:
    r = sub.add_parser(
        "retention",
        help="drop minute rows older than GRIDGOV_MINUTE_RETENTION_DAYS (final months only)",
    )
    r.add_argument("--dry-run", action="store_true", help="report what would be dropped")
    p = sub.add_parser("partitions", help="list the time series' partitions (PostgreSQL)")
    p.add_argument(
        "--ahead",
        type=int,
        metavar="MONTHS",
        help="first make the partitions up to this many months ahead",
    )


def _when(ts: int | None) -> str:
    if ts is None:
        return "-"
    return dt.datetime.fromtimestamp(ts, tz=CST).strftime("%Y-%m-%d %H:%M")


def run_retention(opts: dict[str, Any], stdout: Any) -> None:
    console = Console(file=stdout, highlight=False)
    days = settings.GRIDGOV_MINUTE_RETENTION_DAYS
    if days <= 0:
        console.print("GRIDGOV_MINUTE_RETENTION_DAYS is 0: minute rows are kept for ever.")
    with Progress(
        TextColumn("[bold]dropping {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bars.add_task(what, total=total)
            bars.update(tasks[what], completed=done, total=total)

        report = retention.run(dry_run=opts["dry_run"], progress=progress)
    for month in report.finished:
        console.print(f"finished the retirement of {month} (an earlier run was cut short)")
    if report.cutoff is None:
        return
    verb = "would drop" if report.dry_run else "dropped"
    table = Table(title=f"minute rows, months ending before {_when(report.cutoff)} (China time)")
    for column in ("month", "from", "to", "final", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for m in report.months:
        rows = f"{m.rows:,}" if m.final and not report.dry_run else "-"
        table.add_row(str(m.month), _when(m.start), _when(m.end), m.reason or "yes", rows)
    console.print(table)
    done = report.retired
    console.print(
        f"{verb} {len(done)} month(s), {sum(m.rows for m in done):,} minute row(s) "
        f"by {report.method}; hourly and daily rows kept. Horizon: {_when(retention.horizon())}."
        if done or not report.dry_run
        else f"{verb} {len(done)} month(s)."
    )
    if report.blocked is not None:
        console.print(f"stopped at {report.blocked.month}: {report.blocked.reason}")


def show_partitions(opts: dict[str, Any], stdout: Any) -> None:
    console = Console(file=stdout, highlight=False)
    if opts.get("ahead"):
        created = partitions.ensure_ahead(opts["ahead"])
        console.print(f"created: {', '.join(created) or 'none'}")
    for table_name in partitions.PARTITIONED:
        parts = partitions.list_partitions(table_name)
        if not parts:
            console.print(f"{table_name}: not partitioned (SQLite, or not migrated)")
            continue
        table = Table(title=table_name)
        for column in ("partition", "from", "to", "MB"):
            table.add_column(column)
        for p in parts:
            table.add_row(p.name, _when(p.start), _when(p.end), f"{p.bytes / 1e6:,.1f}")
        console.print(table)
