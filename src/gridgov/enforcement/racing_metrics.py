"""The horse race's metrics of enforcement, registered in gridgov.racing.metrics when
this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import EVERYONE, Reading, Values, register
from gridgov.territory.models import Region


@register("cases_closed", _("执法案件结案数"), unit="", higher_is_better=True)
def cases_closed(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Cases filed in the period and closed (as enforcement.services.statistics counts them),
    by the unit whose subtree holds the case's grid."""
    from gridgov.enforcement.services import cases_for
    from gridgov.enforcement.steps import Step

    paths = list(
        cases_for(EVERYONE)
        .filter(filed_at__date__gte=start, filed_at__date__lte=end, step=Step.CLOSED)
        .values_list("region_path", flat=True)
    )
    return {u.pk: Reading(float(sum(1 for p in paths if p.startswith(u.path)))) for u in units}
