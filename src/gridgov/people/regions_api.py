"""The territory's endpoints: regions, the grid map layer, point → grid. They live in people
because each answer is cut to the caller's scope (and names who is responsible), which the
territory, below people, cannot know."""

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import functions as param

from gridgov.apikit import XLSX, download, errors, geojson, xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.people import scope
from gridgov.people.responsible import responsible_for
from gridgov.people.scope import visible_region
from gridgov.schemas import Schema
from gridgov.territory import export
from gridgov.territory.locate import locate
from gridgov.territory.models import GridKind, Level, Region
from gridgov.territory.schemas import Geometry
from gridgov.territory.services import regions_version

router = Router()


class RegionBrief(Schema):
    code: str
    name: str
    level: int
    kind: str | None = None


class ResponsibleOut(Schema):
    name: str
    post: str = Field(description="post name, e.g. 网格长")
    post_en: str = Field(description="post name in English, e.g. Grid leader")
    post_code: str
    phone: str
    region_code: str
    region_name: str
    level: int


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    kind: str | None
    kind_name: str | None
    parent_code: str | None
    lines: list[str]
    version: int
    area_km2: float | None
    centroid: list[float] | None = Field(description="[lat, lon]")
    retired: bool


class BoundaryVersionOut(Schema):
    version: int
    valid_from: str = Field(description="ISO 8601 date-time")
    valid_to: str | None = Field(description="ISO 8601 date-time; null for the current version")
    reason: str


class RegionDetail(RegionOut):
    chain: list[RegionBrief]
    children: int
    responsible: list[ResponsibleOut]
    history: list[BoundaryVersionOut]


class LocateOut(Schema):
    inside: bool
    grid: RegionBrief | None
    chain: list[RegionBrief]
    responsible: list[ResponsibleOut]
    responsible_in_scope: bool = Field(
        description="false when the grid is outside the caller's scope (people are not shown)"
    )


class GridProperties(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    community: str | None
    street_code: str | None
    street: str | None


class GridFeature(Schema):
    type: Literal["Feature"]
    id: str
    properties: GridProperties
    geometry: Geometry


class GridCollection(Schema):
    """GeoJSON FeatureCollection (RFC 7946) of grids."""

    type: Literal["FeatureCollection"]
    features: list[GridFeature]


class RegionProperties(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    kind: str | None
    lines: list[str]
    version: int


class RegionFeature(Schema):
    type: Literal["Feature"]
    id: str
    properties: RegionProperties
    geometry: Geometry


class RegionCollection(Schema):
    """GeoJSON FeatureCollection (RFC 7946) of regions."""

    type: Literal["FeatureCollection"]
    features: list[RegionFeature]


class RegionFilter(Schema):
    level: int | None = Field(
        None,
        ge=-1,
        le=4,
        description="-1 province, 0 city, 1 district, 2 street, 3 community, 4 grid",
    )
    parent: str | None = None
    kind: GridKind | None = None
    q: str | None = Field(None, max_length=50)
    include_retired: bool = False


def region_out(r: Region) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "level_name": str(Level(r.level).label),
        "kind": r.kind or None,
        "kind_name": str(GridKind(r.kind).label) if r.kind else None,
        "parent_code": r.parent.code if r.parent else None,
        "lines": [line.code for line in r.lines.all()],
        "version": r.version,
        "area_km2": round(r.area_km2, 4) if r.area_km2 is not None else None,
        "centroid": [r.centroid_lat, r.centroid_lon] if r.centroid_lat is not None else None,
        "retired": r.retired_at is not None,
    }


def brief(r: Any) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "level": r.level, "kind": r.kind or None}


def responsible_out(region: Region) -> list[dict[str, Any]]:
    return [r.__dict__ for r in responsible_for(region)]


@router.get("/regions", response={200: list[RegionOut], **errors(400, 401, 403, 404)})
@paginate(LimitOffsetPagination)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> Any:
    qs = scope.regions_for(request.user).select_related("parent").prefetch_related("lines")
    if not filters.include_retired:
        qs = qs.filter(retired_at__isnull=True)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        parent = visible_region(request.user, filters.parent)
        qs = qs.filter(parent=parent)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(name__contains=filters.q) | qs.filter(code__startswith=filters.q)
    return [region_out(r) for r in qs.order_by("level", "code")]


@router.get("/regions/{code}", response={200: RegionDetail, **errors(400, 401, 403, 404)})
def get_region(request: HttpRequest, code: str) -> Any:
    region = visible_region(request.user, code)
    chain = region.chain()
    history = [
        {
            "version": v.version,
            "valid_from": v.valid_from.isoformat(),
            "valid_to": v.valid_to.isoformat() if v.valid_to else None,
            "reason": v.reason,
        }
        for v in region.boundary_versions.order_by("version")
    ]
    return {
        **region_out(region),
        "chain": [brief(chain[i]) for i in region.ancestor_ids() if i in chain],
        "children": region.children.filter(retired_at__isnull=True).count(),
        "responsible": responsible_out(region),
        "history": history,
    }


# Rendered grids.geojson per scope, for as long as no region changes (the desk and the station
# map fetch it on every load; the whole district is ~400 kB of coordinates to decode and encode).
_GRIDS_CACHE: OrderedDict[tuple[Any, ...], HttpResponse] = OrderedDict()
_GRIDS_CACHE_SIZE = 16
_GRIDS_LOCK = threading.Lock()


@router.get("/grids.geojson", response={200: GridCollection, 304: None, **errors(401)})
def grids_geojson(request: HttpRequest) -> Any:
    """Active grids the caller may see, as a GeoJSON FeatureCollection. The answer carries an
    ETag (its scope and the regions' version): a client sending it back in If-None-Match gets
    304 Not Modified until a region changes, as browsers do."""
    paths = scope.scope_paths(request.user)
    key = (None if paths is scope.ALL else tuple(paths), *regions_version())
    etag = '"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    with _GRIDS_LOCK:
        cached = _GRIDS_CACHE.get(key)
        if cached is not None:
            _GRIDS_CACHE.move_to_end(key)
    if cached is None:
        cached = geojson(request, _grids_collection(request))
        with _GRIDS_LOCK:
            _GRIDS_CACHE[key] = cached
            while len(_GRIDS_CACHE) > _GRIDS_CACHE_SIZE:
                _GRIDS_CACHE.popitem(last=False)
    response = HttpResponse(cached.content, content_type=cached["Content-Type"])
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"  # revalidate each time (cheap: 304)
    return response


def _grids_collection(request: HttpRequest) -> dict[str, Any]:
    grids = (
        Region.objects.for_user(request.user)
        .active()
        .grids()
        .select_related("parent__parent")
        .only(
            "code",
            "name",
            "kind",
            "geometry",
            "parent__code",
            "parent__name",
            "parent__parent__code",
            "parent__parent__name",
        )
        .order_by("code")
    )
    features = []
    for g in grids:
        community = g.parent
        features.append(
            {
                "type": "Feature",
                "id": g.code,
                "properties": {
                    "code": g.code,
                    "name": g.name,
                    "kind": g.kind,
                    "parent_code": community.code if community else None,
                    "community": community.name if community else None,
                    "street_code": (
                        community.parent.code if community and community.parent else None
                    ),
                    "street": community.parent.name if community and community.parent else None,
                },
                "geometry": g.geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/locate", response={200: LocateOut, **errors(400, 401)})
def locate_point(
    request: HttpRequest,
    lat: float = param.Query(..., description="WGS84 latitude"),
    lon: float = param.Query(..., description="WGS84 longitude"),
) -> Any:
    where = locate(lat, lon)
    if not where.inside or where.grid is None:
        return {
            "inside": False,
            "grid": None,
            "chain": [],
            "responsible": [],
            "responsible_in_scope": False,
        }
    grid = Region.objects.for_user(request.user).filter(pk=where.grid.id).first()
    visible = grid is not None
    return {
        "inside": True,
        "grid": brief(where.grid),
        "chain": [brief(r) for r in where.chain],
        "responsible": responsible_out(grid) if grid is not None else [],
        "responsible_in_scope": visible,
    }


@router.get("/export/regions.geojson", response={200: RegionCollection, **errors(400, 401)})
def export_regions_geojson(request: HttpRequest, level: int | None = None) -> Any:
    qs = Region.objects.for_user(request.user).active()
    if level:
        qs = qs.filter(level=level)
    return geojson(request, export.feature_collection(qs))


@router.get(
    "/export/regions.xlsx",
    response=errors(400, 401),
    openapi_extra=download(XLSX, "the regions as an Excel workbook"),
)
def export_regions_xlsx(request: HttpRequest, level: int | None = None) -> HttpResponse:
    with replica_reads():
        qs = Region.objects.for_user(request.user).active()
        if level:
            qs = qs.filter(level=level)
        rows = qs.select_related("parent").prefetch_related("lines").order_by("level", "code")
        return xlsx_response(export.workbook_bytes(rows), "regions.xlsx")
