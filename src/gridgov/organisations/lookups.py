"""What the organisations' pages and API show beside an organisation the reader may see: its
instructors and its grids, wherever these are now (an instructor may hold a post above the
reader's scope; an organisation seen through its history may since have moved grids)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from gridgov.people.models import Person
from gridgov.territory.models import Level, Region


def people(ids: Iterable[int]) -> QuerySet[Person]:
    """The persons with these ids (the instructors named on visible organisations)."""
    return Person.objects.filter(pk__in=set(ids))


def grids(ids: Iterable[int]) -> dict[int, Region]:
    """The grids with these ids, by id (code and name only)."""
    return {g.pk: g for g in Region.objects.filter(pk__in=set(ids)).only("code", "name")}


def grid_codes(paths: Iterable[str]) -> dict[str, str]:
    """The codes of the grids at these paths, by path."""
    return dict(
        Region.objects.filter(level=Level.GRID, path__in=set(paths)).values_list("path", "code")
    )
