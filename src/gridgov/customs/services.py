"""The only write path of village rules and customs, and the scoped questions asked of them.

Every door (pages, phone, API, import, admin, demo) calls these. Refusals are `CustomsError`s
(a `DomainError`) naming a kind and a field.

Scope: a village (a community) is seen by the accounts whose scope holds it, lies above it
(its street, the district) or lies inside it (its grids' workers see their village's rules,
council and limits). Registrations are seen only where the scope holds their grid: a grid
worker sees the families of their own grid, the village all of its grids."""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import inputs
from gridgov.core.actor import actor_name
from gridgov.customs.models import (
    AdoptionMeeting,
    CeremonyKind,
    Council,
    CouncilMember,
    CouncilRole,
    FollowUp,
    Limit,
    LimitSource,
    MeetingKind,
    Registration,
    RulesVersion,
)
from gridgov.errors import DomainError
from gridgov.people import scope
from gridgov.people.models import Person
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


def can_view(user: Any) -> bool:
    return _has(user, VIEW)


def can_manage(user: Any) -> bool:
    return _has(user, MANAGE)


def can_view_registrations(user: Any) -> bool:
    return _has(user, VIEW_REGISTRATIONS)


def can_register(user: Any) -> bool:
    return _has(user, REGISTER)


def can_follow(user: Any) -> bool:
    return _has(user, FOLLOW)


def sees_family_in_exports(user: Any) -> bool:
    return _has(user, EXPORT_FAMILY)


_paths_q = scope.paths_q


_ancestors = scope.ancestor_paths


def _units_q(paths: list[str]) -> Q:
    """Regions in the scope's subtrees or on the way down to them."""
    return _paths_q(paths, "path") | Q(path__in=_ancestors(paths))


def villages_for(user: Any, qs: QuerySet[Region] | None = None) -> QuerySet[Region]:
    """The active communities (villages) this account sees."""
    qs = Region.objects.active() if qs is None else qs
    qs = qs.filter(level=Level.COMMUNITY).defer("geometry")
    if not can_view(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_units_q(paths)) if paths else qs.none()


def units_for(user: Any, level: int) -> QuerySet[Region]:
    """Streets or communities for the statistics: in the scope or above it."""
    qs = Region.objects.active().filter(level=level).defer("geometry").order_by("code")
    if not can_view_registrations(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_units_q(paths)) if paths else qs.none()


def get_village(user: Any, community_id: int) -> Region:
    village = villages_for(user).filter(pk=community_id).first()
    if village is None:
        raise _not_found(_("村/社区不存在"))
    return village


def _managed_village(user: Any, community_id: int) -> Region:
    """A village whose rules, council and limits this account may edit: in its own scope."""
    village = get_village(user, community_id)
    if not can_manage(user) or not scope.can_see_region(user, village):
        raise _forbidden(_("无权维护该村的村规民约和红白理事会"))
    return village


def registrations_for(
    user: Any, qs: QuerySet[Registration] | None = None
) -> QuerySet[Registration]:
    qs = Registration.objects.all() if qs is None else qs
    if not can_view_registrations(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "region_path")) if paths else qs.none()


def get_registration(user: Any, registration_id: int) -> Registration:
    found = (
        registrations_for(user)
        .select_related("community", "grid", "limit", "order__event")
        .filter(pk=registration_id)
        .first()
    )
    if found is None:
        raise _not_found(_("报备不存在"))
    return found


def registration_grids(user: Any) -> QuerySet[Region]:
    """The grids this account may register ceremonies in."""
    if not can_register(user):
        return Region.objects.none()
    qs = Region.objects.active().filter(level=Level.GRID).defer("geometry").order_by("code")
    return scope.regions_for(user, qs)


def rules_for(user: Any) -> QuerySet[RulesVersion]:
    return RulesVersion.objects.filter(community__in=villages_for(user))


def get_rules(user: Any, rules_id: int) -> RulesVersion:
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


# ------------------------------------------------------------------------------- rules --


def add_meeting(
    user: Any,
    community_id: int,
    date: Any,
    kind: str,
    attendance: Any,
    entitled: Any = None,
    votes_for: Any = None,
    notes: str = "",
) -> AdoptionMeeting:
    """村民（代表）会议 that adopts rules: its date, kind and attendance."""
    village = _managed_village(user, community_id)
    day = _day("date", date)
    kind = _choice("kind", kind, MeetingKind)
    present = _int("attendance", attendance, 1, MAX_ATTENDANCE, required=True)
    assert present is not None
    seats = _int("entitled", entitled, 1, MAX_ATTENDANCE)
    votes = _int("votes_for", votes_for, 0, MAX_ATTENDANCE)
    if seats is not None and present > seats:
        raise invalid("attendance", _("到会人数不能多于应到人数"))
    if votes is not None and votes > present:
        raise invalid("votes_for", _("赞成票不能多于到会人数"))
    if day > timezone.localdate():
        raise invalid("date", _("会议日期不能晚于今天"))
    return AdoptionMeeting.objects.create(
        community=village, date=day, kind=kind, attendance=present, entitled=seats,
        votes_for=votes, notes=_text("notes", notes, MAX_NOTE),
    )  # fmt: skip


def add_rules(
    user: Any,
    community_id: int,
    title: str,
    adopted: Any,
    text: str,
    meeting_id: int | None = None,
    now: dt.datetime | None = None,
) -> RulesVersion:
    """A new version of the village's rules: numbered after the last one; adopted no earlier
    than the last version, by a meeting of this village held on or before that day."""
    village = _managed_village(user, community_id)
    title = _text("title", title, MAX_TITLE, required=True)
    day = _day("adopted", adopted)
    body = _text("text", text, MAX_TEXT, required=True)
    meeting = None
    if meeting_id is not None:
        meeting = AdoptionMeeting.objects.filter(pk=meeting_id, community=village).first()
        if meeting is None:
            raise invalid("meeting", _("会议不存在或不是本村的会议"))
        if meeting.date > day:
            raise invalid("meeting", _("表决会议不能晚于通过日期"))
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=village.pk).first()
        last = RulesVersion.objects.filter(community=village).order_by("-number").first()
        if last is not None and day < last.adopted:
            raise invalid(
                "adopted",
                _("通过日期不能早于第 %(n)s 版（%(d)s）") % {"n": last.number, "d": last.adopted},
            )
        return RulesVersion.objects.create(
            community=village, number=(last.number + 1) if last else 1, title=title,
            adopted=day, meeting=meeting, text=body, created_by=_account(user),
            created_at=now or timezone.now(),
        )  # fmt: skip


def _account(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


ACCEPTED_FILES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
}


def attach_file(
    user: Any, rules_id: int, upload: IO[bytes], *, size: int, name: str
) -> RulesVersion:
    """The signed or printed document of a version (PDF, Word or a scan), recognised by its
    content, not its name; it replaces an earlier one."""
    from gridgov.workorders import evidence

    rules = get_rules(user, rules_id)
    _managed_village(user, rules.community_id)
    limit = int(settings.GRIDGOV_UPLOAD_MAX_BYTES)
    if size > limit:
        raise invalid("file", _("文件超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise invalid("file", _("文件超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    try:
        kind = evidence.sniff_document(data)
    except evidence.PhotoRejected as exc:
        raise invalid("file", str(exc)) from None
    if kind == "mpo":
        kind = "jpeg"
    if kind not in ACCEPTED_FILES:
        raise invalid("file", _("只接受 PDF、Word 文档或 PNG/JPEG 扫描件"))
    original = _text("file", Path(name or "").name, 200) or f"rules.{kind}"
    suffix = {"jpeg": "jpg"}.get(kind, kind)
    relative = Path("customs") / timezone.now().strftime("%Y/%m") / f"{uuid.uuid4().hex}.{suffix}"
    target = evidence.media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    old = rules.file
    rules.file = str(relative)
    rules.file_name = original
    rules.file_type = ACCEPTED_FILES[kind]
    rules.file_size = len(data)
    rules.save(update_fields=["file", "file_name", "file_type", "file_size"])
    if old:
        stale = (evidence.media_root() / old).resolve()
        if evidence.media_root().resolve() in stale.parents:
            transaction.on_commit(lambda: stale.unlink(missing_ok=True))
    return rules


def file_path(rules: RulesVersion) -> Path:
    from gridgov.workorders import evidence

    root = evidence.media_root().resolve()
    path = (root / rules.file).resolve()
    if not rules.file or root not in path.parents:
        raise _not_found(_("文件不存在"))
    return path


def versions(community: Region) -> list[RulesVersion]:
    return list(
        RulesVersion.objects.filter(community=community)
        .select_related("meeting")
        .order_by("-number")
    )


def current_rules(community: Region, on: dt.date | None = None) -> RulesVersion | None:
    """The version in force on `on` (today): the highest number adopted by then."""
    day = on or timezone.localdate()
    return (
        RulesVersion.objects.filter(community=community, adopted__lte=day)
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class DiffRow:
    tag: str  # equal, replace, delete, insert
    left_no: int | None
    left: str
    right_no: int | None
    right: str


@dataclass
class Comparison:
    old: RulesVersion
    new: RulesVersion
    rows: list[DiffRow]
    added: int = 0
    removed: int = 0
    changed: int = 0


def diff_lines(old: str, new: str) -> list[DiffRow]:
    """Side by side, line by line (an article of the rules is a line)."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(DiffRow("equal", i + 1, a[i], j + 1, b[j]) for i, j in
                        zip(range(i1, i2), range(j1, j2), strict=True))  # fmt: skip
            continue
        for i, j in itertools.zip_longest(range(i1, i2), range(j1, j2)):
            row_tag = "delete" if j is None else "insert" if i is None else "replace"
            rows.append(DiffRow(
                row_tag,
                None if i is None else i + 1, "" if i is None else a[i],
                None if j is None else j + 1, "" if j is None else b[j],
            ))  # fmt: skip
    return rows


def compare(old: RulesVersion, new: RulesVersion) -> Comparison:
    if old.community_id != new.community_id:
        raise invalid("other", _("只能比较同一村的两个版本"))
    rows = diff_lines(old.text, new.text)
    return Comparison(
        old, new, rows,
        added=sum(1 for r in rows if r.tag == "insert"),
        removed=sum(1 for r in rows if r.tag == "delete"),
        changed=sum(1 for r in rows if r.tag == "replace"),
    )  # fmt: skip


@dataclass
class VillageSummary:
    rules: RulesVersion | None = None
    council: int = 0
    registrations: int = 0
    flagged: int = 0


def summaries(
    user: Any, villages: list[Region], on: dt.date | None = None
) -> dict[int, VillageSummary]:
    """For the lists, in four queries: each village's version in force, current council size,
    and the registrations (and flagged ones) the account sees."""
    day = on or timezone.localdate()
    ids = [v.pk for v in villages]
    out = {pk: VillageSummary() for pk in ids}
    for r in (
        RulesVersion.objects.filter(community_id__in=ids, adopted__lte=day)
        .defer("text")
        .order_by("community_id", "-number")
    ):
        if out[r.community_id].rules is None:
            out[r.community_id].rules = r
    for pk, n in (
        CouncilMember.objects.current(day)
        .filter(council__community_id__in=ids)
        .values("council__community_id")
        .annotate(n=Count("pk"))
        .values_list("council__community_id", "n")
    ):
        out[pk].council = n
    for pk, n, flagged in (
        registrations_for(user)
        .filter(community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("pk"), f=Count("pk", filter=Q(flagged=True)))
        .values_list("community_id", "n", "f")
    ):
        out[pk].registrations, out[pk].flagged = n, flagged
    return out


# ----------------------------------------------------------------------------- council --


def village_people(community: Region) -> QuerySet[Person]:
    """Persons holding a current post in the village or its grids (council candidates)."""
    from gridgov.people.models import Post

    posts = Post.objects.current().filter(region__path__startswith=community.path)
    return Person.objects.filter(pk__in=posts.values("person_id")).order_by("name", "pk")


def council_of(community: Region) -> Council | None:
    return Council.objects.filter(community=community).first()


def set_council(user: Any, community_id: int, name: str, established: Any) -> Council:
    """Create (or rename) the village's 红白理事会."""
    village = _managed_village(user, community_id)
    name = _text("name", name, 80, required=True)
    day = _day("established", established)
    council, _created = Council.objects.update_or_create(
        community=village, defaults={"name": name, "established": day}
    )
    return council


def add_member(
    user: Any,
    community_id: int,
    role: str,
    start_date: Any,
    *,
    name: str = "",
    person_id: int | None = None,
    end_date: Any = None,
) -> CouncilMember:
    """A member of the council: a person of the platform (in the account's scope) or a named
    villager; one 会长 at a time."""
    village = _managed_village(user, community_id)
    council = council_of(village)
    if council is None:
        raise CustomsError("conflict", _("该村尚未成立红白理事会"), "council")
    role = _choice("role", role, CouncilRole)
    start = _day("start_date", start_date)
    end = _date("end_date", end_date, required=False)
    if end is not None and end < start:
        raise invalid("end_date", _("结束日期不能早于开始日期"))
    person = None
    if person_id is not None:
        person = village_people(village).filter(pk=person_id).first()
        if person is None:
            raise invalid("person", _("须为本村（社区）在岗人员"))
    name = _text("name", name, MAX_NAME) or (person.name if person else "")
    if not name:
        raise invalid("name", _("请填写姓名或选择平台人员"))
    with transaction.atomic():
        Council.objects.select_for_update().filter(pk=council.pk).first()
        if role == CouncilRole.PRESIDENT:
            clash = CouncilMember.objects.filter(council=council, role=role).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=start)
            )
            if end is not None:
                clash = clash.filter(start_date__lte=end)
            if clash.exists():
                raise CustomsError("conflict", _("该时段已有会长"), "role")
        return CouncilMember.objects.create(
            council=council, person=person, name=name, role=role, start_date=start, end_date=end
        )


def end_member(user: Any, member_id: int, end_date: Any) -> CouncilMember:
    member = (
        CouncilMember.objects.select_related("council")
        .filter(pk=member_id, council__community__in=villages_for(user))
        .first()
    )
    if member is None:
        raise _not_found(_("理事会成员不存在"))
    _managed_village(user, member.council.community_id)
    end = _day("end_date", end_date)
    if end < member.start_date:
        raise invalid("end_date", _("结束日期不能早于开始日期"))
    if member.end_date is not None and member.end_date <= end:
        raise CustomsError(
            "conflict", _("该成员已于%(d)s离任") % {"d": member.end_date}, "end_date"
        )
    member.end_date = end
    member.save(update_fields=["end_date"])
    return member


def council_members(community: Region, on: dt.date | None = None) -> list[CouncilMember]:
    council = council_of(community)
    if council is None:
        return []
    qs = council.members.current(on or timezone.localdate()).select_related("person")
    order = {r: i for i, r in enumerate(CouncilRole.values)}
    return sorted(qs, key=lambda m: (order[m.role], m.start_date, m.pk))


# ------------------------------------------------------------------------------ limits --

MEASURES: dict[str, Any] = {
    "tables": gettext_lazy("桌数"),
    "guests": gettext_lazy("人数"),
    "cost": gettext_lazy("总花费（元）"),
    "days": gettext_lazy("天数"),
    "table_cost": gettext_lazy("每桌花费（元）"),
}


@dataclass
class LimitInput:
    kind: str
    effective_from: Any
    source: str = LimitSource.COUNCIL
    rules_id: int | None = None
    max_tables: Any = None
    max_guests: Any = None
    max_cost: Any = None
    max_days: Any = None
    max_table_cost: Any = None


def set_limit(
    user: Any, community_id: int, data: LimitInput, now: dt.datetime | None = None
) -> Limit:
    """A new standard for a kind of ceremony from a date: the one in force before it ends the
    day before. Set by a version of the rules (of this village) or by the council."""
    village = _managed_village(user, community_id)
    kind = _choice("kind", data.kind, CeremonyKind)
    source = _choice("source", data.source, LimitSource)
    start = _day("effective_from", data.effective_from)
    rules = None
    if data.rules_id is not None:
        rules = RulesVersion.objects.filter(pk=data.rules_id, community=village).first()
        if rules is None:
            raise invalid("rules", _("村规民约版本不存在或不是本村的"))
    if source == LimitSource.RULES and rules is None:
        raise invalid("rules", _("依据村规民约的标准须指明版本"))
    if source == LimitSource.COUNCIL and council_of(village) is None:
        raise invalid("source", _("该村尚未成立红白理事会"))
    values = {
        "max_tables": _int("max_tables", data.max_tables, 1, MAX_TABLES),
        "max_guests": _int("max_guests", data.max_guests, 1, MAX_GUESTS),
        "max_cost": _money("max_cost", data.max_cost),
        "max_days": _int("max_days", data.max_days, 1, MAX_DAYS),
        "max_table_cost": _money("max_table_cost", data.max_table_cost),
    }
    if all(v is None for v in values.values()):
        raise invalid("max_tables", _("至少填写一项上限"))
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=village.pk).first()
        earlier = Limit.objects.filter(community=village, kind=kind)
        if earlier.filter(effective_from__gte=start).exists():
            raise CustomsError("conflict", _("已有同日或更晚生效的同类标准"), "effective_from")
        earlier.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start)).update(
            effective_to=start - dt.timedelta(days=1)
        )
        return Limit.objects.create(
            community=village, kind=kind, source=source, rules=rules, effective_from=start,
            created_at=now or timezone.now(), **values,
        )  # fmt: skip


def limit_on(community_id: int, kind: str, day: dt.date) -> Limit | None:
    return (
        Limit.objects.filter(community_id=community_id, kind=kind, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )


def limits_in_force(community: Region, on: dt.date | None = None) -> list[Limit]:
    day = on or timezone.localdate()
    found = [limit_on(community.pk, k, day) for k in CeremonyKind.values]
    return [x for x in found if x is not None]


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


def check_registration(user: Any, data: RegistrationInput) -> Checked:
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


def _open_order(reg: Registration, user: Any, now: dt.datetime) -> Any:
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


def _save(user: Any, c: Checked, now: dt.datetime) -> Registration:
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


def register(user: Any, data: RegistrationInput, now: dt.datetime | None = None) -> Registration:
    """红白事报备: checked against the village's limits in force on the day; a flagged one
    opens a work order to the village in the same transaction."""
    checked = check_registration(user, data)
    with transaction.atomic():
        return _save(user, checked, now or timezone.now())


def register_many(
    user: Any, rows: list[Checked], now: dt.datetime | None = None
) -> list[Registration]:
    """Rows already checked (the import): all written in one transaction, or none."""
    now = now or timezone.now()
    with transaction.atomic():
        return [_save(user, c, now) for c in rows]


def record_follow_up(
    user: Any,
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
    user: Any, start: dt.date, end: dt.date, by: str = "community"
) -> tuple[list[StatRow], StatRow]:
    """Per village (or street) of the account's view, over the period, and the total of what
    the account sees."""
    check_period(start, end)
    levels = {"community": Level.COMMUNITY, "street": Level.STREET}
    if by not in levels:
        raise invalid("by", _("须为 community 或 street"))
    units = list(units_for(user, levels[by]))
    qs = registrations_for(user)
    rows = tally(units, qs, start, end)
    total = tally([Region(name=_("合计"), path="/")], qs, start, end)[0]
    return rows, total


def compliance(units: list[Region], start: dt.date, end: dt.date) -> dict[int, StatRow]:
    """Every registration, whoever asks (the horse race reads as the command office)."""
    rows = tally(units, Registration.objects.all(), start, end)
    return {r.unit.pk: r for r in rows}
