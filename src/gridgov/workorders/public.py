"""The public page (群众上报): report a problem — category, place on a map, description, photo —
and follow it by its reference number. Nothing personal of anyone is shown: not the reporter's,
not the grid worker's; only the unit and post that handle it and the states with their times."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import shapely
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from shapely.geometry import mapping, shape

from gridgov.territory.locate import InvalidCoordinates, locate
from gridgov.territory.models import Level, Region
from gridgov.territory.services import regions_version
from gridgov.web import ratelimit
from gridgov.web.clientip import client_ip
from gridgov.workorders import verdict
from gridgov.workorders.forms import PublicReportForm
from gridgov.workorders.lateness import public_deadline
from gridgov.workorders.models import Rating, Source
from gridgov.workorders.publication import public_view, trackable_events
from gridgov.workorders.services import EventInput
from gridgov.workorders.states import ACTIONS, OPEN_STATES, SYSTEM_ACTIONS, State
from gridgov.workorders.verdict_links import PUBLIC_SOURCES
from gridgov.workorders.views import create_with_photos

PUBLIC_ACTIONS = {"create", "accept", "dispatch", "auto_dispatch", "reassign", "sign", "handle",
                  "verify", "reject", "close", "void", "merge", "return", "reopen"}  # fmt: skip


def _client(request: HttpRequest) -> str:
    """The client's address (gridgov.web.clientip: the same rule as login throttling)."""
    return client_ip(request) or "unknown"


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        key = f"public-report:{_client(request)}"
        if form.cleaned_data.get("website"):  # filled only by bots
            form.add_error(None, _("提交失败"))
        elif not ratelimit.allow(key, settings.GRIDGOV_PUBLIC_REPORTS_PER_HOUR, 3600):
            # Counted and checked in one atomic step, the same for every server process.
            form.add_error(None, _("提交过于频繁，请稍后再试"))
            status = 429
        else:
            d = form.cleaned_data
            order = create_with_photos(
                form,
                EventInput(
                    source=Source.CITIZEN,
                    category=d["category"],
                    title=d["description"].splitlines()[0][:60],
                    description=d["description"],
                    lat=d["lat"],
                    lon=d["lon"],
                    address=d["address"],
                    contact_phone=d["contact_phone"],
                ),
                None,
                public=True,
            )
            if order is not None:
                ref = order.event.reference
                # The 评价码 is shown here only: with the number, it lets the reporter rate or
                # re-open the order later (verdict.order_to_write).
                context = {"reference": ref, "verdict_code": verdict.verdict_code(ref)}
                return render(request, "workorders/public/done.html", context)
    return render(request, "workorders/public/report.html", {"form": form}, status=status)


def track(request: HttpRequest) -> HttpResponse:
    ref = request.GET.get("ref", "").strip().upper()
    return render(request, "workorders/public/track.html", track_context(ref))


def track_context(ref: str, **extra: Any) -> dict[str, Any]:
    """The tracking page's facts of one reference number (none when it is unknown): the
    order, its public steps, its 办结时限 and whether it was met (lateness.public_deadline,
    as of now), and what its reporter may say of it (verdict.offer)."""
    event = None
    steps = []
    if ref:
        event = (
            trackable_events()
            .select_related("order__unit", "category", "region", "merged_into")
            .defer("order__unit__geometry", "region__geometry")
            .filter(reference=ref)
            .first()
        )
        if event is not None:
            for t in event.order.transitions.order_by("at", "pk"):
                if t.action not in PUBLIC_ACTIONS:
                    continue
                action = ACTIONS.get(t.action)
                label = action.label if action else SYSTEM_ACTIONS.get(t.action, t.action)
                steps.append(
                    {
                        "at": t.at,
                        "label": label,
                        "state": State(t.to_state).label if t.to_state else "",
                    }
                )
    order = event.order if event else None
    now = timezone.now()
    public_source = event is not None and event.source in PUBLIC_SOURCES
    return {
        "ref": ref,
        "event": event,
        "order": order,
        "steps": steps,
        "open": order is not None and order.state in OPEN_STATES,
        "view": public_view(event) if event else None,
        "deadline": public_deadline(order, now) if order is not None else None,
        "offer": verdict.offer(order, now) if order is not None and public_source else None,
        "ratings": Rating.choices,
        "reason_limit": verdict.REASON_LIMIT,
        "verdict_action": reverse("public_verdict"),
        **extra,
    }


def area(request: HttpRequest) -> JsonResponse:
    """The communities' outlines for the public map (names only, no people)."""
    data = cache.get("public-area")
    if data is None:
        features = [
            {
                "type": "Feature",
                "properties": {"name": r.name},
                "geometry": r.geometry,
            }
            for r in Region.objects.active().filter(level=Level.COMMUNITY).only("name", "geometry")
        ]
        data = {"type": "FeatureCollection", "features": features}
        cache.set("public-area", data, 300)
    return JsonResponse(data)


# Grid outlines for the pin maps: simplified (~2 m) and snapped (~1 m); names only.
GRID_TOLERANCE = 0.00002
GRID_PRECISION = 0.00001


def _number(request: HttpRequest, name: str) -> float:
    text = request.GET.get(name, "").strip()
    try:
        value = float(text)
    except ValueError:
        raise InvalidCoordinates(name, _("须为数字")) from None
    if not math.isfinite(value):
        raise InvalidCoordinates(name, _("须为数字"))
    return value


def _community_grids(community_id: int) -> list[dict[str, Any]]:
    """The outlines of a community's active grids (code, name), cached under the regions'
    version so a redraw shows at once."""
    version = hashlib.sha256(repr(regions_version()).encode()).hexdigest()[:16]
    key = f"public-where-grids-{community_id}-{version}"
    features: list[dict[str, Any]] | None = cache.get(key)
    if features is not None:
        return features
    features = []
    grids = (
        Region.objects.active()
        .filter(parent_id=community_id, level=Level.GRID)
        .only("code", "name", "geometry")
        .order_by("code")
    )
    for g in grids:
        if not g.geometry:
            continue
        geom = shape(g.geometry)
        simple = shapely.set_precision(
            geom.simplify(GRID_TOLERANCE, preserve_topology=True), GRID_PRECISION
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"code": g.code, "name": g.name},
                "geometry": mapping(geom if simple.is_empty else simple),
            }
        )
    cache.set(key, features, 3600)
    return features


@require_GET
def where(request: HttpRequest) -> JsonResponse:
    """A point in words for the pin maps (the public page and the grid worker's report): the
    street, community and grid it lies in, and the outlines of that community's grids so the
    map has something to show at that zoom. Names of units only — nothing about people."""
    try:
        lat, lon = _number(request, "lat"), _number(request, "lon")
        found = locate(lat, lon)
    except InvalidCoordinates as exc:
        return JsonResponse({"error": str(exc), "field": exc.field}, status=400)
    if not found.inside or found.grid is None:
        return JsonResponse({"inside": False, "text": _("不在本区范围内")})
    names = {r.level: r.name for r in found.chain}
    community = next((r for r in found.chain if r.level == Level.COMMUNITY), None)
    data = {
        "inside": True,
        "street": names.get(Level.STREET, ""),
        "community": names.get(Level.COMMUNITY, ""),
        "grid": found.grid.name,
        "grid_code": found.grid.code,
        "text": " · ".join(n for n in (names.get(Level.COMMUNITY), found.grid.name) if n),
        "grids": {
            "type": "FeatureCollection",
            "features": _community_grids(community.id) if community else [],
        },
    }
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=60"
    return response
