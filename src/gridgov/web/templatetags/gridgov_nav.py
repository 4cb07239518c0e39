"""`{% main_nav as nav %}`: the header menu's groups for the viewer (web/nav.py)."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.web.nav import nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> list[dict[str, Any]]:
    request = context.get("request")
    return nav_for(getattr(request, "user", None))
