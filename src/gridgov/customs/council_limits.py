"""The red-and-white council (红白理事会) and the limits it sets (标准)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.actor import Account
from gridgov.customs.models import (
    CeremonyKind,
    Council,
    CouncilMember,
    CouncilRole,
    Limit,
    LimitSource,
    RulesVersion,
)
from gridgov.customs.services import (
    MAX_DAYS,
    MAX_GUESTS,
    MAX_NAME,
    MAX_TABLES,
    CustomsError,
    _choice,
    _date,
    _day,
    _int,
    _managed_village,
    _money,
    _not_found,
    _text,
    invalid,
    villages_for,
)
from gridgov.people.models import Person
from gridgov.territory.models import Region

# ----------------------------------------------------------------------------- council --


def village_people(community: Region) -> QuerySet[Person]:
    """Persons holding a current post in the village or its grids (council candidates)."""
    from gridgov.people.models import Post

    posts = Post.objects.current().filter(region__path__startswith=community.path)
    return Person.objects.filter(pk__in=posts.values("person_id")).order_by("name", "pk")


def council_of(community: Region) -> Council | None:
    return Council.objects.filter(community=community).first()


def set_council(user: Account, community_id: int, name: str, established: Any) -> Council:
    """Create (or rename) the village's 红白理事会."""
    village = _managed_village(user, community_id)
    name = _text("name", name, 80, required=True)
    day = _day("established", established)
    council, _created = Council.objects.update_or_create(
        community=village, defaults={"name": name, "established": day}
    )
    return council


def add_member(
    user: Account,
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


def end_member(user: Account, member_id: int, end_date: Any) -> CouncilMember:
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
    user: Account, community_id: int, data: LimitInput, now: dt.datetime | None = None
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
