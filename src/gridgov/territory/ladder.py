"""The ladder: which levels of the chain a deployment uses (GRIDGOV_TERRITORY_LEVELS), and the
relative steps every rule takes on it — the level below a unit (what its office ranks, what its
bulletin tables), the level above (a region's parent), the top, and where the stored trees
actually start (a city's deployment has a 市 root with 区 children; a district's a 区 root).

A level left out of the configured list is skipped: with no community level, the level below a
street is the grid. The grid is always the leaf. Rules whose meaning is relative ("the level
below the viewer's unit") use these functions, never a literal level.

The settings parse the list with level_names.parse_config (no Django there); these functions
read `settings.GRIDGOV_TERRITORY_LEVELS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from gridgov.territory import level_names
from gridgov.territory.levels import KEYS, Level

T = TypeVar("T")

DEFAULT: tuple[Level, ...] = tuple(Level)  # 省, 市, 区, 街道, 社区, 网格


def parse_config(raw: str, name: str = "GRIDGOV_TERRITORY_LEVELS") -> tuple[Level, ...]:
    """The configured levels (level_names.parse_config, which the settings use) as Levels."""
    return tuple(Level(n) for n in level_names.parse_config(raw, name))


def configured() -> tuple[Level, ...]:
    """The levels this deployment uses, top first; the grid last."""
    from django.conf import settings

    return tuple(Level(lv) for lv in getattr(settings, "GRIDGOV_TERRITORY_LEVELS", DEFAULT))


def top() -> Level:
    """The highest configured level."""
    return configured()[0]


def below(level: int) -> Level | None:
    """The configured level right below `level` (skipping those left out); None below the grid."""
    return next((lv for lv in configured() if lv > level), None)


def above(level: int) -> Level | None:
    """The configured level right above `level`; None above the top."""
    return next((lv for lv in reversed(configured()) if lv < level), None)


def units() -> tuple[Level, ...]:
    """The configured levels above the grid: the levels whose regions are units (offices)."""
    return tuple(lv for lv in configured() if lv != Level.GRID)


def units_below_root() -> tuple[Level, ...]:
    """The unit levels below the stored trees' root, top first: what a table may be by (a
    city's deployment: districts, streets, communities; a district's: streets, communities)."""
    root = root_level()
    return tuple(lv for lv in units() if root is None or lv > root)


def unit_keys() -> dict[str, Level]:
    """The unit levels by their word ("city", "district", "street", …), top first."""
    return {KEYS[lv]: lv for lv in units()}


def unit_choices(below_level: int | None = None) -> list[tuple[str, str]]:
    """(word, label) of each unit level (below `below_level` when given), top first: for a
    page's choice of level."""
    return [(KEYS[lv], str(lv.label)) for lv in units() if below_level is None or lv > below_level]


def is_configured(level: int) -> bool:
    return level in configured()


def root_levels() -> list[Level]:
    """The levels at which the stored trees start (the active regions without a parent), top
    first; empty with no territory."""
    from gridgov.territory.models import Region

    found = (
        Region.objects.active()
        .filter(parent__isnull=True)
        .values_list("level", flat=True)
        .distinct()
    )
    return sorted(Level(lv) for lv in found)


def root_level() -> Level | None:
    """The highest level a stored tree starts at (a city's 市, a district's 区), or None."""
    levels = root_levels()
    return levels[0] if levels else None


def level_below_units(levels: Iterable[int]) -> Level | None:
    """What an office over regions of these levels ranks: the level below the highest of them
    (districts for a city, streets for a district, communities for a street); None for none
    or for grids only."""
    levels = list(levels)
    if not levels:
        return None
    return below(min(levels))


def on_path(path: str, units: Mapping[str, T]) -> T | None:
    """The unit of `units` (by their paths) that `path` lies in (itself or an ancestor), or
    None: one rule for "the street of this event" at whatever depth the tree starts. The
    deepest match wins when units of several levels are given."""
    parts = path.strip("/").split("/")
    for i in range(len(parts), 0, -1):
        found = units.get("/" + "/".join(parts[:i]) + "/")
        if found is not None:
            return found
    return None


def sub_unit_level(level: int) -> Level:
    """The level a unit's bulletin and statistics table its figures by: the configured level
    below it (a city's districts, a district's streets, a street's communities); a unit with
    only grids below it (a community) tables itself."""
    wanted = below(level)
    return Level(level) if wanted is None or wanted == Level.GRID else wanted
