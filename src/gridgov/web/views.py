"""Pages. Thin: they read through the scope helpers and render."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.people import scope
from gridgov.people.models import Post
from gridgov.territory import ladder
from gridgov.territory.models import GridKind, Level, Region
from gridgov.web import health, phoneapp


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    """The first page after login: the grids on a map, counts, search, a grid's people."""
    regions = Region.objects.for_user(request.user).active()
    by_kind = dict(
        regions.filter(level=Level.GRID).values_list("kind").annotate(n=Count("id")).order_by()
    )
    by_level = dict(regions.values_list("level").annotate(n=Count("id")).order_by())
    staff = dict(
        Post.objects.for_user(request.user)
        .current()
        .filter(region__level=Level.GRID)
        .values_list("post_type__code")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    kinds = [
        {"code": k.value, "label": k.label, "count": by_kind.get(k.value, 0)} for k in GridKind
    ]
    # One count per level below the root (districts in a city's deployment), then the grids.
    counts = [
        *({"label": lv.label, "count": by_level.get(lv, 0)} for lv in ladder.units_below_root()),
        {"label": _("网格"), "count": by_level.get(Level.GRID, 0)},
        {"label": _("网格长"), "count": staff.get("grid_leader", 0)},
        {"label": _("专职网格员"), "count": staff.get("grid_worker", 0)},
        {"label": _("兼职网格员"), "count": staff.get("grid_worker_part", 0)},
    ]
    labels = {
        "chain": _("层级"),
        "responsible": _("责任人"),
        "none": _("暂无"),
        "outside": _("不在任何网格内"),
        "no_results": _("没有找到"),
        "loading": _("加载中…"),
        "kinds": {k.value: str(k.label) for k in GridKind},
        "area": _("面积"),
        "version": _("边界版本"),
    }
    return render(
        request,
        "web/map.html",
        {
            "kinds": kinds,
            "counts": counts,
            "labels": labels,
            "sees_all": scope.sees_everything(request.user),
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: the database answers, and Redis where the cache and the
    queue use it (web/health.py). 503 names the parts that failed."""
    checks = health.check()
    failed = [part for part, result in checks.items() if result != health.OK]
    body = {"status": "fail" if failed else "ok", "checks": checks, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)


def boundaries(request: HttpRequest) -> JsonResponse:
    """Streets and communities with their names for the maps' base layer (public: the report
    page's map needs it; no people in it)."""
    from gridgov.web.basemap import boundaries as collection

    response = JsonResponse(collection())
    response["Cache-Control"] = "public, max-age=300"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """网格通's service worker, from the root so that its scope covers every phone page."""
    context = {k: json.dumps(v) for k, v in phoneapp.worker_context().items()}
    response = render(request, "web/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: 网格通 opens on the phone's task list, standalone."""
    response = JsonResponse(phoneapp.manifest(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
