"""The deadline sweep (every minute, from `gridgov worker`): yellow warnings (临期预警), red
overdue and escalation one level up the chain (超期升级), overdue supervision (督办超期).

Idempotent: a warning is sent once per step (`warned_seq`, a conditional update), an escalation
once per step and level (a unique row), so a restarted or doubled worker changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.workorders import routing
from gridgov.workorders.deadlines import timing_for
from gridgov.workorders.models import Escalation, Notification, Supervision, Transition, WorkOrder
from gridgov.workorders.notify import notify
from gridgov.workorders.states import OPEN_STATES, STEP_LABELS, Step

# An overdue step climbs one more level each time this much more time passes (at least 30 min).
MIN_ESCALATION_INTERVAL = dt.timedelta(minutes=30)


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    newly_overdue: int = 0
    supervision_overdue: int = 0


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    open_states = [s.value for s in OPEN_STATES]
    warn_ids = list(
        WorkOrder.objects.filter(
            state__in=open_states, warn_at__lte=now, due_at__gt=now, warned_seq__lt=F("step_seq")
        ).values_list("pk", flat=True)
    )
    for pk in warn_ids:
        result.warned += _warn(pk, now)
    due_ids = list(
        WorkOrder.objects.filter(state__in=open_states, next_escalation_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    tiers_cache: dict[tuple, list[routing.Tier]] = {}
    for pk in due_ids:
        newly, escalated = _escalate(pk, now, tiers_cache)
        result.newly_overdue += newly
        result.escalated += escalated
    for sup in Supervision.objects.filter(
        due_at__lte=now, overdue_notified=False, order__state__in=open_states
    ).select_related("order__event", "by__person"):
        result.supervision_overdue += _supervision_overdue(sup)
    return result


def _warn(pk: int, now: dt.datetime) -> int:
    with transaction.atomic():
        order = WorkOrder.objects.select_related("event").get(pk=pk)
        claimed = WorkOrder.objects.filter(pk=pk, warned_seq__lt=order.step_seq).update(
            warned_seq=order.step_seq
        )
        if not claimed:
            return 0
        step = STEP_LABELS.get(Step(order.step)) if order.step else ""
        recipients = (
            [order.assignee_id] if order.assignee_id and order.step != Step.DISPATCH else []
        )
        if not recipients:
            recipients = routing_unit_people(order)
        Transition.objects.create(
            order=order,
            action="warn",
            from_state=order.state,
            to_state=order.state,
            actor_name=_("系统"),
            note=_("%(step)s时限将至：%(due)s")
            % {"step": step, "due": timezone.localtime(order.due_at).strftime("%m-%d %H:%M")},
            at=now,
        )
        notify(
            recipients,
            Notification.Kind.WARNING,
            _("临期预警：%(title)s") % {"title": order.event.title},
            order=order,
            body=_("%(step)s时限 %(due)s")
            % {"step": step, "due": timezone.localtime(order.due_at).strftime("%m-%d %H:%M")},
            key=f"warn:{order.pk}:{order.step_seq}",
        )
    return 1


def routing_unit_people(order: WorkOrder) -> list[int]:
    from gridgov.workorders.services import _unit_people

    return _unit_people(order.unit_id, order.event.category.line_id)


def levels_due(order: WorkOrder, now: dt.datetime) -> int:
    """How many levels an overdue step should have climbed by `now`: one at the deadline, one
    more for each further step-length (at least 30 minutes) that passes."""
    assert order.due_at is not None
    interval = _interval(order)
    late = now - order.due_at
    if late < dt.timedelta(0):
        return 0
    return 1 + math.floor(late / interval)


def _escalate(
    pk: int, now: dt.datetime, tiers_cache: dict[tuple, list[routing.Tier]] | None = None
) -> tuple[int, int]:
    order = (
        WorkOrder.objects.select_related("event__category", "event__region", "unit", "assignee")
        .defer("event__region__geometry", "unit__geometry")
        .filter(pk=pk)
        .first()
    )
    if order is None or order.due_at is None or order.due_at > now or not order.step:
        return 0, 0
    newly = 0
    if not order.overdue:
        newly = WorkOrder.objects.filter(pk=pk, overdue=False, step_seq=order.step_seq).update(
            overdue=True, ever_overdue=True
        )
        if newly and order.assignee_id and order.step != Step.DISPATCH:
            notify(
                [order.assignee_id],
                Notification.Kind.OVERDUE,
                _("已超期：%(title)s") % {"title": order.event.title},
                order=order,
                key=f"overdue:{order.pk}:{order.step_seq}",
            )
    key = (order.event.region_id, order.unit_id, order.assignee_id, order.event.category.line_id)
    cache = {} if tiers_cache is None else tiers_cache
    if key not in cache:
        cache[key] = routing.escalation_tiers(
            order.event.region, order.unit, order.assignee, order.event.category.line_id
        )
    tiers = cache[key]
    due_levels = levels_due(order, now)
    wanted = min(due_levels, len(tiers))
    done = set(
        Escalation.objects.filter(order=order, step_seq=order.step_seq).values_list(
            "level", flat=True
        )
    )
    escalated = 0
    step = STEP_LABELS.get(Step(order.step), "")
    for tier in tiers[:wanted]:
        if tier.level in done:
            continue
        try:
            with transaction.atomic():
                Escalation.objects.create(
                    order=order,
                    step=order.step,
                    step_seq=order.step_seq,
                    level=tier.level,
                    region=tier.region,
                    at=now,
                )
                # Only the worker whose row went in moves the level and tells anyone.
                WorkOrder.objects.filter(
                    pk=pk, step_seq=order.step_seq, escalation_level__lt=tier.level
                ).update(escalation_level=tier.level)
                Transition.objects.create(
                    order=order,
                    action="escalate",
                    from_state=order.state,
                    to_state=order.state,
                    actor_name=_("系统"),
                    note=_("%(step)s超期，升级至%(region)s")
                    % {"step": step, "region": tier.region.name},
                    at=now,
                )
                notify(
                    tier.persons,
                    Notification.Kind.ESCALATED,
                    _("超期升级：%(title)s") % {"title": order.event.title},
                    order=order,
                    body=_("%(step)s超期，由%(unit)s升级至%(region)s")
                    % {"step": step, "unit": order.unit.name, "region": tier.region.name},
                    key=f"esc:{order.pk}:{order.step_seq}:{tier.level}",
                )
            escalated += 1
        except IntegrityError:  # another worker escalated this level a moment ago
            continue
    # When to look again: the next level's moment, or never once the top has been reached.
    following = None
    if wanted < len(tiers):
        following = order.due_at + _interval(order) * wanted
    WorkOrder.objects.filter(pk=pk, step_seq=order.step_seq).update(next_escalation_at=following)
    return newly, escalated


def _interval(order: WorkOrder) -> dt.timedelta:
    timing = timing_for(order.event.category, order.priority)
    return max(dt.timedelta(minutes=timing.minutes[Step(order.step)]), MIN_ESCALATION_INTERVAL)


def _supervision_overdue(sup: Supervision) -> int:
    with transaction.atomic():
        if not Supervision.objects.filter(pk=sup.pk, overdue_notified=False).update(
            overdue_notified=True
        ):
            return 0
        recipients = [sup.order.assignee_id] if sup.order.assignee_id else []
        person = getattr(sup.by, "person", None)
        if person is not None:
            recipients.append(person.pk)
        notify(
            recipients,
            Notification.Kind.OVERDUE,
            _("督办超期：%(title)s") % {"title": sup.order.event.title},
            order=sup.order,
            body=sup.note,
            key=f"sup:{sup.pk}",
        )
    return 1
