from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.emergency.models import MAX_DISMISS_REASON, Level
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
    # Declared from a recommendation (预警建议): linked to it when confirmed.
    recommendation = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class EndForm(forms.Form):
    at = _moment(_("解除时间"), required=False)
    reason = forms.CharField(
        label=_("解除理由"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("不予采纳的理由"),
        max_length=MAX_DISMISS_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
