"""Chinese personal names in free text: the roster's names (a set kept per process), the common
surnames, and how a name is masked for the public (王建国 → 王**, 欧阳小明 → 欧阳**).

The roster set is read once and kept; saving or deleting a person clears it in this process
(people.signals), and other processes re-read it within ROSTER_SECONDS."""

from __future__ import annotations

import re
import time
from typing import Any

from gridgov.core import privacy

# The commonest single-character surnames (about 85 % of the population) and the compound ones.
SURNAMES = frozenset(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武"
    "乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂焦柳邢岳齐梅莫庄辛管祝左涂谷"
    "祁舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵"
)
CJK = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
ROSTER_SECONDS = 60.0

_roster: tuple[float, frozenset[str]] | None = None


def masked(name: str) -> str:
    """王建国 → 王**; 欧阳小明 → 欧阳**; a Latin name keeps its first letter (core.privacy)."""
    return privacy.mask_name(name)


def roster_names() -> frozenset[str]:
    """Every person's name on the roster that looks like a Chinese name (2–4 characters)."""
    global _roster
    now = time.monotonic()
    if _roster is None or now - _roster[0] > ROSTER_SECONDS:
        from gridgov.people.models import Person

        names = Person.objects.values_list("name", flat=True).distinct()
        _roster = (now, frozenset(n for n in (re.sub(r"\s", "", x) for x in names) if CJK.match(n)))
    return _roster[1]


def clear_cache(**_: Any) -> None:
    global _roster
    _roster = None
