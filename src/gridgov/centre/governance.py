"""基层治理总览: people's mediation, new-sector party building, projects and village customs
side by side, for the units below the viewer's own, over one period.

The figures are the horse race's metrics (racing/metrics.py), so the overview, the scorecards
and each area's statistics page agree by construction: each area registers its indicators
there, and this module only chooses which to show and for which units. An area whose metrics
are not registered is left out rather than shown empty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.racing import metrics
from gridgov.territory.models import Level, Region

MAX_DAYS = 731  # two years: a longer period is refused (the metrics scan the period's records)


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    url_name: str  # the area's own page
    metric_keys: tuple[str, ...]


AREAS = (
    Area(
        "mediation",
        _("人民调解"),
        "mediation:list",
        ("mediation_rate", "followup_on_time_rate"),
    ),
    Area(
        "organisations",
        _("新兴领域党建"),
        "organisations:list",
        ("org_coverage_rate", "work_coverage_rate"),
    ),
    Area(
        "projects",
        _("项目"),
        "projects:list",
        ("project_milestone_on_time_rate", "project_spend_rate"),
    ),
    Area("customs", _("移风易俗"), "customs:list", ("custom_compliance_rate",)),
)


@dataclass(frozen=True)
class Column:
    area: str
    key: str
    label: str
    unit: str
    higher_is_better: bool


@dataclass
class UnitRow:
    region_id: int
    code: str
    name: str
    values: dict[str, float | None] = field(default_factory=dict)
    samples: dict[str, int | None] = field(default_factory=dict)


@dataclass
class Governance:
    start: dt.date
    end: dt.date
    level: int
    areas: list[Area]
    columns: list[Column]
    rows: list[UnitRow]


def year_to_date(on: dt.date) -> tuple[dt.date, dt.date]:
    """The period the page opens on: the year to date (in January's first days, last year),
    since mediation and ceremonies are counted in tens a year, not a month."""
    if on.month == 1 and on.day <= 3:
        return dt.date(on.year - 1, 1, 1), dt.date(on.year - 1, 12, 31)
    return dt.date(on.year, 1, 1), on


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError("the period ends before it starts")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"a period of at most {MAX_DAYS} days")


def compared_units(user: Account) -> list[Region]:
    """The units the viewer compares: the configured level below its own highest unit (districts
    for a city's office, streets for a district's, its communities for a street), and for a
    community or a grid its own community."""
    active = Region.objects.active()
    wanted = scope.ranked_level(user)
    if wanted is None and scope.own_level(user) is None:
        return []
    if wanted is not None and wanted != Level.GRID:
        return list(scope.regions_for(user, active.filter(level=wanted)).order_by("code"))
    # A community or a grid: the community above (or at) each path, at whatever depth.
    paths = scope.scope_paths(user) or []
    return list(
        active.filter(level=Level.COMMUNITY, path__in=scope.ancestor_paths(paths)).order_by("code")
    )


def governance(user: Account, start: dt.date, end: dt.date) -> Governance:
    check_period(start, end)
    units = compared_units(user)
    areas = [a for a in AREAS if any(k in metrics.REGISTRY for k in a.metric_keys)]
    columns: list[Column] = []
    rows = [UnitRow(u.pk, u.code, u.name) for u in units]
    by_id = {r.region_id: r for r in rows}
    for area in areas:
        for key in area.metric_keys:
            metric = metrics.REGISTRY.get(key)
            if metric is None:
                continue
            columns.append(
                Column(area.key, key, str(metric.label), metric.unit, metric.higher_is_better)
            )
            values = metric(units, start, end) if units else {}
            for region_id, row in by_id.items():
                reading = values.get(region_id)
                row.values[key] = reading.value if reading else None
                row.samples[key] = reading.sample if reading else None
    level = units[0].level if units else int(Level.STREET)
    return Governance(start, end, level, areas, columns, rows)
