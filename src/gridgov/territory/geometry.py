"""Geometry checks for region boundaries (GeoJSON in WGS84, handled with shapely 2)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gridgov.errors import INVALID, DomainError

ALLOWED_TYPES = {"Polygon", "MultiPolygon"}
KM_PER_DEGREE = 111.32


class GeometryError(DomainError, ValueError):
    """A boundary that cannot be accepted, naming the region code and the reason (invalid)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(INVALID, f"{code}: {reason}", "geometry")
        self.code = code
        self.reason = reason


def parse_geometry(code: str, geojson: Any) -> BaseGeometry:
    """Turn a GeoJSON geometry into a valid shapely (Multi)Polygon, or raise GeometryError."""
    if not isinstance(geojson, dict):
        raise GeometryError(code, "geometry must be a GeoJSON object")
    kind = geojson.get("type")
    if kind not in ALLOWED_TYPES:
        raise GeometryError(code, f"geometry type must be Polygon or MultiPolygon, not {kind!r}")
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise GeometryError(code, f"malformed coordinates ({exc})") from exc
    if geom.is_empty:
        raise GeometryError(code, "geometry is empty")
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.flat):
        raise GeometryError(code, "coordinates must be finite numbers")
    lon, lat = coords[:, 0], coords[:, 1]
    if lon.min() < -180 or lon.max() > 180 or lat.min() < -90 or lat.max() > 90:
        raise GeometryError(code, "coordinates are outside WGS84 longitude/latitude ranges")
    if not geom.is_valid:
        raise GeometryError(code, f"invalid geometry: {explain_validity(geom)}")
    if geom.area <= 0:
        raise GeometryError(code, "geometry has no area")
    return geom


def repaired(geojson: Any, tolerance: float) -> tuple[BaseGeometry, str, float] | None:
    """An invalid (Multi)Polygon made valid, with what was wrong and the share by which the
    area changed, when the repair is faithful:
    the valid shape's area differs from the drawn one by at most `tolerance` × its area (a ring
    touching itself, or a crossing a few metres long as quantised real data has). A bow tie or
    anything else whose shape would change is not repaired (None), nor is a valid geometry."""
    if not isinstance(geojson, dict) or geojson.get("type") not in ALLOWED_TYPES:
        return None
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if geom.is_empty or geom.is_valid:
        return None
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts = [p for p in getattr(fixed, "geoms", [fixed]) if p.geom_type in ALLOWED_TYPES]
    if not parts:
        return None
    fixed = shapely.union_all(parts)
    # The drawn area: shoelace per ring, so a bow tie's lobes cancel and overlapping parts of a
    # MultiPolygon count twice; either way it is far from the repaired area.
    drawn = geom.area
    if fixed.area <= 0 or abs(fixed.area - drawn) > tolerance * fixed.area:
        return None
    return fixed, explain_validity(geom), abs(fixed.area - drawn) / fixed.area


def to_geojson(geom: BaseGeometry, digits: int = 7) -> dict[str, Any]:
    """GeoJSON dict with coordinates rounded (7 digits is about a centimetre)."""

    def rnd(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [rnd(v) for v in value]
        return round(float(value), digits)

    data = mapping(geom)
    return {"type": data["type"], "coordinates": rnd(data["coordinates"])}


def area_km2(geom: BaseGeometry) -> float:
    """Area in km² with a local equirectangular scale (good to well under 1% at district size)."""
    lat = geom.centroid.y
    return float(geom.area * KM_PER_DEGREE**2 * math.cos(math.radians(lat)))


def outside_fraction(child: BaseGeometry, parent: BaseGeometry) -> float:
    """Share of the child's area lying outside the parent."""
    if child.area == 0:
        return 0.0
    return float(child.difference(parent).area / child.area)


def overlapping_pairs(
    items: Sequence[tuple[str, BaseGeometry]], tolerance: float
) -> list[tuple[str, str, float]]:
    """Pairs whose overlap exceeds `tolerance` × the smaller area (uses an STRtree)."""
    if len(items) < 2:
        return []
    geoms = [g for _, g in items]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    found: list[tuple[str, str, float]] = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        overlap = geoms[i].intersection(geoms[j]).area
        smaller = min(geoms[i].area, geoms[j].area)
        if smaller > 0 and overlap / smaller > tolerance:
            found.append((items[i][0], items[j][0], overlap / smaller))
    return found


def union_all(geoms: Iterable[BaseGeometry]) -> BaseGeometry:
    return shapely.union_all(list(geoms))
