"""Party-building instructors (党建指导员): who may instruct, assignments, visits; the loader."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.organisations.lifecycle import _check_open, _event
from gridgov.organisations.models import (
    Assignment,
    EventKind,
    Organisation,
    Visit,
)
from gridgov.organisations.services import (
    ASSIGN,
    INSTRUCTOR_POST,
    MAX_TEXT,
    VISIT,
    _ancestors,
    _date,
    _own_for,
    _paths_q,
    _text,
    can_view,
    conflict,
    invalid,
    organisations_for,
)
from gridgov.people import scope
from gridgov.people.models import Person, Post
from gridgov.territory.models import Region

# --------------------------------------------------------------------------- instructors --


def instructor_posts(on: dt.date | None = None) -> QuerySet[Post]:
    return Post.objects.current(on).filter(post_type__code=INSTRUCTOR_POST)


def may_instruct(person_id: int, grid: Region, day: dt.date) -> bool:
    """The person holds a party-instructor post on `day` in a region containing the grid."""
    paths = instructor_posts(day).filter(person_id=person_id).values_list("region__path", flat=True)
    return any(grid.path.startswith(p) for p in paths)


def instructors_for(user: Account, on: dt.date | None = None) -> QuerySet[Person]:
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


def assign_instructor(user: Account, org_id: int, instructor_id: int, start: dt.date) -> Assignment:
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


def end_assignment(user: Account, org_id: int, end: dt.date) -> Assignment:
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
    user: Account, org_id: int, instructor_id: int, day: dt.date, notes: str = ""
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


def load(user: Account, on: dt.date | None = None) -> list[dict[str, Any]]:
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
