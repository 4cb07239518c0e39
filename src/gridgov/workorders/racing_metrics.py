"""The horse race's metrics of the work orders, registered in gridgov.racing.metrics when
this app is ready (AppConfig.ready imports this module)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from gridgov.racing.metrics import EVERYONE, ORDERS, Reading, Values, level_of, register
from gridgov.territory.levels import key
from gridgov.territory.models import Region


@register("order_on_time_rate", _("工单按时办结率"), unit="%", higher_is_better=True, sample=ORDERS)
def order_on_time_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """Orders handled on time ÷ orders handled, of the orders received in the period (the
    statistics page's 按时处置率); the sample is the orders received."""
    from gridgov.workorders.stats import order_stats

    if not units:
        return {}
    by = key(level_of(units))  # district, street or community: order_stats groups by any
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


def _order_rates(
    units: list[Region], start: dt.date, end: dt.date, rate: str, sample: str
) -> Values:
    """One rate of the statistics page per unit (in %), its sample one of the row's counts."""
    from gridgov.workorders.stats import order_stats

    if not units:
        return {}
    stats = order_stats(EVERYONE, start, end, by=key(level_of(units)), min_orders=0)
    rows = {s["key"]: s for s in [*stats["ranked"], *stats["apart"]]}
    out: Values = {}
    for u in units:
        s = rows.get(u.code)
        value = None if s is None or s[rate] is None else round(100 * s[rate], 1)
        out[u.pk] = Reading(value, 0 if s is None else s[sample])
    return out


@register("order_reopen_rate", _("结案未解决率"), unit="%", higher_is_better=False, sample=ORDERS)
def order_reopen_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """结案未解决/重新打开: of the public orders (citizen, 12345; public categories: the only
    ones a reporter can re-open) received in the period that were ever closed, the share their
    reporter re-opened as not fixed (workorders/verdict.py). Lower is better; the sample is
    those public orders ever closed — a unit with none has no value."""
    return _order_rates(units, start, end, "reopen_rate", "public_closed")


@register(
    "order_satisfaction_rate", _("群众满意率"), unit="%", higher_is_better=True, sample=ORDERS
)
def order_satisfaction_rate(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """群众满意率: (满意 + 基本满意) ÷ the reporters' ratings of the orders received in the
    period (one rating per closure). The sample is the ratings (the card's minimum of orders
    applies to them); a unit with none has no value."""
    return _order_rates(units, start, end, "satisfaction_rate", "rated")


@register("alarm_effect", _("治理实效"), unit="µg/m³", higher_is_better=False, sample=ORDERS)
def alarm_effect(units: list[Region], start: dt.date, end: dt.date) -> Values:
    """治理实效: the mean difference-in-differences (workorders/effect.py: the station against
    its neighbours, the hours before the problem against the hours after it was dealt with) of
    the unit's orders closed in the period (China dates) that carry one: air-alarm orders (24 h
    before the alarm vs 24 h after handling) and every registered hook's, today the inspections'
    rectification orders near a station (inspections/effect.py: 24 h before the failing
    inspection vs 24 h after the rectification). Lower is better. The sample is the orders with
    an estimate; a unit with none has no value."""
    from gridgov.workorders.effect import estimated_orders, order_effect
    from gridgov.workorders.models import WorkOrder
    from gridgov.workorders.states import State

    if not units:
        return {}
    orders = (
        WorkOrder.objects.filter(
            estimated_orders(),
            state=State.CLOSED,
            closed_at__date__gte=start,
            closed_at__date__lte=end,
        )
        .select_related("event")
        .order_by("pk")
    )
    by_path: dict[str, list[float]] = {u.path: [] for u in units}
    for o in orders:
        e = order_effect(o)
        if e is None or e.did is None:
            continue
        for path, values in by_path.items():
            if o.event.region_path.startswith(path):
                values.append(e.did)
    out: Values = {}
    for u in units:
        values = by_path[u.path]
        mean = round(sum(values) / len(values), 1) if values else None
        out[u.pk] = Reading(mean, len(values))
    return out
