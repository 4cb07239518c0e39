from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.forces import services
from gridgov.forces.models import SupplyKind


class RequestForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("物资"), queryset=SupplyKind.objects.none())
    unit = forms.ModelChoiceField(label=_("申请单位"), queryset=services.Region.objects.none())
    quantity = forms.CharField(label=_("申请数量"), max_length=20)
    reason = forms.CharField(
        label=_("申请理由"),
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = SupplyKind.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = services.request_units(user)  # type: ignore[attr-defined]


class ApproveForm(forms.Form):
    depot = forms.ModelChoiceField(label=_("调出存放点"), queryset=services.Depot.objects.none())
    quantity = forms.CharField(label=_("批准数量"), max_length=20, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = services.handled_depots(user).filter(active=True)  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    note = forms.CharField(label=_("驳回理由"), max_length=500)


class HandoverForm(forms.Form):
    received_by = forms.CharField(label=_("接收人"), max_length=services.MAX_NAME)
    given_by = forms.CharField(label=_("交付人"), max_length=services.MAX_NAME, required=False)
    note = forms.CharField(label=_("备注"), max_length=services.MAX_NOTE, required=False)
