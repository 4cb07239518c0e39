"""The only write path of projects, and the scoped questions asked of them.

Every door (pages, API, admin, import, demo) calls these. Refusals are `ProjectsError`s naming
a kind and a field; each door maps them to its answer.

Scope: an account sees a project when the project's owning unit or its grid lies in one of the
subtrees it may see; it changes a project when it may change projects and sees the owning unit.
What was spent is the sum of the spending ledger; a status change is a dated history row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account, Reader, actor_name
from gridgov.core.scopes import under_paths
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, DomainError
from gridgov.people import scope
from gridgov.people.models import Person
from gridgov.projects.models import (
    Kind,
    Milestone,
    Plan,
    Project,
    Spending,
    Status,
    StatusChange,
)
from gridgov.territory import extent
from gridgov.territory import locate as locating
from gridgov.territory.models import Level, Region

VIEW = "projects.view_project"
ADD = "projects.add_project"
CHANGE = "projects.change_project"
MAX_AMOUNT = Decimal("1000000000")  # 万元
MAX_CODE = 40
MAX_NAME = 200
MAX_NOTE = 500
MAX_SPEND_NOTE = 200
MAX_SUMMARY = 4000
YEARS = (2000, 2100)
MB = 1024 * 1024
CENT = Decimal("0.01")
DOCUMENT_KINDS = {
    "pdf": "application/pdf",
    "docx": evidence.DOCUMENT_TYPES["docx"],
    "xlsx": evidence.DOCUMENT_TYPES["xlsx"],
    "jpeg": "image/jpeg",
    "mpo": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
SUFFIX = {"jpeg": "jpg", "mpo": "jpg"}

# 项目状态的流转: from each status, where it may go (验收 not passed goes back to 实施).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.APPLIED: (Status.APPROVED, Status.TERMINATED),
    Status.APPROVED: (Status.ONGOING, Status.TERMINATED),
    Status.ONGOING: (Status.ACCEPTANCE, Status.TERMINATED),
    Status.ACCEPTANCE: (Status.COMPLETED, Status.ONGOING, Status.TERMINATED),
    Status.COMPLETED: (),
    Status.TERMINATED: (),
}
CLOSED = (Status.COMPLETED, Status.TERMINATED)


class ProjectsError(DomainError):
    """A refused request about projects."""


def invalid(field_name: str, message: str) -> ProjectsError:
    return ProjectsError(INVALID, message, field_name)


def _not_found() -> ProjectsError:
    return ProjectsError(NOT_FOUND, _("项目不存在"))


# ------------------------------------------------------------------------------- access --


_has = scope.has_perm


def can_view(user: Reader | None) -> bool:
    return _has(user, VIEW)


def can_add(user: Account) -> bool:
    return may_register(user) and owner_units(user).exists()


def may_register(user: Account) -> bool:
    """The permission to register projects (for which units: `owner_units`)."""
    return _has(user, ADD)


def can_manage(user: Account, project: Project) -> bool:
    return _has(user, CHANGE) and scope.can_see_region(user, project.owner)


def _paths_q(paths: list[str]) -> Q:
    """Projects owned by a unit, or located in a grid, of the subtrees."""
    return under_paths(paths, "owner__path", "grid__path")


def projects_for(user: Reader | None, qs: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects whose owning unit or grid lies in the account's scope."""
    qs = Project.objects.all() if qs is None else qs
    if not can_view(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths or []))


def get_project(user: Account, project_id: int) -> Project:
    found = projects_for(user).select_related("owner", "grid").filter(pk=project_id).first()
    if found is None:
        raise _not_found()
    return found


def managed(user: Account, project_id: int) -> Project:
    """The project, locked for the rest of the transaction, if this account may change it."""
    project = get_project(user, project_id)
    if not can_manage(user, project):
        raise ProjectsError(FORBIDDEN, _("无权修改该项目"))
    # Lock the row alone: PostgreSQL cannot lock the nullable side of an outer join (grid).
    locked = Project.objects.select_for_update().get(pk=project.pk)
    locked.owner, locked.grid = project.owner, project.grid
    return locked


def owner_units(user: Account) -> QuerySet[Region]:
    """The units down to the street this account may register projects for (the city, the
    districts, the streets)."""
    if not _has(user, ADD):
        return Region.objects.none()
    qs = Region.objects.active().filter(level__lte=Level.STREET)
    return scope.regions_for(user, qs).order_by("level", "code")


def _actor(user: Account) -> User | None:
    return user if user is not None and user.is_authenticated and user.pk else None


def phone_visible(user: Account, person: Person) -> bool:
    """An official's phone: for those who see the person's posts and may view people."""
    if not _has(user, "people.view_person"):
        return False
    return scope.people_for(user).filter(pk=person.pk).exists()


# ------------------------------------------------------------------------------ checks --


def check_text(field_name: str, value: Any, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field_name, _("须为文字"))
    try:
        text = inputs.check_text(field_name, value, max_length).strip()
    except inputs.InputError as exc:
        raise invalid(field_name, exc.message) from None
    if required and not text:
        raise invalid(field_name, _("不能为空"))
    return text


def check_date(field_name: str, value: Any, *, not_after: dt.date | None = None) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = inputs.parse_date(field_name, value, years=inputs.ANY_YEARS)
        except inputs.InputError as exc:
            raise invalid(field_name, exc.message) from None
    if not isinstance(value, dt.date):
        raise invalid(field_name, _("须为日期（YYYY-MM-DD）"))
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise invalid(field_name, _("年份须在2000至2100之间"))
    if not_after is not None and value > not_after:
        raise invalid(field_name, _("不能晚于今天"))
    return value


def check_amount(field_name: str, value: Any, *, allow_negative: bool = False) -> Decimal:
    """万元: a finite number with at most two decimals, within ±1,000,000,000."""
    if isinstance(value, bool) or value is None:
        raise invalid(field_name, _("须为数字"))
    try:
        raw = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
        amount = value if isinstance(value, Decimal) else Decimal(raw)
    except (InvalidOperation, ValueError):
        raise invalid(field_name, _("须为数字")) from None
    if not amount.is_finite():
        raise invalid(field_name, _("须为有限的数字"))
    if abs(amount) > MAX_AMOUNT:
        raise invalid(field_name, _("金额过大"))
    if amount < 0 and not allow_negative:
        raise invalid(field_name, _("不能为负数"))
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field_name, _("最多两位小数"))
    return amount.quantize(Decimal("0.01"))


def check_year(value: Any) -> int:
    if isinstance(value, bool):
        raise invalid("year", _("须为年份"))
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid("year", _("须为年份")) from None
    if not YEARS[0] <= year <= YEARS[1]:
        raise invalid("year", _("年份须在2000至2100之间"))
    return year


def _choice(field_name: str, value: Any, choices: Any) -> str:
    if value not in choices.values:
        raise invalid(field_name, _("没有这个选项：%(value)s") % {"value": str(value)[:40]})
    return str(value)


def _owner(user: Account, code: str) -> Region:
    unit = owner_units(user).filter(code=code).first()
    if unit is None:
        raise invalid("owner", _("没有这个责任单位（区或街道/镇）"))
    return unit


def _grid_of(owner: Region, lat: Any, lon: Any) -> tuple[float | None, float | None, Region | None]:
    """The point and its grid, which must lie in the owning unit's area; or no point at all."""
    if lat in (None, "") and lon in (None, ""):
        return None, None, None
    if lat in (None, "") or lon in (None, ""):
        raise invalid("lat" if lat in (None, "") else "lon", _("经纬度须同时填写"))
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise invalid("lat", _("经纬度须为数字")) from None
    try:
        extent.check_point(la, lo)
    except inputs.InputError as exc:
        raise invalid(exc.field, exc.message) from None
    try:
        found = locating.locate(la, lo)
    except locating.InvalidCoordinates as exc:
        raise invalid(exc.field, _("经纬度超出范围")) from None
    if not found.inside or found.grid is None:
        raise invalid("lat", _("该位置不在任何网格内"))
    grid = Region.objects.get(pk=found.grid.id)
    if not grid.path.startswith(owner.path):
        raise invalid("lat", _("该位置不在责任单位辖区内"))
    return la, lo, grid


# ------------------------------------------------------------------------------ writes --


@dataclass
class ProjectInput:
    code: str
    name: str
    kind: str
    applicant: str
    plan: str
    year: Any
    owner: str  # the owning unit's region code
    granted: Any = 0
    plan_text: str = ""
    lat: Any = None
    lon: Any = None
    summary: str = ""
    status: str = Status.APPLIED
    status_date: Any = None  # the day of the first status (today by default)


@dataclass
class CheckedProject:
    values: dict[str, Any]
    status: str
    status_date: dt.date


def check_project(user: Account, data: ProjectInput, today: dt.date) -> CheckedProject:
    """Every field checked (the first refusal raised); nothing written."""
    code = check_text("code", data.code, MAX_CODE, required=True)
    if any(c.isspace() for c in code):
        raise invalid("code", _("项目编号不能含空格"))
    values = {
        "code": code,
        "name": check_text("name", data.name, MAX_NAME, required=True),
        "kind": _choice("kind", data.kind, Kind),
        "applicant": check_text("applicant", data.applicant, MAX_NAME, required=True),
        "plan": _choice("plan", data.plan, Plan),
        "plan_text": check_text("plan_text", data.plan_text, MAX_NAME),
        "year": check_year(data.year),
        "granted": check_amount("granted", data.granted if data.granted not in (None, "") else 0),
        "summary": check_text("summary", data.summary, MAX_SUMMARY),
    }
    owner = _owner(user, check_text("owner", data.owner, 40, required=True))
    lat, lon, grid = _grid_of(owner, data.lat, data.lon)
    values.update(owner=owner, lat=lat, lon=lon, grid=grid)
    status = _choice("status", data.status or Status.APPLIED, Status)
    day = (
        today
        if data.status_date in (None, "")
        else check_date("status_date", data.status_date, not_after=today)
    )
    return CheckedProject(values, status, day)


def insert_project(user: Account, checked: CheckedProject, note: str = "") -> Project:
    """Write a checked project and its first status row (the caller holds the transaction)."""
    now = timezone.now()
    project = Project.objects.create(
        **checked.values,
        status=checked.status,
        created_by=_actor(user),
        created_at=now,
        updated_at=now,
    )
    StatusChange.objects.create(
        project=project,
        from_status="",
        to_status=checked.status,
        date=checked.status_date,
        note=note,
        actor=_actor(user),
        actor_name=actor_name(user),
        at=now,
    )
    return project


def create_project(user: Account, data: ProjectInput, today: dt.date | None = None) -> Project:
    if not _has(user, ADD):
        raise ProjectsError(FORBIDDEN, _("无权登记项目"))
    today = today or timezone.localdate()
    checked = check_project(user, data, today)
    with transaction.atomic():
        if Project.objects.filter(code=checked.values["code"]).exists():
            raise ProjectsError(CONFLICT, _("项目编号已存在"), "code")
        try:
            with transaction.atomic():
                return insert_project(user, checked)
        except IntegrityError:
            raise ProjectsError(CONFLICT, _("项目编号已存在"), "code") from None


UPDATABLE = ("name", "applicant", "kind", "plan", "plan_text", "year", "granted", "summary")


def update_project(user: Account, project_id: int, changes: dict[str, Any]) -> Project:
    """Change some facts (UPDATABLE, and the point as `lat`+`lon`, both None to clear it)."""
    unknown = set(changes) - {*UPDATABLE, "lat", "lon"}
    if unknown:
        raise invalid(sorted(unknown)[0], _("不能修改该字段"))
    with transaction.atomic():
        project = managed(user, project_id)
        for key, value in changes.items():
            if key in ("name", "applicant"):
                setattr(project, key, check_text(key, value, MAX_NAME, required=True))
            elif key == "plan_text":
                project.plan_text = check_text(key, value, MAX_NAME)
            elif key == "summary":
                project.summary = check_text(key, value, MAX_SUMMARY)
            elif key == "kind":
                project.kind = _choice(key, value, Kind)
            elif key == "plan":
                project.plan = _choice(key, value, Plan)
            elif key == "year":
                project.year = check_year(value)
            elif key == "granted":
                granted = check_amount(key, value)
                if granted < spent_of(project):
                    raise ProjectsError(CONFLICT, _("批复资金不能少于已支出金额"), key)
                project.granted = granted
        if "lat" in changes or "lon" in changes:
            project.lat, project.lon, project.grid = _grid_of(
                project.owner, changes.get("lat"), changes.get("lon")
            )
        project.updated_at = timezone.now()
        project.save()
        return project


def next_statuses(user: Account, project: Project) -> tuple[str, ...]:
    return TRANSITIONS[project.status] if can_manage(user, project) else ()


def change_status(
    user: Account, project_id: int, to: str, day: Any, note: str = "", today: dt.date | None = None
) -> StatusChange:
    today = today or timezone.localdate()
    to = _choice("status", to, Status)
    day = check_date("date", day, not_after=today)
    note = check_text("note", note, MAX_NOTE)
    with transaction.atomic():
        project = managed(user, project_id)
        if to not in TRANSITIONS[project.status]:
            raise ProjectsError(
                CONFLICT,
                _("项目当前为“%(from)s”，不能变为“%(to)s”")
                % {"from": project.get_status_display(), "to": Status(to).label},
                "status",
            )
        last = project.history.order_by("-date", "-pk").first()
        if last is not None and day < last.date:
            raise invalid("date", _("日期不能早于上一次状态变更（%(day)s）") % {"day": last.date})
        if to == Status.TERMINATED and not note:
            raise invalid("note", _("终止项目须说明理由"))
        if to == Status.COMPLETED and project.milestones.filter(done__isnull=True).exists():
            raise ProjectsError(CONFLICT, _("还有未完成的节点，不能完成项目"), "status")
        change = StatusChange.objects.create(
            project=project,
            from_status=project.status,
            to_status=to,
            date=day,
            note=note,
            actor=_actor(user),
            actor_name=actor_name(user),
            at=timezone.now(),
        )
        project.status = to
        project.updated_at = timezone.now()
        project.save(update_fields=["status", "updated_at"])
        return change


def spent_of(project: Project) -> Decimal:
    total = project.spendings.aggregate(s=Sum("amount"))["s"]
    return total if total is not None else Decimal("0.00")


def rate(part: Decimal | int, whole: Decimal | int) -> float | None:
    if not whole:
        return None
    return round(float(Decimal(part) * 100 / Decimal(whole)), 1)


# -------------------------------------------------------------------------- statistics --


@dataclass
class UnitFigures:
    region: Region
    projects: int = 0
    funded: int = 0  # projects past 申报 and not terminated: those the money figures count
    granted: Decimal = Decimal("0.00")
    spent: Decimal = Decimal("0.00")
    milestones_due: int = 0
    on_time: int = 0
    overdue: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def spend_rate(self) -> float | None:
        return rate(self.spent, self.granted)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.milestones_due)


def unit_figures(
    user: Reader | None,
    units: list[Region],
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[int, UnitFigures]:
    """Per unit: the projects owned or located in its subtree (terminated ones aside for
    money), granted and spent (ledger rows up to `end`), and the milestones planned in
    [start, end] that are due — past their date or done — with those done on time (by their
    planned date) and those overdue (past, not done)."""
    today = today or timezone.localdate()
    end = min(end or today, today)
    start = start or dt.date(YEARS[0], 1, 1)
    out = {u.pk: UnitFigures(u) for u in units}
    if not units:
        return out
    rows = list(
        projects_for(user)
        .values_list("pk", "owner__path", "grid__path", "granted", "status")
        .order_by()
    )
    spent: dict[int, Decimal] = {}
    for pid, amount in Spending.objects.filter(date__lte=end).values_list("project_id", "amount"):
        spent[pid] = spent.get(pid, Decimal("0")) + amount
    milestones: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for pid, planned, done in Milestone.objects.filter(
        planned__gte=start, planned__lte=end
    ).values_list("project_id", "planned", "done"):
        milestones.setdefault(pid, []).append((planned, done))
    for pid, owner_path, grid_path, granted, status in rows:
        for u in units:
            if not (owner_path.startswith(u.path) or (grid_path or "").startswith(u.path)):
                continue
            f = out[u.pk]
            f.projects += 1
            f.by_status[status] = f.by_status.get(status, 0) + 1
            if status not in (Status.APPLIED, Status.TERMINATED):
                f.funded += 1
                f.granted += granted
                f.spent += spent.get(pid, Decimal("0"))
            for planned, done in milestones.get(pid, []):
                if done is None and planned >= today:
                    continue  # not due yet
                f.milestones_due += 1
                if done is not None and done <= planned:
                    f.on_time += 1
                elif done is None:
                    f.overdue += 1
    return out


def stat_units(user: Account, level: int = Level.STREET) -> list[Region]:
    qs = Region.objects.active().filter(level=level)
    return list(scope.regions_for(user, qs).order_by("code"))
