"""The registered sources within a back-trace's cone (air/trace.py), scored: the source side of
back-tracing an alarm (溯源). Lives here, not in air, because air sits below sources in the
layers: air draws the path, the cone and the grids; sources puts its own sites on them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gridgov.air.trace import Trace, bounds, score_points
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource
from gridgov.sources.nearby import LOOKED_AT
from gridgov.sources.services import bearing_degrees, distance_to


@dataclass(frozen=True)
class TracedSource:
    id: int
    code: str
    name: str
    category: str
    category_label: str
    score: float
    hours_back: float
    path_m: int
    metres: int  # from the trace's station
    bearing: int
    url: str


def traced_sources(trace: Trace, qs: QuerySet[PollutionSource]) -> list[TracedSource]:
    """Sources in operation (of `qs`: the viewer's scope) whose point lies in the cone, best
    score first (then nearest the station)."""
    if not trace.points:
        return []
    lat0, lat1, lon0, lon1 = bounds(trace)
    found = list(
        qs.filter(status__in=LOOKED_AT, lat__gte=lat0, lat__lte=lat1, lon__gte=lon0, lon__lte=lon1)
    )
    hits = score_points(trace, [s.lat for s in found], [s.lon for s in found])
    out = []
    for s, h in zip(found, hits, strict=True):
        if h is None:
            continue
        out.append(
            TracedSource(
                id=s.pk,
                code=s.code,
                name=s.name,
                category=s.category,
                category_label=str(categories.LABELS.get(s.category, s.category)),
                score=round(h.score, 4),
                hours_back=round(h.hours_back, 3),
                path_m=round(h.path_m),
                metres=round(distance_to(s, trace.station_lat, trace.station_lon)),
                bearing=round(bearing_degrees(trace.station_lat, trace.station_lon, s.lat, s.lon))
                % 360,
                url=f"/sources/{s.pk}/",
            )
        )
    out.sort(key=lambda t: (-t.score, t.metres, t.code))
    return out
