"""The air's panel of the overview: the alarms open in the account's scope (registered in
gridgov.web.panels when the app is ready)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from gridgov.air.models import Alarm
from gridgov.core.actor import Account
from gridgov.core.scopes import under_paths
from gridgov.people import scope
from gridgov.web import panels
from gridgov.web.panels import link

NEWEST_ALARMS = 5


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass
class RuleCount:
    rule_id: int
    rule: str
    count: int
    url: str


@dataclass
class AlarmItem:
    id: int
    station: str
    station_name: str
    rule: str
    pollutant: str
    value: float | None
    started_at: dt.datetime
    url: str


@dataclass
class Alarms:
    open: int
    unacknowledged: int
    by_rule: list[RuleCount]
    newest: list[AlarmItem]
    url: str


def visible_alarms(user: Account) -> Any:
    """Alarms of the stations in the scope and of reference stations outside every grid."""
    paths = scope.scope_paths(user)
    q = (
        Q()
        if paths is scope.ALL
        else Q(station__grid__isnull=True) | under_paths(paths, "station__grid__path")
    )
    return Alarm.objects.filter(q, station__active=True)


def alarms(user: Account) -> Alarms:
    live = visible_alarms(user).filter(ended_at__isnull=True)
    by_rule = [
        RuleCount(
            r["rule_id"],
            r["rule__name"],
            r["n"],
            link("air:alarms", rule=r["rule_id"]),
        )
        for r in live.values("rule_id", "rule__name")
        .annotate(n=Count("id"))
        .order_by("-n", "rule__name")
    ]
    newest = [
        AlarmItem(
            id=a.pk,
            station=a.station.code,
            station_name=a.station.name,
            rule=a.rule.name,
            pollutant=a.pollutant,
            value=_finite(a.value),
            started_at=a.started_at,
            url=link("air:station", a.station.code),
        )
        for a in live.select_related("station", "rule").order_by("-started_at")[:NEWEST_ALARMS]
    ]
    return Alarms(
        open=sum(r.count for r in by_rule),
        unacknowledged=live.filter(acknowledged_at__isnull=True).count(),
        by_rule=by_rule,
        newest=newest,
        url=link("air:alarms"),
    )


def register() -> None:
    panels.register("alarms", lambda v: alarms(v.user))
