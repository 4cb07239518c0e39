"""The metrics a scorecard's indicators may use: one registry, one plain function each.

A metric is `fn(units, start, end) -> {region id: Reading(value, sample)}` over regions of one
level and an inclusive period of China-time dates. `value` is None when the unit has no value
(no station, no order); `sample` is what the card's thin-sample rule compares (valid days,
orders received, sources registered), None when no rule applies (counts). Every metric reads
the same domain functions as the pages. They read as the command office does (every unit of
the level): a unit's score depends on the whole field, whoever looks at it; the results are
scoped to the viewer afterwards (services.compute).

The air metrics are the horse race's own (its periods are the air's). Every other app
registers its metrics itself, in its module `racing_metrics`, imported by its
`AppConfig.ready()`: the horse race never imports them. Adding a metric is one decorated
function::

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

from gridgov.territory.models import Region

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


def level_of(units: list[Region]) -> int:
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
