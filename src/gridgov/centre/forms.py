"""Forms of the command centre's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput({"type": "date"}, format="%Y-%m-%d")  # ISO: what <input type=date> takes


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("从"), required=False, widget=DATE)
    end = forms.DateField(label=_("到"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期早于开始日期"))
        return data
