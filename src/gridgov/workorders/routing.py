"""Where an event belongs and who must act on it (责任到人、落实到岗).

An event's place → its grid (`locate`); the grid and the category's line of work → the person
who gets the order: the grid's own staff below its leader (专职 before 兼职 by post rank, the
one with fewer open orders first), else the grid leader, else up the chain when posts are vacant.
Escalation climbs the same chain: grid leader, community/village, street/town, district.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from gridgov.core import transitions
from gridgov.errors import INVALID, DomainError
from gridgov.people.models import Person, Post
from gridgov.territory.locate import locate
from gridgov.territory.models import Level, Region
from gridgov.workorders.states import OPEN_STATES


class Unlocated(DomainError, ValueError):
    """The place is outside every grid and no unit was named (kind invalid)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(INVALID, message, field)


def region_for(lat: float, lon: float, grid_code: str | None = None) -> Region:
    """The grid containing the point, or the named active region."""
    if grid_code:
        region = Region.objects.active().defer("geometry").filter(code=grid_code).first()
        if region is None:
            raise Unlocated(f"unknown region {grid_code!r}")
        return region
    where = locate(lat, lon)
    if not where.inside or where.grid is None:
        raise Unlocated("the location is outside every grid")
    return Region.objects.defer("geometry").get(pk=where.grid.id)


class PostBook:
    """Every current responsible post of many regions, read in one query (an alarm storm routes
    hundreds of orders at once); answers what `_responsible_posts` answers, without a query."""

    def __init__(self, region_ids: set[int]) -> None:
        self.by_region: dict[int, list[Post]] = {}
        posts = (
            Post.objects.current()
            .filter(region_id__in=region_ids, post_type__responsible=True)
            .select_related("person", "post_type", "region")
            .defer("region__geometry")
        )
        for p in posts:
            self.by_region.setdefault(p.region_id, []).append(p)

    def posts(self, region_id: int, line_id: int | None) -> list[Post]:
        found = [p for p in self.by_region.get(region_id, []) if p.line_id in (None, line_id)]
        return sorted(found, key=lambda p: (p.post_type.rank, p.person.name, p.person_id))


# The responsible posts of a region for a line of work on a day (compiled once: every dispatch
# asks).
RESPONSIBLE_POSTS = transitions.Query(
    lambda region_id, line_id, day: (
        Post.objects.current(day)
        .filter(region_id=region_id, post_type__responsible=True)
        .filter(Q(line__isnull=True) | Q(line_id=line_id))
        .select_related("person", "post_type", "region")
        .defer("region__geometry")
    )
)


def _responsible_posts(region_id: int, line_id: int | None) -> list[Post]:
    posts = RESPONSIBLE_POSTS.rows(region_id, line_id, timezone.localdate())
    return sorted(posts, key=lambda p: (p.post_type.rank, p.person.name, p.person_id))


def _split_grid(posts: list[Post]) -> tuple[list[Post], list[Post]]:
    """(the grid's leaders, the staff below them); with one rank only, all are staff."""
    if not posts:
        return [], []
    top = posts[0].post_type.rank
    leaders = [p for p in posts if p.post_type.rank == top]
    staff = [p for p in posts if p.post_type.rank != top]
    return (leaders, staff) if staff else ([], leaders)


def _least_loaded(posts: list[Post]) -> Post:
    """Among the posts of the best rank, the holder with the fewest open orders."""
    best = [p for p in posts if p.post_type.rank == posts[0].post_type.rank]
    if len(best) == 1:
        return best[0]
    load = dict(
        Person.objects.filter(pk__in=[p.person_id for p in best])
        .annotate(n=Count("orders", filter=Q(orders__state__in=OPEN_STATES)))
        .values_list("pk", "n")
    )
    return min(best, key=lambda p: (load.get(p.person_id, 0), p.person.name, p.person_id))


@dataclass(frozen=True)
class Assignment:
    person: Person
    post: Post
    region: Region


def assignee_for(
    region: Region, line_id: int | None, book: PostBook | None = None
) -> Assignment | None:
    """Who gets an order in `region` for a line of work, falling back up the chain."""
    chain = list(reversed(region.ancestor_ids()))  # nearest first
    for rid in chain:
        posts = book.posts(rid, line_id) if book else _responsible_posts(rid, line_id)
        if not posts:
            continue
        if posts[0].region.level == Level.GRID:
            _leaders, staff = _split_grid(posts)
            posts = staff
        chosen = _least_loaded(posts)
        return Assignment(chosen.person, chosen, chosen.region)
    return None


@dataclass(frozen=True)
class Tier:
    level: int  # 1 = the first escalation
    region: Region
    persons: list[Person]


def escalation_tiers(
    grid: Region, holder_region: Region, assignee: Person | None, line_id: int | None
) -> list[Tier]:
    """Who an overdue order goes to, one level at a time, above whoever holds it now."""
    regions = {r.pk: r for r in Region.objects.filter(pk__in=grid.ancestor_ids()).defer("geometry")}
    chain = [regions[i] for i in reversed(grid.ancestor_ids()) if i in regions]
    tiers: list[Tier] = []
    if holder_region.level == Level.GRID:
        leaders, _staff = _split_grid(_responsible_posts(holder_region.pk, line_id))
        persons = [p.person for p in leaders if p.person != assignee]
        if persons:
            tiers.append(Tier(1, holder_region, persons))
    above = [r for r in chain if r.level < holder_region.level]
    for region in above:
        persons = [p.person for p in _responsible_posts(region.pk, line_id)]
        tiers.append(Tier(len(tiers) + 1, region, persons))
    return tiers


def dispatching_unit(grid: Region) -> Region:
    """The unit that dispatches a grid's orders when no person did: its community/village."""
    ids = grid.ancestor_ids()
    parent_id = ids[-2] if len(ids) >= 2 else ids[-1]
    return Region.objects.defer("geometry").get(pk=parent_id)
