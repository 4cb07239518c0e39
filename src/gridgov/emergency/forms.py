from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.emergency.models import Level
from gridgov.emergency.services import MAX_REASON


def _moment(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class DeclareForm(forms.Form):
    level = forms.TypedChoiceField(label=_("预警级别"), choices=Level.choices, coerce=int)
    starts_at = _moment(_("开始时间"))
    ends_at = _moment(_("结束时间"))
    reason = forms.CharField(
        label=_("启动理由"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3})
    )


class EndForm(forms.Form):
    at = _moment(_("解除时间"), required=False)
    reason = forms.CharField(
        label=_("解除理由"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )
