"""What other apps add to a source (inspections, orders, enforcement …): the host's registry.

`register(fn, order)`: `fn(source, user)` returns `{"title", "template", "context"}` (or
`{"title", "html"}`, see `rendered`) or None (nothing to show); the source page renders each
section, by `order` then in the order they were registered. `register_figures(fn)`: `fn(source)`
returns figures the API's source detail adds (e.g. `{"inspections": 3}`). Each guest registers
in its `AppConfig.ready()`; this app never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridgov.core.actor import Account
from gridgov.sources.models import PollutionSource

Section = Callable[[PollutionSource, Any], dict[str, Any] | None]
Figures = Callable[[PollutionSource], dict[str, Any]]
_SECTIONS: list[Section] = []
_ORDER: dict[Section, int] = {}
_FIGURES: list[Figures] = []


def register(fn: Section, order: int = 100) -> Section:
    if fn not in _SECTIONS:
        _SECTIONS.append(fn)
        _ORDER[fn] = order
    return fn


def register_figures(fn: Figures) -> Figures:
    if fn not in _FIGURES:
        _FIGURES.append(fn)
    return fn


def sections_for(source: PollutionSource, user: Account) -> list[dict[str, Any]]:
    out = []
    for fn in sorted(_SECTIONS, key=lambda fn: _ORDER.get(fn, 100)):  # stable within an order
        section = fn(source, user)
        if section:
            out.append(section)
    return out


def figures_for(source: PollutionSource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fn in _FIGURES:
        out.update(fn(source))
    return out


def rendered(title: str, template: str, context: dict[str, Any]) -> dict[str, Any]:
    """A section whose template draws its own card and heading."""
    from django.template.loader import render_to_string

    return {"title": title, "html": render_to_string(template, context)}
