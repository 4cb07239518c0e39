"""Events, work orders, their transitions, the inbox: API v1, scoped like everything else.

A state change is a POST of the transition (`POST /orders/{id}/transitions {"action": "sign"}`),
never a PATCH of a status field.
"""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov import inputs
from gridgov.apikit import DOMAIN_STATUS, XLSX, ApiError, download, errors, xlsx_response
from gridgov.core import evidence
from gridgov.people.actor import person_of
from gridgov.schemas import Schema
from gridgov.workorders import attachments, commands, exports, lateness
from gridgov.workorders.models import (
    Attachment,
    Category,
    Event,
    Notification,
    Priority,
    Source,
    WorkOrder,
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


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None
    line: str | None
    default_priority: int
    public: bool


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
        for c in Category.objects.filter(active=True).select_related("parent", "line")
    ]


class EventIn(Schema):
    model_config = {"extra": "forbid"}
    source: str = Field(..., description="patrol | hotline | command | inspection")
    category: str = Field(..., description="a second-level category code")
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    lat: float
    lon: float
    address: str = Field("", max_length=200)
    grid: str | None = Field(None, description="region code, when the point is not enough")
    priority: int | None = Field(None, ge=1, le=3, description="1 特急, 2 紧急, 3 一般")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    handled_on_spot: bool = Field(
        False,
        description="就地处置: a patrol the reporter put right there and then; the order is "
        "dispatched to him, signed for and handled at once and waits for 核查 by someone else",
    )
    handling_note: str = Field(
        "", max_length=4000, description="what was done on the spot; required with handled_on_spot"
    )


class TransitionOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    assignee: str | None
    note: str
    at: dt.datetime
    lat: float | None
    lon: float | None


class AttachmentOut(Schema):
    id: int
    stage: str
    url: str
    width: int
    height: int
    taken_at: dt.datetime | None
    lat: float | None
    lon: float | None


class OrderOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    source: str
    category: str
    category_name: str
    priority: int
    state: str
    state_label: str
    lat: float
    lon: float
    address: str
    grid: str
    grid_name: str
    unit: str
    unit_name: str
    assignee: str | None
    assignee_id: int | None
    assignee_post: str
    step: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    overdue: bool
    escalation_level: int
    returned_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None


class NearbySourceOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    status: str
    status_label: str
    metres: int = Field(description="from the alarm's station to the nearest part of the source")
    bearing: int = Field(description="from the station to the source, degrees clockwise from north")
    upwind: bool = Field(description="within the upwind sector of the station's recent wind")
    responsible_unit: str = Field(description="unit and post answering for it")
    url: str


class SourceRefOut(Schema):
    id: int
    code: str
    name: str
    category: str
    url: str


class OrderDetailOut(OrderOut):
    actions: list[str] = Field(description="what the caller may do now")
    transitions: list[TransitionOut]
    attachments: list[AttachmentOut]
    merged_into: str | None
    nearby_sources: list[NearbySourceOut] = Field(
        description="for an air alarm's order: registered sources near the station that the "
        "caller may see, upwind first when the station's wind is known, else nearest first"
    )
    pollution_source: SourceRefOut | None = Field(
        description="the source the handling named responsible"
    )


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
    category = Category.objects.filter(code=payload.category, active=True).first()
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


class DuplicateOut(Schema):
    event_id: int
    reference: str
    title: str
    state: str
    distance_m: float
    created_at: dt.datetime


@router.get("/events/duplicates", response={200: list[DuplicateOut], **errors(400, 401)})
def duplicates(request: HttpRequest, category: str, lat: float, lon: float) -> Any:
    """Open events of the same category nearby and recent: show them before creating a new one."""
    inputs.check_point(lat, lon)
    cat = Category.objects.filter(code=category).first()
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


class MergeIn(Schema):
    into: int = Field(..., description="id of the open event this one duplicates")


@router.post(
    "/events/{int:event_id}/merge",
    response={200: OrderDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def merge_event(request: HttpRequest, event_id: int, payload: MergeIn) -> Any:
    merge(event_id, payload.into, request.user)
    into = Event.objects.get(pk=payload.into)
    return order_detail(request, get_order(request, into.order.pk))


class PublicIn(Schema):
    public: bool = Field(..., description="listed on Open311 and the public page (masked)")


@router.post(
    "/events/{int:event_id}/public",
    response={200: OrderDetailOut, **errors(400, 401, 403, 404, 413)},
)
def publish_event(request: HttpRequest, event_id: int, payload: PublicIn) -> Any:
    """Mark an event public or internal (the desk roles; citizens' reports stay public)."""
    event = set_public(event_id, payload.public, request.user)
    return order_detail(request, get_order(request, event.order.pk))


class OrderFilter(Schema):
    state: list[str] | None = Field(None, description="one or more states")
    unit: str | None = Field(None, description="region code: orders of its grids")
    category: str | None = None
    source: str | None = None
    overdue: bool | None = None
    mine: bool = Field(False, description="only orders dispatched to me")
    q: str | None = Field(None, max_length=100, description="reference or words of the title")
    created_from: dt.date | None = None
    created_to: dt.date | None = None


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
    now = timezone.now()
    rows = [order_row(o, now) for o in filtered_orders(request, filters)[:100_000]]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(exports.orders_workbook(rows), f"orders-{stamp}.xlsx")


@router.get("/orders/{int:order_id}", response={200: OrderDetailOut, **errors(400, 401, 404)})
def order(request: HttpRequest, order_id: int) -> Any:
    return order_detail(request, get_order(request, order_id))


class TransitionIn(Schema):
    model_config = {"extra": "forbid"}
    action: str = Field(..., description=", ".join(ACTIONS))
    note: str = Field("", max_length=4000)
    assignee: int | None = Field(None, description="person id (dispatch, reassign)")
    until: dt.datetime | None = Field(None, description="extension or supervision deadline")
    lat: float | None = None
    lon: float | None = None
    photos: list[int] = Field(
        default_factory=list,
        max_length=20,
        description="ids of photos uploaded to this order (POST …/photos) that this step shows",
    )
    source_id: int | None = Field(
        None, description="handle only: the registered pollution source found responsible"
    )


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


class BulkIn(Schema):
    model_config = {"extra": "forbid"}
    ids: list[int] = Field(..., min_length=1, max_length=500)
    action: str
    note: str = Field("", max_length=4000)
    assignee: int | None = None


class BulkResult(Schema):
    id: int
    ok: bool
    status: int
    message: str


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


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    order_id: int | None
    created_at: dt.datetime
    read: bool


@router.get("/inbox", response={200: list[NotificationOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def inbox(request: HttpRequest, unread: bool = False) -> Any:
    """The caller's own notices, newest first."""
    person = person_of(request.user)
    qs = Notification.objects.filter(person=person) if person else Notification.objects.none()
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "kind_label": str(n.get_kind_display()),
            "title": n.title,
            "body": n.body,
            "order_id": n.order_id,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in qs
    ]


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="omit to mark everything read")


class ReadOut(Schema):
    marked: int


@router.post("/inbox/read", response={200: ReadOut, **errors(400, 401, 413)})
def mark_read(request: HttpRequest, payload: ReadIn) -> Any:
    person = person_of(request.user)
    qs = Notification.objects.filter(person=person, read_at__isnull=True)
    if payload.ids is not None:
        qs = qs.filter(pk__in=payload.ids)
    return {"marked": qs.update(read_at=timezone.now()) if person else 0}


class PriorityOut(Schema):
    value: int
    label: str


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


# ---------------------------------------------------------------------------- commands --


class CommandIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=8000)
    due_at: dt.datetime
    units: list[str] = Field(default_factory=list, description="region codes")
    people: list[int] = Field(default_factory=list, description="person ids")


class RecipientOut(Schema):
    person: str
    person_id: int
    unit: str
    unit_name: str
    acknowledged_at: dt.datetime | None
    completed_at: dt.datetime | None
    note: str
    overdue: bool


class CommandOut(Schema):
    id: int
    title: str
    body: str
    issuer: str
    due_at: dt.datetime
    created_at: dt.datetime
    recipients: int
    acknowledged: int
    completed: int


class CommandFileOut(Schema):
    id: int
    name: str
    url: str
    size: int


class CommandDetailOut(CommandOut):
    not_acknowledged: list[str] = Field(description="names of those who have not yet signed")
    recipient_rows: list[RecipientOut]
    files: list[CommandFileOut]


def _command_row(c: Any, rows: list[Any]) -> dict[str, Any]:
    return {
        "id": c.pk,
        "title": c.title,
        "body": c.body,
        "issuer": c.issuer_name,
        "due_at": c.due_at,
        "created_at": c.created_at,
        "recipients": len(rows),
        "acknowledged": sum(r.acknowledged_at is not None for r in rows),
        "completed": sum(r.completed_at is not None for r in rows),
    }


def _command_detail(c: Any) -> dict[str, Any]:
    rows = commands.recipients_of(c)
    now = timezone.now()
    out = _command_row(c, rows)
    out["not_acknowledged"] = [r.person.name for r in rows if r.acknowledged_at is None]
    out["files"] = [
        {
            "id": f.pk,
            "name": f.original_name,
            "url": reverse("workorders:command_file", args=[f.pk]),
            "size": f.size,
        }
        for f in c.attachments.all()
    ]
    out["recipient_rows"] = [
        {
            "person": r.person.name,
            "person_id": r.person_id,
            "unit": r.region.code,
            "unit_name": r.region.name,
            "acknowledged_at": r.acknowledged_at,
            "completed_at": r.completed_at,
            "note": r.note,
            "overdue": r.completed_at is None and c.due_at < now,
        }
        for r in rows
    ]
    return out


def _get_command(request: HttpRequest, command_id: int) -> Any:
    c = commands.commands_for(request.user).filter(pk=command_id).first()
    if c is None:
        raise ApiError(404, "no such command")
    return c


@router.post("/commands", response={201: CommandDetailOut, **errors(400, 401, 403, 404, 413)})
def issue_command(request: HttpRequest, payload: CommandIn) -> Any:
    """下达指令 to units (their responsible post holders) and/or people."""
    if timezone.is_naive(payload.due_at):
        raise ApiError(400, "due_at needs a UTC offset", "due_at")
    c = commands.issue(
        request.user,
        title=payload.title,
        body=payload.body,
        due_at=payload.due_at,
        units=payload.units,
        people=payload.people,
    )
    return Status(201, _command_detail(c))


@router.get("/commands", response={200: list[CommandOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_commands(request: HttpRequest) -> Any:
    out = []
    for c in commands.commands_for(request.user).prefetch_related("recipients"):
        out.append(_command_row(c, list(c.recipients.all())))
    return out


@router.get("/commands/{int:command_id}", response={200: CommandDetailOut, **errors(400, 401, 404)})
def command_detail(request: HttpRequest, command_id: int) -> Any:
    return _command_detail(_get_command(request, command_id))


class CompleteIn(Schema):
    note: str = Field(..., max_length=4000)


@router.post(
    "/commands/{int:command_id}/acknowledge",
    response={200: CommandDetailOut, **errors(400, 401, 404, 409)},
)
def acknowledge_command(request: HttpRequest, command_id: int) -> Any:
    commands.acknowledge(command_id, request.user)
    return _command_detail(_get_command(request, command_id))


@router.post(
    "/commands/{int:command_id}/complete",
    response={200: CommandDetailOut, **errors(400, 401, 404, 409, 413)},
)
def complete_command(request: HttpRequest, command_id: int, payload: CompleteIn) -> Any:
    commands.complete(command_id, request.user, payload.note)
    return _command_detail(_get_command(request, command_id))


# --------------------------------------------------------------------------- statistics --


class StatRow(Schema):
    key: str = Field(description="region code, or person id")
    name: str
    rank: int | None
    received: int
    open: int
    closed: int
    on_time_sign_rate: float | None
    on_time_handle_rate: float | None
    mean_sign_minutes: float | None
    p90_sign_minutes: float | None
    mean_handle_minutes: float | None
    p90_handle_minutes: float | None
    mean_close_minutes: float | None
    p90_close_minutes: float | None
    overdue: int
    returned: int


class StatsOut(Schema):
    by: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    min_orders: int
    ranked: list[StatRow]
    apart: list[StatRow] = Field(description="too few orders to rank")


@router.get("/orders/stats", response={200: StatsOut, **errors(400, 401)}, by_alias=True)
def order_statistics(
    request: HttpRequest,
    start: dt.date = Query(..., alias="from"),  # noqa: B008
    end: dt.date = Query(..., alias="to"),  # noqa: B008
    by: str = "community",
    min_orders: int = Query(5, ge=1, le=10_000),
) -> Any:
    """Per street, community, grid or person: received, on-time rates, mean/p90 minutes to
    sign, handle and close, overdue, returned; fewer than `min_orders` orders: listed apart."""
    from gridgov.workorders.stats import order_stats

    if by not in ("street", "community", "grid", "person"):
        raise ApiError(400, "by must be street, community, grid or person", "by")
    if end < start:
        raise ApiError(400, "the period ends before it starts", "to")
    return order_stats(request.user, start, end, by, min_orders)


@router.post(
    "/commands/{int:command_id}/files",
    response={201: CommandDetailOut, **errors(400, 401, 403, 404, 413)},
)
def add_command_file(request: HttpRequest, command_id: int, file: File[UploadedFile]) -> Any:
    """Attach a document to one's own command: PDF, Word, Excel, PowerPoint or an image,
    recognised by content."""
    c = _get_command(request, command_id)
    if c.issued_by_id != request.user.pk:
        raise ApiError(403, "only the issuer attaches files", "file")
    try:
        attachments.save_document(
            c, file, size=file.size or 0, name=file.name or "", user=request.user
        )
    except evidence.PhotoRejected as exc:
        raise exc.about("file") from exc
    return Status(201, _command_detail(c))
