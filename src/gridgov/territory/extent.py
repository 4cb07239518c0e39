"""The district's extent: where a point the platform stores may lie.

`check_point` is the one rule for every coordinate any door sends (an event, a site, an
organisation, a mediation case, a depot, a project, a station, an inspection): WGS84 degrees
(inputs.check_point: finite, within ±90/±180) and inside the bounding box of the stored
top-level regions, widened by `MARGIN_DEGREES` (a site just over the boundary is still the
district's business). With no regions stored, only the WGS84 rule applies. The box is cached,
keyed by the regions' count and last change (one small query a check).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models import Count, Max
from shapely.geometry import shape

from gridgov import inputs
from gridgov.territory.models import Region

MARGIN_DEGREES = 0.2  # about 20 km: the box of the district, and a little around it

Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

_lock = threading.Lock()
_cached: tuple[Any, Box | None] = (None, None)


def district_box() -> Box | None:
    """The top-level regions' bounding box widened by the margin; None with no regions."""
    global _cached
    tops = Region.objects.active().filter(parent__isnull=True)
    stamp = tuple(tops.aggregate(n=Count("id"), changed=Max("updated_at")).values())
    with _lock:
        if _cached[0] == stamp:
            return _cached[1]
    box: Box | None = None
    for geometry in tops.values_list("geometry", flat=True):
        try:
            bounds = shape(geometry).bounds
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a stored boundary the importer would not take: it bounds nothing
        if len(bounds) != 4:
            continue
        box = bounds if box is None else _union(box, bounds)
    if box is not None:
        m = MARGIN_DEGREES
        box = (box[0] - m, box[1] - m, box[2] + m, box[3] + m)
    with _lock:
        _cached = (stamp, box)
    return box


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def check_point(
    lat: float, lon: float, lat_field: str = "lat", lon_field: str = "lon"
) -> tuple[float, float]:
    """The point itself, or inputs.InputError naming the field: not a finite WGS84 coordinate,
    or outside the district's extent."""
    try:
        inputs.check_point(lat, lon)
    except inputs.InputError as exc:
        raise inputs.InputError(
            lat_field if exc.field == "lat" else lon_field, exc.message
        ) from None
    box = district_box()
    if box is None:
        return lat, lon
    if not box[1] <= lat <= box[3]:
        raise inputs.InputError(
            lat_field, f"latitude {lat:g} is outside the district ({box[1]:.3f}–{box[3]:.3f})"
        )
    if not box[0] <= lon <= box[2]:
        raise inputs.InputError(
            lon_field, f"longitude {lon:g} is outside the district ({box[0]:.3f}–{box[2]:.3f})"
        )
    return lat, lon


def check_optional_point(
    lat: float | None, lon: float | None, lat_field: str = "lat", lon_field: str = "lon"
) -> None:
    """`check_point` when a point is given (either half given is checked as far as it goes)."""
    if lat is not None and lon is not None:
        check_point(lat, lon, lat_field, lon_field)
    elif lat is not None:
        inputs.check_number(lat_field, lat, -90, 90)
    elif lon is not None:
        inputs.check_number(lon_field, lon, -180, 180)
