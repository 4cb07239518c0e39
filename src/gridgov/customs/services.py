"""The only write path of village rules and customs, and the scoped questions asked of them.

Every door (pages, phone, API, import, admin, demo) calls these. Refusals are `CustomsError`s
(a `DomainError`) naming a kind and a field.

Scope: a village (a community) is seen by the accounts whose scope holds it, lies above it
(its street, the district) or lies inside it (its grids' workers see their village's rules,
council and limits). Registrations are seen only where the scope holds their grid: a grid
worker sees the families of their own grid, the village all of its grids."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths as _paths_q
from gridgov.customs.models import (
    CeremonyKind,
    FollowUp,
    Registration,
    RulesVersion,
)
from gridgov.errors import DomainError
from gridgov.people import scope
from gridgov.territory.models import Level, Region

VIEW = "customs.view_rulesversion"
MANAGE = "customs.change_rulesversion"  # rules, meetings, council, limits
VIEW_REGISTRATIONS = "customs.view_registration"
REGISTER = "customs.add_registration"
FOLLOW = "customs.change_registration"
EXPORT_FAMILY = "customs.export_family"

CATEGORY = "custom_exceed"  # the work-order category of flagged registrations
MAX_TEXT = 50_000
MAX_TITLE = 100
MAX_NAME = 50
MAX_NOTE = 200
MAX_NOTES = 500
MAX_TABLES = 10_000
MAX_GUESTS = 100_000
MAX_DAYS = 30
MAX_ATTENDANCE = 1_000_000
MAX_MONEY = Decimal("99999999.99")
MAX_PERIOD_DAYS = 3 * 366
PHONE = re.compile(r"^[0-9+\- ]{3,20}$")


class CustomsError(DomainError):
    """A refused request about village rules, councils, limits or registrations."""


def invalid(field: str, message: str) -> CustomsError:
    return CustomsError("invalid", message, field)


def _not_found(message: str) -> CustomsError:
    return CustomsError("not_found", message)


def _forbidden(message: str) -> CustomsError:
    return CustomsError("forbidden", message)


# ------------------------------------------------------------------------------ access --


_has = scope.has_perm


def can_view(user: Account) -> bool:
    return _has(user, VIEW)


def can_manage(user: Account) -> bool:
    return _has(user, MANAGE)


def can_view_registrations(user: Account) -> bool:
    return _has(user, VIEW_REGISTRATIONS)


def can_register(user: Account) -> bool:
    return _has(user, REGISTER)


def can_follow(user: Account) -> bool:
    return _has(user, FOLLOW)


def sees_family_in_exports(user: Account) -> bool:
    return _has(user, EXPORT_FAMILY)


_ancestors = scope.ancestor_paths


def _units_q(paths: list[str]) -> Q:
    """Regions in the scope's subtrees or on the way down to them."""
    return _paths_q(paths, "path") | Q(path__in=_ancestors(paths))


def villages_for(user: Account, qs: QuerySet[Region] | None = None) -> QuerySet[Region]:
    """The active communities (villages) this account sees."""
    qs = Region.objects.active() if qs is None else qs
    qs = qs.filter(level=Level.COMMUNITY).defer("geometry")
    if not can_view(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_units_q(paths)) if paths else qs.none()


def statistics_units(user: Account, level: int) -> QuerySet[Region]:
    """Streets or communities for the statistics: in the scope or above it."""
    qs = Region.objects.active().filter(level=level).defer("geometry").order_by("code")
    if not can_view_registrations(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_units_q(paths)) if paths else qs.none()


def get_village(user: Account, community_id: int) -> Region:
    village = villages_for(user).filter(pk=community_id).first()
    if village is None:
        raise _not_found(_("村/社区不存在"))
    return village


def _managed_village(user: Account, community_id: int) -> Region:
    """A village whose rules, council and limits this account may edit: in its own scope."""
    village = get_village(user, community_id)
    if not can_manage(user) or not scope.can_see_region(user, village):
        raise _forbidden(_("无权维护该村的村规民约和红白理事会"))
    return village


def registrations_for(
    user: Account, qs: QuerySet[Registration] | None = None
) -> QuerySet[Registration]:
    qs = Registration.objects.all() if qs is None else qs
    if not can_view_registrations(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "region_path")) if paths else qs.none()


def get_registration(user: Account, registration_id: int) -> Registration:
    found = (
        registrations_for(user)
        .select_related("community", "grid", "limit", "order__event")
        .filter(pk=registration_id)
        .first()
    )
    if found is None:
        raise _not_found(_("报备不存在"))
    return found


def registration_grids(user: Account) -> QuerySet[Region]:
    """The grids this account may register ceremonies in."""
    if not can_register(user):
        return Region.objects.none()
    qs = Region.objects.active().filter(level=Level.GRID).defer("geometry").order_by("code")
    return scope.regions_for(user, qs)


def rules_for(user: Account) -> QuerySet[RulesVersion]:
    return RulesVersion.objects.filter(community__in=villages_for(user))


def get_rules(user: Account, rules_id: int) -> RulesVersion:
    found = rules_for(user).select_related("community", "meeting").filter(pk=rules_id).first()
    if found is None:
        raise _not_found(_("村规民约版本不存在"))
    return found


# ------------------------------------------------------------------------------ inputs --


def _text(field: str, value: str | None, max_length: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    try:
        inputs.check_text(field, text, max_length)
    except inputs.InputError as exc:
        raise invalid(field, exc.message) from None
    if required and not text:
        raise invalid(field, _("必填"))
    return text


def _date(field: str, value: Any, *, required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise invalid(field, _("必填"))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = inputs.parse_date(field, value, years=inputs.ANY_YEARS)
        except inputs.InputError as exc:
            raise invalid(field, exc.message) from None
    if not isinstance(value, dt.date):
        raise invalid(field, _("日期格式应为 YYYY-MM-DD"))
    if not 2000 <= value.year <= 2100:
        raise invalid(field, _("年份须在 2000–2100 之间"))
    return value


def _day(field: str, value: Any) -> dt.date:
    day = _date(field, value)
    assert day is not None
    return day


def _int(field: str, value: Any, low: int, high: int, *, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise invalid(field, _("必填"))
        return None
    if isinstance(value, bool):
        raise invalid(field, _("须为整数"))
    if isinstance(value, float):
        if not value.is_integer():
            raise invalid(field, _("须为整数"))
        value = int(value)
    if isinstance(value, str):
        if not re.fullmatch(r"\s*[+-]?\d{1,19}\s*", value):
            raise invalid(field, _("须为整数"))
        value = int(value)
    if not isinstance(value, int):
        raise invalid(field, _("须为整数"))
    if not low <= value <= high:
        raise invalid(field, _("须在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
    return value


def _money(field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise invalid(field, _("须为金额"))
    raw = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise invalid(field, _("须为金额")) from None
    if not amount.is_finite():
        raise invalid(field, _("须为有限的数"))
    if not Decimal(0) <= amount <= MAX_MONEY:
        raise invalid(field, _("须在 0 到 %(high)s 元之间") % {"high": MAX_MONEY})
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, _("最多两位小数"))
    return amount.quantize(Decimal("0.01"))


def _choice(field: str, value: Any, choices: Any) -> str:
    if value not in choices.values:
        raise invalid(field, _("没有这个选项"))
    return str(value)


# -------------------------------------------------------------------------- statistics --


@dataclass
class StatRow:
    unit: Region
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CeremonyKind.values, 0))
    total: int = 0
    flagged: int = 0
    handled: int = 0
    tables: int = 0
    cost: Decimal = Decimal(0)
    costed: int = 0

    @property
    def flagged_rate(self) -> float | None:
        return round(100 * self.flagged / self.total, 1) if self.total else None

    @property
    def compliance_rate(self) -> float | None:
        return round(100 * (self.total - self.flagged) / self.total, 1) if self.total else None

    @property
    def avg_tables(self) -> float | None:
        return round(self.tables / self.total, 1) if self.total else None

    @property
    def avg_cost(self) -> Decimal | None:
        return (self.cost / self.costed).quantize(Decimal("0.01")) if self.costed else None


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise invalid("end", _("结束日期不能早于开始日期"))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise invalid("end", _("统计期间不能超过三年"))


def tally(
    units: list[Region], qs: QuerySet[Registration], start: dt.date, end: dt.date
) -> list[StatRow]:
    """Registrations held in [start, end], by the unit whose subtree holds their grid."""
    rows = {u.pk: StatRow(u) for u in units}
    prefixes = sorted(((u.path, u.pk) for u in units), key=lambda p: -len(p[0]))
    found = qs.filter(date__gte=start, date__lte=end).values_list(
        "region_path", "kind", "flagged", "follow_up", "tables", "cost"
    )
    by_unit: dict[int, list[Any]] = defaultdict(list)
    for r in found:
        for path, pk in prefixes:
            if r[0].startswith(path):
                by_unit[pk].append(r)
                break
    for pk, regs in by_unit.items():
        row = rows[pk]
        for _path, kind, flagged, follow_up, tables, cost in regs:
            row.total += 1
            row.by_kind[kind] = row.by_kind.get(kind, 0) + 1
            row.flagged += int(flagged)
            row.handled += int(flagged and follow_up == FollowUp.ADVISED)
            row.tables += tables
            if cost is not None:
                row.cost += cost
                row.costed += 1
    return [rows[u.pk] for u in units]


def statistics(
    user: Account, start: dt.date, end: dt.date, by: str = "community"
) -> tuple[list[StatRow], StatRow]:
    """Per village (or street) of the account's view, over the period, and the total of what
    the account sees."""
    check_period(start, end)
    levels = {"community": Level.COMMUNITY, "street": Level.STREET}
    if by not in levels:
        raise invalid("by", _("须为 community 或 street"))
    units = list(statistics_units(user, levels[by]))
    qs = registrations_for(user)
    rows = tally(units, qs, start, end)
    total = tally([Region(name=_("合计"), path="/")], qs, start, end)[0]
    return rows, total


def compliance(units: list[Region], start: dt.date, end: dt.date) -> dict[int, StatRow]:
    """Every registration, whoever asks (the horse race reads as the command office)."""
    rows = tally(units, Registration.objects.all(), start, end)
    return {r.unit.pk: r for r in rows}
