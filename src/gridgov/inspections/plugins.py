"""What the inspections plug into the apps below them (AppConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.inspections.models import Inspection, Rectification
from gridgov.sources import sections
from gridgov.sources.models import PollutionSource


def inspections_section(source: PollutionSource, user: Account) -> dict[str, Any] | None:
    """检查与整改: the source's latest inspections and its rectifications."""
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
            **source_figures(source),
        },
    }


def source_figures(source: PollutionSource) -> dict[str, int]:
    """How many times the source was inspected, and its rectifications still open."""
    return {
        "inspection_count": Inspection.objects.filter(source=source).count(),
        "open_count": Rectification.objects.filter(
            source=source, state=Rectification.State.OPEN
        ).count(),
    }


def source_detail_figures(source: PollutionSource) -> dict[str, int]:
    """The same figures under the API's names."""
    figures = source_figures(source)
    return {
        "inspections": figures["inspection_count"],
        "open_rectifications": figures["open_count"],
    }


def register() -> None:
    # Importing racing_metrics registers the horse race's metrics of this app.
    from gridgov.inspections import bulletin, effect, monitoring, overview_panels, racing_metrics  # noqa: F401
    from gridgov.sources import monitor_rules

    overview_panels.register()
    sections.register(inspections_section, order=10)
    sections.register_figures(source_detail_figures)
    bulletin.register()
    monitor_rules.register_opener(monitoring.open_order)
    effect.register()  # rectification orders' 治理成效 (workorders.effect's hook)
