"""Mediator training (调解员培训) and attendance."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.mediation.casework import _mediators
from gridgov.mediation.models import (
    Attendance,
    Training,
)
from gridgov.mediation.services import (
    can_manage_training,
    day,
    forbidden,
    invalid,
    not_found,
    text,
    trainings_for,
)
from gridgov.people import scope
from gridgov.territory.models import Level, Region

# ----------------------------------------------------------------------------- trainings --


def create_training(
    user: Account,
    *,
    topic: str,
    date: Any,
    place: str,
    organiser_id: int,
    hours: Any = 4,
    person_ids: list[int] | None = None,
) -> Training:
    if not can_manage_training(user):
        raise forbidden(_("没有管理培训的权限"))
    organiser = (
        scope.regions_for(user, Region.objects.active().filter(level__lte=Level.COMMUNITY))
        .filter(pk=organiser_id)
        .first()
    )
    if organiser is None:
        raise invalid("organiser", _("组织单位不存在或不在您的辖区"))
    try:
        h = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise invalid("hours", _("须为数字")) from None
    if not h.is_finite() or not Decimal("0.5") <= h <= Decimal("99"):
        raise invalid("hours", _("学时须在0.5至99之间"))
    training = Training(
        topic=text("topic", topic, required=True),
        date=day("date", date, past=False),
        place=text("place", place, required=True),
        organiser=organiser,
        hours=h.quantize(Decimal("0.1")),
    )
    people = _mediators(user, person_ids or [], "attendees")
    with transaction.atomic():
        training.save()
        Attendance.objects.bulk_create([Attendance(training=training, person=p) for p in people])
    return training


def add_attendance(user: Account, training_id: int, person_ids: list[int]) -> int:
    """Mark mediators present at a training; those already marked are kept. Answers how many
    were added."""
    if not can_manage_training(user):
        raise forbidden(_("没有管理培训的权限"))
    training = trainings_for(user).filter(pk=training_id).first()
    if training is None:
        raise not_found(_("培训不存在"))
    people = _mediators(user, person_ids, "attendees")
    have = set(training.attendance.values_list("person_id", flat=True))
    new = [Attendance(training=training, person=p) for p in people if p.pk not in have]
    Attendance.objects.bulk_create(new)
    return len(new)
