"""Who sees which orders and who may take which action on them: the scope of an account, the
desk's 待我处理, and the refusal an action meets (the same rules for pages, API and services)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, Reader
from gridgov.core.scopes import under_paths
from gridgov.errors import CONFLICT, FORBIDDEN
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Person
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.states import ACTIONS, FORWARD_ACTIONS, Action, Actor, State


def orders_for(user: Reader | None, qs: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """Orders in the account's regions, plus those dispatched to its person (a stand-in reader
    such as a bulletin's unit has no person)."""
    qs = WorkOrder.objects.all() if qs is None else qs
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    q = under_paths(paths, "event__region_path")
    person = person_of(user) if isinstance(user, User) else None
    if person is not None:
        q |= Q(assignee=person)
    return qs.filter(q)


def handled_by(person: Person) -> QuerySet[WorkOrder]:
    """The orders the person handled (处置): their own record, shown to them whatever their
    scope is now (an order may since have been reassigned or moved out of their regions)."""
    return WorkOrder.objects.filter(handled_by=person)


def in_region_scope(user: Account, order: WorkOrder) -> bool:
    paths = scope.scope_paths(user)
    return paths is scope.ALL or any(order.event.region_path.startswith(p) for p in paths)


def can_see(user: Account, order: WorkOrder) -> bool:
    # The assignee first: their person is already read (the scope may not be).
    person = person_of(user)
    return (person is not None and order.assignee_id == person.pk) or in_region_scope(user, order)


def allowed_actions(user: Account, order: WorkOrder) -> list[Action]:
    """The actions this account may take on the order now (for pages and the API)."""
    return [a for a in ACTIONS.values() if refusal(user, order, a) is None]


def waiting_q(user: Account) -> Q:
    """The orders that wait for this account: those on which it may take one of the actions
    that move an order on (`states.FORWARD_ACTIONS`) now. Built from the same table and the same
    conditions as `refusal`, so the desk's 待我处理 holds exactly the orders whose page offers
    the account such a button (a test checks both agree on every order)."""
    person = person_of(user)
    paths = scope.scope_paths(user)
    in_regions = under_paths(paths, "event__region_path")
    parts = []
    for action in ACTIONS.values():
        if action.code not in FORWARD_ACTIONS or action.actor == Actor.SYSTEM:
            continue
        q = Q(state__in=[s.value for s in action.sources])
        if action.actor == Actor.ASSIGNEE:
            if person is None:
                continue
            q &= Q(assignee=person)
        else:
            if user is None or not user.has_perm(f"workorders.{action.actor.value}"):
                continue
            q &= in_regions
        if action.not_by_handler and person is not None:
            q &= ~Q(handled_by=person)
        parts.append(q)
    return reduce(or_, parts, Q(pk__in=[]))


def waiting_for(user: Account, qs: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """The account's 待我处理: visible orders whose next step is the account's to take."""
    return orders_for(user, qs).filter(waiting_q(user))


def refusal(
    user: Account, order: WorkOrder, action: Action, *, system: bool = False
) -> tuple[str, str] | None:
    if (action.actor == Actor.SYSTEM) != system:
        return FORBIDDEN, _("「%(action)s」由系统根据检查记录执行") % {"action": action.label}
    if order.state not in action.sources:
        return CONFLICT, _("工单当前状态为「%(state)s」，不能%(action)s") % {
            "state": State(order.state).label,
            "action": action.label,
        }
    if system:
        return None
    person = person_of(user)
    if action.actor == Actor.ASSIGNEE:
        if person is None or order.assignee_id != person.pk:
            return FORBIDDEN, _("只有承办人可以%(action)s") % {"action": action.label}
    else:
        permitted = user is not None and user.has_perm(f"workorders.{action.actor.value}")
        if not permitted or not in_region_scope(user, order):
            return FORBIDDEN, _("您无权%(action)s此工单") % {"action": action.label}
    if action.not_by_handler and person is not None and order.handled_by_id == person.pk:
        return FORBIDDEN, _("处置人不能核查自己处置的工单")
    return None
