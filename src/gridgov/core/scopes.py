"""Scope by region path (辖区): a row lies in a subtree when its region's materialised path
("/1/4/9/") starts with the subtree's path ("/1/4/").

The paths come from ``people.scope.scope_paths(user)``: a list of subtree paths, or ``None``
(``people.scope.ALL``) for an account that sees everything.

How an app scopes its reads: each model that a page or an API handler reads has a queryset
method ``for_user(user)`` (``Model.objects.for_user(user)``) returning the rows that account may
see; views and API modules never read ``Model.objects`` otherwise (scripts/no_objects_in_views.py
keeps it so). Models below the people app (the territory's regions) cannot import
``people.scope``; they reach the account's paths through ``paths_for(user)``, whose source the
people app registers in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.db.models import Q

from gridgov.core.actor import Account

_paths_source: Callable[[Account], list[str] | None] | None = None


def register_paths_source(source: Callable[[Account], list[str] | None]) -> None:
    """Called once by the people app: ``source(user)`` answers the account's subtree paths."""
    global _paths_source
    _paths_source = source


def paths_for(user: Account) -> list[str] | None:
    """The account's subtree paths (None: everything), from the registered source; no paths
    (nothing visible) while no source is registered."""
    return [] if _paths_source is None else _paths_source(user)


def under_paths(paths: Iterable[str] | None, *fields: str) -> Q:
    """Rows whose path (any of ``fields``, each a path lookup such as "path", "grid__path" or
    "region_path") lies in one of the subtrees: everything for ``None`` (ALL), nothing for no
    paths."""
    if paths is None:
        return Q()
    parts = [Q(**{f"{field}__startswith": p}) for p in paths for field in fields]
    return reduce(or_, parts) if parts else Q(pk__in=[])
