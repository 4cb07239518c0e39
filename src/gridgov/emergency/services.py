"""重污染天气应急: which warning is in force and what it asks; declaring, ending early; the
sources a warning reaches; its compliance record. The other apps ask only `in_force` and
`inspection_interval`; pages and the API call the rest.

Rules:
- A measure applies at its level and every higher level; of the measures sharing a `group`
  in a category only the highest level's applies (C 级企业: 橙色限产 → 红色停产).
- The sources a warning reaches are fixed when it is declared (`AffectedSource`), so its record
  after the fact does not move with the registry.
- Days are China Standard Time dates from the day the warning starts to the day it ends (or
  today, while it lasts; today counts). A source with interval n must be inspected once in each
  n-day window counted from the first day; coverage = windows with an inspection inside the
  warning's period ÷ windows required.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, get_args

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, Reader
from gridgov.core.scopes import under_paths
from gridgov.emergency import monitoring
from gridgov.emergency.models import AffectedSource, Measure, Warning
from gridgov.errors import CONFLICT, FORBIDDEN, NOT_FOUND, FieldRefusal
from gridgov.inbox.models import CommandRecipient
from gridgov.inspections.models import Inspection
from gridgov.people import scope
from gridgov.people.models import Post
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, Status
from gridgov.sources.services import sources_for
from gridgov.territory.models import Region

MAX_LENGTH = dt.timedelta(days=14)
MAX_BACKDATE = dt.timedelta(hours=24)  # a warning may be recorded a day late, not more
MAX_AHEAD = dt.timedelta(days=7)
ACK_HOURS = 4  # the commands' deadline: the start (or now) + this, to acknowledge and act
MAX_REASON = 2000
SUSPEND_LISTED = 100  # sources listed by name in a command's body

# Which category field a measure's `kinds` is compared with.
KIND_FIELD = {
    categories.Category.VEHICLE: "kind",
    categories.Category.FIREWORKS_POINT: "kind",
    categories.Category.BURNING_SPOT: "kind",
    categories.Category.CONSTRUCTION_SITE: "phase",
}
CATEGORY_ORDER = [c.value for c in categories.Category]


class EmergencyError(FieldRefusal, ValueError):
    """A request that cannot be done as asked: which field, and why (no HTTP status here)."""


class NotAllowed(EmergencyError):
    """Only the command office (a command issuer who sees everything) declares or ends."""

    kind = FORBIDDEN


class NoSuchWarning(EmergencyError):
    kind = NOT_FOUND


class Conflict(EmergencyError):
    """The warning is not in a state for this (already ended)."""

    kind = CONFLICT


# ------------------------------------------------------------------------------ questions --


def in_force(at: dt.datetime | None = None) -> Warning | None:
    """The highest warning in force at `at` (now by default), or None."""
    at = at or timezone.now()
    return (
        Warning.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=at))
        .order_by("-level", "-starts_at")
        .first()
    )


def upcoming(at: dt.datetime | None = None) -> list[Warning]:
    """Declared warnings that have not started yet (and were not cancelled)."""
    at = at or timezone.now()
    return list(
        Warning.objects.filter(starts_at__gt=at)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=F("starts_at")))
        .order_by("starts_at")
    )


def can_declare(user: Account) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm("inbox.issue_command")
        and scope.sees_everything(user)
    )


def valid_kinds(category: str) -> set[str]:
    """The values a measure's `kinds` may list for the category."""
    name = KIND_FIELD.get(categories.Category(category))
    if name is None:
        return set()
    annotation = categories.SCHEMAS[category].model_fields[name].annotation
    return {str(v) for v in get_args(annotation)}


def kinds_of(measure: Measure) -> set[str]:
    return {k.strip() for k in measure.kinds.split(",") if k.strip()}


def measures_for(level: int) -> list[Measure]:
    """The active measures in force at `level`: those of this level and below, the highest of
    each group only; ordered by category (the fronts' order), then level."""
    found = Measure.objects.filter(active=True, level__lte=level).order_by("-level", "pk")
    taken: set[tuple[str, str]] = set()
    out = []
    for m in found:
        if m.group:
            key = (m.category, m.group)
            if key in taken:
                continue
            taken.add(key)
        out.append(m)
    out.sort(key=lambda m: (CATEGORY_ORDER.index(m.category), m.level, m.pk))
    return out


def applies(measure: Measure, source: PollutionSource) -> bool:
    if measure.category != source.category:
        return False
    attributes = source.attributes or {}
    if (
        measure.grades
        and source.category == categories.Category.ENTERPRISE
        and str(attributes.get("grade", "C")) not in measure.grades.upper()
    ):
        return False
    kinds = kinds_of(measure)
    if kinds:
        name = KIND_FIELD.get(categories.Category(source.category))
        if name is None or str(attributes.get(name, "")) not in kinds:
            return False
    return True


@dataclass
class Reached:
    """One source a level's measures reach, before it is written as an `AffectedSource`."""

    source: PollutionSource
    measures: list[Measure]
    street: Region
    community: Region

    @property
    def suspend(self) -> bool:
        return any(m.suspend for m in self.measures)

    @property
    def interval_days(self) -> int:
        return max(1, min(m.inspection_interval_days for m in self.measures))


def _units_of(paths: Iterable[str]) -> dict[str, tuple[int, int]]:
    """path → (street id, community id), from the materialised path /district/street/community/…"""
    out = {}
    for path in paths:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        street = ids[1] if len(ids) > 1 else ids[0]
        community = ids[2] if len(ids) > 2 else street
        out[path] = (street, community)
    return out


def reached_by(level: int, user: Account = None) -> list[Reached]:
    """The active sources the measures of `level` reach (within the account's scope if
    given), with their street and community."""
    measures = measures_for(level)
    by_category: dict[str, list[Measure]] = defaultdict(list)
    for m in measures:
        by_category[m.category].append(m)
    qs = PollutionSource.objects.filter(status=Status.ACTIVE, category__in=list(by_category))
    if user is not None:
        qs = sources_for(user, qs)
    sources = list(qs.defer("geometry").order_by("category", "code"))
    units = _units_of({s.region_path for s in sources})
    region_ids = {i for pair in units.values() for i in pair}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=region_ids).defer("geometry")}
    out = []
    for s in sources:
        hit = [m for m in by_category[s.category] if applies(m, s)]
        if hit:
            street, community = units[s.region_path]
            out.append(Reached(s, hit, regions[street], regions[community]))
    return out


def affected_sources(warning: Warning, user: Reader | None = None) -> Any:
    """The sources the warning reaches (fixed when declared), within the account's scope."""
    qs = AffectedSource.objects.filter(warning=warning)
    if user is not None and not scope.sees_everything(user):
        qs = qs.filter(source_id__in=sources_for(user).values("pk"))
    return qs.select_related("source", "street", "community").defer(
        "source__geometry", "street__geometry", "community__geometry"
    )


def inspection_interval(source_id: int, at: dt.datetime | None = None) -> int | None:
    """Days between inspections a warning in force asks of the source, or None (no warning,
    or the warning does not reach it): the inspection plan reads this."""
    warning = in_force(at)
    if warning is None:
        return None
    row = AffectedSource.objects.filter(warning=warning, source_id=source_id).first()
    return row.interval_days if row else None


@dataclass
class StreetPreview:
    street: Region
    counts: dict[str, int]  # category → sources
    suspend: int
    units: list[str]  # who would receive its command (region codes); empty: nobody to receive

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def by_front(self) -> list[tuple[str, int]]:
        return [(str(categories.LABELS[c]), n) for c, n in self.counts.items()]


def preview(level: int, user: Account = None) -> list[StreetPreview]:
    """Per street: the sources the level reaches by category, how many must suspend, and the
    units its command would go to — what the declare form shows before confirming."""
    rows: dict[int, StreetPreview] = {}
    grouped: dict[int, list[Reached]] = defaultdict(list)
    for r in reached_by(level, user):
        grouped[r.street.pk].append(r)
    for street_id, reached in grouped.items():
        counts: dict[str, int] = defaultdict(int)
        for r in reached:
            counts[r.source.category] += 1
        rows[street_id] = StreetPreview(
            reached[0].street,
            dict(sorted(counts.items(), key=lambda kv: CATEGORY_ORDER.index(kv[0]))),
            sum(r.suspend for r in reached),
            _receivers(reached[0].street, reached),
        )
    return sorted(rows.values(), key=lambda p: p.street.code)


def _staffed(region_ids: Iterable[int]) -> set[int]:
    return set(
        Post.objects.current()
        .filter(region_id__in=list(region_ids), post_type__responsible=True)
        .values_list("region_id", flat=True)
    )


def _receivers(street: Region, reached: list[Reached]) -> list[str]:
    """The street itself if it has a responsible post holder; otherwise its communities that
    hold affected sources and have one (a command needs someone to receive it)."""
    communities = {r.community.pk: r.community for r in reached}
    staffed = _staffed([street.pk, *communities])
    if street.pk in staffed:
        return [street.code]
    return sorted(c.code for pk, c in communities.items() if pk in staffed)


# --------------------------------------------------------------------------- compliance --


@dataclass
class Figures:
    """One row of the record: a front (category), a street, a community, or the total."""

    key: str
    name: str
    sources: int = 0
    required: int = 0  # source-windows that needed an inspection
    inspected: int = 0  # of those, the ones that had one
    inspections: int = 0
    failed: int = 0  # inspections that failed
    suspend_sources: int = 0
    suspend_checks: int = 0  # inspections of sources that must suspend
    suspend_violations: int = 0  # of those, failed or with a failed item
    recipients: int = 0
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    completed: int = 0
    completed_on_time: int = 0

    @property
    def coverage(self) -> float | None:
        return self.inspected / self.required if self.required else None

    @property
    def coverage_pct(self) -> int:
        return round(100 * (self.coverage or 0))

    def add(self, other: Figures) -> None:
        for name in (
            "sources",
            "required",
            "inspected",
            "inspections",
            "failed",
            "suspend_sources",
            "suspend_checks",
            "suspend_violations",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SuspendRow:
    code: str
    name: str
    category: str
    street: str
    community: str
    checks: int
    violations: int
    last_check: dt.datetime | None


@dataclass
class PendingRow:
    command_id: int
    unit: str
    unit_name: str
    person: str
    acknowledged_at: dt.datetime | None
    completed_at: dt.datetime | None
    due_at: dt.datetime


@dataclass
class Compliance:
    warning: Warning
    start: dt.datetime
    end: dt.datetime  # the warning's end, or now while it lasts
    days: list[dt.date]
    ongoing: bool
    total: Figures
    fronts: list[Figures]
    streets: list[Figures]
    communities: list[Figures]
    suspended: list[SuspendRow]
    recipients: list[PendingRow]
    # The power monitors' violations of the warning's stop/limit measures (emergency.monitoring).
    monitored: list[Any] = field(default_factory=list)

    @property
    def not_acknowledged(self) -> list[PendingRow]:
        return [r for r in self.recipients if r.acknowledged_at is None]


def period_days(warning: Warning, now: dt.datetime) -> tuple[dt.datetime, list[dt.date]]:
    end = min(warning.effective_end, now)
    if end <= warning.starts_at:
        return end, []
    first = timezone.localtime(warning.starts_at).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    return end, [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


Visit = tuple[dt.datetime, bool, bool]  # when, failed, failed or with a failed item


def _visits(
    warning: Warning, rows: list[AffectedSource], end: dt.datetime
) -> dict[int, list[Visit]]:
    """The inspections of the rows' sources during the warning (up to `end`), by source."""
    visits: dict[int, list[Visit]] = defaultdict(list)
    found = (
        Inspection.objects.filter(
            source_id__in=AffectedSource.objects.filter(warning=warning).values("source_id"),
            at__gte=warning.starts_at,
            at__lt=end,
        )
        .annotate(bad=Count("items", filter=Q(items__passed=False)))
        .values_list("source_id", "at", "result", "bad")
        .order_by("at")
    )
    wanted = {r.source_id for r in rows}
    for source_id, at, result, bad in found:
        if source_id in wanted:
            failed = result == Inspection.Result.FAILED
            visits[source_id].append((at, failed, failed or bad > 0))
    return visits


@dataclass
class Task:
    """One affected source's inspection duty: windows required so far and inspected, and —
    while the warning lasts — whether its current window still lacks an inspection."""

    source_id: int
    code: str
    name: str
    category: str
    street: str
    community: str
    suspend: bool
    interval_days: int
    required: int
    inspected: int
    window_start: dt.date | None
    window_end: dt.date | None
    due: bool
    last_check: dt.datetime | None


def tasks(warning: Warning, user: Account, now: dt.datetime | None = None) -> list[Task]:
    """The inspection tasks a warning creates: each affected source in the account's scope,
    with its interval, its windows so far, and whether it is due now (most urgent first)."""
    now = now or timezone.now()
    end, days = period_days(warning, now)
    rows = list(affected_sources(warning, user))
    visits = _visits(warning, rows, end) if days else {}
    ongoing = bool(days) and warning.starts_at <= now < warning.effective_end
    last_day = timezone.localtime(warning.effective_end - dt.timedelta(microseconds=1)).date()
    out = []
    for r in rows:
        mine = visits.get(r.source_id, [])
        n = r.interval_days
        windows = {(timezone.localtime(at).date() - days[0]).days // n for at, _f, _b in mine}
        start = finish = None
        due = False
        if ongoing:
            index = (days[-1] - days[0]).days // n
            start = days[0] + dt.timedelta(days=index * n)
            finish = min(start + dt.timedelta(days=n - 1), last_day)
            due = index not in windows
        out.append(
            Task(
                r.source_id,
                r.source.code,
                r.source.name,
                r.category,
                r.street.name,
                r.community.name,
                r.suspend,
                n,
                math.ceil(len(days) / n) if days else 0,
                len(windows),
                start,
                finish,
                due,
                mine[-1][0] if mine else None,
            )
        )
    out.sort(key=lambda t: (not t.due, t.window_end or dt.date.max, t.street, t.community, t.code))
    return out


def compliance(warning: Warning, user: Reader | None, now: dt.datetime | None = None) -> Compliance:
    """The warning's record, as the account may see it: per front, street and community,
    for its period up to now while it lasts."""
    now = now or timezone.now()
    end, days = period_days(warning, now)
    first = days[0] if days else None
    rows = list(affected_sources(warning, user))
    visits = _visits(warning, rows, end) if days else {}
    fronts: dict[str, Figures] = {}
    streets: dict[int, Figures] = {}
    communities: dict[int, Figures] = {}
    suspended = []
    for r in rows:
        f = Figures(r.category, str(categories.LABELS[r.category]), sources=1)
        mine = visits.get(r.source_id, [])
        if first is not None:
            f.required = math.ceil(len(days) / r.interval_days)
            windows = {
                (timezone.localtime(at).date() - first).days // r.interval_days
                for at, _failed, _bad in mine
            }
            f.inspected = len(windows)
        f.inspections = len(mine)
        f.failed = sum(failed for _at, failed, _bad in mine)
        if r.suspend:
            f.suspend_sources = 1
            f.suspend_checks = len(mine)
            f.suspend_violations = sum(bad for _at, _failed, bad in mine)
            suspended.append(
                SuspendRow(
                    r.source.code,
                    r.source.name,
                    r.category,
                    r.street.name,
                    r.community.name,
                    f.suspend_checks,
                    f.suspend_violations,
                    max((at for at, _f, _b in mine), default=None),
                )
            )
        fronts.setdefault(r.category, Figures(r.category, f.name)).add(f)
        streets.setdefault(r.street_id, Figures(r.street.code, r.street.name)).add(f)
        communities.setdefault(r.community_id, Figures(r.community.code, r.community.name)).add(f)
    total = Figures("", _("合计"))
    for f in fronts.values():
        total.add(f)
    recipients = _command_figures(warning, user, streets, communities, total)
    return Compliance(
        warning=warning,
        start=warning.starts_at,
        end=end,
        days=days,
        ongoing=warning.starts_at <= now < warning.effective_end,
        total=total,
        fronts=sorted(fronts.values(), key=lambda f: CATEGORY_ORDER.index(f.key)),
        streets=sorted(streets.values(), key=lambda f: f.key),
        communities=sorted(communities.values(), key=lambda f: f.key),
        suspended=sorted(suspended, key=lambda s: (s.street, s.community, s.code)),
        recipients=recipients,
        monitored=monitoring.monitored_violations(warning, rows, end) if days else [],
    )


def _command_figures(
    warning: Warning,
    user: Reader | None,
    streets: dict[int, Figures],
    communities: dict[int, Figures],
    total: Figures,
) -> list[PendingRow]:
    qs = CommandRecipient.objects.filter(command__in=warning.commands.all()).select_related(
        "command", "person", "region"
    )
    paths = scope.scope_paths(user)
    qs = qs.filter(under_paths(paths, "region_path"))
    units = _units_of({r.region_path for r in qs})
    names = {
        r.pk: (r.code, r.name)
        for r in Region.objects.filter(pk__in={i for pair in units.values() for i in pair}).defer(
            "geometry"
        )
    }
    out = []
    for r in qs.order_by("region__code", "person__name"):
        due = r.command.due_at
        acked = r.acknowledged_at is not None
        done = r.completed_at is not None
        street_id, community_id = units[r.region_path]
        targets = [total]
        if street_id in names:
            targets.append(streets.setdefault(street_id, Figures(*names[street_id])))
        if community_id != street_id and community_id in names:
            targets.append(communities.setdefault(community_id, Figures(*names[community_id])))
        for f in targets:
            f.recipients += 1
            f.acknowledged += acked
            f.acknowledged_on_time += bool(acked and r.acknowledged_at <= due)  # type: ignore[operator]
            f.completed += done
            f.completed_on_time += bool(done and r.completed_at <= due)  # type: ignore[operator]
        out.append(
            PendingRow(
                r.command_id,
                r.region.code,
                r.region.name,
                r.person.name,
                r.acknowledged_at,
                r.completed_at,
                due,
            )
        )
    return out
