"""The level vocabulary: every name a file or an option may give a level, in one place.

China's administrative names map onto the four levels of the chain: 区/县/县级市/旗… are
district-level, 街道/镇/乡… street-level, 社区/村/居委会… community-level, 网格 a grid.
"""

from __future__ import annotations

from typing import Any

from gridgov.territory.models import Level

ALIASES: dict[Level, tuple[str, ...]] = {
    Level.DISTRICT: (
        "district",
        "county",
        "区",
        "县",
        "县级市",
        "旗",
        "自治县",
        "自治旗",
        "林区",
        "特区",
    ),
    Level.STREET: ("street", "town", "township", "街道", "镇", "乡", "民族乡", "苏木", "街道/镇"),
    Level.COMMUNITY: (
        "community",
        "village",
        "社区",
        "村",
        "居委会",
        "村委会",
        "嘎查",
        "社区/村",
    ),
    Level.GRID: ("grid", "网格"),
}

# 区, 街道/镇, 社区/村 and 网格 are also the project's own labels (models.Level): exports read back.
LEVEL_NAMES: dict[str, Level] = {name: level for level, names in ALIASES.items() for name in names}


def parse_level(value: Any) -> Level | None:
    """The level a value names (1-4, "4", "县", "Street", …), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Level(value) if value in Level.values else None
    text = str(value if value is not None else "").strip().lower()
    if text.isdigit():
        return Level(int(text)) if int(text) in Level.values else None
    return LEVEL_NAMES.get(text)


def accepted_names() -> str:
    """For messages: the accepted names, level by level."""
    return "; ".join(f"level {int(level)}: " + "/".join(names) for level, names in ALIASES.items())
