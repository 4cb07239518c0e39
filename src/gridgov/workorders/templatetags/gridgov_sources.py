"""`{{ degrees|compass }}`: a bearing as one of the eight compass points (北, 东北, …)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

POINTS = (_("北"), _("东北"), _("东"), _("东南"), _("南"), _("西南"), _("西"), _("西北"))


@register.filter
def compass(degrees: Any) -> str:
    try:
        value = float(degrees)
    except (TypeError, ValueError):
        return ""
    if value != value:
        return ""
    return str(POINTS[round(value % 360 / 45) % 8])
