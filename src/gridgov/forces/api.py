"""专班与物资, API v1: task forces (list, detail with members and today's roster, a roster for
dates, seconded staff by street) and supplies (kinds, stock, ledger, allocations, requests and
their approval, rejection and hand-over). Everything scoped like the pages; quantities are
decimal strings ("12.50") in answers and numbers or strings in requests."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import XLSX, ApiError, download, errors, xlsx_response
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.forces import depot_stock, excel, force_members, services, supply_requests
from gridgov.forces.models import (
    Allocation,
    DutyShift,
    Membership,
    MovementReason,
    SupplyKind,
    SupplyMovement,
    SupplyRequest,
    TaskForce,
)
from gridgov.forces.models import (
    Status as RequestStatus,
)
from gridgov.forces.schemas import (
    AllocationFilter,
    AllocationIn,
    AllocationOut,
    DepotOut,
    DutyOut,
    ForceDetailOut,
    ForceFilter,
    ForceOut,
    HandoverIn,
    MovementIn,
    MovementOut,
    RejectIn,
    RequestDetailOut,
    RequestFilter,
    RequestIn,
    RequestOut,
    ReturnIn,
    SecondedStreetOut,
    StockOut,
    SupplyApproveIn,
    SupplyKindOut,
)
from gridgov.territory.models import Region

router = Router()

MAX_ROSTER_DAYS = 62


def _q(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def force_row(f: TaskForce, today: dt.date) -> dict[str, Any]:
    current = list(f.members.current(today).values_list("seconded", flat=True))
    return {
        "id": f.pk,
        "name": f.name,
        "kind": f.kind,
        "kind_label": f.get_kind_display(),
        "owner": f.owner.code,
        "owner_name": f.owner.name,
        "front": f.front,
        "front_label": f.get_front_display(),
        "duties": f.duties,
        "leader": f.leader.name if f.leader else None,
        "established": f.established,
        "dissolved": f.dissolved,
        "members": len(current),
        "seconded": sum(1 for s in current if s),
    }


def member_row(m: Membership, today: dt.date) -> dict[str, Any]:
    return {
        "id": m.pk,
        "person_id": m.person_id,
        "name": m.person.name,
        "role": m.role,
        "role_label": m.get_role_display(),
        "home_unit": m.home_unit.code,
        "home_unit_name": m.home_unit.name,
        "seconded": m.seconded,
        "posted_to": m.posted_to.code if m.posted_to else None,
        "posted_to_name": m.posted_to.name if m.posted_to else None,
        "start_date": m.start_date,
        "end_date": m.end_date,
        "current": m.start_date <= today and (m.end_date is None or m.end_date >= today),
    }


def duty_rows(request: HttpRequest, force: TaskForce, duties: list[DutyShift]) -> list[Any]:
    shown: dict[int, bool] = {}
    out = []
    for d in duties:
        if d.person_id not in shown:
            shown[d.person_id] = services.phone_visible(request.user, d.person, force)
        out.append(
            {
                "date": d.date,
                "shift": d.shift,
                "shift_label": d.get_shift_display(),
                "person_id": d.person_id,
                "name": d.person.name,
                "phone": d.person.phone if shown[d.person_id] else None,
                "leader": d.leader,
            }
        )
    return out


def _force(request: HttpRequest, force_id: int) -> TaskForce:
    return services.get_force(request.user, force_id)


@router.get("/forces", response={200: list[ForceOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_forces(request: HttpRequest, filters: Query[ForceFilter]) -> Any:
    """Task forces owned in the caller's scope or with staff sent into it."""
    today = timezone.localdate()
    qs = services.forces_for(request.user).select_related("owner", "leader")
    if filters.front:
        from gridgov.forces.models import Front

        if filters.front not in Front.values:
            raise ApiError(400, f"unknown front {filters.front[:40]!r}", "front")
        qs = qs.filter(front=filters.front)
    if filters.active:
        qs = qs.exclude(dissolved__lt=today)
    return [force_row(f, today) for f in qs]


@router.get("/forces/seconded", response={200: list[SecondedStreetOut], **errors(400, 401)})
def seconded(request: HttpRequest, on: dt.date | None = None) -> Any:
    """借调/下沉人员 by the street they are sent to, on a day (today by default)."""
    day = on or timezone.localdate()
    out = []
    for street, staff in force_members.seconded_by_street(request.user, day):
        rows = [
            {**member_row(m, day), "force_id": m.force_id, "force_name": m.force.name}
            for m in staff
        ]
        out.append({"street": street.code, "street_name": street.name, "staff": rows})
    return out


@router.get("/forces/{int:force_id}", response={200: ForceDetailOut, **errors(401, 404)})
def force_detail(request: HttpRequest, force_id: int) -> Any:
    today = timezone.localdate()
    f = _force(request, force_id)
    history = force_members.members(f, history=True)
    return {
        **force_row(f, today),
        "members_history": [member_row(m, today) for m in history],
        "roster_today": duty_rows(request, f, force_members.roster(f, today, today)),
    }


@router.get("/forces/{int:force_id}/roster", response={200: list[DutyOut], **errors(400, 401, 404)})
def force_roster(
    request: HttpRequest,
    force_id: int,
    start: dt.date | None = Query(None, alias="from"),  # noqa: B008
    end: dt.date | None = Query(None, alias="to"),  # noqa: B008
) -> Any:
    """值班表 from `from` to `to` (both default today; at most 62 days)."""
    f = _force(request, force_id)
    today = timezone.localdate()
    first, last = start or today, end or start or today
    if last < first:
        raise ApiError(400, "'to' is before 'from'", "to")
    if (last - first).days >= MAX_ROSTER_DAYS:
        raise ApiError(400, f"at most {MAX_ROSTER_DAYS} days", "to")
    return duty_rows(request, f, force_members.roster(f, first, last))


def movement_row(m: SupplyMovement) -> dict[str, Any]:
    return {
        "id": m.pk,
        "at": m.at,
        "depot_id": m.depot_id,
        "depot": m.depot.name,
        "kind": m.kind.code,
        "quantity": _q(m.quantity),
        "reason": m.reason,
        "reason_label": m.get_reason_display(),
        "allocation_id": m.allocation_id,
        "actor": m.actor_name,
        "note": m.note,
    }


def handover_row(a: Allocation) -> dict[str, Any] | None:
    h = getattr(a, "handover", None)
    if h is None:
        return None
    return {
        "given_by": h.given_by,
        "received_by": h.received_by,
        "at": h.at,
        "quantity": _q(h.quantity),
        "note": h.note,
    }


def allocation_row(a: Allocation) -> dict[str, Any]:
    return {
        "id": a.pk,
        "date": a.date,
        "kind": a.kind.code,
        "kind_name": a.kind.name,
        "unit_of_measure": a.kind.unit,
        "quantity": _q(a.quantity),
        "depot_id": a.depot_id,
        "depot": a.depot.name,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "purpose": a.purpose,
        "request_id": a.request_id,
        "handover": handover_row(a),
    }


def request_row(request: HttpRequest, r: SupplyRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind.code,
        "kind_name": r.kind.name,
        "unit_of_measure": r.kind.unit,
        "unit": r.unit.code,
        "unit_name": r.unit.name,
        "quantity": _q(r.quantity),
        "reason": r.reason,
        "status": r.status,
        "status_label": r.get_status_display(),
        "depot_id": r.depot_id,
        "depot": r.depot.name if r.depot else None,
        "approved_quantity": _q(r.approved_quantity),
        "requested_at": r.requested_at,
        "next": list(supply_requests.next_statuses(request.user, r)),
    }


def request_detail(request: HttpRequest, r: SupplyRequest) -> dict[str, Any]:
    allocation = (
        Allocation.objects.for_user(request.user)
        .filter(request=r)
        .select_related("handover")
        .first()
    )
    return {
        **request_row(request, r),
        "steps": [
            {
                "from_status": s.from_status,
                "to_status": s.to_status,
                "actor": s.actor_name,
                "at": s.at,
                "note": s.note,
            }
            for s in r.steps.all()
        ],
        "allocation_id": allocation.pk if allocation else None,
        "handover": handover_row(allocation) if allocation else None,
    }


def _kind_id(user: Account, code: str) -> int:
    kind = SupplyKind.objects.for_user(user).filter(code=code, active=True).first()
    if kind is None:
        raise ApiError(400, f"unknown supply kind {code[:40]!r}", "kind")
    return kind.pk


def _region(code: str, field: str = "unit") -> Region:
    region = Region.by_code(code)
    if region is None:
        raise ApiError(400, f"unknown unit {code[:40]!r}", field)
    return region


def _region_id(code: str, field: str = "unit") -> int:
    return _region(code, field).pk


@router.get("/supplies/kinds", response={200: list[SupplyKindOut], **errors(401)})
def supply_kinds(request: HttpRequest) -> Any:
    return list(SupplyKind.objects.for_user(request.user).filter(active=True))


@router.get("/supplies/depots", response={200: list[DepotOut], **errors(401)})
def depots(request: HttpRequest) -> Any:
    return [
        {**{f: getattr(d, f) for f in ("id", "name", "place", "lat", "lon", "active")},
         "owner": d.owner.code, "owner_name": d.owner.name}
        for d in services.depots_for(request.user).select_related("owner")
    ]  # fmt: skip


@router.get("/supplies/stock", response={200: list[StockOut], **errors(400, 401)})
def stock(request: HttpRequest, kind: str | None = None) -> Any:
    """Stock by depot and kind in the caller's depots: quantity, reserved, available."""
    rows = depot_stock.stock(request.user, _kind_id(request.user, kind) if kind else None)
    return [
        {
            "depot_id": r.depot.pk,
            "depot": r.depot.name,
            "owner": r.depot.owner.code,
            "owner_name": r.depot.owner.name,
            "place": r.depot.place,
            "lat": r.depot.lat,
            "lon": r.depot.lon,
            "kind": r.kind.code,
            "kind_name": r.kind.name,
            "unit": r.kind.unit,
            "quantity": _q(r.quantity),
            "reserved": _q(r.reserved),
            "available": _q(r.available),
        }
        for r in rows
    ]


@router.get(
    "/supplies/stock.xlsx",
    response={200: None, **errors(401)},
    openapi_extra=download(XLSX, "stock, allocations and requests, one sheet each"),
)
def stock_xlsx(request: HttpRequest) -> Any:
    with replica_reads():
        content = excel.workbook(request.user)
        return xlsx_response(content, f"supplies-{timezone.localdate():%Y%m%d}.xlsx")


@router.get(
    "/supplies/depots/{int:depot_id}/ledger",
    response={200: list[MovementOut], **errors(401, 404)},
)
@paginate(LimitOffsetPagination)
def ledger(request: HttpRequest, depot_id: int) -> Any:
    """Every movement of a depot, oldest first: the stock is their sum."""
    depot = services.depots_for(request.user).filter(pk=depot_id).first()
    if depot is None:
        raise ApiError(404, "no such depot")
    return [movement_row(m) for m in depot.movements.select_related("depot", "kind")]


@router.post("/supplies/movements", response={201: MovementOut, **errors(400, 401, 403, 409)})
def add_movement(request: HttpRequest, payload: MovementIn) -> Any:
    """入库 (stock_in) or 盘点调整 (adjust, a reason required) at a depot the caller handles."""
    kind_id = _kind_id(request.user, payload.kind)
    if payload.reason == MovementReason.STOCK_IN:
        m = depot_stock.receive(request.user, payload.depot_id, kind_id, payload.quantity,
                             payload.note)  # fmt: skip
    elif payload.reason == MovementReason.ADJUST:
        m = depot_stock.adjust(request.user, payload.depot_id, kind_id, payload.quantity,
                            payload.note)  # fmt: skip
    else:
        raise ApiError(400, "reason must be stock_in or adjust", "reason")
    return Status(201, movement_row(m))


@router.get("/supplies/allocations", response={200: list[AllocationOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def allocations(request: HttpRequest, filters: Query[AllocationFilter]) -> Any:
    qs = services.allocations_for(request.user).select_related("kind", "depot", "unit", "handover")
    if filters.kind:
        qs = qs.filter(kind_id=_kind_id(request.user, filters.kind))
    if filters.unit:
        region = _region(filters.unit)
        qs = qs.filter(unit__path__startswith=region.path)
    return [allocation_row(a) for a in qs]


@router.post("/supplies/allocations", response={201: AllocationOut, **errors(400, 401, 403, 409)})
def create_allocation(request: HttpRequest, payload: AllocationIn) -> Any:
    """调拨 by decision from a depot the caller handles; stock leaves it at once."""
    a = depot_stock.allocate(
        request.user,
        payload.depot_id,
        _kind_id(request.user, payload.kind),
        _region_id(payload.unit),
        payload.quantity,
        payload.purpose,
        date=payload.date,
        given_by=payload.given_by,
        received_by=payload.received_by,
    )
    return Status(201, allocation_row(a))


@router.post(
    "/supplies/allocations/{int:allocation_id}/return",
    response={201: MovementOut, **errors(400, 401, 403, 404, 409)},
)
def return_allocation(request: HttpRequest, allocation_id: int, payload: ReturnIn) -> Any:
    """归还: part or all of an allocation back to its depot."""
    m = depot_stock.return_supplies(request.user, allocation_id, payload.quantity, payload.note)
    return Status(201, movement_row(m))


@router.get("/supplies/requests", response={200: list[RequestOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def requests(request: HttpRequest, filters: Query[RequestFilter]) -> Any:
    qs = services.requests_for(request.user).select_related("kind", "unit", "depot")
    if filters.status:
        if filters.status not in RequestStatus.values:
            raise ApiError(400, f"unknown status {filters.status[:40]!r}", "status")
        qs = qs.filter(status=filters.status)
    return [request_row(request, r) for r in qs]


@router.post("/supplies/requests", response={201: RequestDetailOut, **errors(400, 401, 403)})
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    """申请 for a street or community in the caller's scope."""
    r = supply_requests.request_supplies(
        request.user,
        _kind_id(request.user, payload.kind),
        _region_id(payload.unit),
        payload.quantity,
        payload.reason,
    )
    return Status(201, request_detail(request, services.get_request(request.user, r.pk)))


def _request(request: HttpRequest, request_id: int) -> SupplyRequest:
    return services.get_request(request.user, request_id)


@router.get(
    "/supplies/requests/{int:request_id}", response={200: RequestDetailOut, **errors(401, 404)}
)
def request_view(request: HttpRequest, request_id: int) -> Any:
    return request_detail(request, _request(request, request_id))


ACT = {200: RequestDetailOut, **errors(400, 401, 403, 404, 409)}


@router.post("/supplies/requests/{int:request_id}/approve", response=ACT)
def approve(request: HttpRequest, request_id: int, payload: SupplyApproveIn) -> Any:
    """批准 from a depot the caller handles; refused (409) if its available stock is short."""
    supply_requests.approve(
        request.user, request_id, payload.depot_id, payload.quantity, payload.note
    )
    return request_detail(request, _request(request, request_id))


@router.post("/supplies/requests/{int:request_id}/reject", response=ACT)
def reject(request: HttpRequest, request_id: int, payload: RejectIn) -> Any:
    supply_requests.reject(request.user, request_id, payload.note)
    return request_detail(request, _request(request, request_id))


@router.post("/supplies/requests/{int:request_id}/handover", response=ACT)
def handover(request: HttpRequest, request_id: int, payload: HandoverIn) -> Any:
    """交接: the approved quantity leaves the depot (an allocation and a ledger row)."""
    supply_requests.hand_over(
        request.user, request_id, payload.received_by, payload.given_by, payload.note
    )
    return request_detail(request, _request(request, request_id))
