"""Joint meetings (联席会议) of a community's organisations."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, recorded_user
from gridgov.organisations.instructing import instructors_for
from gridgov.organisations.models import (
    JointMeeting,
)
from gridgov.organisations.services import (
    MAX_TEXT,
    _ancestors,
    _date,
    _paths_q,
    _text,
    can_add_meeting,
    can_view_meetings,
    filter_units,
    forbidden,
    invalid,
    not_found,
    organisations_for,
)
from gridgov.people import scope
from gridgov.territory.models import Level


def meetings_for(user: Account, qs: QuerySet[JointMeeting] | None = None) -> QuerySet[JointMeeting]:
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


def get_meeting(user: Account, meeting_id: int) -> JointMeeting:
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
    user: Account,
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
    unit = filter_units(user).filter(pk=unit_id).first()
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
            created_by=recorded_user(user) if getattr(user, "pk", None) else None,
        )  # fmt: skip
        meeting.organisations.set(orgs)
        meeting.attendees.set(person_ids)
    return meeting
