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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import actor_name
from gridgov.errors import DomainError
from gridgov.organisations.models import (
    Assignment,
    EventKind,
    JointMeeting,
    Organisation,
    OrgEvent,
    OrgKind,
    PartyOrg,
    SocialForm,
    Visit,
    Volunteer,
    WorkerGroup,
)
from gridgov.people import identity, scope
from gridgov.people.models import Person, Post, PostType
from gridgov.territory import extent
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


def can_view(user: Any) -> bool:
    return _has(user, VIEW)


def can_add(user: Any) -> bool:
    return _has(user, ADD)


def can_change(user: Any) -> bool:
    return _has(user, CHANGE)


def can_assign(user: Any) -> bool:
    return _has(user, ASSIGN)


def can_visit(user: Any) -> bool:
    return _has(user, VISIT)


def can_view_meetings(user: Any) -> bool:
    return _has(user, VIEW_MEETINGS)


def can_add_meeting(user: Any) -> bool:
    return _has(user, ADD_MEETING)


def can_view_volunteers(user: Any) -> bool:
    return _has(user, VIEW_VOLUNTEERS)


def can_register(user: Any) -> bool:
    return _has(user, ADD_VOLUNTEER)


def sees_contact(user: Any) -> bool:
    return _has(user, CONTACT)


_paths_q = scope.paths_q


def in_scope(user: Any, path: str) -> bool:
    paths = scope.scope_paths(user)
    return paths is scope.ALL or any(path.startswith(p) for p in paths)


def organisations_for(
    user: Any, qs: QuerySet[Organisation] | None = None
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


def get_organisation(user: Any, org_id: int) -> Organisation:
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


def owns(user: Any, org: Organisation) -> bool:
    """The organisation is now in the account's scope (where it may be changed)."""
    return in_scope(user, org.region_path)


def _own_for(user: Any, org_id: int, perm: str, message: str) -> Organisation:
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


def grids_for(user: Any) -> QuerySet[Region]:
    return scope.regions_for(
        user, Region.objects.active().defer("geometry").filter(level=Level.GRID)
    ).order_by("code")


def units_for(user: Any) -> QuerySet[Region]:
    """Streets and communities in the account's scope."""
    qs = Region.objects.active().defer("geometry").filter(level__in=[Level.STREET, Level.COMMUNITY])
    return scope.regions_for(user, qs).order_by("code")


def unit_by_code(code: str) -> Region | None:
    """A street or community by its code (a filter; the scope is applied to what it finds)."""
    return (
        Region.objects.active()
        .defer("geometry")
        .filter(code=code, level__in=[Level.STREET, Level.COMMUNITY])
        .first()
    )


def pick_grid(
    user: Any, grid_id: int | None, lat: float | None, lon: float | None, field_name: str = "grid"
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


# ----------------------------------------------------------------------- organisations --


@dataclass
class OrgInput:
    name: str
    kind: str
    credit_code: str
    opened: dt.date
    grid_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    social_form: str = ""
    industry: str = ""
    staff: int = 0
    party_members: int = 0
    address: str = ""
    party_org: str = PartyOrg.NONE
    party_org_date: dt.date | None = None
    contact: str = ""
    contact_phone: str = ""


def clean_input(data: OrgInput) -> dict[str, Any]:
    """Every field checked (no database beyond nothing): the model's fields, grid aside."""
    if data.kind not in OrgKind.values:
        raise invalid("kind", _("没有这个类别"))
    social_form = data.social_form or ""
    if data.kind == OrgKind.SOCIAL:
        if social_form not in SocialForm.values:
            raise invalid("social_form", _("新社会组织须注明社会团体、基金会或社会服务机构"))
    elif social_form:
        raise invalid("social_form", _("新经济组织不填社会组织类型"))
    if data.party_org not in PartyOrg.values:
        raise invalid("party_org", _("没有这种党组织建立方式"))
    opened = _date("opened", data.opened)
    party_date = _date("party_org_date", data.party_org_date) if data.party_org_date else None
    if data.party_org == PartyOrg.NONE and party_date is not None:
        raise invalid("party_org_date", _("未建立党组织时不填成立日期"))
    staff = _count("staff", data.staff)
    members = _count("party_members", data.party_members)
    if members > staff and staff:
        raise invalid("party_members", _("党员数不能超过从业人员数"))
    phone = _text("contact_phone", data.contact_phone, 20)
    if phone and not all(c.isdigit() or c in "-+ " for c in phone):
        raise invalid("contact_phone", _("联系电话只能含数字"))
    return {
        "name": _text("name", data.name, MAX_NAME, required=True),
        "kind": data.kind,
        "social_form": social_form,
        "credit_code": check_credit_code(data.credit_code),
        "industry": _text("industry", data.industry, 40),
        "staff": staff,
        "party_members": members,
        "address": _text("address", data.address, 200),
        "lat": data.lat,
        "lon": data.lon,
        "party_org": data.party_org,
        "party_org_date": party_date,
        "opened": opened,
        "contact": _text("contact", data.contact, 50),
        "contact_phone": phone,
    }


def _event(org: Organisation, kind: str, day: dt.date, user: Any, **kw: Any) -> OrgEvent:
    return OrgEvent.objects.create(
        organisation=org, kind=kind, date=day, actor_name=actor_name(user)[:50], **kw
    )


def write_new(user: Any, values: dict[str, Any], grid: Region) -> Organisation:
    org = Organisation.objects.create(grid=grid, region_path=grid.path, **values)
    _event(org, EventKind.OPENED, org.opened, user, grid=grid)
    if org.party_org != PartyOrg.NONE:
        _event(org, EventKind.PARTY_ORG, org.party_org_date or org.opened, user,
               party_org=org.party_org)  # fmt: skip
    return org


def create_organisation(user: Any, data: OrgInput) -> Organisation:
    """纳入: a new organisation enters the database, in a grid of the account's scope."""
    if not can_add(user):
        raise forbidden(_("无权登记两新组织"))
    values = clean_input(data)
    grid = pick_grid(user, data.grid_id, data.lat, data.lon)
    with transaction.atomic():
        if Organisation.objects.filter(credit_code=values["credit_code"]).exists():
            raise conflict(_("该统一社会信用代码已登记"), "credit_code")
        return write_new(user, values, grid)


def last_change(org: Organisation) -> dt.date:
    dated = (EventKind.OPENED, EventKind.MOVED, EventKind.PARTY_ORG, EventKind.ASSIGNED)
    last = org.events.filter(kind__in=dated).aggregate(d=Max("date"))["d"]
    return last or org.opened


def _check_open(org: Organisation, day: dt.date, field_name: str = "date") -> None:
    if org.closed is not None:
        raise conflict(_("该组织已于%(d)s注销/迁出") % {"d": org.closed}, field_name)
    if day < org.opened:
        raise invalid(field_name, _("日期不能早于纳入日期"))
    if day > timezone.localdate():
        raise invalid(field_name, _("日期不能晚于今天"))


def move_organisation(
    user: Any,
    org_id: int,
    day: dt.date,
    grid_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    note: str = "",
) -> Organisation:
    """迁移: the organisation moves to another grid (in the account's scope) on `day`."""
    day = _date("date", day)
    address = _text("address", address, 200)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        _check_open(org, day)
        last_move = org.events.filter(kind__in=[EventKind.OPENED, EventKind.MOVED]).aggregate(
            d=Max("date")
        )["d"]
        if last_move is not None and day < last_move:
            raise invalid("date", _("日期不能早于上一次迁移"))
        grid = pick_grid(user, grid_id, lat, lon)
        if grid.pk == org.grid_id:
            raise conflict(_("该组织已在此网格"), "grid")
        org.grid, org.region_path = grid, grid.path
        if address:
            org.address = address
        if lat is not None and lon is not None:
            org.lat, org.lon = lat, lon
        org.save(update_fields=["grid", "region_path", "address", "lat", "lon"])
        _event(org, EventKind.MOVED, day, user, grid=grid, note=note)
    return org


def close_organisation(user: Any, org_id: int, day: dt.date, note: str = "") -> Organisation:
    """注销/迁出: the organisation leaves the database on `day`; its instructor's assignment
    ends with it. The record and its history stay."""
    day = _date("date", day)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        _check_open(org, day)
        if day < last_change(org):
            raise invalid("date", _("日期不能早于该组织最近一次变化"))
        for a in org.assignments.filter(Q(end_date__isnull=True) | Q(end_date__gt=day)):
            a.end_date = max(day, a.start_date)
            a.save(update_fields=["end_date"])
            _event(org, EventKind.UNASSIGNED, a.end_date, user, instructor_id=a.instructor_id)
        org.closed = day
        org.save(update_fields=["closed"])
        _event(org, EventKind.CLOSED, day, user, grid=org.grid, note=note)
    return org


def set_party_org(user: Any, org_id: int, form: str, day: dt.date, note: str = "") -> Organisation:
    """组织覆盖 gained (单独建/联合建) or lost (未建立) on `day`."""
    if form not in PartyOrg.values:
        raise invalid("party_org", _("没有这种党组织建立方式"))
    day = _date("date", day)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        _check_open(org, day)
        if form == org.party_org:
            raise conflict(_("党组织情况没有变化"), "party_org")
        last = org.events.filter(kind=EventKind.PARTY_ORG).aggregate(d=Max("date"))["d"]
        if last is not None and day < last:
            raise invalid("date", _("日期不能早于上一次党组织变化"))
        org.party_org = form
        org.party_org_date = None if form == PartyOrg.NONE else day
        org.save(update_fields=["party_org", "party_org_date"])
        _event(org, EventKind.PARTY_ORG, day, user, party_org=form, note=note)
    return org


def update_organisation(
    user: Any, org_id: int, *, name: str, industry: str, staff: int, party_members: int,
    address: str, contact: str, contact_phone: str,
) -> Organisation:  # fmt: skip
    """信息变更: the descriptive fields (not the grid, the party organisation or the dates,
    which have their own dated changes); the changed fields are recorded."""
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        values = clean_input(
            OrgInput(
                name=name, kind=org.kind, credit_code=org.credit_code, opened=org.opened,
                social_form=org.social_form, industry=industry, staff=staff,
                party_members=party_members, address=address, contact=contact,
                contact_phone=contact_phone,
            )
        )  # fmt: skip
        keys = ["name", "industry", "staff", "party_members", "address", "contact", "contact_phone"]
        changed = [k for k in keys if getattr(org, k) != values[k]]
        if not changed:
            return org
        for k in changed:
            setattr(org, k, values[k])
        org.save(update_fields=changed)
        labels = "、".join(
            str(getattr(Organisation._meta.get_field(k), "verbose_name", k)) for k in changed
        )
        _event(org, EventKind.CHANGED, timezone.localdate(), user, note=labels[:MAX_NOTE])
    return org


# --------------------------------------------------------------------------- instructors --


def instructor_posts(on: dt.date | None = None) -> QuerySet[Post]:
    return Post.objects.current(on).filter(post_type__code=INSTRUCTOR_POST)


def may_instruct(person_id: int, grid: Region, day: dt.date) -> bool:
    """The person holds a party-instructor post on `day` in a region containing the grid."""
    paths = instructor_posts(day).filter(person_id=person_id).values_list("region__path", flat=True)
    return any(grid.path.startswith(p) for p in paths)


def instructors_for(user: Any, on: dt.date | None = None) -> QuerySet[Person]:
    """Party-building instructors holding a post in (or above) the account's scope."""
    if not can_view(user):
        return Person.objects.none()
    posts = instructor_posts(on)
    paths = scope.scope_paths(user)
    if paths is not scope.ALL:
        # An instructor of the street serves its communities: posts above the scope count.
        above = Q(region__path__in=_ancestors(paths or []))
        posts = posts.filter(_paths_q(paths or [], "region__path") | above)
    return Person.objects.filter(pk__in=posts.values("person_id")).order_by("name", "pk")


def assign_instructor(user: Any, org_id: int, instructor_id: int, start: dt.date) -> Assignment:
    """选派: the instructor takes the organisation from `start`; the previous instructor's
    assignment ends the day before (history kept)."""
    start = _date("start_date", start)
    with transaction.atomic():
        org = _own_for(user, org_id, ASSIGN, _("无权选派党建指导员"))
        _check_open(org, start, "start_date")
        if not may_instruct(instructor_id, org.grid, start):
            raise invalid("instructor", _("此人在该日不是负责该组织所在区域的党建指导员"))
        current = org.assignments.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        for a in current:
            if a.start_date >= start:
                raise conflict(_("该日已有选派记录"), "start_date")
            if a.instructor_id == instructor_id:
                raise conflict(_("此人已是该组织的党建指导员"), "instructor")
            a.end_date = start - dt.timedelta(days=1)
            a.save(update_fields=["end_date"])
            _event(org, EventKind.UNASSIGNED, a.end_date, user, instructor_id=a.instructor_id)
        made = Assignment.objects.create(
            organisation=org, instructor_id=instructor_id, start_date=start
        )
        _event(org, EventKind.ASSIGNED, start, user, instructor_id=instructor_id)
    return made


def end_assignment(user: Any, org_id: int, end: dt.date) -> Assignment:
    """The current instructor leaves the organisation on `end`."""
    end = _date("end_date", end)
    with transaction.atomic():
        org = _own_for(user, org_id, ASSIGN, _("无权选派党建指导员"))
        a = org.assignments.filter(end_date__isnull=True).first()
        if a is None:
            raise conflict(_("该组织目前没有党建指导员"), "end_date")
        if end < a.start_date:
            raise invalid("end_date", _("结束日期不能早于开始日期"))
        a.end_date = end
        a.save(update_fields=["end_date"])
        _event(org, EventKind.UNASSIGNED, end, user, instructor_id=a.instructor_id)
    return a


def record_visit(
    user: Any, org_id: int, instructor_id: int, day: dt.date, notes: str = ""
) -> Visit:
    """走访, by an instructor responsible for the organisation's area on that day."""
    day = _date("date", day)
    notes = _text("notes", notes, MAX_TEXT)
    if day > timezone.localdate():
        raise invalid("date", _("走访日期不能晚于今天"))
    with transaction.atomic():
        org = _own_for(user, org_id, VISIT, _("无权登记走访"))
        _check_open(org, day)
        if not may_instruct(instructor_id, org.grid, day):
            raise invalid("instructor", _("此人在该日不是负责该组织所在区域的党建指导员"))
        return Visit.objects.create(
            organisation=org, instructor_id=instructor_id, date=day, notes=notes
        )


def load(user: Any, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Each instructor in scope with the organisations assigned on the day (负荷)."""
    day = on or timezone.localdate()
    people = list(instructors_for(user, day))
    units: dict[int, list[str]] = defaultdict(list)
    for p in (
        instructor_posts(day)
        .filter(person__in=people)
        .select_related("region")
        .defer("region__geometry")
    ):
        units[p.person_id].append(p.region.name)
    orgs: dict[int, list[Organisation]] = defaultdict(list)
    visible = organisations_for(user)
    for a in (
        Assignment.objects.current(day)
        .filter(instructor__in=people, organisation__in=visible)
        .select_related("organisation")
    ):
        orgs[a.instructor_id].append(a.organisation)
    last = dict(
        Visit.objects.filter(instructor__in=people, date__lte=day)
        .values("instructor_id")
        .annotate(d=Max("date"))
        .values_list("instructor_id", "d")
    )
    people.sort(key=lambda p: (-len(orgs[p.pk]), p.name))
    return [
        {"person": p, "units": units[p.pk], "organisations": orgs[p.pk],
         "load": len(orgs[p.pk]), "last_visit": last.get(p.pk)}
        for p in people
    ]  # fmt: skip


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


def states_for(user: Any, on: dt.date | None = None, months: int = WORK_MONTHS) -> list[OrgState]:
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
    user: Any,
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


def default_by(user: Any) -> str:
    """Rows by street for those who see streets, by community for a community's account."""
    return "street" if units_for(user).filter(level=Level.STREET).exists() else "community"


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
    user: Any,
    on: dt.date | None = None,
    *,
    by: str = "street",
    months: int = WORK_MONTHS,
    units: list[Region] | None = None,
) -> Coverage:
    """组织覆盖率 and 工作覆盖率 per street or community as of a day, the instructors and their
    load, and the organisations not covered (with why)."""
    if by not in ("street", "community"):
        raise invalid("by", _("须为 street 或 community"))
    if not 1 <= months <= 60:
        raise invalid("months", _("须在1到60个月之间"))
    day = on or timezone.localdate()
    level = Level.STREET if by == "street" else Level.COMMUNITY
    if units is None:
        units = list(units_for(user).filter(level=level))
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


def meetings_for(user: Any, qs: QuerySet[JointMeeting] | None = None) -> QuerySet[JointMeeting]:
    """Meetings of a unit in the scope, or of the street (or community) the account is in."""
    qs = JointMeeting.objects.all() if qs is None else qs
    if not can_view_meetings(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    if not paths:
        return qs.none()
    above = Q(unit__path__in=_ancestors(paths), unit__level__gte=Level.STREET)
    return qs.filter(_paths_q(paths, "unit__path") | above)


def get_meeting(user: Any, meeting_id: int) -> JointMeeting:
    found = (
        meetings_for(user)
        .select_related("unit")
        .defer("unit__geometry")
        .filter(pk=meeting_id)
        .first()
    )
    if found is None:
        raise not_found(_("联席会不存在"))
    return found


def create_meeting(
    user: Any,
    day: dt.date,
    unit_id: int,
    topic: str,
    minutes: str = "",
    organisation_ids: list[int] | None = None,
    attendee_ids: list[int] | None = None,
) -> JointMeeting:
    """联席会 of a street or community of the account's scope, with the organisations and
    people who attended."""
    if not can_add_meeting(user):
        raise forbidden(_("无权登记联席会"))
    day = _date("date", day)
    topic = _text("topic", topic, 200, required=True)
    minutes = _text("minutes", minutes, MAX_TEXT)
    unit = units_for(user).filter(pk=unit_id).first()
    if unit is None:
        raise invalid("unit", _("须为辖区内的街道/镇或社区/村"))
    org_ids = sorted(set(organisation_ids or []))
    orgs = list(organisations_for(user).filter(pk__in=org_ids, region_path__startswith=unit.path))
    if len(orgs) != len(org_ids):
        raise invalid("organisations", _("参会组织须为该单位辖区内的组织"))
    person_ids = sorted(set(attendee_ids or []))
    allowed = scope.people_for(user).filter(pk__in=person_ids).values_list("pk", flat=True)
    instructors = instructors_for(user, day).filter(pk__in=person_ids).values_list("pk", flat=True)
    if set(allowed) | set(instructors) != set(person_ids):
        raise invalid("attendees", _("参会人员不存在"))
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            date=day, unit=unit, topic=topic, minutes=minutes,
            created_by=user if getattr(user, "pk", None) else None,
        )  # fmt: skip
        meeting.organisations.set(orgs)
        meeting.attendees.set(person_ids)
    return meeting


# --------------------------------------------------------------------------- volunteers --


def volunteers_for(user: Any, qs: QuerySet[Volunteer] | None = None) -> QuerySet[Volunteer]:
    qs = Volunteer.objects.all() if qs is None else qs
    if not can_view_volunteers(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths or [], "region_path"))


def get_volunteer(user: Any, volunteer_id: int) -> Volunteer:
    found = (
        volunteers_for(user)
        .select_related("person", "grid")
        .defer("grid__geometry")
        .filter(pk=volunteer_id)
        .first()
    )
    if found is None:
        raise not_found(_("志愿者不存在"))
    return found


@dataclass
class VolunteerInput:
    name: str
    phone: str
    group: str
    registered: dt.date
    grid_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    employer_id: int | None = None


def register_volunteer(user: Any, data: VolunteerInput) -> Volunteer:
    """登记: a courier, rider or driver joins as a volunteer of a grid. The person is found by
    phone (or created) and given a `volunteer` post in the grid, so the phone pages serve them."""
    if not can_register(user):
        raise forbidden(_("无权登记志愿者"))
    name = _text("name", data.name, 50, required=True)
    phone = identity.normalise_phone(_text("phone", data.phone, 20, required=True))
    if not identity.is_mobile(phone):
        raise invalid("phone", _("不是有效的手机号码"))
    if data.group not in WorkerGroup.values:
        raise invalid("group", _("没有这个群体"))
    day = _date("registered", data.registered)
    if day > timezone.localdate():
        raise invalid("registered", _("登记日期不能晚于今天"))
    grid = pick_grid(user, data.grid_id, data.lat, data.lon)
    employer = None
    if data.employer_id is not None:
        # An employer may be anywhere (a courier company of the next street): any open one.
        employer = Organisation.objects.filter(pk=data.employer_id, closed__isnull=True).first()
        if employer is None:
            raise invalid("employer", _("没有这个组织"))
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(phone=phone).first()
        if person is None:
            person = Person.objects.create(name=name, phone=phone)
        elif person.name != name:
            raise conflict(_("该手机号已登记为另一人"), "phone")
        if Volunteer.objects.filter(person=person, active=True).exists():
            raise conflict(_("此人已登记为志愿者"), "phone")
        post = (
            Post.objects.current(day)
            .filter(person=person, post_type__code=VOLUNTEER_POST, region=grid)
            .first()
        )
        if post is None:
            post = Post.objects.create(
                person=person, post_type=PostType.objects.get(code=VOLUNTEER_POST),
                region=grid, start_date=day, notes=_("新就业群体志愿者"),
            )  # fmt: skip
        volunteer = Volunteer.objects.create(
            person=person, group=data.group, employer=employer, grid=grid,
            region_path=grid.path, registered=day, post=post,
        )  # fmt: skip
        if person.user_id is not None:
            from gridgov.people.roles import sync_groups

            sync_groups(person.user)
    return volunteer


def end_volunteer(user: Any, volunteer_id: int, day: dt.date) -> Volunteer:
    """退出: the volunteer leaves; the post ends the same day."""
    v = get_volunteer(user, volunteer_id)
    if not _has(user, CHANGE_VOLUNTEER):
        raise forbidden(_("无权变更志愿者"))
    day = _date("date", day)
    if not v.active:
        raise conflict(_("该志愿者已退出"), "date")
    if day < v.registered:
        raise invalid("date", _("日期不能早于登记日期"))
    with transaction.atomic():
        v.active, v.ended = False, day
        v.save(update_fields=["active", "ended"])
        if v.post_id is not None:
            Post.objects.filter(pk=v.post_id, end_date__isnull=True).update(end_date=day)
    return v


def reports_by_volunteer(vols: list[Volunteer], start: dt.date, end: dt.date) -> dict[int, int]:
    """Events each volunteer (with an account) reported from `start` to `end` (China dates)."""
    from gridgov.workorders.models import Event

    users = {v.person.user_id: v.pk for v in vols if v.person.user_id}
    reports: dict[int, int] = defaultdict(int)
    for user_id in Event.objects.filter(
        reported_by__in=list(users), created_at__date__gte=start, created_at__date__lte=end
    ).values_list("reported_by_id", flat=True):
        reports[users[user_id]] += 1
    return reports


@dataclass
class VolunteerRow:
    unit: Region | None
    by_group: dict[str, int]
    reports: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_group.values())


def volunteer_stats(
    user: Any, start: dt.date, end: dt.date, *, by: str = "street"
) -> tuple[list[VolunteerRow], VolunteerRow]:
    """Per street or community: volunteers in the register on `end`, by group, and the events
    they reported from `start` to `end` (work orders' `reported_by`)."""
    if by not in ("street", "community"):
        raise invalid("by", _("须为 street 或 community"))
    if end < start:
        raise invalid("end", _("结束日期不能早于开始日期"))
    level = Level.STREET if by == "street" else Level.COMMUNITY
    units = list(units_for(user).filter(level=level))
    empty = dict.fromkeys(WorkerGroup.values, 0)
    rows = {u.pk: VolunteerRow(u, dict(empty)) for u in units}
    total = VolunteerRow(None, dict(empty))
    vols = list(
        volunteers_for(user)
        .filter(registered__lte=end)
        .filter(Q(ended__isnull=True) | Q(ended__gt=end))
        .select_related("person")
    )
    reports = reports_by_volunteer(vols, start, end)
    for v in vols:
        total.by_group[v.group] += 1
        total.reports += reports[v.pk]
        for u in units:
            if v.region_path.startswith(u.path):
                rows[u.pk].by_group[v.group] += 1
                rows[u.pk].reports += reports[v.pk]
                break
    return [rows[u.pk] for u in units], total
