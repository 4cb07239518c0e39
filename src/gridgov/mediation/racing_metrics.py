"""The horse race's metrics of people's mediation, registered in gridgov.racing.metrics when
this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import EVERYONE, Reading, Values, register
from gridgov.territory.models import Region

CASES = "cases"


def _mediation_rows(units: list[Region], start: dt.date, end: dt.date) -> dict[int, Any]:
    from gridgov.mediation.services import statistics

    if not units:
        return {}
    rows = statistics(EVERYONE, start, end, units=units)
    return {r.unit.pk: r for r in rows if r.unit is not None}


@register("mediation_rate", _("矛盾纠纷化解率"), unit="%", higher_is_better=True, sample=CASES)
def mediation_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Cases with an agreement ÷ cases mediated (an outcome in the period), as the mediation
    statistics page counts them; the sample is the cases mediated."""
    rows = _mediation_rows(units, start, end)
    out: Values = {}
    for u in units:
        r = rows.get(u.pk)
        out[u.pk] = Reading(r.rate if r else None, r.mediated if r else 0)
    return out


@register(
    "followup_on_time_rate", _("调解回访按期率"), unit="%", higher_is_better=True, sample=CASES
)
def followup_on_time_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Follow-up visits done by their due date ÷ visits due in the period (by today); the
    sample is the visits due."""
    rows = _mediation_rows(units, start, end)
    out: Values = {}
    for u in units:
        r = rows.get(u.pk)
        out[u.pk] = Reading(r.followup_rate if r else None, r.followups_due if r else 0)
    return out
