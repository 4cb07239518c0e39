"""The overview below the street: what a community secretary and a grid's leader and workers
see of their own unit, beside the overview's figures (`overview.Overview.local`).

- the air nearest to them: the stations inside their unit, else the nearest ones by distance
  from its outline (with the distance), with their real-time AQI;
- their grids' figures (stations, AQI, open and overdue orders, sources, inspections due);
- their open orders, most urgent first (the desk's colours, `workorders.lateness`);
- their pollution sources and the inspections due (`inspections.plans.due_sources`).

None for accounts at street level or above: their overview is the district's or the street's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape
from shapely.ops import unary_union

from gridgov.air.models import AMBIENT_KINDS, Station
from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.sources.categories import LABELS as SOURCE_LABELS
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import sources_for
from gridgov.territory.models import Level, Region
from gridgov.workorders.services import orders_for
from gridgov.workorders.states import OPEN_STATES, State

NEAREST = 3  # stations shown when the unit has none of its own
LISTED = 20  # orders, sources and inspections listed (the rest behind the link)
DUE_WITHIN_DAYS = 7  # inspections shown: overdue, due today, or due within a week
URGENCY_ORDER = {"red": 0, "yellow": 1, "": 2}


@dataclass
class NearStation:
    code: str
    name: str
    aqi: int | None
    level: int
    category: str
    colour: str | None
    inside: bool  # inside the viewer's unit
    distance_m: int  # from the unit's outline; 0 inside
    url: str | None  # None: a station outside the viewer's scope (its page would refuse)


@dataclass
class GridFigures:
    code: str
    name: str
    stations: int
    aqi: int | None  # the worst of its stations' real-time AQI
    level: int
    open: int
    overdue: int
    sources: int
    due: int  # inspections overdue or due today
    url: str  # its open orders on the desk


@dataclass
class LocalOrder:
    id: int
    reference: str
    title: str
    state: str
    urgency: str  # red (超期), yellow (预警) or ""
    due_at: dt.datetime | None
    url: str


@dataclass
class LocalSource:
    code: str
    name: str
    category: str
    url: str


@dataclass
class LocalDue:
    code: str
    name: str
    status: str  # overdue, due or ok (due within the week)
    next_due: dt.date
    overdue_days: int
    days_left: int
    url: str


@dataclass
class Local:
    level: int  # 3 community/village, 4 grid
    own_stations: int
    stations: list[NearStation]
    grids: list[GridFigures]
    orders_open: int
    orders: list[LocalOrder]
    sources_total: int
    sources: list[LocalSource]
    due_total: int
    due: list[LocalDue]
    orders_url: str
    sources_url: str
    due_url: str


def _metres(geom: Any, lat0: float) -> Any:
    """The geometry in metres around its latitude (equirectangular; a district is small)."""
    kx = 111_320.0 * math.cos(math.radians(lat0))
    return shapely.transform(geom, lambda xy: xy * np.array([kx, 110_540.0]))


def _near_stations(
    user: Account, outline: Any, own: list[Any], today: dt.date
) -> tuple[int, list[NearStation]]:
    """The stations inside the unit with their AQI (the overview's rows), else the nearest."""
    from gridgov.centre.airnow import air_now

    if own:
        return len(own), [
            NearStation(
                s.code, s.name, s.aqi, s.level, _category(s.level), s.colour, True, 0, s.url
            )
            for s in own
        ]
    if outline is None:
        return 0, []
    candidates = list(
        Station.objects.filter(active=True, kind__in=AMBIENT_KINDS)
        .select_related("grid")
        .only("pk", "code", "name", "lat", "lon", "grid__path")
        .order_by("code")
    )
    if not candidates:
        return 0, []
    lat0 = outline.centroid.y
    area = _metres(outline, lat0)
    points = _metres(shapely.points([(s.lon, s.lat) for s in candidates]), lat0)
    distances = shapely.distance(area, points)
    nearest = sorted(range(len(candidates)), key=lambda i: (distances[i], candidates[i].code))
    chosen = [candidates[i] for i in nearest[:NEAREST]]
    _now, rows = air_now([(s.pk, s.code, s.name, s.lat, s.lon) for s in chosen], today)
    paths = scope.scope_paths(user)
    out = []
    for s, row, i in zip(chosen, rows, nearest, strict=False):
        visible = (
            paths is scope.ALL
            or s.grid is None
            or any(s.grid.path.startswith(p) for p in paths or [])
        )
        out.append(
            NearStation(
                s.code,
                s.name,
                row.aqi,
                row.level,
                _category(row.level),
                row.colour,
                False,
                round(float(distances[i])),
                row.url if visible else None,
            )
        )
    return 0, out


def _category(level: int) -> str:
    """The AQI level's name in the page's language (the standard's Chinese, or its English)."""
    from django.utils.translation import get_language

    from gridgov.air import aqi

    found = aqi.level(level) if level else None
    if found is None:
        return ""
    return found.category_en if (get_language() or "").startswith("en") else found.category


def _link(name: str, **query: Any) -> str:
    from gridgov.centre.overview import link

    return link(name, **query)


def local_figures(
    user: Account,
    today: dt.date,
    units: list[Region],
    station_rows: list[Any],
    unit_orders: list[Any],
    now: dt.datetime | None = None,
) -> Local | None:
    """The own figures of a viewer whose units are all communities or grids; `station_rows`
    are the overview's rows of the stations in the scope, `unit_orders` its orders by grid."""
    from gridgov.inspections import plans
    from gridgov.workorders import lateness

    if not units or scope.sees_everything(user) or min(u.level for u in units) < Level.COMMUNITY:
        return None
    now = now or timezone.now()
    geometries = [shape(u.geometry) for u in units if u.geometry]
    outline = unary_union(geometries) if geometries else None
    own_count, near = _near_stations(user, outline, station_rows, today)

    grids = list(
        scope.regions_for(user, Region.objects.active().grids())
        .only("pk", "code", "name", "path")
        .order_by("code")
    )
    station_grid = dict(
        Station.objects.filter(code__in=[s.code for s in station_rows]).values_list(
            "code", "grid_id"
        )
    )
    worst: dict[int, Any] = {}
    count: Counter[int] = Counter()
    for s in station_rows:
        grid_id = station_grid.get(s.code)
        if grid_id is None:
            continue
        count[grid_id] += 1
        if s.aqi is not None and (grid_id not in worst or s.aqi > worst[grid_id].aqi):
            worst[grid_id] = s
    live_sources = sources_for(user, PollutionSource.objects.exclude(status=Status.CLOSED))
    per_grid_sources: Counter[int] = Counter(
        dict(
            live_sources.values("grid_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("grid_id", "n")
        )
    )
    dues = [
        d
        for d in plans.due_sources(user, today)
        if d.status != "ok" or d.days_left <= DUE_WITHIN_DAYS
    ]
    per_grid_due = Counter(d.source.grid_id for d in dues if d.status != "ok")
    by_code = {u.code: u for u in unit_orders}
    grid_rows = []
    for g in grids:
        orders_row = by_code.get(g.code)
        s = worst.get(g.pk)
        grid_rows.append(
            GridFigures(
                code=g.code,
                name=g.name,
                stations=count.get(g.pk, 0),
                aqi=s.aqi if s is not None else None,
                level=s.level if s is not None else 0,
                open=orders_row.open if orders_row else 0,
                overdue=orders_row.overdue if orders_row else 0,
                sources=per_grid_sources.get(g.pk, 0),
                due=per_grid_due.get(g.pk, 0),
                url=_link("workorders:desk", queue="open", unit=g.code),
            )
        )

    open_orders = orders_for(user).filter(state__in=[s.value for s in OPEN_STATES])
    rows = list(
        open_orders.order_by(*lateness.most_urgent_first()).values_list(
            "pk", "event__reference", "event__title", "state", "due_at", "warn_at"
        )[:200]
    )
    listed = sorted(
        (
            LocalOrder(
                id=pk,
                reference=ref,
                title=title,
                state=str(State(state).label),
                urgency=lateness.urgency_of(state, due_at, warn_at, now),
                due_at=due_at,
                url=reverse("workorders:order", args=[pk]),
            )
            for pk, ref, title, state, due_at, warn_at in rows
        ),
        key=lambda o: (URGENCY_ORDER.get(o.urgency, 2), o.due_at or now + dt.timedelta(days=3650)),
    )
    sources = [
        LocalSource(
            code,
            name,
            str(SOURCE_LABELS.get(category, category)),
            reverse("sources:source", args=[pk]),
        )
        for pk, code, name, category in live_sources.order_by("code").values_list(
            "pk", "code", "name", "category"
        )[:LISTED]
    ]
    return Local(
        level=min(u.level for u in units),
        own_stations=own_count,
        stations=near,
        grids=grid_rows,
        orders_open=open_orders.count(),
        orders=listed[:LISTED],
        sources_total=sum(per_grid_sources.values()),
        sources=sources,
        due_total=len(dues),
        due=[
            LocalDue(
                d.source.code,
                d.source.name,
                d.status,
                d.next_due,
                d.overdue_days,
                d.days_left,
                reverse("sources:source", args=[d.source.pk]),
            )
            for d in dues[:LISTED]
        ],
        orders_url=_link("workorders:desk", queue="open"),
        sources_url=_link("sources:registry"),
        due_url=_link("inspections:desk"),
    )
