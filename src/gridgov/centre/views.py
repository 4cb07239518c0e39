"""指挥中心 pages: the landing redirect, the overview, the wall screen and the desktop inbox.
Thin: they call `overview.overview`, `landing.landing_for` and the inbox's data functions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.context import make_context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from gridgov.air import hotspots as air_hotspots
from gridgov.air.aqi import LEVELS
from gridgov.air.periods import today
from gridgov.apikit import ApiError, xlsx_response
from gridgov.centre import allowance, allowance_api, hotspots, hotspots_api, mapdata
from gridgov.centre.forms import PeriodForm
from gridgov.centre.governance import governance, year_to_date
from gridgov.centre.landing import landing_for
from gridgov.centre.overview import Overview, RankRow, overview
from gridgov.centre.templatetags.centre_tags import category_labels
from gridgov.core import pagecache
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.inbox import notify
from gridgov.inputs import InputError
from gridgov.people import scope

HOT_PER_STREET = 5


def landing(request: HttpRequest) -> HttpResponse:
    return redirect(landing_for(request.user, request.META.get("HTTP_USER_AGENT")))


def cached_overview(user: Account) -> Overview:
    """`overview(user, today())`, kept a short time per account, scope and minute and dropped
    at any write (core/pagecache.py): sixteen officials on the overview compute it once."""
    paths = scope.scope_paths(user)
    day = today()
    return pagecache.remember(
        "overview",
        user,
        None if paths is scope.ALL else (paths or ["-"]),
        lambda: overview(user, day),
        day.isoformat(),
    )


def _context(request: HttpRequest) -> dict[str, object]:
    o = cached_overview(request.user)
    return {
        "o": o,
        "levels": [
            {"level": lvl.number, "category": lvl.category, "colour": lvl.hex} for lvl in LEVELS
        ],
        "map_config": {
            "url": o.map_url,
            "api": reverse("api:centre_overview"),
            "local": o.local is not None,
        },
        "map_labels": {
            "grids": _("网格"),
            "stations": _("监测站点"),
            "orders": _("未结工单"),
            "sources": _("污染源"),
            "projects": _("项目"),
            "hotspots": _("热点网格"),
            "hot": air_hotspots.map_text(mapdata.HOT_POLLUTANT),
            "overdue": _("超期"),
            "failed": _("地图数据加载失败"),
            "categories": category_labels(),
        },
    }


def _content_block(request: HttpRequest, template_name: str, context: dict[str, object]) -> str:
    """The template's `content` block rendered alone, as `render` would fill it."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    block = next(n for n in template.nodelist.get_nodes_by_type(BlockNode) if n.name == "content")
    bound = make_context(context, request)
    with bound.bind_template(template):
        return str(block.nodelist.render(bound))


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    """The overview; its body (the figures, some 800 template nodes) is kept with the figures
    (same account, scope, minute, language, and no write since), the page around it is not."""
    context = _context(request)
    paths = scope.scope_paths(request.user)
    content = pagecache.remember(
        "overview-body",
        request.user,
        None if paths is scope.ALL else (paths or ["-"]),
        lambda: _content_block(request, "centre/overview.html", context),
        today().isoformat(),
    )
    return render(request, "centre/overview_kept.html", {**context, "content": mark_safe(content)})  # noqa: S308  (our own template's output)


def split_last(rows: list[RankRow]) -> tuple[list[RankRow], list[RankRow]]:
    """(the ranked rows before the last rank, the rows of the last rank): the wall pins the
    last-ranked units (the ones a meeting names) below the pages that rotate."""
    ranks = [r.rank for r in rows if r.rank is not None]
    if not ranks:
        return list(rows), []
    last = max(ranks)
    return [r for r in rows if r.rank != last], [r for r in rows if r.rank == last]


@login_required
def wall_page(request: HttpRequest) -> HttpResponse:
    """The wall screen: every unit of every list (pages that turn by themselves, the last rank
    pinned), and the server's China time for the clock, which the script keeps ticking from the
    offset between the server's time and the browser's."""
    context = _context(request)
    o = context["o"]
    assert isinstance(o, Overview)
    head, last = split_last(o.ranking.rows)
    now = timezone.localtime(timezone.now())
    offset = now.utcoffset()
    context.update(
        {
            "ranking_head": head,
            "ranking_last": last,
            "server_now": now,
            "server_ms": int(now.timestamp() * 1000),
            "server_tz_minutes": int(offset.total_seconds() // 60) if offset else 0,
        }
    )
    return render(request, "centre/wall.html", context)


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notify.mark_all_read(request.user)
        return redirect("centre:inbox")
    return render(request, "centre/inbox.html", {"items": notify.inbox(request.user, limit=200)})


@login_required
def governance_page(request: HttpRequest) -> HttpResponse:
    """基层治理总览: the four grassroots areas per unit (governance.py), for a period."""
    first, last = year_to_date(today())
    form = PeriodForm(request.GET or None, initial={"start": first, "end": last})
    start, end = first, last
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or first
        end = form.cleaned_data["end"] or last
    try:
        g = governance(request.user, start, end)
    except ValueError as exc:
        form.add_error(None, str(exc))
        g = governance(request.user, first, last)
    areas = []
    for area in g.areas:
        columns = [c for c in g.columns if c.area == area.key]
        if columns:
            areas.append({"area": area, "url": reverse(area.url_name), "columns": columns})
    rows = [
        {"row": r, "cells": [(r.values.get(c.key), r.samples.get(c.key), c) for c in g.columns]}
        for r in g.rows
    ]
    return render(
        request, "centre/governance.html", {"g": g, "form": form, "areas": areas, "rows": rows}
    )


def _hotspot_request(request: HttpRequest) -> tuple[Any, Any, str, int, str | None]:
    """(from, to, pollutant, per street, error) of the hot-grid page's query; an error names
    its field and falls back to the defaults."""
    q = request.GET
    try:
        first, last, pollutant, _limit = hotspots_api.parse(
            q.get("from"), q.get("to"), q.get("pollutant"), None
        )
        per_street = int(q.get("n") or HOT_PER_STREET)
        if not 1 <= per_street <= 100:
            raise ValueError
    except (ApiError, InputError) as exc:
        first, last, pollutant, _limit = hotspots_api.parse(None, None, None, None)
        field = getattr(exc, "field", "")
        return first, last, pollutant, HOT_PER_STREET, f"{field}: {exc}"
    except ValueError:
        first, last, pollutant, _limit = hotspots_api.parse(None, None, None, None)
        return first, last, pollutant, HOT_PER_STREET, _("n: 1–100 的整数")
    return first, last, pollutant, per_street, None


@login_required
@replica_reads()
def hotspots_page(request: HttpRequest) -> HttpResponse:
    """热点网格: the worst N grids of each street with their sources and open orders."""
    first, last, pollutant, per_street, error = _hotspot_request(request)
    rows = hotspots.hot_grids(request.user, first, last, pollutant, named=True)
    return render(
        request,
        "centre/hotspots.html",
        {
            "streets": hotspots.by_street(rows, per_street),
            "start": first,
            "end": last,
            "pollutant": pollutant,
            "per_street": per_street,
            "error": error,
            "method": hotspots_api.METHOD,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@replica_reads()
def hotspots_export(request: HttpRequest) -> HttpResponse:
    """The hot-grid page's grids (every grid, worst first) as an Excel workbook."""
    first, last, pollutant, _n, _error = _hotspot_request(request)
    rows = hotspots.hot_grids(request.user, first, last, pollutant, named=True)
    return xlsx_response(
        hotspots.workbook(rows, pollutant, first, last),
        f"hotspots-{pollutant}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx",
    )


@login_required
def allowance_page(request: HttpRequest) -> HttpResponse:
    """目标余量测算: every target in force for the account's units, one card each (the
    meeting's first slide); ?region= and ?metric= narrow it, a bad one is named and ignored."""
    now = timezone.now()
    region, metric = request.GET.get("region") or None, request.GET.get("metric") or None
    error = None
    try:
        rows = allowance_api.targets_for(request, now, region, metric)
    except (ApiError, InputError) as exc:
        error = f"{getattr(exc, 'field', '')}: {exc}"
        rows = allowance_api.targets_for(request, now, None, None)
    return render(
        request,
        "centre/allowance.html",
        {
            "rows": rows,
            "now": now,
            "today": timezone.localdate(now, allowance.CST),
            "error": error,
            "assumption": allowance.assumption(),
            "horizon": allowance.HORIZON,
            "window": allowance.WINDOW_DAYS,
        },
    )
