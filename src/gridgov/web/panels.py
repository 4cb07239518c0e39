"""The overview's panels (指挥中心总览): a registry the apps fill, the overview reads.

Each app that has a figure on the overview (alarms, orders, inspections, the emergency level,
commands …) registers a function in its `AppConfig.ready()`:

    panels.register("alarms", alarms)   # alarms(viewer) -> a plain dataclass

The overview, the wall screen and `GET /api/v1/overview` compute each panel through `compute`
and never import the app. A panel is computed for a `Viewer`: the account, the day and moment
asked about, and the account's own units (the district for the command office).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from gridgov.core.actor import Account
from gridgov.territory.models import Region


@dataclass(frozen=True)
class Viewer:
    user: Account
    today: dt.date
    now: dt.datetime
    units: list[Region]


Panel = Callable[[Viewer], Any]
_PANELS: dict[str, Panel] = {}


def register(key: str, panel: Panel) -> None:
    """`panel(viewer)` computes the overview's figure `key` (one key, one app)."""
    known = _PANELS.get(key)
    if known is not None and known is not panel:
        raise ValueError(f"overview panel {key!r} is registered twice")
    _PANELS[key] = panel


def compute(key: str, viewer: Viewer) -> Any:
    """The panel's figure, or None when no installed app offers it."""
    panel = _PANELS.get(key)
    return None if panel is None else panel(viewer)


def link(name: str, *args: Any, **query: Any) -> str:
    """The address of a page, with its filters (empty values left out)."""
    address = reverse(name, args=args)
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{address}?{urlencode(params)}" if params else address
