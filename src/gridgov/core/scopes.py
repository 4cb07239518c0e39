"""Scope by region path (辖区): a row lies in a subtree when its region's materialised path
("/1/4/9/") starts with the subtree's path ("/1/4/").

The paths come from ``people.scope.scope_paths(user)``: a list of subtree paths, or ``None``
(``people.scope.ALL``) for an account that sees everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Q


def under_paths(paths: Iterable[str] | None, *fields: str) -> Q:
    """Rows whose path (any of ``fields``, each a path lookup such as "path", "grid__path" or
    "region_path") lies in one of the subtrees: everything for ``None`` (ALL), nothing for no
    paths."""
    if paths is None:
        return Q()
    parts = [Q(**{f"{field}__startswith": p}) for p in paths for field in fields]
    return reduce(or_, parts) if parts else Q(pk__in=[])
