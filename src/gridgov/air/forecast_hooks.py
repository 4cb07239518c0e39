"""What runs after a forecast issue is stored: the job that issues forecasts calls
`issued(now)` once the issue's rows are written; the apps above air register their work here
(the emergency app: its warning recommendations, emergency/plugins.py). Air never imports them.

A hook that fails is logged and does not stop the others or the forecast (the forecast is
stored; the emergency app's hourly job runs its hook again)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

IssuedHook = Callable[[dt.datetime], object]
_hooks: list[IssuedHook] = []


def register_issued(hook: IssuedHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def issued(now: dt.datetime) -> None:
    """Run every registered hook for the issue made at `now`."""
    for hook in list(_hooks):
        try:
            hook(now)
        except Exception:
            log.exception("forecast hook %s failed", getattr(hook, "__name__", hook))
