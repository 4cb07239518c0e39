"""Sections of a source's page contributed by other apps (inspections, enforcement, orders…).

`register(fn)`: `fn(source, user)` returns `{"title", "template", "context"}` or None (nothing
to show); the source page renders each section's template with its context, in the order they
were registered. Register at import time of a module the app loads (e.g. in `AppConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from gridgov.sources.models import PollutionSource

Section = Callable[[PollutionSource, Any], dict[str, Any] | None]
_SECTIONS: list[Section] = []


def register(fn: Section) -> Section:
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)
    return fn


def sections_for(source: PollutionSource, user: Any) -> list[dict[str, Any]]:
    out = []
    for fn in _SECTIONS:
        section = fn(source, user)
        if section:
            out.append(section)
    return out


@register
def inspections_section(source: PollutionSource, user: Any) -> dict[str, Any] | None:
    """检查与整改: the source's latest inspections and its rectifications."""
    from gridgov.inspections.models import Inspection, Rectification

    inspections = list(
        Inspection.objects.filter(source=source)
        .select_related("inspector")
        .order_by("-at", "-id")[:20]
    )
    rectifications = list(
        Rectification.objects.filter(source=source)
        .select_related("order")
        .order_by("-created_at")[:20]
    )
    return {
        "title": _("检查与整改"),
        "template": "sources/sections/inspections.html",
        "context": {
            "inspections": inspections,
            "rectifications": rectifications,
            "inspection_count": Inspection.objects.filter(source=source).count(),
            "open_count": Rectification.objects.filter(
                source=source, state=Rectification.State.OPEN
            ).count(),
        },
    }


def _rendered(title: str, template: str, context: dict[str, Any]) -> dict[str, Any]:
    """A section whose template draws its own card and heading."""
    from django.template.loader import render_to_string

    return {"title": title, "html": render_to_string(template, context)}


@register
def orders_section(source: PollutionSource, user: Any) -> dict[str, Any] | None:
    """认定为责任源的工单: the work orders whose handling named this source."""
    from gridgov.workorders.sourcing import source_section

    return _rendered(
        _("认定为责任源的工单"), "workorders/_source_section.html", source_section(source, user)
    )


@register
def cases_section(source: PollutionSource, user: Any) -> dict[str, Any] | None:
    """执法案件: the source's enforcement cases the account may see."""
    from gridgov.enforcement.services import can_view, source_section

    if not can_view(user):
        return None  # grid posts have no access to cases: no empty card either
    context = {"section": source_section(source, user)}
    return _rendered(_("执法案件"), "enforcement/_source_section.html", context)
