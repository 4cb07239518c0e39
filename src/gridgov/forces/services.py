"""The only write path of task forces and supplies, and the scoped questions asked of them.

Every door (pages, API, admin actions, demo) calls these. Refusals are `ForcesError`s naming a
kind (invalid, forbidden, not_found, conflict) and a field; each door maps them to its answer.

Stock is the sum of a depot's ledger rows for a kind. Every write that moves stock locks the
depot's row first (on SQLite the IMMEDIATE transaction already serialises writers), then reads
the sum, checks it and appends its row — so two hand-overs racing for the last units cannot
both pass, and the stock can never go below zero."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import actor_name
from gridgov.errors import DomainError
from gridgov.forces.models import (
    Allocation,
    Depot,
    DutyShift,
    Handover,
    MemberRole,
    Membership,
    MovementReason,
    RequestStep,
    Shift,
    Status,
    SupplyKind,
    SupplyMovement,
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


def can_view_forces(user: Any) -> bool:
    return _has(user, VIEW_FORCES)


def can_view_supplies(user: Any) -> bool:
    return _has(user, VIEW_SUPPLIES)


def can_request(user: Any) -> bool:
    return _has(user, REQUEST)


def can_handle(user: Any) -> bool:
    return _has(user, HANDLE)


_paths_q = scope.paths_q


_ancestors = scope.ancestor_paths


def _unit_q(paths: list[str], field: str) -> Q:
    """The unit (`field` is a Region lookup) is in the scope, or is the street (or community)
    the account works inside: a community sees its street's forces and depots."""
    above = Q(**{f"{field}__path__in": _ancestors(paths), f"{field}__level__gte": Level.STREET})
    return _paths_q(paths, f"{field}__path") | above


def forces_for(user: Any, qs: QuerySet[TaskForce] | None = None) -> QuerySet[TaskForce]:
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


def get_force(user: Any, force_id: int) -> TaskForce:
    force = forces_for(user).select_related("owner", "leader").filter(pk=force_id).first()
    if force is None:
        raise _not_found(_("专班不存在"))
    return force


def owns_force(user: Any, force: TaskForce) -> bool:
    return _has(user, MANAGE_FORCES) and scope.can_see_region(user, force.owner)


def phone_visible(user: Any, person: Person, force: TaskForce) -> bool:
    """A phone number is shown to the force's own unit and to those who see the person's
    posts; to nobody else."""
    if scope.sees_everything(user) or scope.can_see_region(user, force.owner):
        return True
    return scope.people_for(user).filter(pk=person.pk).exists()


def depots_for(user: Any, qs: QuerySet[Depot] | None = None) -> QuerySet[Depot]:
    qs = Depot.objects.all() if qs is None else qs
    if not can_view_supplies(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_unit_q(paths, "owner")) if paths else qs.none()


def handled_depots(user: Any) -> QuerySet[Depot]:
    """The depots whose requests, allocations and stock this account may act on: the command
    office's all, a unit's own (never its parent's)."""
    if not can_handle(user):
        return Depot.objects.none()
    paths = scope.scope_paths(user)
    qs = depots_for(user)
    return qs if paths is scope.ALL else qs.filter(_paths_q(paths or [], "owner__path"))


def requests_for(user: Any, qs: QuerySet[SupplyRequest] | None = None) -> QuerySet[SupplyRequest]:
    """Requests of units in the account's scope, and those served from its depots."""
    qs = SupplyRequest.objects.all() if qs is None else qs
    if not can_view_supplies(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "unit__path", "depot__owner__path"))


def allocations_for(user: Any, qs: QuerySet[Allocation] | None = None) -> QuerySet[Allocation]:
    qs = Allocation.objects.all() if qs is None else qs
    if not can_view_supplies(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "unit__path", "depot__owner__path"))


def get_request(user: Any, request_id: int) -> SupplyRequest:
    found = (
        requests_for(user)
        .select_related("kind", "unit", "depot", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise _not_found(_("物资申请不存在"))
    return found


def request_units(user: Any) -> QuerySet[Region]:
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


def _handled_depot(user: Any, depot_id: int, field: str = "depot") -> Depot:
    """The depot, locked for the rest of the transaction, if this account may act on it."""
    if not can_handle(user):
        raise ForcesError("forbidden", _("无权审批或调拨物资"))
    if not handled_depots(user).filter(pk=depot_id, active=True).exists():
        raise invalid(field, _("没有这个存放点"))
    return Depot.objects.select_for_update().get(pk=depot_id)


# ------------------------------------------------------------------------------- stock --


def balance(depot_id: int, kind_id: int) -> Decimal:
    """What the ledger says is in the depot now."""
    total = SupplyMovement.objects.filter(depot_id=depot_id, kind_id=kind_id).aggregate(
        s=Sum("quantity")
    )["s"]
    return total or Decimal("0")


def reserved(depot_id: int, kind_id: int, exclude: int | None = None) -> Decimal:
    """Approved, not yet handed over: promised to a unit and not to be given to another."""
    qs = SupplyRequest.objects.filter(depot_id=depot_id, kind_id=kind_id, status=Status.APPROVED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(s=Sum("approved_quantity"))["s"] or Decimal("0")


@dataclass
class StockRow:
    depot: Depot
    kind: SupplyKind
    quantity: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.quantity - self.reserved


def stock(user: Any, kind_id: int | None = None) -> list[StockRow]:
    """Stock by depot and kind, in the account's depots (kinds never stocked are left out)."""
    depots = {d.pk: d for d in depots_for(user).select_related("owner")}
    moves = SupplyMovement.objects.filter(depot_id__in=list(depots))
    promised = SupplyRequest.objects.filter(depot_id__in=list(depots), status=Status.APPROVED)
    if kind_id is not None:
        moves = moves.filter(kind_id=kind_id)
        promised = promised.filter(kind_id=kind_id)
    sums = {
        (r["depot_id"], r["kind_id"]): r["s"]
        for r in moves.values("depot_id", "kind_id").annotate(s=Sum("quantity"))
    }
    held = {
        (r["depot_id"], r["kind_id"]): r["s"]
        for r in promised.values("depot_id", "kind_id").annotate(s=Sum("approved_quantity"))
    }
    kinds = {k.pk: k for k in SupplyKind.objects.filter(pk__in={k for _, k in sums})}
    rows = [
        StockRow(depots[d], kinds[k], q, held.get((d, k), Decimal("0")))
        for (d, k), q in sums.items()
    ]
    rows.sort(key=lambda r: (r.kind.code, r.depot.owner.code, r.depot.name))
    return rows


def stock_by_kind(rows: list[StockRow]) -> list[dict[str, Any]]:
    """Totals per kind over the given depots' rows."""
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        t = out.setdefault(
            r.kind.pk,
            {"kind": r.kind, "quantity": Decimal(0), "reserved": Decimal(0), "depots": 0},
        )
        t["quantity"] += r.quantity
        t["reserved"] += r.reserved
        t["depots"] += 1 if r.quantity else 0
    for t in out.values():
        t["available"] = t["quantity"] - t["reserved"]
    return list(out.values())


def allocated_by_unit(user: Any) -> list[dict[str, Any]]:
    """Per receiving unit and kind: allocated, returned, held now."""
    totals: dict[tuple[int, int], dict[str, Any]] = {}
    for a in allocations_for(user).select_related("unit", "kind"):
        t = totals.setdefault(
            (a.unit_id, a.kind_id),
            {"unit": a.unit, "kind": a.kind, "allocated": Decimal(0), "returned": Decimal(0)},
        )
        t["allocated"] += a.quantity
    returns = (
        SupplyMovement.objects.filter(
            reason=MovementReason.RETURN, allocation__in=allocations_for(user)
        )
        .values("allocation__unit_id", "kind_id")
        .annotate(s=Sum("quantity"))
    )
    for r in returns:
        key = (r["allocation__unit_id"], r["kind_id"])
        if key in totals:
            totals[key]["returned"] += r["s"]
    rows = sorted(totals.values(), key=lambda t: (t["unit"].code, t["kind"].code))
    for t in rows:
        t["held"] = t["allocated"] - t["returned"]
    return rows


def _move(
    user: Any,
    depot: Depot,
    kind: SupplyKind,
    quantity: Decimal,
    reason: str,
    now: dt.datetime,
    allocation: Allocation | None = None,
    note: str = "",
    keep_reserved: int | None = None,
) -> SupplyMovement:
    """Append one ledger row; refuse if it would take the stock below zero or below what is
    promised to approved requests (other than `keep_reserved`, the one being handed over).
    The caller holds the depot's lock."""
    after = balance(depot.pk, kind.pk) + quantity
    if quantity < 0:
        floor = reserved(depot.pk, kind.pk, exclude=keep_reserved)
        if after < floor:
            have = after - quantity - floor
            raise ForcesError(
                "conflict",
                _("库存不足：%(depot)s 可用 %(have)s %(unit)s")
                % {"depot": depot.name, "have": f"{have:g}", "unit": kind.unit},
                "quantity",
            )
    return SupplyMovement.objects.create(
        depot=depot,
        kind=kind,
        quantity=quantity,
        reason=reason,
        allocation=allocation,
        at=now,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=actor_name(user),
        note=note,
    )


def receive(
    user: Any,
    depot_id: int,
    kind_id: int,
    quantity: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> SupplyMovement:
    """入库: supplies arriving at a depot."""
    kind = _kind(kind_id)
    amount = check_quantity("quantity", quantity, kind)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        depot = _handled_depot(user, depot_id)
        return _move(user, depot, kind, amount, MovementReason.STOCK_IN, now or timezone.now(),
                     note=note)  # fmt: skip


def adjust(
    user: Any,
    depot_id: int,
    kind_id: int,
    delta: Any,
    note: str,
    now: dt.datetime | None = None,
) -> SupplyMovement:
    """盘点调整: a count found more or fewer; the reason is required."""
    kind = _kind(kind_id)
    negative = str(delta).strip().startswith("-")
    magnitude = str(delta).strip().lstrip("+-")
    amount = check_quantity("quantity", magnitude, kind) * (-1 if negative else 1)
    note = _text("note", note, MAX_NOTE, required=True)
    with transaction.atomic():
        depot = _handled_depot(user, depot_id)
        return _move(user, depot, kind, amount, MovementReason.ADJUST, now or timezone.now(),
                     note=note)  # fmt: skip


def _unit(field: str, unit_id: int, user: Any, *, own: bool) -> Region:
    """A street or community to receive or request supplies; `own`: one in the account's scope."""
    qs: QuerySet[Region] = Region.objects.active().filter(level__in=[Level.STREET, Level.COMMUNITY])
    if own:
        qs = scope.regions_for(user, qs)
    unit = qs.filter(pk=unit_id).first()
    if unit is None:
        raise invalid(field, _("须为辖区内的街道/镇或社区/村"))
    return unit


def allocate(
    user: Any,
    depot_id: int,
    kind_id: int,
    unit_id: int,
    quantity: Any,
    purpose: str,
    *,
    date: dt.date | None = None,
    given_by: str = "",
    received_by: str = "",
    now: dt.datetime | None = None,
) -> Allocation:
    """调拨 by decision: stock leaves the depot for a street or community at once; the hand-over
    is recorded with it when the receiver is named."""
    now = now or timezone.now()
    kind = _kind(kind_id)
    amount = check_quantity("quantity", quantity, kind)
    purpose = _text("purpose", purpose, 200, required=True)
    given_by = _text("given_by", given_by, MAX_NAME)
    received_by = _text("received_by", received_by, MAX_NAME)
    day = _date("date", date or timezone.localdate(now))
    unit = _unit("unit", unit_id, user, own=False)
    with transaction.atomic():
        depot = _handled_depot(user, depot_id)
        allocation = Allocation.objects.create(
            kind=kind, depot=depot, unit=unit, quantity=amount, date=day, purpose=purpose,
            created_by=user, created_at=now,
        )  # fmt: skip
        _move(user, depot, kind, -amount, MovementReason.ALLOCATION, now, allocation, purpose)
        if received_by:
            Handover.objects.create(
                allocation=allocation, given_by=given_by or actor_name(user),
                received_by=received_by, at=now, quantity=amount,
            )  # fmt: skip
    return allocation


def return_supplies(
    user: Any, allocation_id: int, quantity: Any, note: str = "", now: dt.datetime | None = None
) -> SupplyMovement:
    """归还: part or all of an allocation comes back to its depot."""
    found = allocations_for(user).filter(pk=allocation_id).select_related("kind").first()
    if found is None:
        raise _not_found(_("调拨记录不存在"))
    amount = check_quantity("quantity", quantity, found.kind)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        depot = _handled_depot(user, found.depot_id)
        back = SupplyMovement.objects.filter(
            allocation=found, reason=MovementReason.RETURN
        ).aggregate(s=Sum("quantity"))["s"] or Decimal(0)
        if back + amount > found.quantity:
            raise invalid("quantity", _("归还数量超过调拨数量"))
        return _move(user, depot, found.kind, amount, MovementReason.RETURN,
                     now or timezone.now(), found, note)  # fmt: skip


# ---------------------------------------------------------------------------- requests --


def _step(req: SupplyRequest, to: str, user: Any, now: dt.datetime, note: str = "") -> RequestStep:
    old = req.status
    if old and to not in TRANSITIONS[old]:
        raise ForcesError(
            "conflict",
            _("当前状态为%(status)s，不能%(to)s")
            % {"status": Status(old).label, "to": Status(to).label},
            "status",
        )
    req.status = to
    return RequestStep.objects.create(
        request=req,
        from_status=old,
        to_status=to,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=actor_name(user),
        at=now,
        note=note,
    )


def request_supplies(
    user: Any,
    kind_id: int,
    unit_id: int,
    quantity: Any,
    reason: str,
    now: dt.datetime | None = None,
) -> SupplyRequest:
    """申请: a street or community (in the account's scope) asks for supplies."""
    if not can_request(user):
        raise ForcesError("forbidden", _("无权申请物资"))
    now = now or timezone.now()
    kind = _kind(kind_id)
    amount = check_quantity("quantity", quantity, kind)
    reason = _text("reason", reason, MAX_REASON, required=True)
    unit = _unit("unit", unit_id, user, own=True)
    with transaction.atomic():
        req = SupplyRequest.objects.create(
            kind=kind, unit=unit, quantity=amount, reason=reason, status=Status.REQUESTED,
            requested_by=user, requested_at=now,
        )  # fmt: skip
        RequestStep.objects.create(
            request=req, from_status="", to_status=Status.REQUESTED, actor=user,
            actor_name=actor_name(user), at=now, note=reason[:500],
        )  # fmt: skip
    return req


def _locked_request(user: Any, request_id: int) -> SupplyRequest:
    get_request(user, request_id)  # 404 first: "not yours" is "no such request"
    return SupplyRequest.objects.select_for_update().select_related("kind").get(pk=request_id)


def _not_own(user: Any, req: SupplyRequest) -> None:
    """Nobody decides on a request they filed (separation of duties): forbidden — the request
    is theirs to see, not theirs to approve or reject."""
    if req.requested_by_id is not None and req.requested_by_id == getattr(user, "pk", None):
        raise ForcesError("forbidden", _("不能审批自己提出的物资申请"))


def approve(
    user: Any,
    request_id: int,
    depot_id: int,
    quantity: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SupplyRequest:
    """批准: promise `quantity` (the request's by default, never more) from a depot this account
    handles; refused if the depot's available stock (stock less other promises) is short."""
    now = now or timezone.now()
    note = _text("note", note, 500)
    with transaction.atomic():
        req = _locked_request(user, request_id)
        _not_own(user, req)
        amount = (
            req.quantity if quantity is None else check_quantity("quantity", quantity, req.kind)
        )
        if amount > req.quantity:
            raise invalid("quantity", _("批准数量不能超过申请数量"))
        depot = _handled_depot(user, depot_id)
        _step(req, Status.APPROVED, user, now, note)
        available = balance(depot.pk, req.kind_id) - reserved(depot.pk, req.kind_id)
        if amount > available:
            raise ForcesError(
                "conflict",
                _("库存不足：%(depot)s 可用 %(have)s %(unit)s")
                % {"depot": depot.name, "have": f"{available:g}", "unit": req.kind.unit},
                "quantity",
            )
        req.depot = depot
        req.approved_quantity = amount
        req.save(update_fields=["status", "depot", "approved_quantity"])
    return req


def reject(user: Any, request_id: int, note: str, now: dt.datetime | None = None) -> SupplyRequest:
    """驳回 (or withdraw an approval not yet handed over): the reason is required."""
    now = now or timezone.now()
    note = _text("note", note, 500, required=True)
    with transaction.atomic():
        req = _locked_request(user, request_id)
        if not can_handle(user):
            raise ForcesError("forbidden", _("无权审批物资申请"))
        _not_own(user, req)
        if req.depot_id is not None:
            _handled_depot(user, req.depot_id)
        elif not scope.can_see_region(user, req.unit):
            raise ForcesError("forbidden", _("无权审批物资申请"))
        _step(req, Status.REJECTED, user, now, note)
        req.save(update_fields=["status"])
    return req


def hand_over(
    user: Any,
    request_id: int,
    received_by: str,
    given_by: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Handover:
    """交接: the approved quantity leaves the depot for the requesting unit — an allocation,
    its hand-over and its ledger row, in one transaction."""
    now = now or timezone.now()
    received_by = _text("received_by", received_by, MAX_NAME, required=True)
    given_by = _text("given_by", given_by, MAX_NAME) or actor_name(user)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        req = _locked_request(user, request_id)
        if req.depot_id is None:
            _step(req, Status.HANDED_OVER, user, now)  # refuses: not approved
        assert req.depot_id is not None and req.approved_quantity is not None
        depot = _handled_depot(user, req.depot_id)
        _step(req, Status.HANDED_OVER, user, now, note)
        req.save(update_fields=["status"])
        allocation = Allocation.objects.create(
            kind=req.kind, depot=depot, unit=req.unit, quantity=req.approved_quantity,
            date=timezone.localdate(now), purpose=req.reason[:200], request=req,
            created_by=user, created_at=now,
        )  # fmt: skip
        _move(user, depot, req.kind, -req.approved_quantity, MovementReason.ALLOCATION, now,
              allocation, _("申请 #%(id)s") % {"id": req.pk}, keep_reserved=req.pk)  # fmt: skip
        return Handover.objects.create(
            allocation=allocation, given_by=given_by, received_by=received_by, at=now,
            quantity=req.approved_quantity, note=note,
        )  # fmt: skip


def next_statuses(user: Any, req: SupplyRequest) -> tuple[str, ...]:
    """What this account may do to the request now (for the pages' buttons)."""
    if not can_handle(user):
        return ()
    if req.depot_id is not None and not handled_depots(user).filter(pk=req.depot_id).exists():
        return ()
    return TRANSITIONS[req.status]


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


def add_member(user: Any, force_id: int, data: MemberInput) -> Membership:
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


def end_membership(user: Any, membership_id: int, end_date: dt.date) -> Membership:
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
    user: Any, on: dt.date | None = None, force: TaskForce | None = None
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
    user: Any, force_id: int, day: dt.date, shift: str, person_id: int, leader: bool = False
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
