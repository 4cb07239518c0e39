"""The case pages' forms: they parse; services.py decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.enforcement import services
from gridgov.enforcement.models import CaseDocument, LegalBasis, PartyKind
from gridgov.enforcement.steps import Step
from gridgov.inputs import INT_MAX


class CaseForm(forms.Form):
    title = forms.CharField(label=_("案由"), max_length=120)
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=PartyKind.choices)
    party_name = forms.CharField(label=_("当事人名称"), max_length=100)
    party_code = forms.CharField(
        label=_("证照号码"),
        max_length=18,
        required=False,
        help_text=_("单位填统一社会信用代码，个人填身份证号码"),
    )
    party_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    facts = forms.CharField(
        label=_("违法事实"), widget=forms.Textarea, max_length=4000, required=False
    )
    source = forms.IntegerField(
        label=_("污染源编号"),
        required=False,
        min_value=1,
        max_value=INT_MAX,
        widget=forms.HiddenInput,
    )
    grid = forms.CharField(
        label=_("所属网格代码"),
        max_length=40,
        required=False,
        help_text=_("无污染源时填写"),
    )
    inspection = forms.IntegerField(
        required=False, min_value=1, max_value=INT_MAX, widget=forms.HiddenInput
    )
    order = forms.IntegerField(
        required=False, min_value=1, max_value=INT_MAX, widget=forms.HiddenInput
    )


class AdvanceForm(forms.Form):
    to_step = forms.ChoiceField(choices=Step.choices)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, max_length=2000, required=False)
    penalty_amount = forms.DecimalField(
        label=_("罚款金额(元)"),
        required=False,
        min_value=0,
        max_value=services.MAX_AMOUNT,
        max_digits=12,
        decimal_places=2,
    )
    legal_bases = forms.ModelMultipleChoiceField(
        label=_("法律依据"), queryset=LegalBasis.objects.filter(active=True), required=False
    )
    amount_reason = forms.CharField(label=_("裁量说明"), max_length=500, required=False)
    decision = forms.CharField(
        label=_("处罚决定"), widget=forms.Textarea, max_length=4000, required=False
    )
    rectification_required = forms.BooleanField(label=_("责令整改"), required=False)
    rectified = forms.BooleanField(label=_("整改已完成"), required=False)
    version = forms.IntegerField(min_value=0, max_value=INT_MAX, widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("文件"))
    title = forms.CharField(label=_("标题"), max_length=100, required=False)


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("曝光标题"), max_length=120)
    summary = forms.CharField(label=_("曝光内容"), widget=forms.Textarea, max_length=2000)
    photos = forms.ModelMultipleChoiceField(
        label=_("照片"),
        queryset=CaseDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            field = self.fields["photos"]
            field.queryset = CaseDocument.objects.filter(  # type: ignore[attr-defined]
                case=case, content_type__startswith="image/"
            )
            field.label_from_instance = lambda d: d.title or d.original_name  # type: ignore[attr-defined]


class UnpublishForm(forms.Form):
    publication = forms.IntegerField(min_value=1, max_value=INT_MAX, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("撤下原因"), max_length=500)


class ApproveForm(forms.Form):
    publication = forms.IntegerField(min_value=1, max_value=INT_MAX, widget=forms.HiddenInput)
