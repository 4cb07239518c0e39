"""The source page's section and the API's rows for the source's own monitors."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.sources.models import PollutionSource
from gridgov.sources.monitor_models import MonitorFinding, SourceMonitor
from gridgov.sources.monitor_rules import thresholds

FINDINGS_SHOWN = 20
# The thresholds each kind uses (the others are not shown).
USED = {
    "dust": ("pm10_limit", "tsp_limit", "noise_limit"),
    "fume": ("fume_limit",),
    "power": ("running_current",),
}


def monitor_rows(source: PollutionSource) -> list[dict[str, Any]]:
    """The source's monitors with their effective thresholds (own, category's or default)."""
    out = []
    for m in SourceMonitor.objects.filter(source=source).select_related("source"):
        limits = thresholds(m)
        out.append(
            {
                "id": m.pk,
                "kind": m.kind,
                "kind_name": str(m.get_kind_display()),
                "mn": m.mn,
                "name": m.name,
                "active": m.active,
                "thresholds": {k: limits[k] for k in USED[m.kind]},
                "production_codes": [str(c) for c in m.production_codes],
                "treatment_codes": [str(c) for c in m.treatment_codes],
                "limit_lines": m.limit_lines,
            }
        )
    return out


def finding_rows(source: PollutionSource, limit: int = FINDINGS_SHOWN) -> list[dict[str, Any]]:
    found = MonitorFinding.objects.filter(source=source).select_related("monitor")[:limit]
    return [
        {
            "rule": f.rule,
            "rule_name": str(f.get_rule_display()),
            "mn": f.monitor.mn,
            "hour": f.hour,
            "value": f.value,
            "limit": f.limit,
            "detail": f.detail,
            "warning_id": f.warning_id,
            "order_id": f.order_id,
        }
        for f in found
    ]


def monitors_section(source: PollutionSource, user: Account) -> dict[str, Any] | None:
    """自有监控: the source's dust, fume or power monitors and what they found."""
    monitors = monitor_rows(source)
    if not monitors:
        return None
    return {
        "title": _("自有监控设备"),
        "template": "sources/sections/monitors.html",
        "context": {"monitors": monitors, "findings": finding_rows(source)},
    }
