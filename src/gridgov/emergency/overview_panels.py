"""The emergency's panel of the overview: the heavy-pollution warning in force (registered in
gridgov.web.panels when the app is ready)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridgov.emergency.services import in_force
from gridgov.web import panels
from gridgov.web.panels import link


@dataclass
class EmergencyNow:
    level: int | None  # None: no warning in force
    label: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    url: str


def emergency_now(now: dt.datetime) -> EmergencyNow:
    warning = in_force(now)
    if warning is None:
        return EmergencyNow(None, "", None, None, link("emergency:index"))
    return EmergencyNow(
        warning.level,
        str(warning.get_level_display()),
        warning.starts_at,
        warning.ends_at,
        link("emergency:warning", warning.pk),
    )


def register() -> None:
    panels.register("emergency", lambda v: emergency_now(v.now))
