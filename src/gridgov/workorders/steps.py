"""The writes every work-order transition is made of: the step's deadlines, the conditional
update of the order, its audit row (`Transition`) and the notices it sends.

Each is one statement through the shared transition kit (`gridgov.core.transitions`), from the
values the caller already holds: no row is read again to write it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import transitions
from gridgov.core.actor import Account
from gridgov.errors import DomainError
from gridgov.inbox.models import Notification
from gridgov.inbox.notify import notify
from gridgov.people.actor import person_of
from gridgov.people.models import Person, Post
from gridgov.territory.models import Region
from gridgov.workorders import routing
from gridgov.workorders.deadlines import timing_for
from gridgov.workorders.models import Transition, WorkOrder
from gridgov.workorders.states import State, Step

# Orders are read with their regions joined; a region's boundary (a large JSON polygon) is never
# needed there, and decoding it would dominate the cost of every action.
WITHOUT_GEOMETRY = ("event__region__geometry", "unit__geometry", "sent_by_unit__geometry")


class WorkflowError(DomainError):
    """A refused action: its kind, message, and the input field it is about."""


def lost_race() -> str:
    """The refusal of an action whose order someone else moved first."""
    return _("工单已被他人处理，请刷新后重试")


def set_step(changes: dict[str, Any], order: WorkOrder, step: Step, now: dt.datetime) -> None:
    timing = timing_for(order.event.category, changes.get("priority", order.priority))
    warn_at, due_at = timing.due(step, now)
    changes.update(
        step=step.value,
        step_seq=order.step_seq + 1,
        step_started_at=now,
        warn_at=warn_at,
        due_at=due_at,
        next_escalation_at=due_at,
        overdue_noticed=False,
        escalation_level=0,
    )


def actor_label(user: Account) -> str:
    """The name on an audit row: the person's, else the account's full name or username, else
    系统 (the platform)."""
    person = person_of(user)
    if person is not None:
        name = str(person.name)
    elif isinstance(user, User) and user.is_authenticated:
        name = user.get_full_name() or user.get_username()
    else:
        name = _("系统")
    return name[:60]


def record(
    order: WorkOrder,
    action: str,
    from_state: str,
    to_state: str,
    user: Account,
    now: dt.datetime,
    *,
    note: str = "",
    assignee: Person | None = None,
    assignee_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    actor_name: str | None = None,
) -> Transition:
    """The audit row of one action: one INSERT (`assignee_id` when only the id is at hand;
    `actor_name` for an actor with no account, such as 公众)."""
    return transitions.record(
        Transition,
        order=order,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_name=actor_name or actor_label(user),
        assignee_id=assignee.pk if assignee is not None else assignee_id,
        note=note,
        lat=lat,
        lon=lon,
        at=now,
    )


def dispatch_changes(
    order: WorkOrder, assignment: routing.Assignment, sent_by: Region
) -> dict[str, Any]:
    return {
        "assignee": assignment.person,
        "assignee_post": assignment.post.post_type.name,
        "unit": assignment.region,
        "sent_by_unit": sent_by,
        "dispatched_at": None,  # set by `stamped` to `now`
    }


def stamped(order: WorkOrder, changes: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """`changes` with the order's next version and the moment (and the dispatch time)."""
    if "dispatched_at" in changes and changes["dispatched_at"] is None:
        changes["dispatched_at"] = now
    changes.update(version=order.version + 1, updated_at=now)
    return changes


def change(order: WorkOrder, changes: dict[str, Any], now: dt.datetime) -> bool:
    """The conditional update: only if nobody changed the order since we read it; the order
    object takes the changes when it did (True), and is left as read when not (False)."""
    expected = {"version": order.version, "state": order.state}
    if not transitions.change(WorkOrder, order.pk, expected, stamped(order, changes, now)):
        return False
    for key, value in changes.items():
        setattr(order, key, value)
    return True


def apply(order: WorkOrder, changes: dict[str, Any], now: dt.datetime) -> None:
    """`change`, refusing with a conflict when someone else moved the order first."""
    if not change(order, changes, now):
        raise WorkflowError.conflict(lost_race())


def auto_dispatch(
    order: WorkOrder,
    user: Account,
    now: dt.datetime,
    chosen: routing.Assignment | None = None,
    *,
    reporter: Person | None = None,
) -> WorkOrder:
    """Dispatch to `chosen` or the grid's person; no notice when that is the reporter."""
    assignment = chosen or routing.assignee_for(order.event.region, order.event.category.line_id)
    if assignment is None:  # nobody anywhere up the chain: it waits at its unit
        return order
    changes = dispatch_changes(order, assignment, order.unit)  # the grid's community
    changes["state"] = State.DISPATCHED
    set_step(changes, order, Step.SIGN, now)
    apply(order, changes, now)
    t = record(
        order, "auto_dispatch", State.REPORTED, State.DISPATCHED, None, now,
        assignee=assignment.person,
    )  # fmt: skip
    if reporter is None or assignment.person.pk != reporter.pk:
        notify_assigned(order, t)
    return order


def notify_assigned(order: WorkOrder, t: Transition) -> None:
    if order.assignee_id:
        notify(
            [order.assignee_id],
            Notification.Kind.ASSIGNED,
            _("新派单：%(title)s") % {"title": order.event.title},
            subject=order,
            body=f"{order.event.reference} · {order.event.region.name}",
            key=f"t{t.pk}",
            new_key=True,
        )


def unit_people(region: Region | int | None, line_id: int | None) -> list[int]:
    """The responsible people of a unit for a line of work (and those of every line)."""
    if region is None:
        return []
    region_id = region if isinstance(region, int) else region.pk
    return [row[0] for row in UNIT_PEOPLE.rows(region_id, line_id, timezone.localdate())]


# The people of `unit_people` (compiled once: every 处置 and 退回 asks).
UNIT_PEOPLE = transitions.Query(
    lambda region_id, line_id, day: (
        Post.objects.current(day)
        .filter(region_id=region_id, post_type__responsible=True)
        .filter(Q(line__isnull=True) | Q(line_id=line_id))
        .values_list("person_id")
    )
)
