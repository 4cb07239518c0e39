"""The desk (工作台): queues of work orders, their figures, a page of rows formatted in Python, the
map of open orders and bulk actions."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import inputs
from gridgov.apikit import ApiError
from gridgov.core import pagecache
from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region
from gridgov.workorders import lateness
from gridgov.workorders.api import filtered_orders
from gridgov.workorders.models import Priority, Source
from gridgov.workorders.schemas import OrderFilter
from gridgov.workorders.services import (
    WorkflowError,
    orders_for,
    perform,
    waiting_for,
    waiting_q,
)
from gridgov.workorders.states import ACTIONS, OPEN_STATES, State
from gridgov.workorders.templatetags.gridgov_names import named

MY_QUEUE = ("mine", gettext_lazy("待我处理"))
QUEUES = [
    ("working", gettext_lazy("办理中"), [State.DISPATCHED, State.SIGNED, State.IN_PROGRESS]),
    ("open", gettext_lazy("未结案"), sorted(OPEN_STATES)),
    ("overdue", gettext_lazy("超期"), None),
    ("closed", gettext_lazy("已结案"), [State.CLOSED]),
    ("voided", gettext_lazy("已作废"), [State.VOIDED]),
    ("all", gettext_lazy("全部"), []),
]


DESK_PAGE = 50  # rows a page (?page=N); the rest on the next pages, by filters or the export
# What a desk row shows, read as plain values (no model instances), in this order.
DESK_FIELDS = (
    "pk", "state", "priority", "escalation_level", "due_at", "warn_at",
    "event__reference", "event__title",
    "event__category__name", "event__category__name_en",
    "event__region__name",
    "assignee__name",
)  # fmt: skip


def desk_counts(visible: Any, now: dt.datetime) -> dict[str, int]:
    """Each queue's count, from one grouped query over the orders the account may see."""
    rows = visible.values_list("state").annotate(
        n=Count("id"), late=Count("id", filter=lateness.overdue_q(now))
    )
    counts: dict[str, int] = {}
    late = 0
    for state, n, overdue in rows.order_by():
        counts[state] = n
        late += overdue
    return {
        code: late if code == "overdue" else sum(counts.get(s.value, 0) for s in (states or State))
        for code, _label, states in QUEUES
    }


def desk_rows(rows: list[tuple[Any, ...]], now: dt.datetime) -> list[dict[str, Any]]:
    """The page's rows as the table shows them, formatted here in one pass (values_list rows
    in DESK_FIELDS order): the template only places strings."""
    english = (translation.get_language() or "").startswith("en")
    labels = {s.value: str(s.label) for s in State}
    out = []
    for (
        pk, state, priority, escalation, due_at, warn_at, ref, title, cat, cat_en, region, who,
    ) in rows:  # fmt: skip
        out.append(
            {
                "pk": pk,
                "url": reverse("workorders:order", args=[pk]),
                "ref": ref,
                "title": title,
                "urgent": priority == Priority.URGENT,
                "category": (cat_en if english and cat_en else cat) or "",
                "region": region or "",
                "state": state,
                "state_label": labels.get(state, state),
                "escalation": escalation,
                "assignee": who or "—",
                "due": dateformat.format(timezone.localtime(due_at), "m-d H:i") if due_at else "—",
                "urgency": lateness.urgency_of(state, due_at, warn_at, now) or "none",
            }
        )
    return out


def desk_figures(user: Account, now: dt.datetime) -> dict[str, Any]:
    """What the desk shows whatever its filters: the queues' counts, the map's open orders and
    the filters' choices (plain values, so they can be kept: `pagecache`)."""
    visible = orders_for(user)
    counts = desk_counts(visible, now)
    counts[MY_QUEUE[0]] = waiting_for(user).count()
    open_points = [
        {
            "id": pk,
            "ref": ref,
            "title": title,
            "lat": lat,
            "lon": lon,
            "state": str(State(state).label),
            "urgency": lateness.urgency_of(state, due_at, warn_at, now) or "normal",
        }
        for pk, ref, title, lat, lon, state, due_at, warn_at in visible.filter(
            state__in=[s.value for s in OPEN_STATES]
        )
        .order_by("-created_at")
        .values_list(
            "pk",
            "event__reference",
            "event__title",
            "event__lat",
            "event__lon",
            "state",
            "due_at",
            "warn_at",
        )[:2000]
    ]
    below_root = ladder.units_below_root()
    units = scope.regions_for(user, Region.objects.active().filter(level__in=below_root))
    first = below_root[0] if below_root else Level.STREET
    return {
        "counts": counts,
        "open_points": open_points,
        "units": [
            (code, "　" * max(0, level - first) + name)
            for code, name, level in units.order_by("level", "code").values_list(
                "code", "name", "level"
            )
        ],
        "categories": [(c.code, ("　" if c.parent_id else "") + named(c)) for c in _categories()],
    }


def options(choices: list[tuple[str, str]], chosen: str | None) -> str:
    """A select's <option>s, the chosen one selected (HTML built here: the lists are long, and
    escaped with the standard library's `html.escape`, ten times Django's per-call cost)."""
    return mark_safe(  # noqa: S308  (every value escaped here)
        "".join(
            f'<option value="{escape(code)}"{" selected" if code == chosen else ""}>'
            f"{escape(name)}</option>"
            for code, name in choices
        )
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return max(1, inputs.check_int("page", int(raw))) if raw.isdigit() else 1


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """Queues by state and unit, filters, bulk actions, the map of open orders, export."""
    if request.method == "POST":
        return _bulk(request)
    queue = request.GET.get("queue", MY_QUEUE[0])
    if queue == "todo":
        queue = MY_QUEUE[0]
    states = next((s for code, _label, s in QUEUES if code == queue), [])
    f = OrderFilter.model_validate(
        dict(
            state=[s.value for s in states] if states else None,
            unit=request.GET.get("unit") or None,
            category=request.GET.get("category") or None,
            source=request.GET.get("source") or None,
            overdue=True if queue == "overdue" else None,
            mine=request.GET.get("mine") == "1",
            q=request.GET.get("q") or None,
        )
    )
    try:
        qs = filtered_orders(request, f)
    except ApiError as exc:  # an unknown unit in the query: show everything in scope instead
        messages.error(request, str(exc))
        qs = filtered_orders(request, OrderFilter.model_validate({}))
    if queue == MY_QUEUE[0]:
        qs = qs.filter(waiting_q(request.user))
    now = timezone.now()
    paths = scope.scope_paths(request.user)
    figures = pagecache.remember(
        "desk",
        request.user,
        None if paths is scope.ALL else (paths or ["-"]),
        lambda: desk_figures(request.user, now),
    )
    number = _page_number(request)
    first = (number - 1) * DESK_PAGE
    rows = list(qs.select_related(None).values_list(*DESK_FIELDS)[first : first + DESK_PAGE + 1])
    # One more row than shown says whether there is a next page; only then (or past the first
    # page) count them all.
    total = first + len(rows) if number == 1 and len(rows) <= DESK_PAGE else qs.count()
    pages = max(1, -(-total // DESK_PAGE))
    # Bulk actions are the dispatcher's: not offered to whom every one would be refused.
    bulk_actions = (
        [ACTIONS[c] for c in ("accept", "dispatch", "close", "void")]
        if request.user.has_perm("workorders.dispatch_workorder")
        else []
    )
    query = request.GET.copy()
    query.pop("queue", None)
    query.pop("page", None)
    export_query = {
        k: v for k, v in request.GET.items() if k in ("unit", "category", "source", "q")
    }
    if states:
        export_query["state"] = ",".join(s.value for s in states)
    here = request.GET.copy()
    here.pop("page", None)
    return render(
        request,
        "workorders/desk.html",
        {
            "orders": desk_rows(rows[:DESK_PAGE], now),
            "total": total,
            "page": {
                "number": number,
                "pages": pages,
                "previous": number - 1 if number > 1 else None,
                "next": number + 1 if number < pages else None,
                "query": here.urlencode(),
            },
            "queues": [
                (code, label, figures["counts"][code])
                for code, label, _s in [(*MY_QUEUE, None), *QUEUES]
            ],
            "queue": queue,
            "query": query.urlencode(),
            "unit_options": options(figures["units"], request.GET.get("unit")),
            "category_options": options(figures["categories"], request.GET.get("category")),
            "sources": Source.choices,
            "open_points": figures["open_points"],
            "bulk_actions": bulk_actions,
            "export_states": [s.value for s in states] if states else [],
            "filters": request.GET,
        },
    )


def _categories() -> list[Any]:
    from gridgov.workorders.models import Category

    return list(
        Category.objects.filter(active=True).select_related("parent").order_by("sort_order")
    )


def _bulk(request: HttpRequest) -> HttpResponse:
    ids = inputs.parse_ids("ids", request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    if not ids or action not in ACTIONS:
        messages.error(request, _("请选择工单和操作"))
        return redirect(request.get_full_path())
    ok, failed = 0, []
    for pk in ids:
        try:
            perform(pk, action, request.user, note=request.POST.get("note", ""))
            ok += 1
        except WorkflowError as exc:
            failed.append(f"#{pk}: {exc}")
    messages.info(
        request,
        _("成功 %(ok)d 件") % {"ok": ok} + ("；" + "；".join(failed[:10]) if failed else ""),
    )
    return redirect(request.get_full_path())
