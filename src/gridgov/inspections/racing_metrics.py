"""The horse race's metrics of the inspections, registered in gridgov.racing.metrics when
this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import EVERYONE, SOURCES, Reading, Values, level_of, register
from gridgov.territory.models import Region


def _inspection_rows(units: list[Region], start: dt.date, end: dt.date) -> dict[str, Any]:
    from gridgov.inspections.plans import statistics

    if not units:
        return {}
    rows = statistics(EVERYONE, start, end, level=level_of(units))
    return {r.unit_code: r for r in rows if r.unit_code and r.category == ""}


@register("inspection_coverage", _("巡查覆盖率"), unit="%", higher_is_better=True, sample=SOURCES)
def inspection_coverage(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Active sources inspected at least once in the period ÷ active sources under a plan (the
    inspection page's 覆盖率); the sample is the sources."""
    rows = _inspection_rows(units, start, end)
    out: Values = {}
    for u in units:
        r = rows.get(u.code)
        out[u.pk] = Reading(r.coverage if r and r.sources else None, r.sources if r else 0)
    return out


@register("rectifications_closed", _("整改销号数"), unit="", higher_is_better=True)
def rectifications_closed(units: list[Region], start: dt.date, end: dt.date) -> Values:
    rows = _inspection_rows(units, start, end)
    return {u.pk: Reading(float(rows[u.code].rect_closed if u.code in rows else 0)) for u in units}
