"""`{% main_nav as nav %}`: the header menu's groups for the viewer (web/nav.py)."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.core import pagecache
from gridgov.people import scope
from gridgov.web.nav import nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> list[dict[str, Any]]:
    """Kept per account, scope and minute until a write (core/pagecache.py): every page shows
    it, and its ~40 checks cost more than many a page's own figures."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return nav_for(user)
    paths = scope.scope_paths(user)
    return pagecache.remember(
        "nav", user, None if paths is scope.ALL else (paths or ["-"]), lambda: nav_for(user)
    )
