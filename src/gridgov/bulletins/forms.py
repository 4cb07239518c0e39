from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.bulletins.models import Bulletin
from gridgov.territory.models import Region


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("周期"), choices=Bulletin.Kind.choices)
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("周期内的任一天；未结束的周期统计到该日"),
    )
    region = forms.ChoiceField(label=_("单位"))
    force = forms.BooleanField(label=_("重新生成已有通报"), required=False)

    def __init__(self, *args: Any, units: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in units]  # type: ignore[attr-defined]
