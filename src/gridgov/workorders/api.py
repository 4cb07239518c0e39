"""Events, work orders, their transitions: API v1, scoped like everything else.

A state change is a POST of the transition (`POST /orders/{id}/transitions {"action": "sign"}`),
never a PATCH of a status field.
"""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov import inputs
from gridgov.apikit import DOMAIN_STATUS, XLSX, ApiError, download, errors, xlsx_response
from gridgov.core import evidence
from gridgov.core.dbrouter import replica_reads
from gridgov.people.actor import person_of
from gridgov.workorders import attachments, exports, lateness
from gridgov.workorders.models import (
    Attachment,
    Category,
    Event,
    Priority,
    Source,
    WorkOrder,
)
from gridgov.workorders.schemas import (
    AttachmentOut,
    BulkIn,
    BulkResult,
    CategoryOut,
    DuplicateOut,
    EventIn,
    MergeIn,
    OrderDetailOut,
    OrderFilter,
    OrderOut,
    PriorityOut,
    PublicIn,
    StatsOut,
    TransitionIn,
)
from gridgov.workorders.services import (
    EventInput,
    WorkflowError,
    allowed_actions,
    create_event,
    merge,
    orders_for,
    perform,
    possible_duplicates,
    set_public,
)
from gridgov.workorders.sourcing import nearby_for_order
from gridgov.workorders.states import ACTIONS, OPEN_STATES, SYSTEM_ACTIONS, State

router = Router()

# What an account may file through the API; citizens use the public page or Open311, and
# alarms come from the air monitoring itself.
ACCOUNT_SOURCES = (Source.PATROL, Source.HOTLINE, Source.COMMAND, Source.INSPECTION)


@router.get("/categories", response={200: list[CategoryOut], **errors(401)})
def list_categories(request: HttpRequest) -> Any:
    """The two-level taxonomy: top-level groups (parent null) and the categories to file under."""
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent": c.parent.code if c.parent else None,
            "line": c.line.code if c.line else None,
            "default_priority": c.default_priority,
            "public": c.public,
        }
        for c in Category.objects.for_user(request.user)
        .filter(active=True)
        .select_related("parent", "line")
    ]


def order_row(o: WorkOrder, now: dt.datetime | None = None) -> dict[str, Any]:
    e = o.event
    return {
        "id": o.pk,
        "reference": e.reference,
        "title": e.title,
        "description": e.description,
        "source": e.source,
        "category": e.category.code,
        "category_name": str(e.category.name),
        "priority": o.priority,
        "state": o.state,
        "state_label": str(State(o.state).label),
        "lat": e.lat,
        "lon": e.lon,
        "address": e.address,
        "grid": e.region.code,
        "grid_name": e.region.name,
        "unit": o.unit.code,
        "unit_name": o.unit.name,
        "assignee": o.assignee.name if o.assignee else None,
        "assignee_id": o.assignee_id,
        "assignee_post": o.assignee_post,
        "step": o.step,
        "due_at": o.due_at,
        "warn_at": o.warn_at,
        "overdue": lateness.is_overdue(o, now or timezone.now()),
        "escalation_level": o.escalation_level,
        "returned_count": o.returned_count,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "closed_at": o.closed_at,
    }


def photo_row(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "stage": a.stage,
        "url": reverse("workorders:photo", args=[a.pk]),
        "width": a.width,
        "height": a.height,
        "taken_at": a.taken_at,
        "lat": a.lat,
        "lon": a.lon,
    }


def _label(action: str) -> str:
    a = ACTIONS.get(action)
    return str(a.label if a else SYSTEM_ACTIONS.get(action, action))


def order_detail(request: HttpRequest, o: WorkOrder) -> dict[str, Any]:
    row = order_row(o)
    row["actions"] = [a.code for a in allowed_actions(request.user, o)]
    row["transitions"] = [
        {
            "action": t.action,
            "label": _label(t.action),
            "from_state": t.from_state,
            "to_state": t.to_state,
            "actor": t.actor_name,
            "assignee": t.assignee.name if t.assignee else None,
            "note": t.note,
            "at": t.at,
            "lat": t.lat,
            "lon": t.lon,
        }
        for t in o.transitions.select_related("assignee").order_by("at", "pk")
    ]
    row["attachments"] = [photo_row(a) for a in o.attachments.all()]
    merged = o.event.merged_into
    row["merged_into"] = merged.reference if merged else None
    row["nearby_sources"] = [n.as_dict() for n in nearby_for_order(o, request.user)]
    row["pollution_source"] = source_ref(o.event.pollution_source)
    return row


def source_ref(source: Any) -> dict[str, Any] | None:
    if source is None:
        return None
    return {
        "id": source.pk,
        "code": source.code,
        "name": source.name,
        "category": source.category,
        "url": f"/sources/{source.pk}/",
    }


ORDER_RELATED = ("event__category", "event__region", "event__merged_into", "unit", "assignee")
ORDER_DEFERRED = ("event__region__geometry", "unit__geometry")


def get_order(request: HttpRequest, order_id: int) -> WorkOrder:
    order = (
        orders_for(request.user)
        .select_related(*ORDER_RELATED)
        .defer(*ORDER_DEFERRED)
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise ApiError(404, "no such work order")
    return order


@router.post("/events", response={201: OrderDetailOut, **errors(400, 401, 403, 404, 409, 413, 503)})
def report_event(request: HttpRequest, payload: EventIn) -> Any:
    """Report an event (a patrol finding, a hotline call, a command, an inspection finding).
    Patrol, command and inspection events are dispatched at once; hotline calls wait for 立案.
    A patrol routed to its own reporter is signed for at once; one `handled_on_spot` (with its
    `handling_note`) is 已处置 on return, waiting for 核查 by another account."""
    if not request.user.has_perm("workorders.add_workorder"):
        raise ApiError(403, "this account may not report events")
    if payload.source not in ACCOUNT_SOURCES:
        raise ApiError(400, f"source must be one of {', '.join(ACCOUNT_SOURCES)}", "source")
    category = (
        Category.objects.for_user(request.user).filter(code=payload.category, active=True).first()
    )
    if category is None:
        raise ApiError(400, f"unknown category {payload.category!r}", "category")
    order = create_event(
        EventInput(
            source=payload.source,
            category=category,
            title=payload.title,
            description=payload.description,
            lat=payload.lat,
            lon=payload.lon,
            address=payload.address,
            grid_code=payload.grid,
            priority=payload.priority,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            handled_on_spot=payload.handled_on_spot,
            handling_note=payload.handling_note,
        ),
        request.user,
    )
    return Status(201, order_detail(request, get_order(request, order.pk)))


@router.get("/events/duplicates", response={200: list[DuplicateOut], **errors(400, 401)})
def duplicates(request: HttpRequest, category: str, lat: float, lon: float) -> Any:
    """Open events of the same category nearby and recent: show them before creating a new one."""
    inputs.check_point(lat, lon)
    cat = Category.objects.for_user(request.user).filter(code=category).first()
    if cat is None:
        raise ApiError(400, f"unknown category {category!r}", "category")
    visible = set(orders_for(request.user).values_list("event_id", flat=True))
    return [
        {
            "event_id": e.pk,
            "reference": e.reference,
            "title": e.title,
            "state": e.order.state,
            "distance_m": round(d, 1),
            "created_at": e.created_at,
        }
        for e, d in possible_duplicates(cat, lat, lon)
        if e.pk in visible
    ]


@router.post(
    "/events/{int:event_id}/merge",
    response={200: OrderDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def merge_event(request: HttpRequest, event_id: int, payload: MergeIn) -> Any:
    merge(event_id, payload.into, request.user)
    into = Event.objects.for_user(request.user).get(pk=payload.into)  # merge checked it
    return order_detail(request, get_order(request, into.order.pk))


@router.post(
    "/events/{int:event_id}/public",
    response={200: OrderDetailOut, **errors(400, 401, 403, 404, 413)},
)
def publish_event(request: HttpRequest, event_id: int, payload: PublicIn) -> Any:
    """Mark an event public or internal (the desk roles; citizens' reports stay public)."""
    event = set_public(event_id, payload.public, request.user)
    return order_detail(request, get_order(request, event.order.pk))


def filtered_orders(request: HttpRequest, f: OrderFilter) -> Any:
    qs = orders_for(request.user).select_related(*ORDER_RELATED).defer(*ORDER_DEFERRED)
    if f.state:
        bad = [s for s in f.state if s not in State.values]
        if bad:
            raise ApiError(400, f"unknown state {bad[0]!r}", "state")
        qs = qs.filter(state__in=f.state)
    if f.unit:
        from gridgov.people.scope import visible_region

        region = visible_region(request.user, f.unit)
        qs = qs.filter(event__region_path__startswith=region.path)
    if f.category:
        qs = qs.filter(
            Q(event__category__code=f.category) | Q(event__category__parent__code=f.category)
        )
    if f.source:
        qs = qs.filter(event__source=f.source)
    if f.overdue is not None:
        late = lateness.overdue_q(timezone.now())
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    if f.mine:
        person = person_of(request.user)
        qs = qs.filter(assignee=person) if person else qs.none()
    if f.q:
        qs = qs.filter(Q(event__reference__iexact=f.q.strip()) | Q(event__title__icontains=f.q))
    if f.created_from:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__date__lte=f.created_to)
    return qs.order_by(*lateness.most_urgent_first())


@router.get("/orders", response={200: list[OrderOut], **errors(400, 401, 403, 404)})
@paginate(LimitOffsetPagination)
def list_orders(request: HttpRequest, filters: Query[OrderFilter]) -> Any:
    """Orders in the caller's scope, most urgent first (overdue, then nearest deadline)."""
    now = timezone.now()
    return [order_row(o, now) for o in filtered_orders(request, filters)]


@router.get(
    "/orders.xlsx",
    response=errors(400, 401, 403, 404),
    openapi_extra=download(XLSX, "the orders as an Excel workbook"),
)
def export_orders(request: HttpRequest, filters: Query[OrderFilter]) -> HttpResponse:
    """The filtered orders as an Excel workbook."""
    with replica_reads():
        now = timezone.now()
        rows = [order_row(o, now) for o in filtered_orders(request, filters)[:100_000]]
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(exports.orders_workbook(rows), f"orders-{stamp}.xlsx")


@router.get("/orders/{int:order_id}", response={200: OrderDetailOut, **errors(400, 401, 404)})
def order(request: HttpRequest, order_id: int) -> Any:
    return order_detail(request, get_order(request, order_id))


@router.post(
    "/orders/{int:order_id}/transitions",
    response={200: OrderDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def transition(request: HttpRequest, order_id: int, payload: TransitionIn) -> Any:
    """Take one action: 立案 accept, 派遣 dispatch, 转派 reassign, 签收 sign, 开始 start,
    处置 handle, 退回 return, 核查 verify / reject, 结案 close, 作废 void, 延期 request/approve/
    reject_extension, 督办 supervise. 409 when the order's state does not allow it now."""
    if payload.until is not None and timezone.is_naive(payload.until):
        raise ApiError(400, "until needs a UTC offset", "until")
    perform(
        order_id,
        payload.action,
        request.user,
        note=payload.note,
        assignee_id=payload.assignee,
        until=payload.until,
        lat=payload.lat,
        lon=payload.lon,
        photo_ids=payload.photos,
        source_id=payload.source_id,
    )
    return order_detail(request, get_order(request, order_id))


@router.post("/orders/bulk", response={200: list[BulkResult], **errors(400, 401, 413)})
def bulk(request: HttpRequest, payload: BulkIn) -> Any:
    """The same action on many orders (bulk dispatch, bulk close, …); each succeeds or fails on
    its own and the answer says which."""
    if payload.action not in ACTIONS:
        raise ApiError(400, f"unknown action {payload.action!r}", "action")
    out = []
    for pk in dict.fromkeys(payload.ids):
        try:
            perform(
                pk, payload.action, request.user, note=payload.note, assignee_id=payload.assignee
            )
            out.append({"id": pk, "ok": True, "status": 200, "message": ""})
        except WorkflowError as exc:
            out.append(
                {"id": pk, "ok": False, "status": DOMAIN_STATUS[exc.kind], "message": str(exc)}
            )
    return out


@router.get("/priorities", response={200: list[PriorityOut], **errors(401)})
def priorities(request: HttpRequest) -> Any:
    return [{"value": v, "label": str(label)} for v, label in Priority.choices]


@router.post(
    "/orders/{int:order_id}/photos",
    response={201: AttachmentOut, **errors(400, 401, 403, 404, 409, 413)},
)
def upload_photo(
    request: HttpRequest,
    order_id: int,
    photo: File[UploadedFile],
    stage: Form[str] = "report",
) -> Any:
    """A photo for an open order (stage report, before or after): JPEG, PNG or WebP, checked by
    content; EXIF orientation applied, EXIF place and time kept, resized, EXIF removed."""
    order = get_order(request, order_id)
    person = person_of(request.user)
    is_assignee = person is not None and order.assignee_id == person.pk
    if not is_assignee and not request.user.has_perm("workorders.dispatch_workorder"):
        raise ApiError(403, "only the assignee or a dispatcher adds photos", "photo")
    if order.state not in OPEN_STATES:
        raise ApiError(409, "the order is closed", "photo")
    try:
        a = attachments.save_photo(
            order,
            photo,
            size=photo.size or 0,
            name=photo.name or "",
            stage=stage,
            user=request.user,
        )
    except evidence.PhotoRejected as exc:
        raise exc.about("stage" if "stage" in str(exc) else "photo") from exc
    return Status(201, photo_row(a))


# --------------------------------------------------------------------------- statistics --


@router.get("/orders/stats", response={200: StatsOut, **errors(400, 401)}, by_alias=True)
def order_statistics(
    request: HttpRequest,
    start: dt.date = Query(..., alias="from"),  # noqa: B008
    end: dt.date = Query(..., alias="to"),  # noqa: B008
    by: str = "community",
    min_orders: int = Query(5, ge=1, le=10_000),
) -> Any:
    """Per district, street, community, grid or person: received, on-time rates, mean/p90 minutes to
    sign, handle and close, overdue, returned; fewer than `min_orders` orders: listed apart."""
    from gridgov.workorders.stats import order_stats

    if end < start:
        raise ApiError(400, "the period ends before it starts", "to")
    try:
        return order_stats(request.user, start, end, by, min_orders)
    except ValueError as exc:  # an unknown `by` (the only other refusal, checked above)
        raise ApiError(400, str(exc), "by") from exc
