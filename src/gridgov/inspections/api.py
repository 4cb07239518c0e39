"""巡查检查 API v1: checklists, sources near me with their due status, recording an inspection
(multipart, with photos), inspections, rectifications, the due list and statistics. Scoped by
the sources the account may see; another region's id answers as one that does not exist."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov import inputs
from gridgov.apikit import ApiError, errors
from gridgov.core import evidence
from gridgov.core.actor import Account
from gridgov.inspections import plans, services
from gridgov.inspections.models import Inspection, Rectification
from gridgov.people.actor import person_of
from gridgov.schemas import Schema
from gridgov.sources import categories
from gridgov.sources.services import near, sources_for
from gridgov.territory import ladder
from gridgov.territory.levels import key
from gridgov.territory.models import Level

router = Router()


class ChecklistItemOut(Schema):
    id: int
    code: str
    text: str
    text_en: str
    rectify_days: int


@router.get("/inspections/checklist", response={200: list[ChecklistItemOut], **errors(400, 401)})
def checklist(request: HttpRequest, category: str) -> Any:
    """The active checklist of a source category (construction_site, restaurant, …)."""
    code = categories.check_category(category)
    return [
        {
            "id": i.pk,
            "code": i.code,
            "text": i.text,
            "text_en": i.text_en,
            "rectify_days": i.rectify_days,
        }
        for i in services.checklist(code)
    ]


class NearOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_name: str
    distance_m: float
    status: str = Field(..., description="overdue | due | ok | unplanned")
    next_due: dt.date | None
    overdue_days: int
    last_inspected: dt.date | None
    open_rectifications: int


def due_map(user: Account, ids: list[int]) -> dict[int, plans.Due]:
    qs = sources_for(user).filter(pk__in=ids)
    return {d.source.pk: d for d in plans.due_sources(user, qs=qs)}


@router.get("/inspections/near", response={200: list[NearOut], **errors(400, 401)})
def near_me(
    request: HttpRequest,
    lat: float,
    lon: float,
    radius: float = Query(1000, ge=1, le=20_000),
) -> Any:
    """Active sources within `radius` metres that the caller may inspect, nearest first, with
    their due status."""
    found = near_rows(request.user, lat, lon, radius)
    return found


def near_rows(user: Account, lat: float, lon: float, radius: float) -> list[dict[str, Any]]:
    inputs.check_point(lat, lon)
    qs = sources_for(user).exclude(status="closed")
    found = near(lat, lon, radius, qs, limit=50)
    dues = due_map(user, [n.source.pk for n in found])
    open_counts: dict[int, int] = {}
    for source_id in (
        Rectification.objects.for_user(user)
        .filter(source_id__in=[n.source.pk for n in found], state=Rectification.State.OPEN)
        .values_list("source_id", flat=True)
    ):
        open_counts[source_id] = open_counts.get(source_id, 0) + 1
    out = []
    for n in found:
        d = dues.get(n.source.pk)
        out.append(
            {
                "id": n.source.pk,
                "code": n.source.code,
                "name": n.source.name,
                "category": n.source.category,
                "category_name": str(categories.LABELS[n.source.category]),
                "distance_m": round(n.metres, 1),
                "status": d.status if d else "unplanned",
                "next_due": d.next_due if d else None,
                "overdue_days": d.overdue_days if d else 0,
                "last_inspected": d.last if d else None,
                "open_rectifications": open_counts.get(n.source.pk, 0),
            }
        )
    return out


class ItemOut(Schema):
    id: int
    code: str
    text: str
    passed: bool


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int
    taken_at: dt.datetime | None


class InspectionOut(Schema):
    id: int
    source_id: int
    source_code: str
    source_name: str
    category: str
    inspector: str
    at: dt.datetime
    lat: float
    lon: float
    accuracy_m: float | None
    distance_m: float
    far: bool
    result: str
    rectification_id: int | None = Field(None, description="the rectification re-inspected")


class InspectionDetailOut(InspectionOut):
    note: str
    items: list[ItemOut]
    photos: list[PhotoOut]
    rectification_opened: int | None
    order_id: int | None = Field(None, description="the work order of the rectification opened")
    rectification_closed: int | None


def inspection_row(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "source_id": i.source_id,
        "source_code": i.source.code,
        "source_name": i.source.name,
        "category": i.source.category,
        "inspector": i.inspector.name,
        "at": i.at,
        "lat": i.lat,
        "lon": i.lon,
        "accuracy_m": i.accuracy_m,
        "distance_m": i.distance_m,
        "far": i.far,
        "result": i.result,
        "rectification_id": i.rectification_id,
    }


def inspection_detail(user: Account, i: Inspection) -> dict[str, Any]:
    opened = Rectification.objects.for_user(user).filter(inspection=i).first()
    closed = i.rectification if i.rectification_id else None
    return {
        **inspection_row(i),
        "note": i.note,
        "items": [
            {"id": it.item_id, "code": it.item.code, "text": it.item.text, "passed": it.passed}
            for it in i.items.select_related("item").order_by("item__sort_order", "item__code")
        ],
        "photos": [
            {
                "id": p.pk,
                "url": reverse("inspections:photo", args=[p.pk]),
                "width": p.width,
                "height": p.height,
                "taken_at": p.taken_at,
            }
            for p in i.photos.order_by("pk")
        ],
        "rectification_opened": opened.pk if opened else None,
        "order_id": opened.order_id if opened else None,
        "rectification_closed": closed.pk
        if closed is not None and closed.state == Rectification.State.CLOSED
        else None,
    }


def get_inspection(user: Account, inspection_id: int) -> Inspection:
    found = (
        services.inspections_for(user)
        .select_related("source", "inspector", "rectification")
        .filter(pk=inspection_id)
        .first()
    )
    if found is None:
        raise ApiError(404, "no such inspection")
    return found


class InspectionForm(Schema):
    source: int = Field(..., description="the source's id")
    lat: float
    lon: float
    accuracy: float | None = Field(None, description="the position's accuracy in metres")
    at: dt.datetime | None = Field(None, description="when; now if left out")
    passed: list[int] = Field(default_factory=list, description="ids of items found in order")
    failed: list[int] = Field(default_factory=list, description="ids of items found wanting")
    notes: str = Field("", max_length=2000)
    submission_key: str = Field("", max_length=40, description="the client's idempotency key")
    rectification: int | None = Field(None, description="the open rectification re-inspected")


@router.post(
    "/inspections",
    response={201: InspectionDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def record(
    request: HttpRequest,
    payload: Form[InspectionForm],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """Record an inspection (multipart): every active item of the source's checklist in
    `passed` or `failed`, the phone's position, optional photos. A failed item opens a
    rectification and its work order for the source's responsible person; naming an open
    `rectification` makes this its re-inspection (复查). Re-sent with the same
    `submission_key`, the first record is answered."""
    items = services.answers(payload.passed, payload.failed)
    try:
        prepared = evidence.prepare_photos(list(photos or []))
    except evidence.PhotoRejected as exc:
        raise exc.about("photos") from exc
    try:
        done = services.record_inspection(
            request.user,
            payload.source,
            payload.lat,
            payload.lon,
            payload.accuracy,
            payload.at,
            items,
            payload.notes,
            prepared,
            payload.submission_key or None,
            payload.rectification,
        )
    except services.InspectionError:
        evidence.discard(prepared)
        raise
    if done.repeated:
        evidence.discard(prepared)
    return Status(
        201, inspection_detail(request.user, get_inspection(request.user, done.inspection.pk))
    )


class InspectionFilter(Schema):
    source: int | None = None
    result: str | None = Field(None, description="passed | failed")
    far: bool | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


def filtered_inspections(user: Account, f: InspectionFilter) -> Any:
    qs = services.inspections_for(user).select_related("source", "inspector")
    if f.source is not None:
        qs = qs.filter(source_id=inputs.check_int("source", f.source))
    if f.result:
        if f.result not in Inspection.Result.values:
            raise ApiError(400, "result must be passed or failed", "result")
        qs = qs.filter(result=f.result)
    if f.far is not None:
        qs = qs.filter(far=f.far)
    if f.date_from:
        inputs.check_date("from", f.date_from)
        qs = qs.filter(at__gte=plans.day_start(f.date_from))
    if f.date_to:
        inputs.check_date("to", f.date_to)
        qs = qs.filter(at__lt=plans.day_start(f.date_to + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")


@router.get("/inspections", response={200: list[InspectionOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_inspections(request: HttpRequest, filters: Query[InspectionFilter]) -> Any:
    """Inspections of the sources in the caller's scope, newest first."""
    return [inspection_row(i) for i in filtered_inspections(request.user, filters)[:10_000]]


@router.get(
    "/inspections/{int:inspection_id}",
    response={200: InspectionDetailOut, **errors(400, 401, 404)},
)
def get_one(request: HttpRequest, inspection_id: int) -> Any:
    return inspection_detail(request.user, get_inspection(request.user, inspection_id))


class RectificationOut(Schema):
    id: int
    source_id: int
    source_code: str
    source_name: str
    state: str
    failed_items: list[str]
    due_date: dt.date
    overdue: bool
    created_at: dt.datetime
    closed_at: dt.datetime | None
    on_time: bool | None
    inspection_id: int
    order_id: int | None
    order_reference: str | None


def rectification_row(r: Rectification, today: dt.date) -> dict[str, Any]:
    return {
        "id": r.pk,
        "source_id": r.source_id,
        "source_code": r.source.code,
        "source_name": r.source.name,
        "state": r.state,
        "failed_items": [i.text for i in r.failed_items.all()],
        "due_date": r.due_date,
        "overdue": r.state == Rectification.State.OPEN and today > r.due_date,
        "created_at": r.created_at,
        "closed_at": r.closed_at,
        "on_time": services.is_on_time(r) if r.closed_at else None,
        "inspection_id": r.inspection_id,
        "order_id": r.order_id,
        "order_reference": r.order.event.reference if r.order_id else None,  # type: ignore[union-attr]
    }


@router.get(
    "/inspections/rectifications", response={200: list[RectificationOut], **errors(400, 401)}
)
@paginate(LimitOffsetPagination)
def rectifications(
    request: HttpRequest, state: str | None = None, mine: bool = False, source: int | None = None
) -> Any:
    """Rectifications of the sources in scope (and those dispatched to the caller); `mine`:
    dispatched to the caller or opened by the caller's inspections."""
    qs = rect_queryset(request.user, state, mine, source)
    today = plans.today()
    return [rectification_row(r, today) for r in qs[:10_000]]


def rect_queryset(user: Account, state: str | None, mine: bool, source: int | None = None) -> Any:
    qs = services.rectifications_for(user).select_related("source", "order__event")
    if state:
        if state not in Rectification.State.values:
            raise ApiError(400, "state must be open or closed", "state")
        qs = qs.filter(state=state)
    if source is not None:
        qs = qs.filter(source_id=inputs.check_int("source", source))
    if mine:
        person = person_of(user)
        if person is None:
            return qs.none()
        from django.db.models import Q

        qs = qs.filter(Q(order__assignee=person) | Q(inspection__inspector=person))
    return qs.prefetch_related("failed_items").order_by("state", "due_date", "-pk")


class DueOut(Schema):
    source_id: int
    source_code: str
    source_name: str
    category: str
    grid: str
    last_inspected: dt.date | None
    interval_days: int
    emergency: bool
    next_due: dt.date
    overdue_days: int
    status: str = Field(..., description="overdue | due | ok")


def due_row(d: plans.Due) -> dict[str, Any]:
    return {
        "source_id": d.source.pk,
        "source_code": d.source.code,
        "source_name": d.source.name,
        "category": d.source.category,
        "grid": d.source.grid.name,
        "last_inspected": d.last,
        "interval_days": d.interval,
        "emergency": d.emergency,
        "next_due": d.next_due,
        "overdue_days": d.overdue_days,
        "status": d.status,
    }


@router.get("/inspections/due", response={200: list[DueOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def due(request: HttpRequest, status: str | None = None, on: dt.date | None = None) -> Any:
    """Active sources in scope by plan: last inspection, interval in force (the emergency one
    while a warning is in force), next due day, days overdue; most overdue first. `status`:
    overdue, due or ok."""
    if on is not None:
        inputs.check_date("on", on)
    if status and status not in ("overdue", "due", "ok"):
        raise ApiError(400, "status must be overdue, due or ok", "status")
    rows = plans.due_sources(request.user, on)
    return [due_row(d) for d in rows if not status or d.status == status]


class StatOut(Schema):
    unit_code: str
    unit_name: str
    category: str = Field(..., description="empty: the unit's total")
    sources: int
    inspected: int
    coverage: float = Field(..., description="percent of sources inspected at least once")
    inspections: int
    failed: int
    far: int
    rectifications_opened: int
    rectifications_closed: int
    rectifications_on_time: int
    overdue_now: int


def levels() -> dict[str, Level]:
    """The unit levels the statistics may be by (district, street, community: those
    configured below the territory's root)."""
    return {key(lv): lv for lv in ladder.units_below_root()}


def stat_row(r: plans.StatRow) -> dict[str, Any]:
    return {
        "unit_code": r.unit_code,
        "unit_name": r.unit_name,
        "category": r.category,
        "sources": r.sources,
        "inspected": r.inspected,
        "coverage": r.coverage,
        "inspections": r.inspections,
        "failed": r.failed,
        "far": r.far,
        "rectifications_opened": r.rect_opened,
        "rectifications_closed": r.rect_closed,
        "rectifications_on_time": r.rect_on_time,
        "overdue_now": r.overdue_now,
    }


class StatsQuery(Schema):
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")
    level: str = Field("street", description="district | street | community (those below the root)")


def check_period(start: dt.date, end: dt.date) -> None:
    inputs.check_date("from", start)
    inputs.check_date("to", end)
    if end < start:
        raise ApiError(400, "to is before from", "to")
    if (end - start).days > 3660:
        raise ApiError(400, "at most ten years at once", "from")


@router.get("/inspections/stats", response={200: list[StatOut], **errors(400, 401)})
def stats(request: HttpRequest, q: Query[StatsQuery]) -> Any:
    """Per unit (district, street or community) and category over [from, to]: sources, inspected at
    least once, coverage, inspections, failed, far-flagged, rectifications opened / closed /
    closed on time, sources overdue now. Each unit's total (category "") precedes its
    categories; the last row is the total."""
    check_period(q.date_from, q.date_to)
    by = levels()
    if q.level not in by:
        raise ApiError(400, f"level must be one of {', '.join(by)}", "level")
    return [
        stat_row(r) for r in plans.statistics(request.user, q.date_from, q.date_to, by[q.level])
    ]
