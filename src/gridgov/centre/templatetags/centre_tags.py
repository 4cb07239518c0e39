"""`{{ level|aqi_category }}`: an AQI level's category (优, 良, 轻度污染 …) in the page's language,
"无数据" for level 0 (no valid value). The overview's figures are cached for every language at
once, so the label is chosen here, when the page is rendered, never when they are computed."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.air import aqi

register = template.Library()


def category_label(level: Any) -> str:
    """The category of AQI level 1–6 in the active language; "无数据" otherwise."""
    try:
        found = aqi.level(int(level))
    except (TypeError, ValueError):
        found = None
    if found is None:
        return _("无数据")
    english = (get_language() or "").lower().startswith("en")
    return found.category_en if english else found.category


def category_labels() -> dict[int, str]:
    """Every level's label (0 included), for the scripts that redraw the figures."""
    return {n: category_label(n) for n in range(7)}


@register.filter
def aqi_category(level: Any) -> str:
    return category_label(level)
