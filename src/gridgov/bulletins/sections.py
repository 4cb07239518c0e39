"""The bulletin's sections: a registry the apps fill, the bulletin reads.

A section is `fn(region, period, reader) -> Section`, registered with its place in the
document (`register_section(key, fn, order)`). A composite section (the work section: orders,
inspections, cases) is drawn from parts the apps register: `fn(section, region, period,
reader)` appends its paragraphs and tables and returns `(key, data)` for the section's JSON
snapshot. Each app registers in its
`AppConfig.ready()`; the bulletins never import them (a new bulletin's notice goes straight to
the inbox, which the bulletins stand on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import Section, UnitReader
from gridgov.territory.models import Region

# A section function may answer None: nothing for this kind of period (the section is left out).
SectionFn = Callable[[Region, Period, UnitReader], Section | None]
PartFn = Callable[[Section, Region, Period, UnitReader], tuple[str, Any]]

_SECTIONS: dict[str, tuple[int, SectionFn]] = {}
_PARTS: dict[str, dict[str, tuple[int, PartFn]]] = {}


def register_section(key: str, fn: SectionFn, order: int) -> None:
    _SECTIONS[key] = (order, fn)


def register_part(section: str, key: str, fn: PartFn, order: int) -> None:
    """`fn` adds the part `key` to the composite section `section`, by `order`."""
    _PARTS.setdefault(section, {})[key] = (order, fn)


def sections(region: Region, period: Period, reader: UnitReader) -> list[Section]:
    """Every registered section for the unit and the period, in the document's order."""
    ordered = sorted(_SECTIONS.values(), key=lambda entry: entry[0])
    made = [fn(region, period, reader) for _order, fn in ordered]
    return [s for s in made if s is not None]


def composite(key: str, title: str, region: Region, period: Period, reader: UnitReader) -> Section:
    """A section made of the parts registered for `key`, by their order."""
    section = Section(key, title)
    data: dict[str, Any] = {}
    for _order, fn in sorted(_PARTS.get(key, {}).values(), key=lambda entry: entry[0]):
        name, value = fn(section, region, period, reader)
        data[name] = value
    section.data = data
    return section
