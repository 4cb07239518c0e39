"""Task-force members (队员), secondments by street, duty rosters (值班)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.forces.models import (
    DutyShift,
    MemberRole,
    Membership,
    Shift,
    TaskForce,
)
from gridgov.forces.services import (
    MAX_NOTE,
    ForcesError,
    _date,
    _not_found,
    _paths_q,
    _text,
    _unit_q,
    forces_for,
    get_force,
    invalid,
    owns_force,
)
from gridgov.people import scope
from gridgov.people.models import Person
from gridgov.territory.models import Level, Region

# ----------------------------------------------------------------------------- members --


@dataclass
class MemberInput:
    person_id: int
    home_unit_id: int
    start_date: dt.date
    role: str = MemberRole.MEMBER
    end_date: dt.date | None = None
    seconded: bool = False
    posted_to_id: int | None = None
    notes: str = ""


def add_member(user: Account, force_id: int, data: MemberInput) -> Membership:
    """A person joins a force (seconded: sent from a home unit to a street) for a period; the
    same person may not be in the same force twice at once."""
    force = get_force(user, force_id)
    if not owns_force(user, force):
        raise ForcesError("forbidden", _("无权调整专班成员"))
    if data.role not in MemberRole.values:
        raise invalid("role", _("没有这个职务"))
    start = _date("start_date", data.start_date)
    end = _date("end_date", data.end_date) if data.end_date else None
    if end is not None and end < start:
        raise invalid("end_date", _("结束日期不能早于开始日期"))
    person = Person.objects.filter(pk=data.person_id).first()
    if person is None:
        raise invalid("person", _("人员不存在"))
    home = Region.objects.filter(pk=data.home_unit_id).first()
    if home is None:
        raise invalid("home_unit", _("单位不存在"))
    posted = None
    if data.seconded:
        posted = (
            Region.objects.active().filter(pk=data.posted_to_id or 0, level=Level.STREET).first()
        )
        if posted is None:
            raise invalid("posted_to", _("借调人员须派驻到街道/镇"))
        if posted.pk == home.pk:
            raise invalid("posted_to", _("派驻街道与原单位相同"))
    notes = _text("notes", data.notes, MAX_NOTE)
    with transaction.atomic():
        TaskForce.objects.select_for_update().filter(pk=force.pk).first()
        clash = Membership.objects.filter(force=force, person=person).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )
        if end is not None:
            clash = clash.filter(start_date__lte=end)
        if clash.exists():
            raise ForcesError("conflict", _("此人在该时段已是本专班成员"), "person")
        return Membership.objects.create(
            force=force, person=person, role=data.role, home_unit=home, seconded=data.seconded,
            posted_to=posted, start_date=start, end_date=end, notes=notes,
        )  # fmt: skip


def end_membership(user: Account, membership_id: int, end_date: dt.date) -> Membership:
    """借调期满 or leaving: the row keeps its period; nothing is deleted."""
    m = Membership.objects.select_related("force__owner").filter(pk=membership_id).first()
    if m is None or not forces_for(user).filter(pk=m.force_id).exists():
        raise _not_found(_("成员记录不存在"))
    if not owns_force(user, m.force):
        raise ForcesError("forbidden", _("无权调整专班成员"))
    end = _date("end_date", end_date)
    if m.end_date is not None and m.end_date <= end:
        raise ForcesError("conflict", _("该成员已于%(d)s离开") % {"d": m.end_date}, "end_date")
    if end < m.start_date:
        raise invalid("end_date", _("结束日期不能早于开始日期"))
    m.end_date = end
    m.save(update_fields=["end_date"])
    return m


def members(force: TaskForce, on: dt.date | None = None, history: bool = False) -> list[Membership]:
    qs = force.members.select_related("person", "home_unit", "posted_to")
    if not history:
        qs = qs.current(on)
    return list(qs.order_by("role", "seconded", "start_date", "pk"))


def seconded_by_street(
    user: Account, on: dt.date | None = None, force: TaskForce | None = None
) -> list[tuple[Region, list[Membership]]]:
    """Staff currently sent to each street (in the account's scope), by street."""
    qs = (
        Membership.objects.current(on)
        .filter(seconded=True, force__in=forces_for(user))
        .select_related("person", "home_unit", "posted_to", "force")
    )
    if force is not None:
        qs = qs.filter(force=force)
    paths = scope.scope_paths(user)
    if paths is not scope.ALL:
        qs = qs.filter(_unit_q(paths, "posted_to") | Q(force__in=_owned_forces(paths)))
    grouped: dict[int, list[Membership]] = defaultdict(list)
    streets: dict[int, Region] = {}
    for m in qs.order_by("posted_to__code", "person__name", "pk"):
        assert m.posted_to is not None
        grouped[m.posted_to.pk].append(m)
        streets[m.posted_to.pk] = m.posted_to
    return [(streets[k], v) for k, v in grouped.items()]


def _owned_forces(paths: list[str]) -> QuerySet[TaskForce]:
    return TaskForce.objects.filter(_paths_q(paths, "owner__path"))


# ------------------------------------------------------------------------------ roster --


def set_duty(
    user: Account, force_id: int, day: dt.date, shift: str, person_id: int, leader: bool = False
) -> DutyShift:
    """Put a current member of the force on duty (one person once per shift)."""
    force = get_force(user, force_id)
    if not owns_force(user, force):
        raise ForcesError("forbidden", _("无权排班"))
    day = _date("date", day)
    if shift not in Shift.values:
        raise invalid("shift", _("没有这个班次"))
    if not Membership.objects.current(day).filter(force=force, person_id=person_id).exists():
        raise invalid("person", _("该日此人不是本专班成员"))
    duty, _created = DutyShift.objects.update_or_create(
        force=force, date=day, shift=shift, person_id=person_id, defaults={"leader": leader}
    )
    return duty


def roster(force: TaskForce, start: dt.date, end: dt.date) -> list[DutyShift]:
    return list(force.duties_rota.filter(date__gte=start, date__lte=end).select_related("person"))
