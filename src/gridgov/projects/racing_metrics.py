"""The horse race's metrics of the projects, registered in gridgov.racing.metrics when
this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import EVERYONE, Reading, Values, register
from gridgov.territory.models import Region

MILESTONES, PROJECTS = "milestones", "projects"


def _project_figures(units: list[Region], start: dt.date, end: dt.date) -> dict[int, Any]:
    from gridgov.projects.services import unit_figures

    return unit_figures(EVERYONE, units, start, end)


@register(
    "project_milestone_on_time_rate",
    _("项目节点按时完成率"),
    unit="%",
    higher_is_better=True,
    sample=MILESTONES,
)
def project_milestone_on_time_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Milestones planned in the period and due (past their date, or done) that were done by
    their planned date, of the projects owned or located in the unit; the sample is those
    milestones."""
    figures = _project_figures(units, start, end)
    return {u.pk: Reading(figures[u.pk].on_time_rate, figures[u.pk].milestones_due) for u in units}


@register(
    "project_spend_rate", _("项目资金支出进度"), unit="%", higher_is_better=True, sample=PROJECTS
)
def project_spend_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Spent by the period's end ÷ granted, of the unit's projects past 申报 and not terminated;
    the sample is those projects."""
    figures = _project_figures(units, start, end)
    return {u.pk: Reading(figures[u.pk].spend_rate, figures[u.pk].funded) for u in units}
