"""The names of the levels of the chain, as plain numbers: what a file, an option or the
GRIDGOV_TERRITORY_LEVELS setting may call a level. No Django here, so the settings can read
it before Django starts (`levels.Level` is the same numbers as model choices)."""

from __future__ import annotations

from typing import Any

PROVINCE, CITY, DISTRICT, STREET, COMMUNITY, GRID = -1, 0, 1, 2, 3, 4
ORDER = (PROVINCE, CITY, DISTRICT, STREET, COMMUNITY, GRID)  # top first

ALIASES: dict[int, tuple[str, ...]] = {
    PROVINCE: (
        "province",
        "省",
        "自治区",
        "直辖市",
        "特别行政区",
        "省级",
    ),
    CITY: (
        "city",
        "prefecture",
        "市",
        "地级市",
        "州",
        "自治州",
        "盟",
        "地区",
        "市级",
    ),
    DISTRICT: (
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
        "区/县",
        "区/县/县级市",
    ),
    STREET: ("street", "town", "township", "街道", "镇", "乡", "民族乡", "苏木", "街道/镇"),
    COMMUNITY: (
        "community",
        "village",
        "社区",
        "村",
        "居委会",
        "村委会",
        "嘎查",
        "社区/村",
    ),
    GRID: ("grid", "网格"),
}

NAMES: dict[str, int] = {name: level for level, names in ALIASES.items() for name in names}


def number_of(value: Any) -> int | None:
    """The level a value names (-1 to 4, "4", "县", "市", "Street", …), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in ORDER else None
    text = str(value if value is not None else "").strip().lower()
    if text.lstrip("-").isdigit():
        return int(text) if int(text) in ORDER else None
    return NAMES.get(text)


def parse_config(raw: str, name: str = "GRIDGOV_TERRITORY_LEVELS") -> tuple[int, ...]:
    """The configured levels from a comma-separated list of level names or numbers ("市,区,街道,
    社区,网格", "city,district,street,grid", "0,1,2,4"); empty: every level. Raises ValueError,
    naming the variable, for an unknown name, a repeat, an order other than top first, or a
    list without the grid at its end or without any level above it."""
    words = [w.strip() for w in raw.replace("，", ",").split(",") if w.strip()]
    if not words:
        return ORDER
    levels: list[int] = []
    for word in words:
        level = number_of(word)
        if level is None:
            known = ", ".join(f"{ALIASES[lv][0]}/{ALIASES[lv][1]}" for lv in ORDER)
            raise ValueError(f"{name}: unknown level {word!r} (known: {known})")
        if level in levels:
            raise ValueError(f"{name}: level {word!r} is named twice")
        levels.append(level)
    if levels != sorted(levels):
        order = " > ".join(ALIASES[lv][1] for lv in ORDER)
        raise ValueError(f"{name}: list the levels from the top down ({order}), got {raw!r}")
    if levels[-1] != GRID:
        raise ValueError(f"{name}: the last level must be the grid (网格), got {raw!r}")
    if len(levels) < 2:
        raise ValueError(f"{name}: at least one level above the grid is needed, got {raw!r}")
    return tuple(levels)
