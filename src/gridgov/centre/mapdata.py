"""The overview map's layers, one scoped answer (`GET /api/v1/overview/map?layers=…`): the
outlines of the viewer's own units (they frame the map), grids, stations coloured by their
real-time AQI, open work orders, pollution sources, projects and the hot grids (热点网格: each
grid's polygon filled by its estimated PM2.5 over the default period, centre/hotspots.surface,
the same surface as the station map's). The page asks for the light layers first and for the
polygons only when their layer is switched on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gridgov.air import periods
from gridgov.centre import hotspots
from gridgov.centre.overview import air_part, link, top_units
from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.sources.categories import LABELS as SOURCE_LABELS
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import sources_for
from gridgov.territory.models import Region
from gridgov.workorders import lateness
from gridgov.workorders.models import WorkOrder
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import OPEN_STATES, State

LAYERS = ("units", "grids", "hotspots", "stations", "orders", "sources", "projects")
MAX_ORDERS = 2000
MAX_SOURCES = 5000
MAX_PROJECTS = 2000
HOT_POLLUTANT = "pm25"


@dataclass
class MapLayers:
    layers: list[str]
    units: list[dict[str, Any]] = field(default_factory=list)
    grids: list[dict[str, Any]] = field(default_factory=list)
    stations: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    hotspots: list[dict[str, Any]] = field(default_factory=list)
    hotspot_period: dict[str, str] | None = None  # the hot grids' {from, to, pollutant}


def parse_layers(text: str | None) -> list[str]:
    """`grids,stations`: the layers asked for, in a fixed order; ValueError names a wrong one."""
    if not text:
        return ["stations", "orders"]
    asked = [part.strip() for part in text.split(",") if part.strip()]
    wrong = [a for a in asked if a not in LAYERS]
    if wrong:
        raise ValueError(f"unknown layer {wrong[0]!r}; layers are {', '.join(LAYERS)}")
    return [name for name in LAYERS if name in asked]


def _grids(user: Account) -> list[dict[str, Any]]:
    grids = (
        scope.regions_for(user, Region.objects.active().grids())
        .only("code", "name", "geometry")
        .order_by("code")
    )
    return [{"code": g.code, "name": g.name, "geometry": g.geometry} for g in grids]


def _orders(user: Account, now: dt.datetime) -> list[dict[str, Any]]:
    rows = (
        orders_for(user, WorkOrder.objects.filter(state__in=[s.value for s in OPEN_STATES]))
        .order_by("-created_at")
        .values_list(
            "pk", "event__reference", "event__title", "event__lat", "event__lon", "state", "due_at"
        )[:MAX_ORDERS]
    )
    return [
        {
            "id": pk,
            "reference": ref,
            "title": title,
            "lat": lat,
            "lon": lon,
            "state": str(State(state).label),
            "overdue": lateness.urgency_of(state, due_at, None, now) == "red",
            "url": reverse("workorders:order", args=[pk]),
        }
        for pk, ref, title, lat, lon, state, due_at in rows
    ]


def _sources(user: Account) -> list[dict[str, Any]]:
    rows = (
        sources_for(user, PollutionSource.objects.exclude(status=Status.CLOSED))
        .order_by("code")
        .values_list("pk", "code", "name", "category", "lat", "lon")[:MAX_SOURCES]
    )
    return [
        {
            "id": pk,
            "code": code,
            "name": name,
            "category": category,
            "category_label": str(SOURCE_LABELS.get(category, category)),
            "lat": lat,
            "lon": lon,
            "url": reverse("sources:source", args=[pk]),
        }
        for pk, code, name, category, lat, lon in rows
    ]


def _projects(user: Account, today: dt.date) -> list[dict[str, Any]]:
    """Projects with a location, in the account's scope (projects.services)."""
    from gridgov.projects.listing import with_figures
    from gridgov.projects.models import Status as ProjectStatus
    from gridgov.projects.services import projects_for

    rows = with_figures(projects_for(user).filter(lat__isnull=False), today).order_by("code")
    return [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "status": p.status,
            "status_label": str(ProjectStatus(p.status).label),
            "lat": p.lat,
            "lon": p.lon,
            "overdue": bool(p.overdue),  # type: ignore[attr-defined]
            "url": reverse("projects:project", args=[p.pk]),
        }
        for p in rows.only("pk", "code", "name", "status", "lat", "lon")[:MAX_PROJECTS]
    ]


def map_layers(user: Account, today: dt.date, layers: list[str]) -> MapLayers:
    out = MapLayers(layers=layers)
    if "units" in layers:
        out.units = [
            {"code": u.code, "name": u.name, "geometry": u.geometry}
            for u in top_units(user)
            if u.geometry
        ]
    if "grids" in layers:
        out.grids = _grids(user)
    if "hotspots" in layers:
        # The month so far (its complete days), or the previous month in a month's first days,
        # when a few hours would rank nothing (air/periods.py, as every month default).
        start, end = periods.default_period(today)
        out.hotspots = hotspots.surface(user, start, end, HOT_POLLUTANT)
        out.hotspot_period = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "pollutant": HOT_POLLUTANT,
        }
    if "stations" in layers:
        out.stations = [
            {
                "code": s.code,
                "name": s.name,
                "lat": s.lat,
                "lon": s.lon,
                "aqi": s.aqi,
                "level": s.level,
                "colour": s.colour,
                "url": link("air:station", s.code),
            }
            for s in air_part(user, today, top_units(user)).stations
        ]
    if "orders" in layers:
        out.orders = _orders(user, timezone.now())
    if "sources" in layers:
        out.sources = _sources(user)
    if "projects" in layers:
        out.projects = _projects(user, today)
    return out
