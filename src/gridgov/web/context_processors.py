"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from gridgov.web.basemap import config_for


def basemap(request: HttpRequest) -> dict[str, Any]:
    """The base layer's settings for web/basemap.js (base.html puts them in a json_script
    block). The viewer's scope it reads is cached on the user for the request, and nearly
    every page has read it already."""
    return {"basemap_config": config_for(getattr(request, "user", None), reverse("web:boundaries"))}
