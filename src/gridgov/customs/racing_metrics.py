"""The horse race's metrics of the customs, registered in gridgov.racing.metrics when
this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import Reading, Values, register
from gridgov.territory.models import Region

CEREMONIES = "ceremonies"


@register(
    "custom_compliance_rate", _("红白事合规率"), unit="%", higher_is_better=True, sample=CEREMONIES
)
def custom_compliance_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Registrations of weddings and funerals held in the period within the village's limits ÷
    all registrations (the customs statistics' 1 − 超标率); the sample is the registrations."""
    from gridgov.customs.services import compliance

    rows = compliance(units, start, end)
    return {u.pk: Reading(rows[u.pk].compliance_rate, rows[u.pk].total) for u in units}
