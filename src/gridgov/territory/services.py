"""Writes to the territory: validate a set of regions as a whole, then apply it in one transaction.

The same path serves the GeoJSON import, the admin, boundary redraws and the demo generator, so a
region can only ever reach the database through `validate_plan` → `apply_plan`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from gridgov.core.actor import Account, recorded_user
from gridgov.errors import INVALID, DomainError
from gridgov.territory import geometry as geo
from gridgov.territory import ladder
from gridgov.territory.models import (
    BoundaryRevision,
    BoundaryVersion,
    GridKind,
    Level,
    Region,
    WorkLine,
)


@dataclass
class RegionSpec:
    """What a region should look like (one feature of an import, one admin form, …)."""

    code: str
    name: str
    level: int
    parent_code: str | None
    geometry: dict[str, Any]
    kind: str = ""
    lines: list[str] = field(default_factory=list)
    row: int | None = None  # feature number in an import file, for error messages


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    reason: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"feature {self.row}, " if self.row is not None else ""
        return f"{where}{self.code or '(no code)'}: {self.field}: {self.reason}"


@dataclass
class PlanReport:
    created: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class PlanError(DomainError):
    """A plan of regions refused as a whole; `problems` lists every reason (kind invalid)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(INVALID, "; ".join(str(p) for p in problems[:20]))
        self.problems = problems


def tolerance() -> float:
    return float(settings.GRIDGOV_GEOMETRY_TOLERANCE)


@dataclass
class _Node:
    code: str
    level: int
    parent_code: str | None
    geom: BaseGeometry | None


def validate_plan(specs: list[RegionSpec]) -> PlanReport:
    """Check specs against each other and the database; report what applying them would change."""
    report = PlanReport()
    problems = report.problems
    seen: dict[str, RegionSpec] = {}
    for spec in specs:
        if not spec.code:
            problems.append(Problem("", "code", "missing", spec.row))
        elif spec.code in seen:
            problems.append(Problem(spec.code, "code", "duplicate code in the input", spec.row))
        else:
            seen[spec.code] = spec

    existing = {
        r.code: r for r in Region.objects.filter(code__in=list(seen)).prefetch_related("lines")
    }
    parent_codes = {s.parent_code for s in seen.values() if s.parent_code} - set(seen)
    db_parents = {r.code: r for r in Region.objects.filter(code__in=parent_codes)}
    known_lines = set(WorkLine.objects.values_list("code", flat=True))

    nodes: dict[str, _Node] = {}
    for spec in seen.values():
        problems.extend(_check_fields(spec, known_lines))
        geom = None
        try:
            geom = geo.parse_geometry(spec.code, spec.geometry)
        except geo.GeometryError as exc:
            problems.append(Problem(spec.code, "geometry", exc.reason, spec.row))
        nodes[spec.code] = _Node(spec.code, spec.level, spec.parent_code, geom)

    for code, region in db_parents.items():
        nodes[code] = _Node(code, region.level, None, _safe_geom(region))

    for spec in seen.values():
        problems.extend(_check_parent(spec, nodes, db_parents))

    problems.extend(_check_overlaps(seen, nodes))

    for spec in seen.values():
        current = existing.get(spec.code)
        if current is None:
            report.created.append(spec.code)
            continue
        diff = _diff(current, spec, nodes[spec.code].geom)
        if diff:
            report.changed[spec.code] = diff
        else:
            report.unchanged.append(spec.code)
    return report


def _safe_geom(region: Region) -> BaseGeometry | None:
    try:
        return geo.parse_geometry(region.code, region.geometry)
    except geo.GeometryError:
        return None


def _check_fields(spec: RegionSpec, known_lines: set[str]) -> list[Problem]:
    out = []
    if not spec.name:
        out.append(Problem(spec.code, "name", "missing", spec.row))
    for name, value, longest in (("code", spec.code, 40), ("name", spec.name, 100)):
        if len(value) > longest:  # Region.code / Region.name max_length
            reason = f"at most {longest} characters ({len(value)} given)"
            out.append(Problem(spec.code, name, reason, spec.row))
    if spec.level not in Level.values:
        out.append(
            Problem(
                spec.code, "level", f"must be one of {Level.values}, got {spec.level!r}", spec.row
            )
        )
    if spec.level == Level.GRID:
        if spec.kind not in GridKind.values:
            allowed = ", ".join(GridKind.values)
            out.append(Problem(spec.code, "kind", f"a grid needs a kind ({allowed})", spec.row))
    elif spec.kind:
        out.append(Problem(spec.code, "kind", "only grids have a kind", spec.row))
    unknown = sorted(set(spec.lines) - known_lines)
    if unknown:
        out.append(
            Problem(spec.code, "lines", f"unknown work lines: {', '.join(unknown)}", spec.row)
        )
    return out


def _check_parent(
    spec: RegionSpec, nodes: dict[str, _Node], db_parents: dict[str, Region]
) -> list[Problem]:
    # A tree may start at any configured level above the grid (a city, a district, …); below
    # its root each region's parent is at the configured level right above its own.
    if spec.level not in ladder.configured():
        configured = ", ".join(str(int(lv)) for lv in ladder.configured())
        reason = f"level {spec.level} is not one of the configured levels ({configured})"
        return [Problem(spec.code, "level", reason, spec.row)]
    wanted = ladder.above(spec.level)
    if not spec.parent_code:
        if spec.level == Level.GRID:
            return [Problem(spec.code, "parent", "missing parent code", spec.row)]
        return []
    if wanted is None:
        return [Problem(spec.code, "parent", "the top level has no parent", spec.row)]
    parent = nodes.get(spec.parent_code)
    if parent is None:
        return [Problem(spec.code, "parent", f"unknown parent {spec.parent_code!r}", spec.row)]
    db_parent = db_parents.get(spec.parent_code)
    if db_parent is not None and db_parent.retired_at is not None:
        return [Problem(spec.code, "parent", f"parent {spec.parent_code!r} is retired", spec.row)]
    if parent.level != wanted:
        return [
            Problem(
                spec.code,
                "parent",
                f"parent {spec.parent_code!r} is at level {parent.level}, "
                f"a level-{spec.level} region needs a level-{int(wanted)} parent",
                spec.row,
            )
        ]
    child = nodes[spec.code].geom
    if child is not None and parent.geom is not None:
        share = geo.outside_fraction(child, parent.geom)
        if share > tolerance():
            return [
                Problem(
                    spec.code,
                    "geometry",
                    f"{share:.2%} of it lies outside its parent {spec.parent_code}",
                    spec.row,
                )
            ]
    return []


def _check_overlaps(seen: dict[str, RegionSpec], nodes: dict[str, _Node]) -> list[Problem]:
    """No two active regions of one level may overlap: not two of the input (siblings, or
    top-level regions such as two districts), nor one of the input and a stored region of its
    level (one with the same code is the region being updated, so it is left out). An overlap
    counts when it exceeds GRIDGOV_GEOMETRY_TOLERANCE × the smaller region's area."""
    by_level: dict[int, list[tuple[str, BaseGeometry]]] = defaultdict(list)
    for spec in seen.values():
        geom = nodes[spec.code].geom
        if geom is not None and spec.level in Level.values:
            by_level[spec.level].append((spec.code, geom))
    if not by_level:
        return []
    names = {code: spec.name for code, spec in seen.items()}
    stored = (
        Region.objects.active()
        .filter(level__in=list(by_level))
        .exclude(code__in=list(seen))
        .only("code", "name", "level", "geometry")
    )
    for region in stored:
        geom = _safe_geom(region)
        if geom is not None:
            by_level[region.level].append((region.code, geom))
            names[region.code] = f"{region.name}, stored"
    out = []
    for items in by_level.values():
        for a, b, share in geo.overlapping_pairs(items, tolerance()):
            code = a if a in seen else b
            other = b if code == a else a
            reason = (
                f"overlaps {other} ({names[other]}) by {share:.2%} of the smaller one's area "
                f"(at most {tolerance():.2%} allowed)"
            )
            out.append(Problem(code, "geometry", reason, seen[code].row))
    return out


def _diff(current: Region, spec: RegionSpec, geom: BaseGeometry | None) -> list[str]:
    changes = []
    if current.name != spec.name:
        changes.append("name")
    if current.level != spec.level:
        changes.append("level")
    parent_code = current.parent.code if current.parent_id else None  # type: ignore[union-attr]
    if parent_code != (spec.parent_code or None):
        changes.append("parent")
    if current.kind != (spec.kind or ""):
        changes.append("kind")
    if sorted(line.code for line in current.lines.all()) != sorted(spec.lines):
        changes.append("lines")
    old = _safe_geom(current)
    # Stored coordinates are rounded to 7 decimals, so compare within that rounding.
    if geom is not None and (
        old is None or not old.normalize().equals_exact(geom.normalize(), 1e-7)
    ):
        changes.append("geometry")
    if current.retired_at is not None:
        changes.append("reinstated")
    return changes


@transaction.atomic
def apply_plan(specs: list[RegionSpec], user: Account = None, reason: str = "") -> PlanReport:
    """Validate, then write every spec in one transaction (parents before children)."""
    report = validate_plan(specs)
    if not report.ok:
        raise PlanError(report.problems)
    now = timezone.now()
    by_code = {s.code: s for s in specs}
    lines = {line.code: line for line in WorkLine.objects.all()}
    regions = {r.code: r for r in Region.objects.filter(code__in=list(by_code))}
    parent_codes = {s.parent_code for s in specs if s.parent_code} - set(by_code)
    regions.update({r.code: r for r in Region.objects.filter(code__in=parent_codes)})
    geometry_changed = False
    for spec in sorted(specs, key=lambda s: s.level):
        if spec.code in report.unchanged:
            continue
        geom = geo.parse_geometry(spec.code, spec.geometry)
        clean = geo.to_geojson(geom)
        region = regions.get(spec.code)
        is_new = region is None
        redrawn = is_new or "geometry" in report.changed.get(spec.code, [])
        if region is None:
            region = Region(code=spec.code)
        region.name = spec.name
        region.level = spec.level
        region.kind = spec.kind or ""
        region.parent = regions[spec.parent_code] if spec.parent_code else None
        region.retired_at = None
        region.successor = None
        if redrawn:
            region.geometry = clean
            region.centroid_lon, region.centroid_lat = geom.centroid.x, geom.centroid.y
            region.area_km2 = geo.area_km2(geom)
            if not is_new:
                region.version += 1
        region.path = ""
        region.save()
        region.path = (region.parent.path if region.parent else "/") + f"{region.pk}/"
        region.save(update_fields=["path"])
        regions[spec.code] = region
        region.lines.set([lines[c] for c in spec.lines])
        if redrawn:
            geometry_changed = True
            BoundaryVersion.objects.filter(region=region, valid_to__isnull=True).update(
                valid_to=now
            )
            BoundaryVersion.objects.create(
                region=region,
                version=region.version,
                geometry=clean,
                valid_from=now,
                reason=reason or ("created" if is_new else "redrawn"),
                changed_by=recorded_user(user) if getattr(user, "pk", None) else None,
            )
    _refresh_descendant_paths([regions[c] for c in report.changed if "parent" in report.changed[c]])
    if geometry_changed or report.changed:
        bump_revision()
    return report


def _refresh_descendant_paths(moved: list[Region]) -> None:
    for region in moved:
        for child in Region.objects.filter(parent=region):
            child.path = region.path + f"{child.pk}/"
            child.save(update_fields=["path"])
            _refresh_descendant_paths([child])


def bump_revision() -> None:
    """Tell every process's locate index that boundaries changed (after this commit)."""
    updated = BoundaryRevision.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:  # the first edit ever; another process's may be making the row at once
        _, made = BoundaryRevision.objects.get_or_create(pk=1, defaults={"number": 1})
        if not made:
            BoundaryRevision.objects.filter(pk=1).update(number=F("number") + 1)
    from gridgov.territory import locate

    locate.invalidate()
    transaction.on_commit(locate.invalidate)


def spec_from_region(region: Region) -> RegionSpec:
    return RegionSpec(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=region.parent.code if region.parent else None,
        geometry=region.geometry,
        kind=region.kind,
        lines=[line.code for line in region.lines.all()],
    )


def redraw_region(
    code: str, geometry: dict[str, Any], user: Account = None, reason: str = ""
) -> Region:
    """Give a region a new boundary; the old one stays in its history."""
    region = Region.objects.select_related("parent").get(code=code)
    spec = spec_from_region(region)
    spec.geometry = geometry
    apply_plan([spec], user=user, reason=reason or "redrawn")
    return Region.objects.get(code=code)


@transaction.atomic
def merge_grids(
    codes: list[str], new_code: str, new_name: str, user: Account = None, kind: str = ""
) -> Region:
    """Merge grids of one community into a new grid; the old ones are retired, not deleted."""
    grids = list(Region.objects.active().filter(code__in=codes, level=Level.GRID))
    missing = sorted(set(codes) - {g.code for g in grids})
    if missing:
        raise PlanError([Problem(c, "code", "no such active grid") for c in missing])
    parents = {g.parent_id for g in grids}
    if len(parents) != 1:
        raise PlanError([Problem(new_code, "parent", "grids to merge must share one community")])
    union = geo.union_all(geo.parse_geometry(g.code, g.geometry) for g in grids)
    now = timezone.now()
    # Retire first, so the new grid does not "overlap" the ones it replaces.
    Region.objects.filter(pk__in=[g.pk for g in grids]).update(retired_at=now)
    lines = sorted({line.code for g in grids for line in g.lines.all()})
    parent = grids[0].parent
    assert parent is not None
    apply_plan(
        [
            RegionSpec(
                code=new_code,
                name=new_name,
                level=Level.GRID,
                parent_code=parent.code,
                geometry=geo.to_geojson(union),
                kind=kind or grids[0].kind,
                lines=lines,
            )
        ],
        user=user,
        reason="merged from " + ", ".join(sorted(codes)),
    )
    merged = Region.objects.get(code=new_code)
    Region.objects.filter(pk__in=[g.pk for g in grids]).update(successor=merged)
    BoundaryVersion.objects.filter(region__in=grids, valid_to__isnull=True).update(valid_to=now)
    bump_revision()
    return merged


@transaction.atomic
def retire_region(code: str) -> None:
    """Retire a region (and its subtree) from today on; its history stays."""
    region = Region.objects.get(code=code)
    now = timezone.now()
    subtree = Region.objects.filter(path__startswith=region.path, retired_at__isnull=True)
    BoundaryVersion.objects.filter(region__in=subtree, valid_to__isnull=True).update(valid_to=now)
    subtree.update(retired_at=now)
    bump_revision()


def regions_version() -> tuple[Any, ...]:
    """Changes whenever a boundary (the revision counter) or any region row (saved, added,
    retired) does: one small aggregate query. Caches of rendered regions key on it."""
    from gridgov.territory.models import BoundaryRevision, Region

    revision = BoundaryRevision.objects.filter(pk=1).values_list("number", flat=True).first()
    agg = Region.objects.aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    return (revision or 0, agg["n"], agg["last"], agg["changed"])
