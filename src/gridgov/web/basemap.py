"""What every map draws beneath its own layers when no tile server is configured: the streets and
communities with their names, from our own boundaries. Names and outlines of units are public
(the report page shows them to citizens); nothing about people is in here.

The outlines are simplified (GRIDGOV's boundaries are drawn to a centimetre; a base map needs a
few metres) and cached under the boundary revision, so a redraw shows at once and an unchanged
district costs one small query per request.
"""

from __future__ import annotations

import hashlib
from typing import Any

import shapely
from django.conf import settings
from django.core.cache import cache
from shapely.geometry import mapping, shape

from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.territory.models import Level, Region
from gridgov.territory.services import regions_version

# Simplification tolerance in degrees (~11 m and ~5.5 m) and the grid coordinates snap to (~1 m).
TOLERANCE = {Level.STREET: 0.0001, Level.COMMUNITY: 0.00005}
PRECISION = 0.00001


def boundaries() -> dict[str, Any]:
    """Active streets and communities as a FeatureCollection: id, code, name, level ("street" or
    "community"), parent id, and the label point (a point inside the polygon, [lat, lon])."""
    # The revision counter alone is not enough: regions added, renamed or retired change it not,
    # and a restored or rebuilt database counts from 1 again.
    version = hashlib.sha256(repr(regions_version()).encode()).hexdigest()[:24]
    key = f"basemap-boundaries-{version}"
    data: dict[str, Any] | None = cache.get(key)
    if data is not None:
        return data
    features = []
    regions = (
        Region.objects.active()
        .filter(level__in=list(TOLERANCE))
        .only("pk", "code", "name", "level", "parent_id", "geometry")
        .order_by("level", "code")
    )
    for r in regions:
        if not r.geometry:
            continue
        geom = shape(r.geometry)
        simple = geom.simplify(TOLERANCE[Level(r.level)], preserve_topology=True)
        simple = shapely.set_precision(simple, PRECISION)
        if simple.is_empty:
            simple = geom
        point = geom.representative_point()
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": r.pk,
                    "code": r.code,
                    "name": r.name,
                    "level": "street" if r.level == Level.STREET else "community",
                    "parent": r.parent_id,
                    "label": [round(point.y, 6), round(point.x, 6)],
                },
                "geometry": mapping(simple),
            }
        )
    data = {"type": "FeatureCollection", "features": features}
    cache.set(key, data, 3600)
    return data


def home(user: Account) -> list[list[int]]:
    """The viewer's units as the region ids along each of their paths (district first); a map
    with little on it fits to the deepest of those it has an outline for. Empty: the whole
    area (anonymous visitors, accounts that see everything)."""
    if user is None or not user.is_authenticated:
        return []
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return []
    return [[int(i) for i in p.strip("/").split("/")] for p in paths]


def config_for(user: Account, boundaries_url: str) -> dict[str, Any]:
    """What web/basemap.js needs, for the page's json_script block."""
    tiles = None
    if settings.GRIDGOV_TILES_URL:
        from gridgov.web.tiles import subdomain_list

        tiles = {
            "url": settings.GRIDGOV_TILES_URL,
            "attribution": settings.GRIDGOV_TILES_ATTRIBUTION,
            "subdomains": subdomain_list(settings.GRIDGOV_TILES_SUBDOMAINS),
            "maxZoom": settings.GRIDGOV_TILES_MAX_ZOOM,
        }
    return {"tiles": tiles, "boundaries": boundaries_url, "home": home(user)}
