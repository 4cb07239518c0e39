"""The public page (群众上报): report a problem — category, place on a map, description, photo —
and follow it by its reference number. Nothing personal of anyone is shown: not the reporter's,
not the grid worker's; only the unit and post that handle it and the states with their times."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.territory.models import Level, Region
from gridgov.web import ratelimit
from gridgov.web.clientip import client_ip
from gridgov.workorders.forms import PublicReportForm
from gridgov.workorders.models import Source
from gridgov.workorders.publication import public_view, trackable_events
from gridgov.workorders.services import EventInput
from gridgov.workorders.states import ACTIONS, OPEN_STATES, SYSTEM_ACTIONS, State
from gridgov.workorders.views import create_with_photos

PUBLIC_ACTIONS = {"create", "accept", "dispatch", "auto_dispatch", "reassign", "sign", "handle",
                  "verify", "reject", "close", "void", "merge", "return"}  # fmt: skip


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
                return render(
                    request, "workorders/public/done.html", {"reference": order.event.reference}
                )
    return render(request, "workorders/public/report.html", {"form": form}, status=status)


def track(request: HttpRequest) -> HttpResponse:
    ref = request.GET.get("ref", "").strip().upper()
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
    return render(
        request,
        "workorders/public/track.html",
        {
            "ref": ref,
            "event": event,
            "order": order,
            "steps": steps,
            "open": order is not None and order.state in OPEN_STATES,
            "view": public_view(event) if event else None,
        },
    )


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
