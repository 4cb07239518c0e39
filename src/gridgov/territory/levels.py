"""The level vocabulary: the levels of the chain and every name a file or an option may give
one, in one place.

The chain runs 省 › 市 › 区/县 › 街道/镇 › 社区/村 › 网格. The numbers are those stored in
`Region.level`: the district, the street, the community and the grid kept their first numbers
(1-4) when the province and the city were added above them (-1, 0), so four-level data reads
unchanged. Which levels a deployment uses is `ladder.configured()`.

China's administrative names map onto them: 省/自治区/直辖市… province-level, 市/地级市/州/盟…
city-level, 区/县/县级市/旗… district-level, 街道/镇/乡… street-level, 社区/村/居委会…
community-level, 网格 a grid (level_names.py, which the settings read).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.territory import level_names


class Level(models.IntegerChoices):
    """层级: the levels of the chain, top first (the smaller number is the higher level)."""

    PROVINCE = -1, _("省")
    CITY = 0, _("市")
    DISTRICT = 1, _("区")
    STREET = 2, _("街道/镇")
    COMMUNITY = 3, _("社区/村")
    GRID = 4, _("网格")


# The word a level goes by in addresses and options (?level=street, by="community").
KEYS: dict[int, str] = {
    Level.PROVINCE: "province",
    Level.CITY: "city",
    Level.DISTRICT: "district",
    Level.STREET: "street",
    Level.COMMUNITY: "community",
    Level.GRID: "grid",
}

ALIASES: dict[Level, tuple[str, ...]] = {
    Level(number): names for number, names in level_names.ALIASES.items()
}

# 省, 市, 区, 街道/镇, 社区/村 and 网格 are the project's own labels (Level) too: exports read back.
LEVEL_NAMES: dict[str, Level] = {name: level for level, names in ALIASES.items() for name in names}


def parse_level(value: Any) -> Level | None:
    """The level a value names (-1 to 4, "4", "县", "市", "Street", …), or None."""
    number = level_names.number_of(value)
    return None if number is None else Level(number)


def key(level: int) -> str:
    """The level's word ("district", "street", …)."""
    return KEYS[level]


def from_key(word: str) -> Level | None:
    """The level a word of KEYS names, or None."""
    for level, k in KEYS.items():
        if k == word:
            return Level(level)
    return None


def accepted_names() -> str:
    """For messages: the accepted names, level by level."""
    return "; ".join(f"level {int(level)}: " + "/".join(names) for level, names in ALIASES.items())
