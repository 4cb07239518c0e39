"""The alarm desk's questions, as plain functions: which alarms an account may see, filtered by
unit, rule, state and station; counted by state and rule; sorted (open first, newest first);
grouped by station or rule; each with the work order it made; and acknowledged in bulk, all
or nothing.

An alarm's order is found through its event (`Event.alarm`, one-to-one) and the event's order
(`WorkOrder.event`). An order is shown only when the account may see it (`orders_for`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov import inputs
from gridgov.air.models import Alarm, AlarmRule, Station
from gridgov.core.actor import Account, recorded_user
from gridgov.core.scopes import under_paths
from gridgov.errors import NOT_FOUND, DomainError
from gridgov.people import scope
from gridgov.territory import ladder
from gridgov.territory.models import Region

# States an alarm can be in, in the order the desk lists them.
OPEN, ACKNOWLEDGED, ENDED = "open", "acknowledged", "ended"
STATE_LABELS = {OPEN: _("未确认"), ACKNOWLEDGED: _("已确认"), ENDED: _("已结束")}
# The state filter: one state, the live ones (default) or all.
LIVE, ALL = "live", "all"
STATE_FILTERS = (LIVE, OPEN, ACKNOWLEDGED, ENDED, ALL)
STATE_Q = {
    OPEN: Q(ended_at__isnull=True, acknowledged_at__isnull=True),
    ACKNOWLEDGED: Q(ended_at__isnull=True, acknowledged_at__isnull=False),
    ENDED: Q(ended_at__isnull=False),
    LIVE: Q(ended_at__isnull=True),
    ALL: Q(),
}
GROUPINGS = ("station", "rule", "none")
BULK_LIMIT = 500  # ids in one bulk acknowledgement


class AlarmsNotVisible(DomainError):
    """Some of the alarms asked for do not exist or are outside the account's scope."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(NOT_FOUND, f"no alarm {', '.join(map(str, ids))}", "ids")
        self.ids = ids


def stations_for(user: Account) -> QuerySet[Station]:
    """Active stations in the account's scope, and reference stations outside every grid."""
    qs = Station.objects.filter(active=True).select_related("grid")
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(Q(grid__isnull=True) | under_paths(paths, "grid__path"))


def alarms_for(user: Account) -> QuerySet[Alarm]:
    return Alarm.objects.filter(station__in=stations_for(user)).select_related(
        "station", "grid", "rule", "acknowledged_by"
    )


def filter_units(user: Account) -> QuerySet[Region]:
    """The units below the root (districts in a city, streets, communities) the account may
    filter by."""
    return scope.regions_for(
        user, Region.objects.active().filter(level__in=ladder.units_below_root())
    ).order_by("path")


def state_of(alarm: Alarm) -> str:
    if alarm.ended_at is not None:
        return ENDED
    return ACKNOWLEDGED if alarm.acknowledged_at is not None else OPEN


@dataclass
class AlarmFilter:
    unit: Region | None = None
    rule: AlarmRule | None = None
    state: str = LIVE
    station: Station | None = None


def filtered(qs: QuerySet[Alarm], f: AlarmFilter) -> QuerySet[Alarm]:
    if f.unit is not None:
        qs = qs.filter(station__grid__path__startswith=f.unit.path)
    if f.rule is not None:
        qs = qs.filter(rule=f.rule)
    if f.station is not None:
        qs = qs.filter(station=f.station)
    return qs.filter(STATE_Q[f.state])


def counts(qs: QuerySet[Alarm]) -> dict[str, Any]:
    """How many alarms by state, and by rule (with each rule's open ones), for the filters
    other than state (so the state counts still add up)."""
    by_state = qs.aggregate(
        **{k: Count("pk", filter=STATE_Q[k]) for k in (OPEN, ACKNOWLEDGED, ENDED)}
    )
    by_rule = list(
        qs.values("rule_id", "rule__name")
        .annotate(total=Count("pk"), open=Count("pk", filter=STATE_Q[OPEN]))
        .order_by("-total", "rule__name")
    )
    return {"state": by_state, "rule": by_rule, "total": sum(by_state.values())}


def ordered(qs: QuerySet[Alarm], group: str = "none") -> QuerySet[Alarm]:
    """Open first, then acknowledged, then ended; newest first within each. Grouped lists sort
    by the group first so that a page holds whole runs of a group."""
    rank = Case(
        When(STATE_Q[OPEN], then=Value(0)),
        When(STATE_Q[ACKNOWLEDGED], then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    keys = {"station": ["station__code"], "rule": ["rule__name", "rule_id"]}.get(group, [])
    return qs.annotate(state_rank=rank).order_by(*keys, "state_rank", "-started_at", "-pk")


@dataclass
class OrderRef:
    id: int
    reference: str
    state: str
    state_label: str
    visible: bool  # the account may open it; otherwise only its existence is told


# Who finds the work order each alarm made: the work orders, above air, register it in their
# AppConfig.ready() (air never imports them). Without one, no alarm made an order.
OrderFinder = Callable[[Any, list[Alarm]], dict[int, OrderRef]]
_order_finders: list[OrderFinder] = []


def register_order_finder(finder: OrderFinder) -> None:
    if finder not in _order_finders:
        _order_finders.append(finder)


def orders_of(user: Account, alarms: list[Alarm]) -> dict[int, OrderRef | None]:
    """The work order each alarm made (None: it made none)."""
    found: dict[int, OrderRef | None] = {a.pk: None for a in alarms}
    for finder in _order_finders:
        found.update(finder(user, alarms))
    return found


@dataclass
class Group:
    key: str
    label: str
    station: Station | None
    alarms: list[Alarm] = field(default_factory=list)


def grouped(alarms: list[Alarm], by: str) -> list[Group]:
    """Consecutive alarms of one station or rule (the list is sorted by it) as groups."""
    groups: list[Group] = []
    for a in alarms:
        if by == "station":
            key, label, station = a.station.code, f"{a.station.name}（{a.station.code}）", a.station
        elif by == "rule":
            key, label, station = str(a.rule_id), a.rule.name, None
        else:
            key, label, station = "", "", None
        if not groups or groups[-1].key != key:
            groups.append(Group(key, label, station))
        groups[-1].alarms.append(a)
    return groups


@transaction.atomic
def acknowledge_many(user: Account, ids: list[int], note: str = "") -> tuple[list[Alarm], int]:
    """Acknowledge every alarm named, with one note, or none of them: an id unknown or outside
    the account's scope refuses the whole request before anything is written (not_found), and so
    does an account that may see alarms but not act on them (forbidden). Alarms already
    acknowledged keep their first acknowledgement. Returns the alarms and how many changed."""
    note = inputs.check_text("note", note, 200)
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise inputs.InputError("ids", "select at least one alarm")
    if len(wanted) > BULK_LIMIT:
        raise inputs.InputError("ids", f"at most {BULK_LIMIT} alarms at a time")
    visible = alarms_for(user).filter(pk__in=wanted).values_list("pk", flat=True)
    missing = sorted(set(wanted) - set(visible))
    if missing:
        raise AlarmsNotVisible(missing)
    from gridgov.air.alarms import may_acknowledge

    if not may_acknowledge(user):
        raise DomainError.forbidden(str(_("无权确认报警")))
    locked = list(Alarm.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    now = timezone.now()
    changed = [a for a in locked if a.acknowledged_at is None]
    for a in changed:
        a.acknowledged_at, a.acknowledged_by, a.note = now, recorded_user(user), note
    Alarm.objects.bulk_update(changed, ["acknowledged_at", "acknowledged_by", "note"])
    return locked, len(changed)
