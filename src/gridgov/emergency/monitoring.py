"""The sources' own monitors and a warning: what the power monitors of the sources a warning
reaches tell the sources app (a restriction: stop or limit), and the violations they found
while it lasted (producing during a stop, or beyond a limit), for the compliance record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridgov.emergency.models import AffectedSource, Warning
from gridgov.sources.models import PollutionSource
from gridgov.sources.monitor_models import MonitorFinding
from gridgov.sources.monitor_rules import Restriction

WARNING_RULES = (MonitorFinding.Rule.WARNING_STOP, MonitorFinding.Rule.WARNING_LIMIT)


def restrictions_at(source: PollutionSource, at: dt.datetime) -> list[Restriction]:
    """The warning in force at `at`, as the source's restriction when it reached the source:
    stop when the source must suspend, limit when its measures only limit it."""
    from gridgov.emergency.services import in_force

    warning = in_force(at)
    if warning is None:
        return []
    row = (
        AffectedSource.objects.filter(warning=warning, source=source)
        .prefetch_related("measures")
        .first()
    )
    if row is None:
        return []
    text = "；".join(m.text for m in row.measures.all())
    return [Restriction(warning.pk, row.suspend, text[:200])]


@dataclass
class MonitoredRow:
    """一条自动监控违规: a source producing against the warning's measure in one hour."""

    code: str
    name: str
    category: str
    street: str
    community: str
    hour: dt.datetime
    rule: str
    rule_name: str
    detail: str
    order_id: int | None


def monitored_violations(
    warning: Warning, rows: list[AffectedSource], end: dt.datetime
) -> list[MonitoredRow]:
    """The warning's monitor violations (up to `end`) of the rows' sources (the caller's scope)."""
    by_source = {r.source_id: r for r in rows}
    found = MonitorFinding.objects.filter(
        warning_id=warning.pk,
        rule__in=WARNING_RULES,
        source_id__in=list(by_source),
        hour__gte=warning.starts_at,
        hour__lt=end,
    ).order_by("hour", "source_id")
    out = []
    for f in found:
        r = by_source[f.source_id]
        out.append(
            MonitoredRow(
                r.source.code,
                r.source.name,
                r.category,
                r.street.name,
                r.community.name,
                f.hour,
                f.rule,
                str(f.get_rule_display()),
                f.detail,
                f.order_id,
            )
        )
    return out
