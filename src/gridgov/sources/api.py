"""污染源档案 API v1: list, detail, near, map layers, Excel, and the writes (create, update with
optimistic locking, status). Reading: any account, within its scope (404 outside it); writing:
the permission `sources.change_pollutionsource`."""

import datetime as dt
import json
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov import inputs
from gridgov.apikit import XLSX, ApiError, download, errors, geojson, xlsx_response
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.people.scope import visible_region
from gridgov.schemas import Schema
from gridgov.sources import categories, excel, monitor_sections, sections
from gridgov.sources.models import PollutionSource, SourceGrid
from gridgov.sources.models import Status as SourceStatus
from gridgov.sources.services import (
    MAX_NEAR_RADIUS_M,
    SourceInput,
    as_input,
    create_source,
    near,
    point_geometry,
    responsible_of,
    set_status,
    sources_for,
    update_source,
)

router = Router()

WRITE_PERMISSION = "sources.change_pollutionsource"
AttributeValue = str | bool | int | float | list[str] | None


# ------------------------------------------------------------------------------ schemas --


class SourcePointOut(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="[lon, lat], WGS84")


class SourceLineStringOut(Schema):
    type: Literal["LineString"]
    coordinates: list[list[float]]


class SourceMultiLineStringOut(Schema):
    type: Literal["MultiLineString"]
    coordinates: list[list[list[float]]]


class SourcePolygonOut(Schema):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]]


class SourceMultiPolygonOut(Schema):
    type: Literal["MultiPolygon"]
    coordinates: list[list[list[list[float]]]]


SourceGeometry = (
    SourcePointOut
    | SourceLineStringOut
    | SourceMultiLineStringOut
    | SourcePolygonOut
    | SourceMultiPolygonOut
)


class SourceOut(Schema):
    id: int
    code: str
    category: str
    category_name: str
    name: str
    address: str
    status: str
    status_name: str
    lat: float = Field(description="a representative point: the point, or one on the line/area")
    lon: float
    grid: str = Field(description="code of the grid that owns the source")
    grid_name: str
    version: int = Field(description="send it back with an update (409 when stale)")
    updated_at: dt.datetime


class SourceGridOut(Schema):
    code: str
    name: str


class SourceResponsibleOut(Schema):
    name: str
    phone: str
    post: str
    unit: str = Field(description="the region of the post")
    unit_code: str
    assigned: bool = Field(description="true: a post set on the source; false: from its grid")


class SourceChangeFieldOut(Schema):
    field: str
    old: str = Field(description="JSON text")
    new: str = Field(description="JSON text")


class SourceChangeOut(Schema):
    action: str
    changes: list[SourceChangeFieldOut]
    note: str
    actor: str
    at: dt.datetime


class SourceFileOut(Schema):
    id: int
    kind: str
    title: str
    name: str
    content_type: str
    size: int
    url: str
    created_at: dt.datetime


class SourceMonitorOut(Schema):
    id: int
    kind: str = Field(description="dust, fume or power")
    kind_name: str
    mn: str = Field(description="the HJ 212 MN the device uploads as")
    name: str
    active: bool
    thresholds: dict[str, float] = Field(description="effective: its own, its category's, default")
    production_codes: list[str]
    treatment_codes: list[str]
    limit_lines: int | None


class SourceFindingOut(Schema):
    rule: str
    rule_name: str
    mn: str
    hour: dt.datetime
    value: float | None
    limit: float | None
    detail: str
    warning_id: int | None
    order_id: int | None


class SourceDetailOut(SourceOut):
    geometry: SourceGeometry
    attributes: dict[str, AttributeValue]
    notes: str
    grids: list[SourceGridOut] = Field(description="every grid the source touches")
    responsible: SourceResponsibleOut | None
    responsible_post: int | None = Field(description="the post set on the source, if any")
    created_at: dt.datetime
    history: list[SourceChangeOut]
    files: list[SourceFileOut]
    inspections: int
    open_rectifications: int
    monitors: list[SourceMonitorOut] = Field(description="the source's own monitors")
    monitor_findings: list[SourceFindingOut] = Field(description="their latest 20 findings")


class SourceNearOut(Schema):
    source: SourceOut
    metres: float = Field(description="to the nearest part of the source (0 inside it)")
    bearing: float = Field(description="from the point to the source, degrees from north")


class SourceFeatureProperties(Schema):
    id: int
    code: str
    name: str
    category: str
    status: str
    grid: str


class SourceFeature(Schema):
    type: Literal["Feature"]
    id: int
    properties: SourceFeatureProperties
    geometry: SourceGeometry


class SourceCollection(Schema):
    """GeoJSON FeatureCollection (RFC 7946) of sources."""

    type: Literal["FeatureCollection"]
    features: list[SourceFeature]


class SourceFilter(Schema):
    category: str | None = Field(None, description=", ".join(c.value for c in categories.Category))
    status: str | None = Field(None, description=", ".join(SourceStatus.values))
    region: str | None = Field(None, description="region code: sources touching its subtree")
    q: str | None = Field(None, max_length=100, description="code, words of the name or address")


class SourceIn(Schema):
    model_config = {"extra": "forbid"}
    category: str = Field(..., description=", ".join(c.value for c in categories.Category))
    name: str = Field(..., max_length=100)
    address: str = Field("", max_length=200)
    code: str = Field("", max_length=24, description="empty: the next code of the category")
    geometry: dict[str, Any] | None = Field(
        None, description="GeoJSON geometry (WGS84); for a point, lat and lon suffice"
    )
    lat: float | None = None
    lon: float | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, description="the category's fields")
    status: str = Field(SourceStatus.ACTIVE, description=", ".join(SourceStatus.values))
    responsible_post: int | None = Field(None, description="post id; empty: the grid's")
    notes: str = Field("", max_length=2000)


class SourcePutIn(SourceIn):
    category: str | None = Field(None, description="cannot change; may be sent as it is")  # type: ignore[assignment]
    code: str | None = Field(None, description="cannot change; may be sent as it is")  # type: ignore[assignment]
    version: int = Field(..., description="the version read; 409 if someone saved since")
    note: str = Field("", max_length=200, description="why (kept in the history)")


class SourcePatchIn(Schema):
    model_config = {"extra": "forbid"}
    version: int = Field(..., description="the version read; 409 if someone saved since")
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    geometry: dict[str, Any] | None = None
    lat: float | None = None
    lon: float | None = None
    attributes: dict[str, Any] | None = Field(
        None, description="fields to change; the others keep their values"
    )
    status: str | None = None
    responsible_post: int | None = Field(None, description="post id; 0 clears it")
    notes: str | None = Field(None, max_length=2000)
    note: str = Field("", max_length=200, description="why (kept in the history)")


class SourceStatusIn(Schema):
    model_config = {"extra": "forbid"}
    status: str = Field(..., description=", ".join(SourceStatus.values))
    note: str = Field("", max_length=200)
    version: int | None = Field(None, description="409 if someone saved since")


# ------------------------------------------------------------------------------ helpers --

RELATED = ("grid",)


def source_row(s: PollutionSource) -> dict[str, Any]:
    return {
        "id": s.pk,
        "code": s.code,
        "category": s.category,
        "category_name": str(categories.LABELS.get(s.category, s.category)),
        "name": s.name,
        "address": s.address,
        "status": s.status,
        "status_name": str(SourceStatus(s.status).label),
        "lat": s.lat,
        "lon": s.lon,
        "grid": s.grid.code,
        "grid_name": s.grid.name,
        "version": s.version,
        "updated_at": s.updated_at,
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def history_rows(s: PollutionSource) -> list[dict[str, Any]]:
    return [
        {
            "action": c.action,
            "changes": [
                {"field": name, "old": _json(pair[0]), "new": _json(pair[1])}
                for name, pair in sorted(c.changes.items())
            ],
            "note": c.note,
            "actor": c.actor_name,
            "at": c.at,
        }
        for c in s.changes.all()
    ]


def responsible_row(s: PollutionSource) -> dict[str, Any] | None:
    found = responsible_of(s)
    if found is None:
        return None
    post = s.responsible_post
    assigned = post is not None and found.name == post.person.name
    return {
        "name": found.name,
        "phone": found.phone,
        "post": found.post,
        "unit": found.region_name,
        "unit_code": found.region_code,
        "assigned": assigned,
    }


def file_row(f: Any) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "title": f.title,
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "url": reverse("sources:file", args=[f.pk]),
        "created_at": f.created_at,
    }


def source_detail(s: PollutionSource) -> dict[str, Any]:
    row = source_row(s)
    row.update(
        {
            "geometry": s.geometry,
            "attributes": s.attributes,
            "notes": s.notes,
            "grids": [
                {"code": link.region.code, "name": link.region.name}
                for link in s.grid_links.select_related("region").order_by("region__code")
            ],
            "responsible": responsible_row(s),
            "responsible_post": s.responsible_post_id,
            "created_at": s.created_at,
            "history": history_rows(s),
            "files": [file_row(f) for f in s.files.all()],
            "inspections": 0,  # unless an app counts them (sources.sections)
            "open_rectifications": 0,
            "monitors": monitor_sections.monitor_rows(s),
            "monitor_findings": monitor_sections.finding_rows(s),
            **sections.figures_for(s),
        }
    )
    return row


def get_source(request: HttpRequest, source_id: int) -> PollutionSource:
    """The source, or one 404 for an unknown id and for one outside the caller's scope."""
    found = (
        sources_for(request.user)
        .select_related("grid", "responsible_post__person")
        .filter(pk=source_id)
        .first()
    )
    if found is None:
        raise ApiError(404, "no such source", "source_id")
    return found


def filtered_sources(
    user: Account,
    *,
    category: str | None = None,
    status: str | None = None,
    region: Any = None,
    q: str | None = None,
) -> QuerySet[PollutionSource]:
    """The caller's sources filtered (shared by the API, the registry page and the exports);
    `region` is a Region the caller may see."""
    qs = sources_for(user).select_related(*RELATED)
    if category:
        qs = qs.filter(category=categories.check_category(category).value)
    if status:
        if status not in SourceStatus.values:
            raise inputs.InputError("status", f"one of {', '.join(SourceStatus.values)}")
        qs = qs.filter(status=status)
    if region is not None:
        links = SourceGrid.objects.for_user(user).filter(path__startswith=region.path)
        qs = qs.filter(pk__in=links.values("source_id"))
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(Q(code__iexact=text) | Q(name__icontains=text) | Q(address__icontains=text))
    return qs.order_by("category", "code")


def _filtered(request: HttpRequest, f: SourceFilter) -> QuerySet[PollutionSource]:
    region = visible_region(request.user, f.region) if f.region else None
    return filtered_sources(
        request.user, category=f.category, status=f.status, region=region, q=f.q
    )


def _may_write(request: HttpRequest) -> None:
    if not request.user.has_perm(WRITE_PERMISSION):
        raise ApiError(403, "this account may not change the source registry")


def _geometry(geometry: dict[str, Any] | None, lat: float | None, lon: float | None) -> Any:
    if geometry is not None:
        return geometry
    if lat is None or lon is None:
        raise ApiError(400, "a GeoJSON geometry, or lat and lon, is required", "geometry")
    return point_geometry(lat, lon)


# ---------------------------------------------------------------------------- endpoints --


@router.get("/sources", response={200: list[SourceOut], **errors(400, 401, 404)})
@paginate(LimitOffsetPagination)
def list_sources(request: HttpRequest, filters: Query[SourceFilter]) -> Any:
    """Sources in the caller's scope (a road crossing into it included), by category and code."""
    return [source_row(s) for s in _filtered(request, filters).defer("geometry", "attributes")]


@router.get(
    "/sources.xlsx",
    response=errors(400, 401, 404),
    openapi_extra=download(XLSX, "the sources as an Excel workbook, one sheet per category"),
)
def export_sources(request: HttpRequest, filters: Query[SourceFilter]) -> HttpResponse:
    """The filtered sources in the import template's columns (export → edit → import)."""
    with replica_reads():
        qs = _filtered(request, filters).select_related("responsible_post")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        content = excel.export_workbook(qs, [filters.category] if filters.category else None)
        return xlsx_response(content, f"sources-{stamp}.xlsx")


@router.get("/sources.geojson", response={200: SourceCollection, **errors(400, 401, 404)})
def sources_geojson(request: HttpRequest, filters: Query[SourceFilter]) -> Any:
    """The filtered sources as a GeoJSON FeatureCollection (one map layer per category)."""
    qs = _filtered(request, filters).only(
        "id", "code", "name", "category", "status", "geometry", "grid__code"
    )
    features = [
        {
            "type": "Feature",
            "id": s.pk,
            "properties": {
                "id": s.pk,
                "code": s.code,
                "name": s.name,
                "category": s.category,
                "status": s.status,
                "grid": s.grid.code,
            },
            "geometry": s.geometry,
        }
        for s in qs
    ]
    return geojson(request, {"type": "FeatureCollection", "features": features})


@router.get("/sources/near", response={200: list[SourceNearOut], **errors(400, 401)})
def sources_near(
    request: HttpRequest,
    lat: float = Query(..., description="WGS84 latitude"),
    lon: float = Query(..., description="WGS84 longitude"),
    radius: float = Query(1000, description=f"metres, at most {MAX_NEAR_RADIUS_M}"),
    category: str | None = None,
    limit: int = Query(50, ge=1, le=1000),
) -> Any:
    """Sources within `radius` metres of the point, nearest first, with distance and bearing."""
    qs = sources_for(request.user)
    if category:
        qs = qs.filter(category=categories.check_category(category).value)
    return [
        {
            "source": source_row(n.source),
            "metres": round(n.metres, 1),
            "bearing": round(n.bearing, 1),
        }
        for n in near(lat, lon, radius, qs, limit=limit)
    ]


@router.get("/sources/{int:source_id}", response={200: SourceDetailOut, **errors(400, 401, 404)})
def source(request: HttpRequest, source_id: int) -> Any:
    """Everything about one source: its fields, geometry, grids, who answers for it (name and
    phone: an internal API, for accounts whose scope holds the source), history, files, and
    how many inspections and open rectifications it has."""
    return source_detail(get_source(request, source_id))


@router.post("/sources", response={201: SourceDetailOut, **errors(400, 401, 403, 413)})
def create(request: HttpRequest, payload: SourceIn) -> Any:
    """Register a source (its grids are found from its geometry; it must touch your area)."""
    _may_write(request)
    data = SourceInput(
        category=payload.category,
        name=payload.name,
        geometry=_geometry(payload.geometry, payload.lat, payload.lon),
        attributes=payload.attributes,
        address=payload.address,
        code=payload.code,
        status=payload.status,
        responsible_post_id=payload.responsible_post,
        notes=payload.notes,
    )
    created = create_source(data, request.user, scoped=True)
    return Status(201, source_detail(get_source(request, created.pk)))


@router.put(
    "/sources/{int:source_id}",
    response={200: SourceDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def replace(request: HttpRequest, source_id: int, payload: SourcePutIn) -> Any:
    """Rewrite a source's fields (all of them; the category and code stay)."""
    current = get_source(request, source_id)
    _may_write(request)
    if payload.code not in (None, "", current.code):
        raise ApiError(400, "the code cannot change", "code")
    data = SourceInput(
        category=payload.category or current.category,
        name=payload.name,
        geometry=_geometry(payload.geometry, payload.lat, payload.lon),
        attributes=payload.attributes,
        address=payload.address,
        code=current.code,
        status=payload.status,
        responsible_post_id=payload.responsible_post,
        notes=payload.notes,
    )
    update_source(
        source_id, data, request.user, note=payload.note, version=payload.version, scoped=True
    )
    return source_detail(get_source(request, source_id))


@router.patch(
    "/sources/{int:source_id}",
    response={200: SourceDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def amend(request: HttpRequest, source_id: int, payload: SourcePatchIn) -> Any:
    """Change some fields of a source; `attributes` are merged into the present ones."""
    current = get_source(request, source_id)
    _may_write(request)
    data = as_input(current)
    sent = payload.model_fields_set
    for name in ("name", "address", "status", "notes"):
        value = getattr(payload, name)
        if name in sent and value is not None:
            setattr(data, name, value)
    if payload.geometry is not None or payload.lat is not None or payload.lon is not None:
        data.geometry = _geometry(payload.geometry, payload.lat, payload.lon)
    if payload.attributes is not None:
        data.attributes = {**data.attributes, **payload.attributes}
    if "responsible_post" in sent:
        data.responsible_post_id = payload.responsible_post or None
    update_source(
        source_id, data, request.user, note=payload.note, version=payload.version, scoped=True
    )
    return source_detail(get_source(request, source_id))


@router.post(
    "/sources/{int:source_id}/status",
    response={200: SourceDetailOut, **errors(400, 401, 403, 404, 409, 413)},
)
def change_status(request: HttpRequest, source_id: int, payload: SourceStatusIn) -> Any:
    """在营/在建 active, 停工/停产 suspended, 关停/注销 closed; the note goes into the history."""
    get_source(request, source_id)
    _may_write(request)
    set_status(source_id, payload.status, request.user, note=payload.note, version=payload.version)
    return source_detail(get_source(request, source_id))
