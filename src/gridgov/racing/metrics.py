"""The metrics a scorecard's indicators may use: one registry, one plain function each.

A metric is `fn(units, start, end) -> {region id: Reading(value, sample)}` over regions of one
level and an inclusive period of China-time dates. `value` is None when the unit has no value
(no station, no order); `sample` is what the card's thin-sample rule compares (valid days,
orders received, sources registered), None when no rule applies (counts). Every metric reads
the same domain functions as the pages: the air assessment, the order statistics, the
inspection statistics, the enforcement cases. They read as the command office does (every
unit of the level): a unit's score depends on the whole field, whoever looks at it; the
results are scoped to the viewer afterwards (services.compute).

Adding a metric is one decorated function::

    @register("mediation_rate", _("调解成功率"), unit="%", higher_is_better=True, sample=CASES)
    def mediation_rate(units, start, end): ...
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.territory.models import Level, Region

DAYS, ORDERS, SOURCES = "days", "orders", "sources"


@dataclass(frozen=True)
class Reading:
    value: float | None
    sample: int | None = None


Values = dict[int, Reading]
MetricFn = Callable[[list[Region], dt.date, dt.date], Values]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    unit: str
    higher_is_better: bool
    sample: str | None  # DAYS, ORDERS, SOURCES, another kind, or None (no thin-sample rule)
    fn: MetricFn

    def __call__(self, units: list[Region], start: dt.date, end: dt.date) -> Values:
        return self.fn(units, start, end)


REGISTRY: dict[str, Metric] = {}


def register(
    key: str,
    label: str | Promise,
    *,
    unit: str = "",
    higher_is_better: bool,
    sample: str | None = None,
) -> Callable[[MetricFn], MetricFn]:
    def add(fn: MetricFn) -> MetricFn:
        if key in REGISTRY:
            raise ValueError(f"metric {key!r} is registered twice")
        REGISTRY[key] = Metric(key, label, unit, higher_is_better, sample, fn)
        return fn

    return add


def choices() -> list[tuple[str, str]]:
    """For the indicator's field (a callable, so a new metric needs no migration)."""
    return [(m.key, str(m.label)) for m in REGISTRY.values()]


class Everyone:
    """The reader the metrics use: it sees every unit, as the command office does. Not an
    account; it never leaves this module's calls into the domain functions."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = True
    pk = None
    id = None
    _gridgov_scope = None  # people.scope.ALL, so no post lookup is made

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True


EVERYONE = Everyone()


def _finite(x: float | None, digits: int = 2) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def _level_of(units: list[Region]) -> int:
    levels = {u.level for u in units}
    if len(levels) != 1:
        raise ValueError("the units of a metric are of one level")
    return levels.pop()


# --- air (air/assessment.py) -----------------------------------------------------------------


def _assessed(units: list[Region], start: dt.date, end: dt.date, yoy: bool) -> dict[int, Any]:
    from gridgov.air.assessment import assess, region_units

    if not units:
        return {}
    by_code = {u.code: u.pk for u in units}
    return {by_code[a.code]: a for a in assess(region_units(units), start, end, year_on_year=yoy)}


def _air(units: list[Region], start: dt.date, end: dt.date, get: Any, yoy: bool = False) -> Values:
    return {
        pk: Reading(_finite(get(a)), a.valid_days)
        for pk, a in _assessed(units, start, end, yoy).items()
    }


@register("pm25", _("PM2.5 平均浓度"), unit="µg/m³", higher_is_better=False, sample=DAYS)
def pm25(units: list[Region], start: dt.date, end: dt.date) -> Values:
    return _air(units, start, end, lambda a: a.pm25)


@register("pm25_yoy", _("PM2.5 同比变化"), unit="%", higher_is_better=False, sample=DAYS)
def pm25_yoy(units: list[Region], start: dt.date, end: dt.date) -> Values:
    return _air(units, start, end, lambda a: a.year_on_year.get("pm25"), yoy=True)


@register("good_day_ratio", _("优良天数比例"), unit="%", higher_is_better=True, sample=DAYS)
def good_day_ratio(units: list[Region], start: dt.date, end: dt.date) -> Values:
    return _air(units, start, end, lambda a: a.good_day_ratio)


@register(
    "comprehensive_index", _("综合指数"), unit="", higher_is_better=False, sample=DAYS
)  # fmt: skip
def comprehensive_index(units: list[Region], start: dt.date, end: dt.date) -> Values:
    return _air(units, start, end, lambda a: a.comprehensive_index)


# --- work orders (workorders/stats.py) -------------------------------------------------------


@register("order_on_time_rate", _("工单按时办结率"), unit="%", higher_is_better=True, sample=ORDERS)
def order_on_time_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Orders handled on time ÷ orders handled, of the orders received in the period (the
    statistics page's 按时处置率); the sample is the orders received."""
    from gridgov.workorders.stats import order_stats

    if not units:
        return {}
    by = {Level.STREET: "street", Level.COMMUNITY: "community"}[Level(_level_of(units))]
    stats = order_stats(EVERYONE, start, end, by=by, min_orders=0)
    rows = {s["key"]: s for s in [*stats["ranked"], *stats["apart"]]}
    out: Values = {}
    for u in units:
        s = rows.get(u.code)
        if s is None:
            out[u.pk] = Reading(None, 0)
            continue
        rate = s["on_time_handle_rate"]
        out[u.pk] = Reading(None if rate is None else round(100 * rate, 1), s["received"])
    return out


# --- inspections (inspections/plans.py) ------------------------------------------------------


def _inspection_rows(units: list[Region], start: dt.date, end: dt.date) -> dict[str, Any]:
    from gridgov.inspections.plans import statistics

    if not units:
        return {}
    rows = statistics(EVERYONE, start, end, level=_level_of(units))
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


# --- enforcement (enforcement/services.py) ---------------------------------------------------


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


# --- people's mediation (mediation/services.py) ----------------------------------------------

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


# --- new-sector organisations (organisations/services.py) ------------------------------------

ORGANISATIONS = "organisations"


def _org_rows(units: list[Region], end: dt.date) -> dict[int, Any]:
    """The coverage rows (as of the period's last day) of streets or communities."""
    from gridgov.organisations.services import coverage

    if not units:
        return {}
    level = Level(_level_of(units))
    if level not in (Level.STREET, Level.COMMUNITY):
        return {}
    by = "street" if level == Level.STREET else "community"
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


# --- projects (projects/services.py) ---------------------------------------------------------

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


# --- customs (customs/services.py) -----------------------------------------------------------

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
