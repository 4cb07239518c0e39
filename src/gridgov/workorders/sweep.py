"""The deadline sweep (every minute, from `gridgov worker`): yellow warnings (临期预警), red
overdue and escalation one level up the chain (超期升级), overdue supervision (督办超期).

Idempotent: a warning is sent once per step (`warned_seq`, a conditional update), an escalation
once per step and level (a unique row), so a restarted or doubled worker changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.inbox.models import Notification
from gridgov.inbox.notify import notify
from gridgov.workorders import routing
from gridgov.workorders.deadlines import timing_for
from gridgov.workorders.models import Escalation, Supervision, Transition, WorkOrder
from gridgov.workorders.states import OPEN_STATES, STEP_LABELS, Step

# An overdue step climbs one more level each time this much more time passes (at least 30 min).
MIN_ESCALATION_INTERVAL = dt.timedelta(minutes=30)


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    newly_overdue: int = 0
    supervision_overdue: int = 0


CHUNK = 200  # orders handled per transaction; their audit rows and notices are written in bulk


class _Writes:
    """The audit rows and inbox notices of one chunk, written together at its end."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.transitions: list[Transition] = []
        self.notices: list[Notification] = []

    def row(self, order: WorkOrder, action: str, note: str) -> None:
        self.transitions.append(
            Transition(
                order=order,
                action=action,
                from_state=order.state,
                to_state=order.state,
                actor_name=_("系统"),
                note=note,
                at=self.now,
            )
        )

    def notice(
        self, persons: Any, kind: str, title: str, order: WorkOrder, key: str, body: str = ""
    ) -> None:
        ids = {p if isinstance(p, int) else p.pk for p in persons if p is not None}
        for pid in sorted(ids):
            self.notices.append(
                Notification(
                    person_id=pid,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    subject=order,
                    key=key[:120],
                    created_at=self.now,
                )
            )

    def flush(self) -> None:
        from gridgov.inbox.notify import _deliver

        Transition.objects.bulk_create(self.transitions)
        if not self.notices:
            return
        # A notice already there (same person and key) is skipped by the unique constraint.
        Notification.objects.bulk_create(self.notices, ignore_conflicts=True)
        made = set(
            Notification.objects.filter(
                created_at=self.now, key__in={n.key for n in self.notices}
            ).values_list("person_id", "key")
        )
        sent = [n for n in self.notices if (n.person_id, n.key) in made]
        if sent:
            transaction.on_commit(lambda: _deliver(sent))


def _chunks(ids: list[int]) -> Any:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _load(ids: list[int]) -> list[WorkOrder]:
    return list(
        WorkOrder.objects.select_related("event__category", "event__region", "unit", "assignee")
        .defer("event__region__geometry", "unit__geometry")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    open_states = [s.value for s in OPEN_STATES]
    warn_ids = list(
        WorkOrder.objects.filter(
            state__in=open_states, warn_at__lte=now, due_at__gt=now, warned_seq__lt=F("step_seq")
        ).values_list("pk", flat=True)
    )
    people_cache: dict[tuple[int, int | None], list[int]] = {}
    for chunk in _chunks(warn_ids):
        with transaction.atomic():
            writes = _Writes(now)
            for order in _load(chunk):
                result.warned += _warn(order, writes, people_cache)
            writes.flush()
    due_ids = list(
        WorkOrder.objects.filter(state__in=open_states, next_escalation_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    tiers_cache: dict[tuple, list[routing.Tier]] = {}
    for chunk in _chunks(due_ids):
        with transaction.atomic():
            writes = _Writes(now)
            done: dict[tuple[int, int], set[int]] = {}
            for order_id, seq, level in Escalation.objects.filter(order_id__in=chunk).values_list(
                "order_id", "step_seq", "level"
            ):
                done.setdefault((order_id, seq), set()).add(level)
            for order in _load(chunk):
                newly, escalated = _escalate(order, now, writes, tiers_cache, done)
                result.newly_overdue += newly
                result.escalated += escalated
            writes.flush()
    for sup in Supervision.objects.filter(
        due_at__lte=now, overdue_notified=False, order__state__in=open_states
    ).select_related("order__event", "by__person"):
        result.supervision_overdue += _supervision_overdue(sup)
    return result


def _due_text(order: WorkOrder) -> tuple[str, str]:
    step = str(STEP_LABELS.get(Step(order.step), "")) if order.step else ""
    assert order.due_at is not None
    return step, timezone.localtime(order.due_at).strftime("%m-%d %H:%M")


def _warn(
    order: WorkOrder, writes: _Writes, people_cache: dict[tuple[int, int | None], list[int]]
) -> int:
    if order.warned_seq >= order.step_seq or order.due_at is None:
        return 0
    # The claim: only the worker whose update lands warns (a doubled worker finds it taken).
    claimed = WorkOrder.objects.filter(pk=order.pk, warned_seq__lt=order.step_seq).update(
        warned_seq=order.step_seq
    )
    if not claimed:
        return 0
    step, due = _due_text(order)
    recipients = [order.assignee_id] if order.assignee_id and order.step != Step.DISPATCH else []
    if not recipients:
        key = (order.unit_id, order.event.category.line_id)
        if key not in people_cache:
            people_cache[key] = routing_unit_people(order)
        recipients = people_cache[key]
    writes.row(order, "warn", _("%(step)s时限将至：%(due)s") % {"step": step, "due": due})
    writes.notice(
        recipients,
        Notification.Kind.WARNING,
        _("临期预警：%(title)s") % {"title": order.event.title},
        order,
        f"warn:{order.pk}:{order.step_seq}",
        _("%(step)s时限 %(due)s") % {"step": step, "due": due},
    )
    return 1


def routing_unit_people(order: WorkOrder) -> list[int]:
    from gridgov.workorders.steps import unit_people as _unit_people

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
    order: WorkOrder,
    now: dt.datetime,
    writes: _Writes,
    tiers_cache: dict[tuple, list[routing.Tier]],
    done: dict[tuple[int, int], set[int]],
) -> tuple[int, int]:
    if order.due_at is None or order.due_at > now or not order.step:
        return 0, 0
    pk = order.pk
    newly = 0
    if not order.overdue_noticed:
        newly = WorkOrder.objects.filter(
            pk=pk, overdue_noticed=False, step_seq=order.step_seq
        ).update(overdue_noticed=True, ever_overdue=True)
        if newly and order.assignee_id and order.step != Step.DISPATCH:
            writes.notice(
                [order.assignee_id],
                Notification.Kind.OVERDUE,
                _("已超期：%(title)s") % {"title": order.event.title},
                order,
                f"overdue:{order.pk}:{order.step_seq}",
            )
    key = (order.event.region_id, order.unit_id, order.assignee_id, order.event.category.line_id)
    if key not in tiers_cache:
        tiers_cache[key] = routing.escalation_tiers(
            order.event.region, order.unit, order.assignee, order.event.category.line_id
        )
    tiers = tiers_cache[key]
    wanted = min(levels_due(order, now), len(tiers))
    already = done.get((pk, order.step_seq), set())
    escalated = 0
    step = STEP_LABELS.get(Step(order.step), "")
    for tier in tiers[:wanted]:
        if tier.level in already:
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
        except IntegrityError:  # another worker escalated this level a moment ago
            continue
        # Only the worker whose row went in moves the level and tells anyone.
        WorkOrder.objects.filter(
            pk=pk, step_seq=order.step_seq, escalation_level__lt=tier.level
        ).update(escalation_level=tier.level)
        writes.row(
            order,
            "escalate",
            _("%(step)s超期，升级至%(region)s") % {"step": step, "region": tier.region.name},
        )
        writes.notice(
            tier.persons,
            Notification.Kind.ESCALATED,
            _("超期升级：%(title)s") % {"title": order.event.title},
            order,
            f"esc:{order.pk}:{order.step_seq}:{tier.level}",
            _("%(step)s超期，由%(unit)s升级至%(region)s")
            % {"step": step, "unit": order.unit.name, "region": tier.region.name},
        )
        escalated += 1
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
            subject=sup.order,
            body=sup.note,
            key=f"sup:{sup.pk}",
        )
    return 1
