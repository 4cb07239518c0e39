"""Supply requests (物资申请): request, approve, reject, hand over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, actor_name, recorded_user
from gridgov.forces.depot_stock import _move, _unit, balance, reserved
from gridgov.forces.models import (
    Allocation,
    Handover,
    MovementReason,
    RequestStep,
    Status,
    SupplyRequest,
)
from gridgov.forces.services import (
    MAX_NAME,
    MAX_NOTE,
    MAX_REASON,
    TRANSITIONS,
    ForcesError,
    _handled_depot,
    _kind,
    _text,
    can_handle,
    can_request,
    check_quantity,
    get_request,
    handled_depots,
    invalid,
)
from gridgov.people import scope

# ---------------------------------------------------------------------------- requests --


def _step(
    req: SupplyRequest, to: str, user: Account, now: dt.datetime, note: str = ""
) -> RequestStep:
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
        actor=recorded_user(user) if getattr(user, "pk", None) else None,
        actor_name=actor_name(user),
        at=now,
        note=note,
    )


def request_supplies(
    user: Account,
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
            requested_by=recorded_user(user), requested_at=now,
        )  # fmt: skip
        RequestStep.objects.create(
            request=req, from_status="", to_status=Status.REQUESTED, actor=recorded_user(user),
            actor_name=actor_name(user), at=now, note=reason[:500],
        )  # fmt: skip
    return req


def _locked_request(user: Account, request_id: int) -> SupplyRequest:
    get_request(user, request_id)  # 404 first: "not yours" is "no such request"
    return SupplyRequest.objects.select_for_update().select_related("kind").get(pk=request_id)


def _not_own(user: Account, req: SupplyRequest) -> None:
    """Nobody decides on a request they filed (separation of duties): forbidden — the request
    is theirs to see, not theirs to approve or reject."""
    if req.requested_by_id is not None and req.requested_by_id == getattr(user, "pk", None):
        raise ForcesError("forbidden", _("不能审批自己提出的物资申请"))


def approve(
    user: Account,
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


def reject(
    user: Account, request_id: int, note: str, now: dt.datetime | None = None
) -> SupplyRequest:
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
    user: Account,
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
            created_by=recorded_user(user), created_at=now,
        )  # fmt: skip
        _move(user, depot, req.kind, -req.approved_quantity, MovementReason.ALLOCATION, now,
              allocation, _("申请 #%(id)s") % {"id": req.pk}, keep_reserved=req.pk)  # fmt: skip
        return Handover.objects.create(
            allocation=allocation, given_by=given_by, received_by=received_by, at=now,
            quantity=req.approved_quantity, note=note,
        )  # fmt: skip


def next_statuses(user: Account, req: SupplyRequest) -> tuple[str, ...]:
    """What this account may do to the request now (for the pages' buttons)."""
    if not can_handle(user):
        return ()
    if req.depot_id is not None and not handled_depots(user).filter(pk=req.depot_id).exists():
        return ()
    return TRANSITIONS[req.status]
