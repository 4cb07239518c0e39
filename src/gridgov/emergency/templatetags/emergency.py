"""`{% emergency_banner %}`: "橙色预警 生效中" on any page (the desk header, the phone pages),
linking to the emergency page; nothing when no warning is in force or nobody is logged in."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.emergency import services

register = template.Library()
COLOURS = {1: "yellow", 2: "orange", 3: "red"}


@register.inclusion_tag("emergency/_banner.html", takes_context=True)
def emergency_banner(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"warning": None}
    if not hasattr(request, "_gridgov_warning"):
        request._gridgov_warning = services.in_force()
    warning = request._gridgov_warning
    return {"warning": warning, "colour": COLOURS.get(warning.level) if warning else ""}
