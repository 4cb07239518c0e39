"""Registrations of weddings and funerals (红白事报备): checks against the limits, follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, actor_name
from gridgov.customs.council_limits import MEASURES, limit_on
from gridgov.customs.models import (
    CeremonyKind,
    FollowUp,
    Limit,
    Registration,
)
from gridgov.customs.rulebook import _account
from gridgov.customs.services import (
    CATEGORY,
    MAX_DAYS,
    MAX_GUESTS,
    MAX_NAME,
    MAX_NOTES,
    MAX_TABLES,
    PHONE,
    CustomsError,
    _choice,
    _day,
    _forbidden,
    _int,
    _money,
    _text,
    can_follow,
    can_register,
    get_registration,
    invalid,
    registration_grids,
)
from gridgov.territory.models import Level, Region

# ----------------------------------------------------------------------- registrations --


@dataclass
class RegistrationInput:
    grid_id: int
    kind: str
    date: Any
    family_head: str
    tables: Any
    family_phone: str = ""
    guests: Any = None
    cost: Any = None
    days: Any = 1
    notes: str = ""


@dataclass
class Checked:
    """A registration's values after the checks of its input (nothing written yet)."""

    grid: Region
    community: Region
    kind: str
    date: dt.date
    family_head: str
    family_phone: str
    tables: int
    guests: int | None
    cost: Decimal | None
    days: int
    notes: str
    limit: Limit | None = None
    exceedances: list[dict[str, str]] = field(default_factory=list)


def _plain(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def exceedances(
    limit: Limit | None, tables: int, guests: int | None, cost: Decimal | None, days: int
) -> list[dict[str, str]]:
    """Each measure over its limit: what, the limit, the actual value (as text)."""
    if limit is None:
        return []
    out: list[dict[str, str]] = []

    def over(what: str, cap: Decimal | int | None, actual: Decimal | int | None) -> None:
        if cap is not None and actual is not None and actual > cap:
            out.append({"what": what, "limit": _plain(cap), "actual": _plain(actual)})

    over("tables", limit.max_tables, tables)
    over("guests", limit.max_guests, guests)
    over("cost", limit.max_cost, cost)
    over("days", limit.max_days, days)
    if cost is not None and tables > 0:
        per_table = (cost / tables).quantize(Decimal("0.01"))
        over("table_cost", limit.max_table_cost, per_table)
    return out


def describe(exceeded: list[dict[str, str]]) -> list[str]:
    """The exceedances as lines of text: "桌数：上限 20，实际 25"."""
    return [
        _("%(what)s：上限 %(limit)s，实际 %(actual)s")
        % {"what": MEASURES.get(e["what"], e["what"]), "limit": e["limit"], "actual": e["actual"]}
        for e in exceeded
    ]


def check_registration(user: Account, data: RegistrationInput) -> Checked:
    """Every check of a registration's input and its comparison with the limits in force,
    without writing (the import runs it on every row before writing any)."""
    if not can_register(user):
        raise _forbidden(_("无权登记红白事报备"))
    grid = registration_grids(user).filter(pk=data.grid_id).first() if data.grid_id else None
    if grid is None:
        raise invalid("grid", _("须为辖区内的网格"))
    community = (
        Region.objects.defer("geometry")
        .filter(pk=grid.parent_id or 0, level=Level.COMMUNITY)
        .first()
    )
    if community is None:
        raise invalid("grid", _("该网格不属于任何村/社区"))
    kind = _choice("kind", data.kind, CeremonyKind)
    day = _day("date", data.date)
    today = timezone.localdate()
    if day > today + dt.timedelta(days=366):
        raise invalid("date", _("举办日期不能晚于一年以后"))
    head = _text("family_head", data.family_head, MAX_NAME, required=True)
    phone = _text("family_phone", data.family_phone, 20)
    if phone and not PHONE.match(phone):
        raise invalid("family_phone", _("电话号码只能包含数字、空格、+ 和 -"))
    tables = _int("tables", data.tables, 0, MAX_TABLES, required=True)
    assert tables is not None
    guests = _int("guests", data.guests, 0, MAX_GUESTS)
    cost = _money("cost", data.cost)
    days = _int("days", data.days if data.days not in (None, "") else 1, 1, MAX_DAYS)
    assert days is not None
    notes = _text("notes", data.notes, MAX_NOTES)
    limit = limit_on(community.pk, kind, day)
    return Checked(
        grid, community, kind, day, head, phone, tables, guests, cost, days, notes, limit,
        exceedances(limit, tables, guests, cost, days),
    )  # fmt: skip


def _open_order(reg: Registration, user: Account, now: dt.datetime) -> Any:
    """The work order of a flagged registration: to the village (its responsible post), no
    family data in it — the order names the registration."""
    from gridgov.workorders import routing
    from gridgov.workorders.models import Category, Source
    from gridgov.workorders.services import EventInput, create_event

    category = Category.objects.filter(code=CATEGORY, active=True).first()
    if category is None:
        return None
    grid = reg.grid
    lines = "\n".join(f"· {x}" for x in describe(reg.exceedances))
    description = _(
        "%(village)s %(kind)s（%(date)s）超出操办标准：\n%(lines)s\n报备编号 #%(id)s"
    ) % {
        "village": reg.community.name,
        "kind": reg.get_kind_display(),
        "date": reg.date.isoformat(),
        "lines": lines,
        "id": reg.pk,
    }
    return create_event(
        EventInput(
            source=Source.PATROL,
            category=category,
            title=(_("红白事超标：%(village)s %(kind)s") % {
                "village": reg.community.name, "kind": reg.get_kind_display()})[:120],
            description=description[:4000],
            lat=grid.centroid_lat if grid.centroid_lat is not None else 0.0,
            lon=grid.centroid_lon if grid.centroid_lon is not None else 0.0,
            region=grid,
            submission_key=f"customs:{reg.pk}",
            assignee=routing.assignee_for(reg.community, category.line_id),
        ),
        user,
        now=now,
    )  # fmt: skip


def _save(user: Account, c: Checked, now: dt.datetime) -> Registration:
    reg = Registration.objects.create(
        community=c.community, grid=c.grid, region_path=c.grid.path, kind=c.kind, date=c.date,
        family_head=c.family_head, family_phone=c.family_phone, tables=c.tables, guests=c.guests,
        cost=c.cost, days=c.days, notes=c.notes, limit=c.limit, flagged=bool(c.exceedances),
        exceedances=c.exceedances, follow_up=FollowUp.PENDING if c.exceedances else FollowUp.NONE,
        created_by=_account(user), created_at=now,
    )  # fmt: skip
    if reg.flagged:
        reg.order = _open_order(reg, user, now)
        if reg.order is not None:
            reg.save(update_fields=["order"])
    return reg


def register(
    user: Account, data: RegistrationInput, now: dt.datetime | None = None
) -> Registration:
    """红白事报备: checked against the village's limits in force on the day; a flagged one
    opens a work order to the village in the same transaction."""
    checked = check_registration(user, data)
    with transaction.atomic():
        return _save(user, checked, now or timezone.now())


def register_many(
    user: Account, rows: list[Checked], now: dt.datetime | None = None
) -> list[Registration]:
    """Rows already checked (the import): all written in one transaction, or none."""
    now = now or timezone.now()
    with transaction.atomic():
        return [_save(user, c, now) for c in rows]


def record_follow_up(
    user: Account,
    registration_id: int,
    advised_on: Any,
    outcome: str,
    advised_by: str = "",
) -> Registration:
    """The council's 劝导 of a flagged registration: when, by whom, with what outcome."""
    reg = get_registration(user, registration_id)
    if not can_follow(user):
        raise _forbidden(_("无权记录劝导情况"))
    if not reg.flagged:
        raise CustomsError("conflict", _("该报备未超标，无需劝导"), "registration")
    day = _day("advised_on", advised_on)
    if day > timezone.localdate():
        raise invalid("advised_on", _("劝导日期不能晚于今天"))
    outcome = _text("outcome", outcome, MAX_NOTES, required=True)
    by = _text("advised_by", advised_by, MAX_NAME) or actor_name(user)[:MAX_NAME]
    reg.follow_up = FollowUp.ADVISED
    reg.advised_on = day
    reg.outcome = outcome
    reg.advised_by = by
    reg.save(update_fields=["follow_up", "advised_on", "outcome", "advised_by"])
    return reg
