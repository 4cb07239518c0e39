"""Depot stock (物资库存): balances, movements, allocations to units and returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, actor_name, recorded_user
from gridgov.forces.models import (
    Allocation,
    Depot,
    Handover,
    MovementReason,
    Status,
    SupplyKind,
    SupplyMovement,
    SupplyRequest,
)
from gridgov.forces.services import (
    MAX_NAME,
    MAX_NOTE,
    ForcesError,
    _date,
    _handled_depot,
    _kind,
    _not_found,
    _text,
    allocations_for,
    check_quantity,
    depots_for,
    invalid,
)
from gridgov.people import scope
from gridgov.territory.models import Level, Region

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


def stock(user: Account, kind_id: int | None = None) -> list[StockRow]:
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


def allocated_by_unit(user: Account) -> list[dict[str, Any]]:
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
    user: Account,
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
        actor=recorded_user(user) if getattr(user, "pk", None) else None,
        actor_name=actor_name(user),
        note=note,
    )


def receive(
    user: Account,
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
    user: Account,
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


def _unit(field: str, unit_id: int, user: Account, *, own: bool) -> Region:
    """A street or community to receive or request supplies; `own`: one in the account's scope."""
    qs: QuerySet[Region] = Region.objects.active().filter(level__in=[Level.STREET, Level.COMMUNITY])
    if own:
        qs = scope.regions_for(user, qs)
    unit = qs.filter(pk=unit_id).first()
    if unit is None:
        raise invalid(field, _("须为辖区内的街道/镇或社区/村"))
    return unit


def allocate(
    user: Account,
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
            created_by=recorded_user(user), created_at=now,
        )  # fmt: skip
        _move(user, depot, kind, -amount, MovementReason.ALLOCATION, now, allocation, purpose)
        if received_by:
            Handover.objects.create(
                allocation=allocation, given_by=given_by or actor_name(user),
                received_by=received_by, at=now, quantity=amount,
            )  # fmt: skip
    return allocation


def return_supplies(
    user: Account, allocation_id: int, quantity: Any, note: str = "", now: dt.datetime | None = None
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
