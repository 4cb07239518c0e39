"""The portfolio's listing (项目库): figures per project, filters, totals, the grid chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.people import scope
from gridgov.projects.models import (
    Kind,
    Milestone,
    Plan,
    Project,
    Spending,
    Status,
)
from gridgov.projects.services import (
    CENT,
    _choice,
    check_text,
    check_year,
    invalid,
    projects_for,
    rate,
)
from gridgov.territory.models import Region

# ----------------------------------------------------------------------------- queries --


def with_figures(qs: QuerySet[Project], today: dt.date) -> QuerySet[Project]:
    """Each project with `spent` (the ledger's sum) and `overdue` (milestones past due)."""
    spent = (
        Spending.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    late = Milestone.objects.filter(project=OuterRef("pk"), done__isnull=True, planned__lt=today)
    return qs.annotate(
        spent=Coalesce(Subquery(spent, output_field=money), Value(Decimal("0"), money)),
        overdue=Exists(late),
    )


@dataclass
class Filters:
    kind: str = ""
    plan: str = ""
    status: str = ""
    unit: str = ""  # a region code: projects owned or located in its subtree
    grid: str = ""  # a grid code: projects located in it
    year: int | None = None
    overdue: bool | None = None
    q: str = ""


def portfolio(user: Account, f: Filters, today: dt.date | None = None) -> QuerySet[Project]:
    """The projects the account sees, filtered; ProjectsError names a bad filter."""
    today = today or timezone.localdate()
    qs = with_figures(projects_for(user).select_related("owner", "grid"), today)
    if f.kind:
        qs = qs.filter(kind=_choice("kind", f.kind, Kind))
    if f.plan:
        qs = qs.filter(plan=_choice("plan", f.plan, Plan))
    if f.status:
        qs = qs.filter(status=_choice("status", f.status, Status))
    if f.year is not None:
        qs = qs.filter(year=check_year(f.year))
    if f.unit:
        unit = scope.regions_for(user).filter(code=f.unit).first()
        if unit is None:
            raise invalid("unit", _("没有这个单位"))
        qs = qs.filter(Q(owner__path__startswith=unit.path) | Q(grid__path__startswith=unit.path))
    if f.grid:
        grid = scope.regions_for(user, Region.objects.grids()).filter(code=f.grid).first()
        if grid is None:
            raise invalid("grid", _("没有这个网格"))
        qs = qs.filter(grid=grid)
    if f.overdue is not None:
        qs = qs.filter(overdue=f.overdue)  # type: ignore[misc]
    q = check_text("q", f.q, 100)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(applicant__icontains=q))
    return qs


@dataclass
class Totals:
    count: int = 0
    granted: Decimal = Decimal("0.00")
    spent: Decimal = Decimal("0.00")

    @property
    def spend_rate(self) -> float | None:
        return rate(self.spent, self.granted)


def totals(projects: Iterable[Project]) -> Totals:
    t = Totals()
    for p in projects:
        t.count += 1
        t.granted += p.granted
        t.spent += getattr(p, "spent", None) or Decimal("0")
    t.granted, t.spent = t.granted.quantize(CENT), t.spent.quantize(CENT)
    return t


def grid_chain(project: Project) -> list[Region]:
    """District → street → community → grid of the project's location (empty without one)."""
    if project.grid is None:
        return []
    ids = [int(i) for i in project.grid.path.strip("/").split("/") if i]
    return list(Region.objects.filter(pk__in=ids).order_by("level"))
