"""`{{ category|named }}`: a record's English name (`name_en`) on English pages, its Chinese
name otherwise — for data-level names such as categories and post types."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def named(obj: Any) -> str:
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return str(english)
    return str(getattr(obj, "name", obj))
