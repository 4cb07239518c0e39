"""巡查计划与统计: which sources are due or overdue for inspection, and the figures per unit
(street or community) and category over a period.

The interval in force for a source is its category's plan; while a heavy-pollution warning is
in force (the emergency app registers it: `register_tightening`), the plan's emergency
interval, or the smallest `Measure.inspection_interval_days` of the category's measures at or
below the warning's level (an enterprise measure only for its performance grades) when that is
smaller. The tighter
interval counts from the warning's first day at the earliest, never backwards.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Count, Max, Q
from django.utils import timezone

from gridgov.air.effect import Z95
from gridgov.core.actor import Reader
from gridgov.core.scopes import under_paths
from gridgov.core.workcal import CST
from gridgov.inspections.effect import rectification_effect
from gridgov.inspections.models import Inspection, InspectionPlan, Rectification
from gridgov.inspections.services import is_on_time
from gridgov.people import scope
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import sources_for
from gridgov.territory.models import Level, Region


@dataclass(frozen=True)
class Due:
    source: PollutionSource
    last: dt.date | None  # the day of the last inspection, None if never
    interval: int  # days, as in force
    next_due: dt.date
    on: dt.date  # the day asked about
    emergency: bool  # the interval is the emergency one

    @property
    def overdue_days(self) -> int:
        return max(0, (self.on - self.next_due).days)

    @property
    def days_left(self) -> int:
        return max(0, (self.next_due - self.on).days)

    @property
    def status(self) -> str:
        """overdue (超期), due (今日到期) or ok (未到期)."""
        if self.on > self.next_due:
            return "overdue"
        return "due" if self.on == self.next_due else "ok"


def today() -> dt.date:
    return timezone.localdate()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of a day, China Standard Time."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=CST)


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CST).date()


class IntervalRule(Protocol):
    """A measure of a stricter period: its interval, for the grades it names (none: all)."""

    grades: Any
    inspection_interval_days: int


@dataclass(frozen=True)
class Tightening:
    """A stricter period in force (a heavy-pollution warning): since when, and its measures'
    inspection intervals by source category."""

    starts_at: dt.datetime
    rules: dict[str, list[IntervalRule]]


# Who says which stricter period is in force at a moment: the emergency app, above the
# inspections, registers itself in its AppConfig.ready() (the inspections never import it).
TighteningSource = Callable[[dt.datetime], Tightening | None]
_tightenings: list[TighteningSource] = []


def register_tightening(source: TighteningSource) -> None:
    if source not in _tightenings:
        _tightenings.append(source)


def tightening_at(at: dt.datetime) -> Tightening | None:
    for source in _tightenings:
        found = source(at)
        if found is not None:
            return found
    return None


def interval_for(
    source: PollutionSource,
    plan: InspectionPlan | None,
    warning: Tightening | None,
) -> tuple[int | None, bool]:
    """(days between inspections in force, whether it is the emergency interval)."""
    normal = plan.interval_days if plan is not None and plan.active else None
    if warning is None:
        return normal, False
    candidates = []
    if plan is not None and plan.active:
        candidates.append(plan.emergency_interval_days)
    grade = str(source.attributes.get("grade", "")) if source.attributes else ""
    for m in warning.rules.get(source.category, []):
        if m.grades and grade not in m.grades:
            continue
        candidates.append(m.inspection_interval_days)
    candidates = [max(1, c) for c in candidates]
    if not candidates:
        return normal, False
    tight = min(candidates)
    if normal is not None and normal <= tight:
        return normal, False
    return tight, True


def due_sources(
    user: Reader | None,
    on: dt.date | None = None,
    *,
    at: dt.datetime | None = None,
    qs: Any = None,
) -> list[Due]:
    """Every active source in the account's scope with a plan: its last inspection, the interval
    in force, the next due day and how many days overdue — most overdue first. `on` is the day
    asked about (today by default); `at` the moment the warning in force is read (now, or the
    end of `on`)."""
    today = timezone.localdate()
    on = on or today
    if at is None:
        at = timezone.now() if on == today else dt.datetime.combine(on, dt.time(12), tzinfo=CST)
    warning = tightening_at(at)
    plans = {p.category: p for p in InspectionPlan.objects.all()}
    base = sources_for(user) if qs is None else qs
    sources = list(
        base.filter(status=Status.ACTIVE)
        .select_related("grid")
        .defer("grid__geometry", "geometry")
        .order_by("code")
    )
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(0), tzinfo=CST)
    last = dict(
        Inspection.objects.filter(source__in=[s.pk for s in sources], at__lt=end)
        .values("source")
        .annotate(last=Max("at"))
        .values_list("source", "last")
    )
    warning_day = _local_day(warning.starts_at) if warning is not None else None
    out = []
    for s in sources:
        interval, emergency = interval_for(s, plans.get(s.category), warning)
        if interval is None:
            continue
        seen = last.get(s.pk)
        last_day = _local_day(seen) if seen is not None else None
        start = last_day or _local_day(s.created_at)
        next_due = start + dt.timedelta(days=interval)
        if emergency and warning_day is not None:
            normal = plans.get(s.category)
            usual = (
                start + dt.timedelta(days=normal.interval_days)
                if normal is not None and normal.active
                else next_due
            )
            # The tighter interval counts from the warning's first day at the earliest.
            next_due = min(usual, max(next_due, warning_day))
        out.append(Due(s, last_day, interval, next_due, on, emergency))
    out.sort(key=lambda d: (-d.overdue_days, d.next_due, d.source.code))
    return out


# -------------------------------------------------------------------------- statistics --


@dataclass
class StatRow:
    unit_code: str
    unit_name: str
    category: str  # "" for the unit's total
    sources: int = 0
    inspected: int = 0  # sources inspected at least once in the period
    inspections: int = 0
    failed: int = 0
    far: int = 0
    rect_opened: int = 0
    rect_closed: int = 0
    rect_on_time: int = 0
    overdue_now: int = 0
    # 治理成效 of the rectifications closed in the period that have an estimate (effects=True):
    # how many, the sum of their DiD and the sum of their variances (SE²).
    effect_n: int = 0
    effect_sum: float = 0.0
    effect_var: float = 0.0
    _seen: set[int] = field(default_factory=set, repr=False)

    @property
    def effect_mean(self) -> float | None:
        """The mean DiD of the estimated rectifications (µg/m³; < 0: better than neighbours)."""
        return self.effect_sum / self.effect_n if self.effect_n else None

    @property
    def effect_half_width(self) -> float | None:
        """The 95 % half-width of that mean, the estimates taken as independent."""
        if not self.effect_n:
            return None
        return Z95 * math.sqrt(self.effect_var) / self.effect_n

    @property
    def coverage(self) -> float:
        """Share of the sources inspected at least once, in percent (one decimal)."""
        return round(100 * self.inspected / self.sources, 1) if self.sources else 0.0

    @property
    def category_label(self) -> str:
        return str(categories.LABELS.get(self.category, "")) if self.category else ""


def _units(user: Reader | None, level: int) -> dict[str, Region]:
    """The units of the level the account may see, by path; an account whose scope lies below
    that level gets the units above its scope that it sees into (its own street, say) instead."""
    qs = Region.objects.active().filter(level=level).defer("geometry")
    paths = scope.scope_paths(user)
    if paths is not scope.ALL:
        above = [int(x) for p in paths for x in p.strip("/").split("/") if x]
        qs = qs.filter(under_paths(paths, "path") | Q(pk__in=above))
    return {r.path: r for r in qs}


def _unit_of(path: str, units: dict[str, Region]) -> Region | None:
    parts = [x for x in path.strip("/").split("/") if x]
    for i in range(len(parts), 0, -1):
        found = units.get("/" + "/".join(parts[:i]) + "/")
        if found is not None:
            return found
    return None


def statistics(
    user: Reader | None,
    start: dt.date,
    end: dt.date,
    level: int = Level.STREET,
    effects: bool = False,
) -> list[StatRow]:
    """Per unit (street or community) and category, over [start, end]: sources (active, in the
    account's scope), inspected at least once, coverage, inspections, failed, far-flagged,
    rectifications opened / closed / closed on time, and sources overdue now. Each unit's
    total row (category "") comes first; the district's total is the last row. `effects`:
    also the 治理成效 of the rectifications closed in the period (inspections/effect.py; one
    difference-in-differences each, so only where it is shown)."""
    units = _units(user, level)
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=CST)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=CST)
    rows: dict[tuple[str, str], StatRow] = {}
    total = StatRow("", "", "")

    def rows_for(path: str, category: str) -> list[StatRow]:
        unit = _unit_of(path, units)
        if unit is None:
            return [total]
        out = []
        for cat in (category, ""):
            key = (unit.code, cat)
            if key not in rows:
                rows[key] = StatRow(unit.code, unit.name, cat)
            out.append(rows[key])
        return [*out, total]

    in_scope = sources_for(user)
    for path, category in in_scope.filter(status=Status.ACTIVE).values_list(
        "region_path", "category"
    ):
        for r in rows_for(path, category):
            r.sources += 1
    done = (
        Inspection.objects.filter(source__in=in_scope.values("pk"), at__gte=lo, at__lt=hi)
        .values("source", "source__region_path", "source__category", "source__status")
        .annotate(n=Count("pk"), failed=Count("pk", filter=Q(result=Inspection.Result.FAILED)))
        .annotate(far=Count("pk", filter=Q(far=True)))
    )
    for d in done:
        for r in rows_for(d["source__region_path"], d["source__category"]):
            r.inspections += d["n"]
            r.failed += d["failed"]
            r.far += d["far"]
            if d["source__status"] == Status.ACTIVE and d["source"] not in r._seen:
                r._seen.add(d["source"])
                r.inspected += 1
    rects = Rectification.objects.filter(source__in=in_scope.values("pk")).filter(
        Q(created_at__gte=lo, created_at__lt=hi) | Q(closed_at__gte=lo, closed_at__lt=hi)
    )
    fields = ["created_at", "closed_at", "due_date", "source__region_path", "source__category"]
    if effects:
        fields += ["state", "order_id", "source__lat", "source__lon", "inspection__at"]
        fields += ["order__handled_at"]
    related = ["source", "inspection", "order"] if effects else ["source"]
    for rect in rects.select_related(*related).only(*fields):
        for r in rows_for(rect.source.region_path, rect.source.category):
            if lo <= rect.created_at < hi:
                r.rect_opened += 1
            if rect.closed_at is not None and lo <= rect.closed_at < hi:
                r.rect_closed += 1
                if is_on_time(rect):
                    r.rect_on_time += 1
        closed = rect.closed_at is not None and lo <= rect.closed_at < hi
        e = rectification_effect(rect).effect if effects and closed else None
        if e is not None and e.did is not None and e.se is not None:
            for r in rows_for(rect.source.region_path, rect.source.category):
                r.effect_n += 1
                r.effect_sum += e.did
                r.effect_var += e.se**2
    for due in due_sources(user):
        if due.overdue_days > 0:
            for r in rows_for(due.source.region_path, due.source.category):
                r.overdue_now += 1
    ordered = sorted(rows.values(), key=lambda r: (r.unit_code, r.category != "", r.category))
    total.unit_name = ""
    return [*ordered, total]


@dataclass
class DueRow:
    """A unit's inspections against what fell due in a period (the total: unit_code "")."""

    unit_code: str
    unit_name: str
    due: int = 0  # sources whose inspection fell due in the period (or was overdue before it)
    done: int = 0  # of those, inspected at least once in the period

    @property
    def share(self) -> float | None:
        """done ÷ due (a fraction), None when nothing fell due."""
        return self.done / self.due if self.due else None


def due_in_period(
    user: Reader | None, start: dt.date, end: dt.date, level: int = Level.STREET
) -> list[DueRow]:
    """Per unit (street or community): the active sources with a plan whose next inspection,
    by the interval in force (`due_sources`) counted from their last inspection before
    `start`, fell due on or before `end` — what the period owed, an overdue source included —
    and how many of them were inspected in the period. Units in code order, the total last.
    A day's figure is the sources due that day, not every source of the district."""
    units = _units(user, level)
    lo = day_start(start)
    hi = day_start(end + dt.timedelta(days=1))
    # The interval in force as the period ends (a warning tightens it from its first day).
    at = min(timezone.now(), hi - dt.timedelta(seconds=1))
    owed = [d for d in due_sources(user, start - dt.timedelta(days=1), at=at) if d.next_due <= end]
    inspected = set(
        Inspection.objects.filter(
            source__in=[d.source.pk for d in owed], at__gte=lo, at__lt=hi
        ).values_list("source", flat=True)
    )
    rows: dict[str, DueRow] = {}
    total = DueRow("", "")
    for d in owed:
        unit = _unit_of(d.source.region_path, units)
        targets = [total]
        if unit is not None:
            targets.append(rows.setdefault(unit.code, DueRow(unit.code, unit.name)))
        for r in targets:
            r.due += 1
            r.done += d.source.pk in inspected
    return [*(rows[k] for k in sorted(rows)), total]
