"""Work orders for what the sources' own monitors find (`sources.monitor_rules`): each new
finding opens one order to the source's responsible person, due in one hour (扬尘超标 must be
answered within the hour; the same for fume and power violations), filed under the front's
category. Registered as the sources' finding opener in `plugins.register()`."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext as _

from gridgov.core.workcal import CST
from gridgov.inspections.services import responsible_post
from gridgov.sources.monitor_models import MonitorFinding
from gridgov.workorders import routing
from gridgov.workorders.models import Category, Source
from gridgov.workorders.services import EventInput, create_event

log = logging.getLogger(__name__)

ANSWER_WITHIN = dt.timedelta(hours=1)
Rule = MonitorFinding.Rule
# The work-order category of each rule (seeded by the work orders' migration 0002).
CATEGORY_OF_RULE = {
    Rule.DUST: "construction_dust",
    Rule.NOISE: "construction_dust",
    Rule.FUME: "restaurant_fumes",
    Rule.PURIFIER_OFF: "restaurant_fumes",
    Rule.TREATMENT_OFF: "industrial_emission",
    Rule.WARNING_STOP: "industrial_emission",
    Rule.WARNING_LIMIT: "industrial_emission",
}


def open_order(finding: MonitorFinding, now: dt.datetime) -> int | None:
    """The order for a new finding (its id), or None when its category is switched off."""
    source = finding.source
    code = CATEGORY_OF_RULE[Rule(finding.rule)]
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        log.warning("no active category %s: finding %s opens no order", code, finding.pk)
        return None
    post = responsible_post(source, now.astimezone(CST).date())
    assignment = routing.Assignment(post.person, post, post.region) if post else None
    hour = finding.hour.astimezone(CST)
    description = _("%(name)s（%(code)s）%(hour)s 监控发现：%(detail)s") % {
        "name": source.name,
        "code": source.code,
        "hour": f"{hour:%Y-%m-%d %H}:00",
        "detail": finding.detail,
    }
    if finding.limit is not None and finding.rule in (Rule.DUST, Rule.NOISE, Rule.FUME):
        description += _("（限值 %(limit)g）") % {"limit": finding.limit}
    order = create_event(
        EventInput(
            source=Source.MONITOR,
            category=category,
            title=(f"{finding.get_rule_display()}：{source.name}")[:120],
            description=description[:4000],
            lat=source.lat,
            lon=source.lon,
            address=source.address[:200],
            region=source.grid,
            submission_key=f"monitor-finding:{finding.pk}",
            assignee=assignment,
            handle_by=now + ANSWER_WITHIN,
        ),
        now=now,
    )
    return order.pk
