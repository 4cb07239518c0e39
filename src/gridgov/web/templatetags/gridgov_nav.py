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
        "nav", user, None if paths is scope.ALL else (paths or ["-"]), lambda: _plain(nav_for(user))
    )


def _plain(nav: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The labels as text in the current language (the key holds it): a lazy label costs a
    class built anew each time it is read back from the cache."""
    return [
        {
            **group,
            "label": str(group["label"]) if group["label"] else "",
            "entries": [{**e, "label": str(e["label"])} for e in group["entries"]],
        }
        for group in nav
    ]
