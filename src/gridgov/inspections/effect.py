"""治理成效 of an inspection-driven rectification (整改): did the station by the source improve
against its neighbours once the rectification was done?

For a closed rectification of a source that lies within air.effect.RADIUS_KM (5 km, the radius
of the orders' neighbours) of an active ambient station: the nearest such station, its
neighbours (air.effect.neighbours_of: active ambient stations within 5 km of it, nearest 5) and
the difference-in-differences (air.effect.did) of

- before: the EFFECT_HOURS (24) hours before the inspection that found the failure (the source
  known to be failing, nothing yet done about it — as an alarm order's window ends when its
  alarm began), and
- after: the EFFECT_HOURS hours from when the rectification was done: its order's handling when
  the responsible person reported it (and not after the rectification's closing), else the
  passing re-inspection that closed it (整改完成时间); hours not yet past have no data.

The pollutant is the one the source's category raises most: PM10 for construction sites and
road sections (dust, 扬尘), PM2.5 for the others.

No estimate, with the reason: not yet closed; no station within the radius; the station has no
neighbour to compare with. A neighbour may lie near the source too; it then shares the change
and the estimate leans toward no change (conservative).

This app sits above workorders and air (pyproject's layers): it reads air.effect's functions and
offers its rectification orders to workorders through workorders.effect.register_effect, so the
order page, the effect API and the horse race's 治理实效 include them; neither imports this.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.air.effect import RADIUS_KM, Effect, did, nearest_station, neighbours_of
from gridgov.inspections.models import Rectification
from gridgov.workorders.effect import EFFECT_HOURS, EffectHook, OrderWindows, register_effect
from gridgov.workorders.models import WorkOrder

HOUR = 3600
DUST = frozenset({"construction_site", "road_section"})
KIND = "rectification"


@dataclass(frozen=True)
class RectificationEffect:
    """A rectification's estimate, or why there is none (`reason`, shown as 暂无估算)."""

    effect: Effect | None
    reason: str = ""
    station_id: int | None = None
    station_code: str = ""
    station_name: str = ""
    distance_km: float | None = None
    windows: OrderWindows | None = None
    neighbours: tuple[int, ...] = ()

    @property
    def before_from(self) -> dt.datetime | None:
        return _at(self.windows.before[0]) if self.windows else None

    @property
    def before_to(self) -> dt.datetime | None:
        return _at(self.windows.before[1]) if self.windows else None

    @property
    def after_from(self) -> dt.datetime | None:
        return _at(self.windows.after[0]) if self.windows else None

    @property
    def after_to(self) -> dt.datetime | None:
        return _at(self.windows.after[1]) if self.windows else None


def _at(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def pollutant_of(category: str) -> str:
    return "pm10" if category in DUST else "pm25"


def done_at(rect: Rectification) -> dt.datetime | None:
    """When the rectification was done: its order's handling if reported before the closing,
    else the closing itself; None while it is open."""
    if rect.state != Rectification.State.CLOSED or rect.closed_at is None:
        return None
    order = rect.order if rect.order_id else None
    handled = order.handled_at if order is not None else None
    return handled if handled is not None and handled <= rect.closed_at else rect.closed_at


def plan(rect: Rectification) -> RectificationEffect:
    """The station, neighbours and windows of a rectification, before any data is read; the
    reason when it cannot have an estimate."""
    done = done_at(rect)
    if done is None:
        return RectificationEffect(None, _("整改尚未完成"))
    source = rect.source
    near = nearest_station(source.lat, source.lon)
    if near is None:
        reason = _("污染源 %(km)g 公里内没有监测站点") % {"km": RADIUS_KM}
        return RectificationEffect(None, reason)
    station_id, code, name, km = near
    span = EFFECT_HOURS * HOUR
    found = int(rect.inspection.at.timestamp())
    t_done = int(done.timestamp())
    windows = OrderWindows(
        station_id, pollutant_of(source.category), (found - span, found), (t_done, t_done + span),
        KIND, source.category,
    )  # fmt: skip
    neighbours = tuple(neighbours_of(station_id))
    reason = "" if neighbours else _("站点 %(km)g 公里内没有可对照的站点") % {"km": RADIUS_KM}
    return RectificationEffect(None, reason, station_id, code, name, km, windows, neighbours)


def rectification_effect(rect: Rectification) -> RectificationEffect:
    """The rectification's difference-in-differences, or no estimate with the reason."""
    p = plan(rect)
    if p.reason or p.windows is None:
        return p
    w = p.windows
    effect = did(w.station_id, list(p.neighbours), w.before, w.after, w.pollutant)
    return dataclasses.replace(p, effect=effect)


def order_windows(order: WorkOrder) -> OrderWindows | None:
    """The workorders hook: a rectification order's windows when it has an estimate."""
    rect = (
        Rectification.objects.filter(order_id=order.pk)
        .select_related("source", "inspection", "order")
        .first()
    )
    if rect is None:
        return None
    p = plan(rect)
    return None if p.reason else p.windows


def register() -> None:
    register_effect(EffectHook(KIND, Q(rectification__isnull=False), order_windows))
