"""Personal data shown to those who may not see it (个人信息脱敏): one rule per kind of datum.

Public pages and APIs never carry names, phones or ID numbers at all (see
``workorders.publication``); these masks are for staff without the identity permission and for
exports.
"""

from __future__ import annotations

import re

COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "百里", "呼延", "闻人", "澹台",
    "公冶", "申屠", "太史", "万俟", "赫连", "拓跋",
)  # fmt: skip
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def surname_length(name: str) -> int:
    """2 for a compound surname (欧阳…), else 1."""
    return 2 if name.startswith(COMPOUND_SURNAMES) and len(name) > 2 else 1


def mask_name(name: str) -> str:
    """王建国 → 王**; 欧阳小明 → 欧阳**; an organisation's long name keeps two characters;
    a Latin name keeps its first letter."""
    name = name.strip()
    if not name:
        return ""
    if _CJK_NAME.match(name):
        keep = surname_length(name)
    else:
        keep = 2 if len(name) > 4 and not name.isascii() else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def published_name(name: str, anonymous: str) -> str:
    """王小明 → 王某; 欧阳小明 → 欧阳某 (how Chinese authorities publish a person's name);
    ``anonymous`` for an empty name."""
    name = name.strip()
    if not name:
        return anonymous
    return name[: surname_length(name)] + "某"


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678: the first three and last four digits; a short number is all
    stars."""
    digits = phone.replace(" ", "")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
