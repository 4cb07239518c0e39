"""The only write path of 新兴领域党建, and the scoped questions asked of it.

Every door (pages, API, import, admin, demo) calls these. Refusals are `OrganisationsError`s
(gridgov.errors.DomainError) naming a kind and a field.

Every change of an organisation is written together with its `OrgEvent` row; `states(on)` reads
those rows, the dated assignments and the visits to say what each organisation looked like on a
day, so every statistic can be asked "as of" any date.

组织覆盖: the organisation has a party organisation (单独建 or 联合建) on the day.
工作覆盖: on the day, an instructor is assigned to it AND someone visited it within the last
`WORK_MONTHS` months (a parameter of every function that uses it)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account, Reader
from gridgov.core.scopes import under_paths as _paths_q
from gridgov.errors import DomainError
from gridgov.organisations.models import (
    Assignment,
    EventKind,
    Organisation,
    OrgEvent,
    OrgKind,
    PartyOrg,
    Visit,
)
from gridgov.people import scope
from gridgov.territory import extent, ladder
from gridgov.territory.levels import key
from gridgov.territory.models import Level, Region

WORK_MONTHS = 6  # 工作覆盖: a visit within this many months
INSTRUCTOR_POST = "party_instructor"
VOLUNTEER_POST = "volunteer"

VIEW = "organisations.view_organisation"
ADD = "organisations.add_organisation"
CHANGE = "organisations.change_organisation"
ASSIGN = "organisations.add_assignment"
VISIT = "organisations.add_visit"
VIEW_MEETINGS = "organisations.view_jointmeeting"
ADD_MEETING = "organisations.add_jointmeeting"
VIEW_VOLUNTEERS = "organisations.view_volunteer"
ADD_VOLUNTEER = "organisations.add_volunteer"
CHANGE_VOLUNTEER = "organisations.change_volunteer"
CONTACT = "organisations.view_contact"

MAX_NAME = 100
MAX_TEXT = 5000
MAX_NOTE = 200
MAX_COUNT = 10_000_000

# GB 32100-2015: 统一社会信用代码 — 18 characters of this alphabet, the last a check character.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class OrganisationsError(DomainError):
    """A refused request of this app (invalid, forbidden, not_found, conflict)."""


def invalid(field_name: str, message: str) -> OrganisationsError:
    return OrganisationsError("invalid", message, field_name)


def not_found(message: str) -> OrganisationsError:
    return OrganisationsError("not_found", message)


def forbidden(message: str) -> OrganisationsError:
    return OrganisationsError("forbidden", message)


def conflict(message: str, field_name: str | None = None) -> OrganisationsError:
    return OrganisationsError("conflict", message, field_name)


# ------------------------------------------------------------------------------ checks --


def credit_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 are `first17` (all of the alphabet)."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(value: str, field_name: str = "credit_code") -> str:
    """A valid 统一社会信用代码 (upper-cased), or an error saying what is wrong with it."""
    code = _text(field_name, value, 40).upper()
    if len(code) != 18:
        raise invalid(field_name, _("统一社会信用代码须为18位（现为%(n)s位）") % {"n": len(code)})
    bad = [c for c in code if c not in CREDIT_CHARS]
    if bad:
        raise invalid(field_name, _("统一社会信用代码含有无效字符“%(c)s”") % {"c": bad[0]})
    if credit_check_char(code[:17]) != code[17]:
        raise invalid(field_name, _("统一社会信用代码校验位错误"))
    return code


def _text(field_name: str, value: str | None, max_length: int, required: bool = False) -> str:
    try:
        text = inputs.check_text(field_name, value or "", max_length).strip()
    except inputs.InputError as exc:
        raise invalid(field_name, exc.message) from None
    if required and not text:
        raise invalid(field_name, _("不能为空"))
    return text


def _date(field_name: str, value: Any) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise invalid(field_name, _("须为日期"))
    try:
        return inputs.check_date(field_name, value, inputs.ANY_YEARS)
    except inputs.InputError as exc:
        raise invalid(field_name, exc.message) from None


def _count(field_name: str, value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field_name, _("须为整数"))
    if not 0 <= value <= MAX_COUNT:
        raise invalid(field_name, _("须在0到%(max)s之间") % {"max": MAX_COUNT})
    return value


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


# ------------------------------------------------------------------------------- access --


_has = scope.has_perm


def can_view(user: Reader | None) -> bool:
    return _has(user, VIEW)


def can_add(user: Account) -> bool:
    return _has(user, ADD)


def can_change(user: Account) -> bool:
    return _has(user, CHANGE)


def can_assign(user: Account) -> bool:
    return _has(user, ASSIGN)


def can_visit(user: Account) -> bool:
    return _has(user, VISIT)


def can_view_meetings(user: Account) -> bool:
    return _has(user, VIEW_MEETINGS)


def can_add_meeting(user: Account) -> bool:
    return _has(user, ADD_MEETING)


def can_view_volunteers(user: Account) -> bool:
    return _has(user, VIEW_VOLUNTEERS)


def can_register(user: Account) -> bool:
    return _has(user, ADD_VOLUNTEER)


def sees_contact(user: Account) -> bool:
    return _has(user, CONTACT)


def in_scope(user: Reader | None, path: str) -> bool:
    paths = scope.scope_paths(user)
    return paths is scope.ALL or any(path.startswith(p) for p in paths)


def organisations_for(
    user: Reader | None, qs: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    """Organisations that are, or ever were, in a grid of the account's scope (history is
    read where it happened)."""
    qs = Organisation.objects.all() if qs is None else qs
    if not can_view(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    if not paths:
        return qs.none()
    located = OrgEvent.objects.filter(_paths_q(paths, "grid__path")).values("organisation_id")
    return qs.filter(_paths_q(paths, "region_path") | Q(pk__in=located))


def get_organisation(user: Account, org_id: int) -> Organisation:
    org = (
        organisations_for(user)
        .select_related("grid")
        .defer("grid__geometry")
        .filter(pk=org_id)
        .first()
    )
    if org is None:
        raise not_found(_("组织不存在"))
    return org


def owns(user: Account, org: Organisation) -> bool:
    """The organisation is now in the account's scope (where it may be changed)."""
    return in_scope(user, org.region_path)


def _own_for(user: Account, org_id: int, perm: str, message: str) -> Organisation:
    """The organisation, locked for the rest of the transaction, if the account may change it
    (it is now in the account's scope); otherwise not found (not seen) or forbidden."""
    org = (
        organisations_for(user)
        .select_for_update(of=("self",))
        .select_related("grid")
        .defer("grid__geometry")
        .filter(pk=org_id)
        .first()
    )
    if org is None:
        raise not_found(_("组织不存在"))
    if not _has(user, perm) or not owns(user, org):
        raise forbidden(message)
    return org


def grids_for(user: Account) -> QuerySet[Region]:
    return scope.regions_for(
        user, Region.objects.active().defer("geometry").filter(level=Level.GRID)
    ).order_by("code")


def filter_units(user: Reader | None) -> QuerySet[Region]:
    """The units below the root (districts in a city, streets, communities) in the account's
    scope."""
    qs = Region.objects.active().defer("geometry").filter(level__in=ladder.units_below_root())
    return scope.regions_for(user, qs).order_by("code")


def unit_by_code(code: str) -> Region | None:
    """A street or community by its code (a filter; the scope is applied to what it finds)."""
    return (
        Region.objects.active()
        .defer("geometry")
        .filter(code=code, level__in=ladder.units_below_root())
        .first()
    )


def pick_grid(
    user: Account,
    grid_id: int | None,
    lat: float | None,
    lon: float | None,
    field_name: str = "grid",
) -> Region:
    """The grid chosen, or the grid of the point; in the account's scope. A point given
    beside a grid is checked all the same (it is stored)."""
    try:
        extent.check_optional_point(lat, lon)
    except inputs.InputError as exc:
        raise invalid(exc.field, exc.message) from None
    if grid_id is None:
        if lat is None or lon is None:
            raise invalid(field_name, _("请选择网格或填写坐标"))
        from gridgov.territory.locate import locate

        found = locate(lat, lon)
        if not found.inside or found.grid is None:
            raise invalid("lat", _("该位置不在任何网格内"))
        grid_id = found.grid.id
    grid = grids_for(user).filter(pk=grid_id).first()
    if grid is None:
        raise invalid(field_name, _("须为辖区内的网格"))
    return grid


# ------------------------------------------------------------------------------ as of --


@dataclass
class OrgState:
    """What an organisation looked like on a day, read from its history."""

    org: Organisation
    exists: bool = False
    grid_id: int | None = None
    grid_path: str = ""
    party_org: str = PartyOrg.NONE
    instructors: list[int] = field(default_factory=list)
    last_visit: dt.date | None = None
    work_from: dt.date | None = None  # visits on or after this day count

    @property
    def org_covered(self) -> bool:
        return self.party_org != PartyOrg.NONE

    @property
    def visited(self) -> bool:
        return (
            self.last_visit is not None
            and self.work_from is not None
            and (self.last_visit >= self.work_from)
        )

    @property
    def work_covered(self) -> bool:
        return bool(self.instructors) and self.visited

    def reasons(self) -> list[str]:
        out = []
        if not self.org_covered:
            out.append(_("未建立党组织"))
        if not self.instructors:
            out.append(_("未选派党建指导员"))
        if not self.visited:
            out.append(_("近期未走访"))
        return out


def states(orgs: list[Organisation], on: dt.date, months: int = WORK_MONTHS) -> dict[int, OrgState]:
    """Each organisation as it was on `on`: whether it existed, its grid, its party
    organisation, its instructors and its last visit."""
    ids = [o.pk for o in orgs]
    out = {o.pk: OrgState(o, work_from=months_before(on, months) + dt.timedelta(days=1))
           for o in orgs}  # fmt: skip
    paths = dict(Region.objects.filter(level=Level.GRID).values_list("pk", "path"))
    located = (EventKind.OPENED, EventKind.MOVED, EventKind.CLOSED, EventKind.PARTY_ORG)
    for e in (
        OrgEvent.objects.filter(organisation_id__in=ids, date__lte=on, kind__in=located)
        .order_by("date", "pk")
        .values("organisation_id", "kind", "grid_id", "party_org")
    ):
        s = out[e["organisation_id"]]
        if e["kind"] in (EventKind.OPENED, EventKind.MOVED):
            s.exists = True
            s.grid_id = e["grid_id"]
            s.grid_path = paths.get(e["grid_id"], "")
        elif e["kind"] == EventKind.CLOSED:
            s.exists = False
        else:
            s.party_org = e["party_org"]
    for org_id, person_id in (
        Assignment.objects.current(on)
        .filter(organisation_id__in=ids)
        .values_list("organisation_id", "instructor_id")
    ):
        out[org_id].instructors.append(person_id)
    for org_id, last in (
        Visit.objects.filter(organisation_id__in=ids, date__lte=on)
        .values("organisation_id")
        .annotate(d=Max("date"))
        .values_list("organisation_id", "d")
    ):
        out[org_id].last_visit = last
    return out


def states_for(
    user: Reader | None, on: dt.date | None = None, months: int = WORK_MONTHS
) -> list[OrgState]:
    """The organisations that existed on `on` in a grid of the account's scope (as of then)."""
    day = on or timezone.localdate()
    orgs = list(
        organisations_for(user)
        .filter(opened__lte=day)
        .select_related("grid")
        .defer("grid__geometry")
    )
    found = states(orgs, day, months)
    return [s for s in found.values() if s.exists and in_scope(user, s.grid_path)]


COVERAGE_FILTERS = ("org_covered", "org_uncovered", "work_covered", "work_uncovered", "uncovered")


def search(
    user: Account,
    on: dt.date | None = None,
    *,
    kind: str = "",
    coverage: str = "",
    unit: Region | None = None,
    q: str = "",
    months: int = WORK_MONTHS,
) -> list[OrgState]:
    """The list's question: organisations as of a day, by kind, coverage, unit and text."""
    if kind and kind not in OrgKind.values:
        raise invalid("kind", _("没有这个类别"))
    if coverage and coverage not in COVERAGE_FILTERS:
        raise invalid("coverage", _("没有这个覆盖情况"))
    q = _text("q", q, 100)
    rows = states_for(user, on, months)
    if kind:
        rows = [s for s in rows if s.org.kind == kind]
    if unit is not None:
        rows = [s for s in rows if s.grid_path.startswith(unit.path)]
    if q:
        low = q.lower()
        rows = [
            s for s in rows
            if low in s.org.name.lower() or low in s.org.credit_code.lower()
            or low in s.org.industry.lower() or low in s.org.address.lower()
        ]  # fmt: skip
    test = {
        "org_covered": lambda s: s.org_covered,
        "org_uncovered": lambda s: not s.org_covered,
        "work_covered": lambda s: s.work_covered,
        "work_uncovered": lambda s: not s.work_covered,
        "uncovered": lambda s: not (s.org_covered and s.work_covered),
    }.get(coverage)
    if test is not None:
        rows = [s for s in rows if test(s)]
    rows.sort(key=lambda s: (s.grid_path, s.org.name, s.org.pk))
    return rows


def default_by(user: Account) -> str:
    """Rows by the level below an office above the street (districts for a city's office,
    streets for a district's); by street for those who see a street (a street's own row), by
    community for a community's account."""
    own = scope.own_level(user)
    if own is not None and own < Level.STREET:
        below = scope.ranked_level(user)
        return key(below) if below is not None and below != Level.GRID else "community"
    return "street" if filter_units(user).filter(level=Level.STREET).exists() else "community"


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class UnitRow:
    unit: Region | None  # None: the total
    economic: int = 0
    social: int = 0
    org_covered: int = 0
    work_covered: int = 0
    instructors: set[int] = field(default_factory=set)
    assignments: int = 0

    @property
    def total(self) -> int:
        return self.economic + self.social

    @property
    def org_rate(self) -> float | None:
        return _rate(self.org_covered, self.total)

    @property
    def work_rate(self) -> float | None:
        return _rate(self.work_covered, self.total)

    @property
    def instructor_count(self) -> int:
        return len(self.instructors)

    @property
    def load(self) -> float | None:
        return round(self.assignments / len(self.instructors), 1) if self.instructors else None

    def add(self, s: OrgState) -> None:
        if s.org.kind == OrgKind.ECONOMIC:
            self.economic += 1
        else:
            self.social += 1
        self.org_covered += s.org_covered
        self.work_covered += s.work_covered
        self.instructors.update(s.instructors)
        self.assignments += len(s.instructors)


@dataclass
class Coverage:
    on: dt.date
    months: int
    by: str
    rows: list[UnitRow]
    total: UnitRow
    uncovered: list[OrgState]


def coverage(
    user: Reader | None,
    on: dt.date | None = None,
    *,
    by: str = "street",
    months: int = WORK_MONTHS,
    units: list[Region] | None = None,
) -> Coverage:
    """组织覆盖率 and 工作覆盖率 per unit of a level (street, community, or a city's districts)
    as of a day, the instructors and their
    load, and the organisations not covered (with why)."""
    level = ladder.unit_keys().get(by)  # district, street, community, … (those configured)
    if level is None:
        raise invalid("by", _("须为 %(words)s 之一") % {"words": ", ".join(ladder.unit_keys())})
    if not 1 <= months <= 60:
        raise invalid("months", _("须在1到60个月之间"))
    day = on or timezone.localdate()
    if units is None:
        qs = Region.objects.active().defer("geometry").filter(level=level)
        units = list(scope.regions_for(user, qs).order_by("code"))
    rows = {u.pk: UnitRow(u) for u in units}
    ordered = sorted(units, key=lambda u: len(u.path), reverse=True)
    total = UnitRow(None)
    found = states_for(user, day, months)
    for s in found:
        total.add(s)
        for u in ordered:
            if s.grid_path.startswith(u.path):
                rows[u.pk].add(s)
                break
    uncovered = [s for s in found if not (s.org_covered and s.work_covered)]
    uncovered.sort(key=lambda s: (s.grid_path, s.org.name))
    return Coverage(day, months, by, [rows[u.pk] for u in units], total, uncovered)


# ----------------------------------------------------------------------- joint meetings --


_ancestors = scope.ancestor_paths
