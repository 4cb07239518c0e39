"""gridgov demo [--no-serve] [--seed N] [--city]: build the demo district (with --city, the
city of ten districts and counties it is one of) if the database is empty, then serve it."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridgov.demo import city
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
    help = (
        "Build the demo district (with --city, its city of ten districts and counties) if the "
        "database is empty, then serve it."
    )

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
        parser.add_argument(
            "--city",
            action="store_true",
            help="build the city (市) of ten districts and counties the demo district is one of",
        )
        parser.add_argument(
            "--city-districts",
            type=int,
            default=city.DISTRICTS,
            help=f"with --city: how many districts and counties (2-{city.DISTRICTS}, "
            f"default {city.DISTRICTS})",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        # The builder wants each alarm's order made before it moves on (one process, no worker).
        settings.GRIDGOV_ALARM_ORDERS_ASYNC = False
        console = Console(highlight=False)
        if opts["city"] and not 2 <= opts["city_districts"] <= city.DISTRICTS:
            raise CommandError(f"--city-districts must be from 2 to {city.DISTRICTS}")
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
            total += city.STEPS + (0 if opts["no_air"] else 1) if opts["city"] else 0
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

                city_code = None
                if opts["city"]:
                    city_code = city.build_city_root(opts["seed"]).code
                result = build_demo(seed=opts["seed"], progress=step, city_code=city_code)
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
                built_city = None
                city_seconds = 0.0
                if opts["city"]:
                    city_started = time.perf_counter()
                    # The other districts last: every step above built the demo district alone.
                    built_city = city.build_other_districts(
                        opts["seed"], opts["city_districts"], progress=step
                    )
                    if not opts["no_air"]:
                        built_city.stored = city.seed_readings(opts["seed"])
                        step("city air", 1)
                    city_seconds = time.perf_counter() - city_started
                # The step counts are estimates (the air part's depends on the data); the bar
                # ends full when the build has.
                progress.update(task, completed=total, description="Built")
            notices.setLevel(level)
            console.print(
                f"[green]Demo district built in {time.perf_counter() - started:.1f} s: "
                f"{result.regions} regions ({result.grids} grids), {result.people} people, "
                f"{result.posts} posts.[/]"
            )
            if built_city is not None:
                console.print(
                    f"[green]City {city.CITY_NAME}: {built_city.districts} districts and "
                    f"counties; the others {built_city.regions - 1} regions "
                    f"({built_city.grids} grids), {built_city.people} people, "
                    f"{built_city.stations} stations, {built_city.stored:,} hourly readings "
                    f"(built in {city_seconds:.1f} s).[/]"
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
