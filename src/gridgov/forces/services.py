"""The only write path of task forces and supplies, and the scoped questions asked of them.

Every door (pages, API, admin actions, demo) calls these. Refusals are `ForcesError`s naming a
kind (invalid, forbidden, not_found, conflict) and a field; each door maps them to its answer.

Stock is the sum of a depot's ledger rows for a kind. Every write that moves stock locks the
depot's row first (on SQLite the IMMEDIATE transaction already serialises writers), then reads
the sum, checks it and appends its row — so two hand-overs racing for the last units cannot
both pass, and the stock can never go below zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths as _paths_q
from gridgov.errors import DomainError
from gridgov.forces.models import (
    Allocation,
    Depot,
    Membership,
    Status,
    SupplyKind,
    SupplyRequest,
    TaskForce,
)
from gridgov.people import scope
from gridgov.people.models import Person
from gridgov.territory.models import Level, Region

VIEW_FORCES = "forces.view_taskforce"
MANAGE_FORCES = "forces.change_taskforce"
VIEW_SUPPLIES = "forces.view_supplyrequest"
REQUEST = "forces.add_supplyrequest"
HANDLE = "forces.handle_supplyrequest"
MAX_QUANTITY = Decimal("1000000000")
MAX_REASON = 1000
MAX_NOTE = 200
MAX_NAME = 50

# 物资申请的流转: from each status, where it may go (and nowhere else).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.REQUESTED: (Status.APPROVED, Status.REJECTED),
    Status.APPROVED: (Status.HANDED_OVER, Status.REJECTED),  # 驳回 here cancels the approval
    Status.REJECTED: (),
    Status.HANDED_OVER: (),
}


class ForcesError(DomainError):
    """A refused request: `kind` is invalid, forbidden, not_found or conflict (no HTTP here)."""


def invalid(field: str, message: str) -> ForcesError:
    return ForcesError("invalid", message, field)


def _not_found(message: str) -> ForcesError:
    return ForcesError("not_found", message)


# ------------------------------------------------------------------------------- access --


_has = scope.has_perm


def can_view_forces(user: Account) -> bool:
    return _has(user, VIEW_FORCES)


def can_view_supplies(user: Account) -> bool:
    return _has(user, VIEW_SUPPLIES)


def can_request(user: Account) -> bool:
    return _has(user, REQUEST)


def can_handle(user: Account) -> bool:
    return _has(user, HANDLE)


_ancestors = scope.ancestor_paths


def _unit_q(paths: list[str], field: str) -> Q:
    """The unit (`field` is a Region lookup) is in the scope, or is the street (or community)
    the account works inside: a community sees its street's forces and depots."""
    above = Q(**{f"{field}__path__in": _ancestors(paths), f"{field}__level__gte": Level.STREET})
    return _paths_q(paths, f"{field}__path") | above


def forces_for(user: Account, qs: QuerySet[TaskForce] | None = None) -> QuerySet[TaskForce]:
    """Forces owned by a unit in the account's scope or by the street it works inside, and
    forces with staff sent into it (or into its street)."""
    qs = TaskForce.objects.all() if qs is None else qs
    if not can_view_forces(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    if not paths:
        return qs.none()
    sent_here = Membership.objects.filter(_unit_q(paths, "posted_to")).values("force_id")
    return qs.filter(_unit_q(paths, "owner") | Q(pk__in=sent_here))


def get_force(user: Account, force_id: int) -> TaskForce:
    force = forces_for(user).select_related("owner", "leader").filter(pk=force_id).first()
    if force is None:
        raise _not_found(_("专班不存在"))
    return force


def owns_force(user: Account, force: TaskForce) -> bool:
    return _has(user, MANAGE_FORCES) and scope.can_see_region(user, force.owner)


def phone_visible(user: Account, person: Person, force: TaskForce) -> bool:
    """A phone number is shown to the force's own unit and to those who see the person's
    posts; to nobody else."""
    if scope.sees_everything(user) or scope.can_see_region(user, force.owner):
        return True
    return scope.people_for(user).filter(pk=person.pk).exists()


def depots_for(user: Account, qs: QuerySet[Depot] | None = None) -> QuerySet[Depot]:
    qs = Depot.objects.all() if qs is None else qs
    if not can_view_supplies(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_unit_q(paths, "owner")) if paths else qs.none()


def handled_depots(user: Account) -> QuerySet[Depot]:
    """The depots whose requests, allocations and stock this account may act on: the command
    office's all, a unit's own (never its parent's)."""
    if not can_handle(user):
        return Depot.objects.none()
    paths = scope.scope_paths(user)
    qs = depots_for(user)
    return qs if paths is scope.ALL else qs.filter(_paths_q(paths or [], "owner__path"))


def requests_for(
    user: Account, qs: QuerySet[SupplyRequest] | None = None
) -> QuerySet[SupplyRequest]:
    """Requests of units in the account's scope, and those served from its depots."""
    qs = SupplyRequest.objects.all() if qs is None else qs
    if not can_view_supplies(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "unit__path", "depot__owner__path"))


def allocations_for(user: Account, qs: QuerySet[Allocation] | None = None) -> QuerySet[Allocation]:
    qs = Allocation.objects.all() if qs is None else qs
    if not can_view_supplies(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "unit__path", "depot__owner__path"))


def get_request(user: Account, request_id: int) -> SupplyRequest:
    found = (
        requests_for(user)
        .select_related("kind", "unit", "depot", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise _not_found(_("物资申请不存在"))
    return found


def request_units(user: Account) -> QuerySet[Region]:
    """The streets and communities this account may request supplies for."""
    if not can_request(user):
        return Region.objects.none()
    qs = Region.objects.active().filter(level__in=[Level.STREET, Level.COMMUNITY])
    return scope.regions_for(user, qs).order_by("code")


# ------------------------------------------------------------------------------ checks --


def check_quantity(field: str, value: Any, kind: SupplyKind) -> Decimal:
    """A positive amount of `kind`: finite, at most two decimals, whole for vehicles."""
    if isinstance(value, bool):
        raise invalid(field, _("须为数字"))
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("须为数字")) from None
    if not amount.is_finite():
        raise invalid(field, _("须为有限的数字"))
    if amount <= 0:
        raise invalid(field, _("须大于零"))
    if amount > MAX_QUANTITY:
        raise invalid(field, _("数量过大"))
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, _("最多两位小数"))
    if kind.whole and amount != amount.to_integral_value():
        raise invalid(
            field, _("%(kind)s按%(unit)s计，须为整数") % {"kind": kind.name, "unit": kind.unit}
        )
    return amount.quantize(Decimal("0.01"))


def _text(field: str, value: str, max_length: int, required: bool = False) -> str:
    try:
        text = inputs.check_text(field, value or "", max_length).strip()
    except inputs.InputError as exc:
        raise invalid(field, exc.message) from None
    if required and not text:
        raise invalid(field, _("不能为空"))
    return text


def _date(field: str, value: dt.date) -> dt.date:
    try:
        return inputs.check_date(field, value, inputs.ANY_YEARS)
    except inputs.InputError as exc:
        raise invalid(field, exc.message) from None


def _kind(kind_id: int) -> SupplyKind:
    kind = SupplyKind.objects.filter(pk=kind_id, active=True).first()
    if kind is None:
        raise invalid("kind", _("没有这种物资"))
    return kind


def _handled_depot(user: Account, depot_id: int, field: str = "depot") -> Depot:
    """The depot, locked for the rest of the transaction, if this account may act on it."""
    if not can_handle(user):
        raise ForcesError("forbidden", _("无权审批或调拨物资"))
    if not handled_depots(user).filter(pk=depot_id, active=True).exists():
        raise invalid(field, _("没有这个存放点"))
    return Depot.objects.select_for_update().get(pk=depot_id)
