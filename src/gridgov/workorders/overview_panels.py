"""The work orders' panels of the overview: open and overdue orders by unit, and the commands
not yet signed for (registered in gridgov.web.panels when the app is ready)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from gridgov.core.actor import Account
from gridgov.inbox.commands import not_acknowledged
from gridgov.people import scope
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region
from gridgov.web import panels
from gridgov.web.panels import link
from gridgov.workorders import lateness
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import OPEN_STATES

NEWEST_COMMANDS = 5


@dataclass
class UnitOrders:
    code: str
    name: str
    open: int
    overdue: int
    url: str
    overdue_url: str


@dataclass
class Orders:
    open: int
    overdue: int
    by_unit: list[UnitOrders]
    url: str
    overdue_url: str


@dataclass
class CommandWaiting:
    id: int
    title: str
    due_at: dt.datetime
    waiting: int  # recipients in scope who have not signed for it
    url: str


@dataclass
class Commands:
    waiting: int  # recipients who have not signed
    commands: int  # commands with at least one of them
    newest: list[CommandWaiting]
    url: str


def order_units(user: Account, units: list[Region]) -> list[Region]:
    """The units orders are counted by: the configured level below the viewer's highest unit
    (districts for a city, streets for a district, communities for a street, grids for a
    community and for a grid)."""
    wanted = ladder.level_below_units(u.level for u in units)
    if wanted is None:
        wanted = Level.GRID
    return list(
        scope.regions_for(user, Region.objects.active().filter(level=wanted)).order_by("code")
    )


def orders(user: Account, units: list[Region], now: dt.datetime) -> Orders:
    """Open and overdue orders in scope, by unit (one grouped query over the orders' paths);
    overdue as of `now` (lateness.overdue_q), whether or not a sweep has run."""
    open_states = [s.value for s in OPEN_STATES]
    rows = (
        orders_for(user)
        .filter(state__in=open_states)
        .values("event__region_path")
        .annotate(n=Count("id"), late=Count("id", filter=lateness.overdue_q(now)))
        .order_by()
    )
    counts = [(r["event__region_path"], r["n"], r["late"]) for r in rows]
    by_unit = []
    for u in order_units(user, units):
        n = sum(c for p, c, _late in counts if p.startswith(u.path))
        late = sum(lt for p, _c, lt in counts if p.startswith(u.path))
        by_unit.append(
            UnitOrders(
                code=u.code,
                name=u.name,
                open=n,
                overdue=late,
                url=link("workorders:desk", queue="open", unit=u.code),
                overdue_url=link("workorders:desk", queue="overdue", unit=u.code),
            )
        )
    by_unit.sort(key=lambda r: (-r.overdue, -r.open, r.code))
    return Orders(
        open=sum(c for _p, c, _l in counts),
        overdue=sum(lt for _p, _c, lt in counts),
        by_unit=by_unit,
        url=link("workorders:desk", queue="open"),
        overdue_url=link("workorders:desk", queue="overdue"),
    )


def commands(user: Account) -> Commands:
    """Commands whose recipients in the scope (or the viewer) have not signed for them."""
    waiting = not_acknowledged(user)
    per_command = list(
        waiting.values("command_id", "command__title", "command__due_at", "command__created_at")
        .annotate(n=Count("id"))
        .order_by("-command__created_at", "-command_id")
    )
    return Commands(
        waiting=sum(r["n"] for r in per_command),
        commands=len(per_command),
        newest=[
            CommandWaiting(
                r["command_id"],
                r["command__title"],
                r["command__due_at"],
                r["n"],
                link("inbox:command", r["command_id"]),
            )
            for r in per_command[:NEWEST_COMMANDS]
        ],
        url=link("inbox:commands"),
    )


def register() -> None:
    panels.register("orders", lambda v: orders(v.user, v.units, v.now))
    panels.register("commands", lambda v: commands(v.user))
