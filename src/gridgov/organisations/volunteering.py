"""Volunteers (志愿者): registration, ending, and what they report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.organisations.models import (
    Organisation,
    Volunteer,
    WorkerGroup,
)
from gridgov.organisations.services import (
    CHANGE_VOLUNTEER,
    VOLUNTEER_POST,
    _date,
    _has,
    _paths_q,
    _text,
    can_register,
    can_view_volunteers,
    conflict,
    forbidden,
    invalid,
    not_found,
    pick_grid,
)
from gridgov.people import identity, scope
from gridgov.people.models import Person, Post, PostType
from gridgov.territory import ladder
from gridgov.territory.models import Region

# --------------------------------------------------------------------------- volunteers --


def volunteers_for(user: Account, qs: QuerySet[Volunteer] | None = None) -> QuerySet[Volunteer]:
    qs = Volunteer.objects.all() if qs is None else qs
    if not can_view_volunteers(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths or [], "region_path"))


def get_volunteer(user: Account, volunteer_id: int) -> Volunteer:
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


def register_volunteer(user: Account, data: VolunteerInput) -> Volunteer:
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
        if person.user is not None:
            from gridgov.people.roles import sync_groups

            sync_groups(person.user)
    return volunteer


def end_volunteer(user: Account, volunteer_id: int, day: dt.date) -> Volunteer:
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
    user: Account, start: dt.date, end: dt.date, *, by: str = "street"
) -> tuple[list[VolunteerRow], VolunteerRow]:
    """Per unit of a level (street, community, or a city's districts): volunteers in the
    register on `end`, by group, and the events they reported from `start` to `end` (work
    orders' `reported_by`)."""
    level = ladder.unit_keys().get(by)  # district, street, community, … (those configured)
    if level is None:
        raise invalid("by", _("须为 %(words)s 之一") % {"words": ", ".join(ladder.unit_keys())})
    if end < start:
        raise invalid("end", _("结束日期不能早于开始日期"))
    qs = Region.objects.active().defer("geometry").filter(level=level)
    units = list(scope.regions_for(user, qs).order_by("code"))
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
