"""The bulletin's sections: a registry the apps fill, the bulletin reads.

A section is `fn(region, period, reader) -> Section`, registered with its place in the
document (`register_section(key, fn, order)`). A composite section (the work section: orders,
inspections, cases) is drawn from parts the apps register: `fn(section, region, period,
reader)` appends its paragraphs and tables and returns `(key, data)` for the section's JSON
snapshot. The notice of a new bulletin goes through the notifier the inbox registers. Each app
registers in its `AppConfig.ready()`; the bulletins never import them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import Section, UnitReader
from gridgov.territory.models import Region

SectionFn = Callable[[Region, Period, UnitReader], Section]
PartFn = Callable[[Section, Region, Period, UnitReader], tuple[str, Any]]
Notifier = Callable[[list[int], str, str, str], int]  # persons, title, body, key → how many

_SECTIONS: dict[str, tuple[int, SectionFn]] = {}
_PARTS: dict[str, dict[str, tuple[int, PartFn]]] = {}
_NOTIFIERS: list[Notifier] = []


def register_section(key: str, fn: SectionFn, order: int) -> None:
    _SECTIONS[key] = (order, fn)


def register_part(section: str, key: str, fn: PartFn, order: int) -> None:
    """`fn` adds the part `key` to the composite section `section`, by `order`."""
    _PARTS.setdefault(section, {})[key] = (order, fn)


def register_notifier(fn: Notifier) -> None:
    if fn not in _NOTIFIERS:
        _NOTIFIERS.append(fn)


def sections(region: Region, period: Period, reader: UnitReader) -> list[Section]:
    """Every registered section for the unit and the period, in the document's order."""
    ordered = sorted(_SECTIONS.values(), key=lambda entry: entry[0])
    return [fn(region, period, reader) for _order, fn in ordered]


def composite(key: str, title: str, region: Region, period: Period, reader: UnitReader) -> Section:
    """A section made of the parts registered for `key`, by their order."""
    section = Section(key, title)
    data: dict[str, Any] = {}
    for _order, fn in sorted(_PARTS.get(key, {}).values(), key=lambda entry: entry[0]):
        name, value = fn(section, region, period, reader)
        data[name] = value
    section.data = data
    return section


def notify(persons: list[int], title: str, body: str, key: str) -> int:
    """Tell `persons` through the registered notifiers (the inbox): how many were told."""
    return sum(fn(persons, title, body, key) for fn in _NOTIFIERS)
