"""The only write path of the registry, and the questions asked of it: where, whose, near what.

Every door (pages, API, Excel import, admin, demo) builds a `SourceInput` and calls
`create_source` or `update_source`; both check the category's fields and the geometry, locate
the grids, and write the source, its grid links and its history row in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import shapely
import shapely.ops
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gridgov import inputs
from gridgov.core.actor import Account, Reader, actor_name, recorded_user
from gridgov.core.scopes import under_paths
from gridgov.errors import CONFLICT, FieldRefusal
from gridgov.people import scope
from gridgov.people.models import Post
from gridgov.people.responsible import Responsible, responsible_for
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, SourceChange, SourceGrid, Status
from gridgov.territory import extent
from gridgov.territory.geometry import to_geojson
from gridgov.territory.locate import locate_geometry
from gridgov.territory.models import Region

EARTH_RADIUS_M = 6_371_008.8
MAX_VERTICES = 5_000
MAX_NEAR_RADIUS_M = 20_000
CODE_PREFIX = {
    categories.Category.CONSTRUCTION_SITE: "GD",
    categories.Category.ROAD_SECTION: "DL",
    categories.Category.ENTERPRISE: "QY",
    categories.Category.RESTAURANT: "CY",
    categories.Category.FARMLAND: "NT",
    categories.Category.BURNING_SPOT: "JS",
    categories.Category.VEHICLE: "JC",
    categories.Category.FIREWORKS_POINT: "YH",
}


class SourceError(FieldRefusal, ValueError):
    """A source that cannot be written as asked: which field, and why (no HTTP status here).
    Invalid, but a stale `version` (changed meanwhile) is a conflict; the whole text names
    the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.args = (f"{field}: {message}",)
        if field == "version":
            self.kind = CONFLICT

    @property
    def text(self) -> str:
        return str(self)


@dataclass
class SourceInput:
    category: str
    name: str
    geometry: dict[str, Any]
    attributes: dict[str, Any] = field(default_factory=dict)
    address: str = ""
    code: str = ""
    status: str = Status.ACTIVE
    responsible_post_id: int | None = None
    notes: str = ""


def parse_source_geometry(category: str, geojson: Any) -> BaseGeometry:
    """A GeoJSON geometry allowed for the category, valid, finite and in WGS84 ranges."""
    allowed = categories.GEOMETRY_TYPES[categories.check_category(category)]
    if not isinstance(geojson, dict):
        raise SourceError("geometry", "must be a GeoJSON geometry object")
    kind = geojson.get("type")
    if kind not in allowed:
        raise SourceError(
            "geometry",
            f"type must be one of {', '.join(sorted(allowed))} for {category}, not {kind!r}",
        )
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ShapelyError) as exc:
        raise SourceError("geometry", f"malformed coordinates ({exc})") from exc
    if geom.is_empty:
        raise SourceError("geometry", "is empty")
    coords = shapely.get_coordinates(geom)
    if len(coords) > MAX_VERTICES:
        raise SourceError("geometry", f"more than {MAX_VERTICES} vertices")
    if not all(math.isfinite(v) for v in coords.flat):
        raise SourceError("geometry", "coordinates must be finite numbers")
    lon, lat = coords[:, 0], coords[:, 1]
    if lon.min() < -180 or lon.max() > 180 or lat.min() < -90 or lat.max() > 90:
        raise SourceError("geometry", "coordinates are outside WGS84 longitude/latitude ranges")
    if not geom.is_valid:
        raise SourceError("geometry", f"invalid geometry: {explain_validity(geom)}")
    return geom


def point_geometry(lat: float, lon: float) -> dict[str, Any]:
    """A point's GeoJSON (its place in the district is checked where it is stored: _placed)."""
    inputs.check_point(lat, lon)
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def _placed(category: str, geojson: Any) -> dict[str, Any]:
    """Geometry → the located fields of a source (point, box, grid, path, links)."""
    geom = parse_source_geometry(category, geojson)
    west, south, east, north = geom.bounds
    try:  # the corners of its box: every vertex lies in the district's extent
        extent.check_point(south, west)
        extent.check_point(north, east)
    except inputs.InputError as exc:
        raise SourceError("geometry", exc.message) from None
    found = locate_geometry(geom)
    if not found:
        raise SourceError("geometry", "is outside every grid of the district")
    if geom.geom_type == "Point":
        rep = geom
    elif geom.geom_type in ("LineString", "MultiLineString"):
        rep = geom.interpolate(0.5, normalized=True)  # halfway along the road
    else:
        rep = geom.point_on_surface()
    rep_hits = locate_geometry(rep) if geom.geom_type != "Point" else found
    owner = rep_hits[0] if rep_hits else found[0]
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return {
        "geometry": to_geojson(geom),
        "lat": round(rep.y, 7),
        "lon": round(rep.x, 7),
        "min_lat": min_lat,
        "max_lat": max_lat,
        "min_lon": min_lon,
        "max_lon": max_lon,
        "grid_id": owner.grid.id,  # type: ignore[union-attr]
        "grid_ids": [loc.grid.id for loc in found if loc.grid],
    }


def _checked(data: SourceInput) -> dict[str, Any]:
    category = categories.check_category(data.category)
    values: dict[str, Any] = {"category": category.value}
    values["name"] = inputs.check_text("name", data.name.strip(), 100)
    if not values["name"]:
        raise SourceError("name", "is required")
    values["address"] = inputs.check_text("address", data.address.strip(), 200)
    values["notes"] = inputs.check_text("notes", data.notes, 2000)
    if data.status not in Status.values:
        raise SourceError("status", f"one of {', '.join(Status.values)}")
    values["status"] = data.status
    try:
        values["attributes"] = categories.clean_attributes(category, data.attributes)
    except categories.AttributesError as exc:
        raise SourceError(exc.field, str(exc)) from None
    if data.responsible_post_id is not None:
        post = Post.objects.current().filter(pk=data.responsible_post_id).first()
        if post is None:
            raise SourceError("responsible_post", "no such current post")
    values["responsible_post_id"] = data.responsible_post_id
    values.update(_placed(category, data.geometry))
    return values


def next_code(category: str) -> str:
    """The category's next number (GD-00001 …); codes of another form (imported ones such as
    GD-X-2) do not count."""
    prefix = CODE_PREFIX[categories.check_category(category)]
    taken = PollutionSource.objects.filter(code__regex=rf"^{prefix}-[0-9]+$").values_list(
        "code", flat=True
    )
    number = max((int(code.split("-")[1]) for code in taken), default=0) + 1
    return f"{prefix}-{number:05d}"


def _set_links(source: PollutionSource, grid_ids: list[int]) -> None:
    paths = dict(Region.objects.filter(pk__in=grid_ids).values_list("id", "path"))
    SourceGrid.objects.filter(source=source).exclude(region_id__in=grid_ids).delete()
    have = set(SourceGrid.objects.filter(source=source).values_list("region_id", flat=True))
    SourceGrid.objects.bulk_create(
        [SourceGrid(source=source, region_id=g, path=paths[g]) for g in grid_ids if g not in have]
    )


def check_scope(user: Account, values: dict[str, Any], grid_ids: list[int]) -> None:
    """A scoped account writes only sources touching its area, with a responsible post it can
    see (the same refusal as for a post that does not exist)."""
    paths = scope.scope_paths(user)
    if paths is None:
        return
    grid_paths = Region.objects.filter(pk__in=grid_ids).values_list("path", flat=True)
    if not any(g.startswith(p) for g in grid_paths for p in paths):
        raise SourceError("geometry", "is outside your area")
    post_id = values.get("responsible_post_id")
    if post_id is not None and not scope.posts_for(user).filter(pk=post_id).exists():
        raise SourceError("responsible_post", "no such current post")


def create_source(
    data: SourceInput,
    user: Account = None,
    *,
    now: dt.datetime | None = None,
    action: str = "created",
    scoped: bool = False,
) -> PollutionSource:
    """Register a source. `scoped`: the account must be allowed there (pages, API, imports
    by a named account); the demo and tests write anywhere."""
    now = now or timezone.now()
    values = _checked(data)
    grid_ids = values.pop("grid_ids")
    if scoped:
        check_scope(user, values, grid_ids)
    code = inputs.check_text("code", data.code.strip(), 24)
    with transaction.atomic():
        if code and PollutionSource.objects.filter(code=code).exists():
            raise SourceError("code", f"{code} already exists")
        grid = Region.objects.get(pk=values["grid_id"])
        source = PollutionSource.objects.create(
            code=code or next_code(values["category"]),
            region_path=grid.path,
            created_at=now,
            updated_at=now,
            **values,
        )
        _set_links(source, grid_ids)
        SourceChange.objects.create(
            source=source,
            action=action,
            actor=recorded_user(user),
            actor_name=actor_name(user),
            at=now,
        )
    return source


TRACKED = (
    "name",
    "address",
    "geometry",
    "status",
    "attributes",
    "responsible_post_id",
    "notes",
    "grid_id",
)


def update_source(
    source_id: int,
    data: SourceInput,
    user: Account = None,
    *,
    note: str = "",
    now: dt.datetime | None = None,
    version: int | None = None,
    action: str = "updated",
    scoped: bool = False,
) -> PollutionSource:
    """Rewrite a source; history keeps each changed field's old and new value. With
    `version`, refuse if someone else saved since (the caller's copy is stale)."""
    now = now or timezone.now()
    current = PollutionSource.objects.get(pk=source_id)
    if data.category and data.category != current.category:
        raise SourceError("category", "cannot change; close this source and register a new one")
    values = _checked(data)
    grid_ids = values.pop("grid_ids")
    if scoped:  # a post set by someone with a wider view may stay as it is
        same_post = values["responsible_post_id"] == current.responsible_post_id
        check_scope(user, {} if same_post else values, grid_ids)
    note = inputs.check_text("note", note, 200)
    with transaction.atomic():
        source = PollutionSource.objects.select_for_update().get(pk=source_id)
        if version is not None and version != source.version:
            raise SourceError("version", "this source was changed meanwhile; reload it")
        diff = {
            name: [getattr(source, name), values[name]]
            for name in TRACKED
            if name in values and getattr(source, name) != values[name]
        }
        if not diff:
            return source
        grid = Region.objects.get(pk=values["grid_id"])
        for name, value in values.items():
            setattr(source, name, value)
        source.region_path = grid.path
        source.version += 1
        source.updated_at = now
        source.save()
        _set_links(source, grid_ids)
        SourceChange.objects.create(
            source=source,
            action="status" if set(diff) == {"status"} else action,
            changes=diff,
            note=note,
            actor=recorded_user(user),
            actor_name=actor_name(user),
            at=now,
        )
    return source


def as_input(source: PollutionSource) -> SourceInput:
    return SourceInput(
        category=source.category,
        name=source.name,
        geometry=source.geometry,
        attributes=dict(source.attributes),
        address=source.address,
        code=source.code,
        status=source.status,
        responsible_post_id=source.responsible_post_id,
        notes=source.notes,
    )


def set_status(
    source_id: int,
    status: str,
    user: Account = None,
    *,
    note: str = "",
    now: dt.datetime | None = None,
    version: int | None = None,
) -> PollutionSource:
    source = PollutionSource.objects.get(pk=source_id)
    data = as_input(source)
    data.status = status
    return update_source(source_id, data, user, note=note, now=now, version=version)


def sources_for(
    user: Reader | None, qs: QuerySet[PollutionSource] | None = None
) -> QuerySet[PollutionSource]:
    """Sources touching a grid in the account's scope (a road crossing into it included)."""
    qs = PollutionSource.objects.all() if qs is None else qs
    paths = scope.scope_paths(user)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    links = SourceGrid.objects.filter(under_paths(paths, "path"))
    return qs.filter(pk__in=links.values("source_id"))


def responsible_of(source: PollutionSource, on: dt.date | None = None) -> Responsible | None:
    """The named person and post who answer for the source: the override if it is a current
    post, otherwise the grid's first responsible post (the chain above when vacant)."""
    post = source.responsible_post
    day = on or timezone.localdate()
    if (
        post is not None
        and post.start_date <= day
        and (post.end_date is None or post.end_date >= day)
    ):
        return Responsible(
            name=post.person.name,
            post=post.post_type.name,
            post_en=post.post_type.name_en or post.post_type.name,
            post_code=post.post_type.code,
            phone=post.person.phone,
            region_code=post.region.code,
            region_name=post.region.name,
            level=post.region.level,
        )
    found = responsible_for(source.grid, on)
    return found[0] if found else None


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_degrees(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def distance_to(source: PollutionSource, lat: float, lon: float) -> float:
    """Metres from (lat, lon) to the nearest part of the source's geometry (0 inside it)."""
    geom = shape(source.geometry)
    if geom.geom_type == "Point":
        return metres_between(lat, lon, geom.y, geom.x)
    # A local equirectangular projection around the point: exact enough within a few km.
    k = math.cos(math.radians(lat))
    local = shapely.transform(geom, lambda c: (c - [lon, lat]) * [k, 1.0])
    nearest = shapely.ops.nearest_points(local, shapely.Point(0, 0))[0]
    return metres_between(lat, lon, lat + nearest.y, lon + nearest.x / k)


@dataclass(frozen=True)
class Nearby:
    source: PollutionSource
    metres: float
    bearing: float  # from the point to the source, degrees from north


def near(
    lat: float,
    lon: float,
    radius_m: float,
    qs: QuerySet[PollutionSource] | None = None,
    *,
    limit: int = 50,
) -> list[Nearby]:
    """Sources within `radius_m` of (lat, lon), nearest first (the box query, then exact)."""
    inputs.check_point(lat, lon)
    inputs.check_number("radius", radius_m, 0, MAX_NEAR_RADIUS_M)
    qs = PollutionSource.objects.all() if qs is None else qs
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
    box = qs.filter(
        min_lat__lte=lat + dlat,
        max_lat__gte=lat - dlat,
        min_lon__lte=lon + dlon,
        max_lon__gte=lon - dlon,
    ).select_related("grid")
    found = []
    for source in box:
        metres = distance_to(source, lat, lon)
        if metres <= radius_m:
            found.append(Nearby(source, metres, bearing_degrees(lat, lon, source.lat, source.lon)))
    found.sort(key=lambda n: (n.metres, n.source.code))
    return found[:limit]
