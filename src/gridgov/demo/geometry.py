"""Polygons for the demo district: an irregular outline cut into nested Voronoi tilings."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

CENTRE_LON, CENTRE_LAT = 113.24, 35.21


def district_outline(rng: np.random.Generator, rx: float = 0.085, ry: float = 0.06) -> Polygon:
    """A smooth irregular outline around the centre (about 150 km²)."""
    angles = np.linspace(0, 2 * math.pi, 72, endpoint=False)
    phases = rng.uniform(0, 2 * math.pi, 3)
    radius = (
        1
        + 0.10 * np.sin(2 * angles + phases[0])
        + 0.06 * np.sin(3 * angles + phases[1])
        + 0.04 * np.sin(5 * angles + phases[2])
    )
    xs = CENTRE_LON + rx * radius * np.cos(angles)
    ys = CENTRE_LAT + ry * radius * np.sin(angles)
    return Polygon(np.column_stack([xs, ys]))


def points_inside(rng: np.random.Generator, area: BaseGeometry, n: int) -> np.ndarray:
    """n random points inside `area` (rejection sampling on its bounding box)."""
    minx, miny, maxx, maxy = area.bounds
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, n * 4), 2))
        keep = batch[shapely.contains_xy(area, batch[:, 0], batch[:, 1])]
        found.append(keep)
        count += len(keep)
    return np.concatenate(found)[:n]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > 0]
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def voronoi_cells(points: np.ndarray, area: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of the points, clipped to the area: they tile it without gaps or overlaps."""
    if len(points) == 1:
        return [area]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint([tuple(p) for p in points]), extend_to=area)
    )
    clipped = [_polygonal(shapely.intersection(cell, area)) for cell in cells]
    return [c for c in clipped if not c.is_empty]


def split(
    rng: np.random.Generator, area: BaseGeometry, n: int, relax: int = 2
) -> list[BaseGeometry]:
    """Cut an area into n cells of similar size (Voronoi with Lloyd relaxation)."""
    points = points_inside(rng, area, n)
    cells = voronoi_cells(points, area)
    for _ in range(relax):
        if len(cells) != n:
            break
        points = np.array(
            [
                c.representative_point().coords[0]
                if not c.centroid.within(area)
                else c.centroid.coords[0]
                for c in cells
            ]
        )
        cells = voronoi_cells(points, area)
    if len(cells) != n:  # a degenerate layout: fall back to the unrelaxed one
        cells = voronoi_cells(points_inside(rng, area, n), area)
    # Name cells in reading order: north to south, west to east.
    return sorted(cells, key=lambda c: (-round(c.centroid.y, 3), c.centroid.x))


def split_weighted(
    rng: np.random.Generator, area: BaseGeometry, seeds: list[tuple[float, float]]
) -> list[BaseGeometry]:
    """Cells around given seed points (lon, lat offsets from the centre), in seed order."""
    points = []
    for dx, dy in seeds:
        # An irregular outline may not reach a seed: pull it towards the centre until inside.
        while not area.contains(shapely.Point(CENTRE_LON + dx, CENTRE_LAT + dy)):
            dx, dy = dx * 0.85, dy * 0.85
        points.append((CENTRE_LON + dx, CENTRE_LAT + dy))
    cells = voronoi_cells(np.array(points), area)
    ordered = []
    for p in points:
        ordered.append(next(c for c in cells if c.covers(shapely.Point(p))))
    return ordered
