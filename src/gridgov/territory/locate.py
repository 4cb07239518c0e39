"""Point → grid: an STRtree over the active grids, built once per process and refreshed when
boundaries change (this process: at once, after the commit; other processes: within
GRIDGOV_LOCATE_REFRESH_SECONDS, by comparing the BoundaryRevision counter).

A point on a border shared by several grids goes to the grid with the smallest code, so the
answer is deterministic and the same in every process.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings

from gridgov.errors import FieldRefusal
from gridgov.territory.geometry import parse_geometry
from gridgov.territory.models import BoundaryRevision, Level, Region


@dataclass(frozen=True)
class RegionRef:
    """A region as the locate answer gives it (no database access needed to use it)."""

    id: int
    code: str
    name: str
    level: int
    kind: str


@dataclass(frozen=True)
class Location:
    inside: bool
    grid: RegionRef | None
    chain: tuple[RegionRef, ...]  # district, street/town, community/village, grid


OUTSIDE = Location(inside=False, grid=None, chain=())


class InvalidCoordinates(FieldRefusal, ValueError):
    """A latitude or longitude out of range (invalid); the whole text names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.args = (f"{field}: {message}",)

    @property
    def text(self) -> str:
        return str(self)


class GridIndex:
    """An immutable snapshot of the active grids, ordered by code."""

    def __init__(self, revision: int, grids: list[Region], refs: dict[int, RegionRef]) -> None:
        self.revision = revision
        grids = sorted(grids, key=lambda g: g.code)
        geoms = [parse_geometry(g.code, g.geometry) for g in grids]
        shapely.prepare(geoms)
        self.geoms = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.locations = [
            Location(True, refs[g.pk], tuple(refs[i] for i in g.ancestor_ids())) for g in grids
        ]

    def __len__(self) -> int:
        return len(self.locations)

    def lookup(self, lat: float, lon: float) -> Location:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return OUTSIDE
        # Tree order is code order, so the smallest index is the smallest code.
        return self.locations[int(hits.min())]

    def lookup_many(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Grid positions (into self.locations) for many points at once; -1 is outside."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, grid_idx = self.tree.query(points, predicate="intersects")
        out = np.full(len(points), len(self.locations), dtype=np.int64)
        np.minimum.at(out, point_idx, grid_idx)
        out[out == len(self.locations)] = -1
        return out


def build_index() -> GridIndex:
    revision = BoundaryRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    active = Region.objects.active()
    refs = {
        r.pk: RegionRef(r.pk, r.code, r.name, r.level, r.kind)
        for r in active.only("id", "code", "name", "level", "kind")
    }
    grids = list(active.filter(level=Level.GRID).only("id", "code", "geometry", "path"))
    # Only grids whose whole chain is active are routable.
    grids = [g for g in grids if all(i in refs for i in g.ancestor_ids())]
    return GridIndex(revision, grids, refs)


_lock = threading.Lock()
_index: GridIndex | None = None
_checked_at = 0.0


def invalidate() -> None:
    global _index
    with _lock:
        _index = None


def get_index() -> GridIndex:
    """The current index, rebuilding it if boundaries changed since it was built."""
    global _index, _checked_at
    index = _index
    now = time.monotonic()
    if index is not None and now - _checked_at < settings.GRIDGOV_LOCATE_REFRESH_SECONDS:
        return index
    with _lock:
        revision = BoundaryRevision.objects.filter(pk=1).values_list("number", flat=True).first()
        if _index is None or _index.revision != (revision or 0):
            _index = build_index()
        _checked_at = now
        return _index


def check_coordinates(lat: float, lon: float) -> None:
    if not isinstance(lat, (int, float)) or not math.isfinite(lat) or not -90 <= lat <= 90:
        raise InvalidCoordinates("lat", "latitude must be a number between -90 and 90")
    if not isinstance(lon, (int, float)) or not math.isfinite(lon) or not -180 <= lon <= 180:
        raise InvalidCoordinates("lon", "longitude must be a number between -180 and 180")


def locate(lat: float, lon: float) -> Location:
    """The grid containing (lat, lon) and its chain; `inside=False` outside every grid."""
    check_coordinates(lat, lon)
    return get_index().lookup(lat, lon)


def locate_geometry(geom: Any) -> list[Location]:
    """Every grid a point, line or polygon touches, in code order (a point: its one grid)."""
    if geom.geom_type == "Point":
        found = locate(geom.y, geom.x)
        return [found] if found.inside else []
    index = get_index()
    hits = index.tree.query(geom, predicate="intersects")
    return [index.locations[int(i)] for i in sorted(int(h) for h in hits)]
