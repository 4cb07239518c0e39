"""gridgov demo [--no-serve] [--seed N]: build the demo district if the database is empty,
then serve it."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridgov.demo.air import STEPS as AIR_STEPS
from gridgov.demo.air import generate as generate_air
from gridgov.demo.campaign import STEPS as CAMPAIGN_STEPS
from gridgov.demo.campaign import generate as generate_campaign
from gridgov.demo.forecast import STEPS as FORECAST_STEPS
from gridgov.demo.forecast import generate as generate_forecast
from gridgov.demo.generator import (
    DEMO_PASSWORD,
    GRIDS,
    DemoAccount,
    build_demo,
    existing_demo_accounts,
)
from gridgov.demo.orders import STEPS as ORDER_STEPS
from gridgov.demo.orders import generate as generate_orders
from gridgov.demo.sources import STEPS as SOURCE_STEPS
from gridgov.demo.sources import generate as generate_sources
from gridgov.territory.models import Region


class Command(BaseCommand):
    help = "Build the demo district (if the database is empty), then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="build only, then exit")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--no-air", action="store_true", help="skip the air stations and their data"
        )
        parser.add_argument(
            "--no-orders", action="store_true", help="skip the month of work-order history"
        )
        parser.add_argument(
            "--no-sources",
            action="store_true",
            help="skip the pollution sources and the campaign's records",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        # The builder wants each alarm's order made before it moves on (one process, no worker).
        settings.GRIDGOV_ALARM_ORDERS_ASYNC = False
        console = Console(highlight=False)
        call_command("migrate", verbosity=0, interactive=False)
        if Region.objects.exists():
            console.print("The database already holds regions; the demo district is not rebuilt.")
            print_accounts(console, existing_demo_accounts())
        else:
            # Quiet: the build sends hundreds of notices (new orders for the alarms' stations,
            # dispatches); the log channel would print each one under the progress bar.
            notices = logging.getLogger("gridgov.notify")
            level = notices.level
            notices.setLevel(logging.WARNING)
            started = time.perf_counter()
            total = GRIDS + 7 + (0 if opts["no_air"] else AIR_STEPS + FORECAST_STEPS)
            total += 0 if opts["no_orders"] else ORDER_STEPS
            total += 0 if opts["no_sources"] else SOURCE_STEPS + CAMPAIGN_STEPS
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as progress:
                task = progress.add_task("Building the demo district", total=total)

                def step(name: str, advance: int) -> None:
                    progress.update(task, advance=advance, description=f"Building: {name}")

                result = build_demo(seed=opts["seed"], progress=step)
                sources = (
                    None
                    if opts["no_sources"]
                    else generate_sources(seed=opts["seed"], progress=step)
                )
                air = None if opts["no_air"] else generate_air(seed=opts["seed"], progress=step)
                orders = (
                    None if opts["no_orders"] else generate_orders(seed=opts["seed"], progress=step)
                )
                campaign = (
                    None
                    if opts["no_sources"]
                    # The monitors' last hours through an HJ 212 receiver of this process.
                    else generate_campaign(seed=opts["seed"], progress=step, through_receiver=True)
                )
                forecast = None if opts["no_air"] else generate_forecast(progress=step)
                # The step counts are estimates (the air part's depends on the data); the bar
                # ends full when the build has.
                progress.update(task, completed=total, description="Built")
            notices.setLevel(level)
            console.print(
                f"[green]Demo district built in {time.perf_counter() - started:.1f} s: "
                f"{result.regions} regions ({result.grids} grids), {result.people} people, "
                f"{result.posts} posts.[/]"
            )
            if sources is not None:
                console.print(
                    f"[green]Pollution sources: {sum(sources.counts.values()):,} registered "
                    f"on {len(sources.counts)} fronts.[/]"
                )
            if air is not None:
                console.print(
                    f"[green]Air: {air.stored:,} readings stored through the ingestion path, "
                    f"{len(air.alarms)} alarm(s) raised.[/]"
                )
            if forecast is not None:
                console.print(
                    f"[green]Forecast: {forecast.trained} model(s) trained, "
                    f"{forecast.daily_rows:,} station-days and {forecast.hourly_rows:,} "
                    f"station-hours forecast.[/]"
                )
            if orders is not None:
                console.print(
                    f"[green]Work orders: {orders.orders:,} over the last month "
                    f"({orders.transitions:,} transitions), {orders.open} open, "
                    f"{orders.overdue} overdue.[/]"
                )
            if campaign is not None:
                console.print(
                    f"[green]Campaign: {campaign.inspections:,} inspections "
                    f"({campaign.rectifications} rectifications), a past {campaign.warning}, "
                    f"{campaign.cases} enforcement cases ({campaign.published} on the exposure "
                    f"board).[/]"
                )
                x = campaign.extra
                console.print(
                    f"[green]Command centre: {campaign.meetings} dispatch meetings, "
                    f"{x.get('commands', 0)} more commands, {x.get('task_forces', 0)} task forces, "
                    f"{x.get('supply_requests', 0)} supply requests, "
                    f"{x.get('racing_snapshots', 0)} horse-race snapshots, "
                    f"{x.get('bulletins', 0)} bulletins.[/]"
                )
                console.print(
                    f"[green]Grassroots governance: {x.get('mediation_cases', 0)} mediation "
                    f"cases, {x.get('organisations', 0)} new-sector organisations, "
                    f"{x.get('projects', 0)} projects, {x.get('ceremonies', 0)} wedding and "
                    f"funeral registrations.[/]"
                )
            print_accounts(console, existing_demo_accounts())
        if opts["no_serve"]:
            return
        console.print(
            f"Demo logins: password [bold]{DEMO_PASSWORD}[/] for every account above (see README)."
        )
        call_command("serve", host=opts["host"], port=opts["port"])


def print_accounts(console: Console, accounts: list[DemoAccount]) -> None:
    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    table.add_column("username")
    table.add_column("role")
    table.add_column("scope")
    for account in accounts:
        table.add_row(account.username, account.role, account.where)
    console.print(table)
