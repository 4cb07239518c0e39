"""Who may see what. Every page, admin, API handler and export reaches regions and people only
through these helpers: an account sees the subtrees of the regions where its person currently
holds a post; a post with `sees_everything` (the command office of the whole territory, a
city's or a district's) and superusers see all.

The viewer's own units (`own_units`) and what its office ranks (`ranked_level`: the level below
them on the configured ladder) hold at any depth: the command office of a city's deployment
ranks districts, a district's office streets, a street's communities.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from gridgov.core.actor import Reader
from gridgov.core.scopes import under_paths
from gridgov.errors import NOT_FOUND, DomainError
from gridgov.people.models import Person, Post, PostQuerySet
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region

ALL = None  # the scope of an account that sees everything


def scope_paths(user: Reader | None) -> list[str] | None:
    """Region paths the account may see (subtrees), or ALL. Cached on the user object (a stand-in
    reader brings its own, see ``core.actor.Reader``)."""
    if hasattr(user, "_gridgov_scope"):
        cached: list[str] | None = getattr(user, "_gridgov_scope")  # noqa: B009
        return cached
    result: list[str] | None
    if user is None or not user.is_authenticated or not user.is_active:
        result = []
    elif user.is_superuser:
        result = ALL
    elif not isinstance(user, User):
        result = []  # a stand-in reader without its own scope sees nothing
    else:
        # Two columns, not three models (a region's geometry is large): this runs on every
        # request.
        posts = list(
            Post.objects.current()
            .filter(person__user=user, region__retired_at__isnull=True)
            .values_list("post_type__sees_everything", "region__path")
            .order_by()
        )
        if any(everything for everything, _path in posts):
            result = ALL
        else:
            paths = sorted({path for _everything, path in posts})
            # Drop paths inside another path: "/1/4/" covers "/1/4/9/".
            result = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    if user is not None:  # the system (None) sees nothing through a scope, uncached
        setattr(user, "_gridgov_scope", result)  # noqa: B010 (an attribute mypy does not know)
    return result


def sees_everything(user: Reader | None) -> bool:
    return scope_paths(user) is ALL


def regions_for(user: Reader | None, qs: QuerySet[Region] | None = None) -> QuerySet[Region]:
    qs = Region.objects.all() if qs is None else qs
    paths = scope_paths(user)
    return qs if paths is ALL else qs.filter(under_paths(paths, "path"))


def posts_for(user: Reader | None, qs: Any = None) -> PostQuerySet:
    qs = Post.objects.all() if qs is None else qs
    paths = scope_paths(user)
    chosen: PostQuerySet = qs if paths is ALL else qs.filter(under_paths(paths, "region__path"))
    return chosen


def people_for(user: Reader | None, qs: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Persons holding (or having held) a post inside the account's scope."""
    qs = Person.objects.all() if qs is None else qs
    paths = scope_paths(user)
    if paths is ALL:
        return qs
    return qs.filter(pk__in=posts_for(user).values("person_id"))


def can_see_region(user: Reader | None, region: Region) -> bool:
    paths = scope_paths(user)
    return paths is ALL or any(region.path.startswith(p) for p in paths)


# --- helpers for the apps' own scoped queries -------------------------------------------------


def has_perm(user: Reader | None, perm: str) -> bool:
    """The account is logged in and holds the permission (through its groups or as superuser)."""
    return bool(user is not None and user.is_authenticated and user.has_perm(perm))


def ancestor_paths(paths: list[str]) -> list[str]:
    """Every path on the way down to each path: "/1/5/23/" → "/1/", "/1/5/", "/1/5/23/"."""
    out: set[str] = set()
    for p in paths:
        parts = p.strip("/").split("/")
        out.update("/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    return sorted(out)


def visible_region(user: Reader | None, code: str) -> Region:
    """The region, or one not_found for an unknown code and for one outside the account's scope
    (so the answer never tells which codes exist)."""
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not can_see_region(user, region):
        raise DomainError(NOT_FOUND, f"no region with code {code!r}", field="code")
    return region


# --- the viewer's own units, at any depth ------------------------------------------------------


def own_units(user: Reader | None) -> list[Region]:
    """The viewer's own units, top first: the roots of the stored trees (a city, or a district)
    for an account that sees everything, else the regions of its current posts (their subtrees
    being its scope). Without geometry."""
    paths = scope_paths(user)
    qs = Region.objects.active().defer("geometry")
    if paths is ALL:
        return list(qs.filter(parent__isnull=True).order_by("level", "code"))
    return list(qs.filter(path__in=paths or []).order_by("level", "code"))


def own_level(user: Reader | None) -> Level | None:
    """The highest level among the viewer's own units (None: no unit)."""
    paths = scope_paths(user)
    if paths is ALL:
        return ladder.root_level()
    levels = list(
        Region.objects.active().filter(path__in=paths or []).values_list("level", flat=True)
    )
    return Level(min(levels)) if levels else None


def ranked_level(user: Reader | None) -> Level | None:
    """The level the viewer's office ranks and tables: the configured level below its own
    highest unit (districts for a city, streets for a district, communities for a street; the
    grid for a community). None for an account with no unit, or one at the grid."""
    own = own_level(user)
    return None if own is None else ladder.below(own)


def office_table_level(user: Reader | None) -> Level:
    """The level a statistics table is by, by default: the level below an office above the
    street (districts for a city's office, streets for a district's); the street below that
    (a street's own row among those it sees)."""
    own, below = own_level(user), ranked_level(user)
    if own is not None and own < Level.STREET and below is not None and below != Level.GRID:
        return below
    return Level.STREET
