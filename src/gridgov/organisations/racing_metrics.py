"""The horse race's metrics of the new-sector organisations, registered in
gridgov.racing.metrics when this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import EVERYONE, Reading, Values, level_of, register
from gridgov.territory import ladder
from gridgov.territory.levels import key
from gridgov.territory.models import Level, Region

ORGANISATIONS = "organisations"


def _org_rows(units: list[Region], end: dt.date) -> dict[int, Any]:
    """The coverage rows (as of the period's last day) of units of one level (districts,
    streets or communities)."""
    from gridgov.organisations.services import coverage

    if not units:
        return {}
    level = Level(level_of(units))
    if level not in ladder.units():
        return {}
    by = key(level)
    return {r.unit.pk: r for r in coverage(EVERYONE, end, by=by, units=units).rows if r.unit}


@register(
    "org_coverage_rate", _("两新组织组织覆盖率"), unit="%", higher_is_better=True,
    sample=ORGANISATIONS,
)  # fmt: skip
def org_coverage_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Organisations with a party organisation ÷ organisations, as of the period's end."""
    rows = _org_rows(units, end)
    return {
        u.pk: Reading(rows[u.pk].org_rate, rows[u.pk].total) if u.pk in rows else Reading(None, 0)
        for u in units
    }


@register(
    "work_coverage_rate", _("两新组织工作覆盖率"), unit="%", higher_is_better=True,
    sample=ORGANISATIONS,
)  # fmt: skip
def work_coverage_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Organisations with an instructor and a visit within the last months ÷ organisations,
    as of the period's end."""
    rows = _org_rows(units, end)
    return {
        u.pk: Reading(rows[u.pk].work_rate, rows[u.pk].total) if u.pk in rows else Reading(None, 0)
        for u in units
    }
