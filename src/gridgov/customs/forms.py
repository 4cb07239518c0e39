from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.customs import ceremonies, council_limits, services
from gridgov.customs.models import (
    CeremonyKind,
    CouncilRole,
    LimitSource,
    MeetingKind,
    RulesVersion,
)
from gridgov.people.models import Person
from gridgov.territory.models import Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegistrationForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Region.objects.none())
    kind = forms.ChoiceField(label=_("事项"), choices=CeremonyKind.choices)
    date = forms.DateField(label=_("举办日期"), widget=DATE)
    family_head = forms.CharField(label=_("户主姓名"), max_length=services.MAX_NAME)
    family_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    tables = forms.IntegerField(label=_("桌数"), min_value=0, max_value=services.MAX_TABLES)
    guests = forms.IntegerField(
        label=_("人数"), min_value=0, max_value=services.MAX_GUESTS, required=False
    )
    cost = forms.DecimalField(
        label=_("总花费（元）"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=services.MAX_DAYS, initial=1)
    notes = forms.CharField(
        label=_("备注"),
        max_length=services.MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grids = services.registration_grids(user)
        self.fields["grid"].queryset = grids  # type: ignore[attr-defined]
        if "grid" not in self.initial and len(grids[:2]) == 1:
            self.initial["grid"] = grids[0].pk

    def to_input(self) -> ceremonies.RegistrationInput:
        d = self.cleaned_data
        return ceremonies.RegistrationInput(
            grid_id=d["grid"].pk, kind=d["kind"], date=d["date"], family_head=d["family_head"],
            family_phone=d["family_phone"], tables=d["tables"], guests=d["guests"],
            cost=d["cost"], days=d["days"], notes=d["notes"],
        )  # fmt: skip


class FollowUpForm(forms.Form):
    advised_on = forms.DateField(label=_("劝导日期"), widget=DATE)
    advised_by = forms.CharField(label=_("劝导人"), max_length=services.MAX_NAME, required=False)
    outcome = forms.CharField(
        label=_("劝导结果"), max_length=services.MAX_NOTES, widget=forms.Textarea(attrs={"rows": 2})
    )


class RulesForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=services.MAX_TITLE)
    adopted = forms.DateField(label=_("通过日期"), widget=DATE)
    text = forms.CharField(
        label=_("全文"), max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 10})
    )
    file = forms.FileField(label=_("文件（PDF、Word 或扫描件）"), required=False)
    meeting_kind = forms.ChoiceField(
        label=_("表决会议"), choices=[("", "—"), *MeetingKind.choices], required=False
    )
    meeting_date = forms.DateField(label=_("会议日期"), widget=DATE, required=False)
    attendance = forms.IntegerField(label=_("到会人数"), min_value=1, required=False)
    entitled = forms.IntegerField(label=_("应到人数"), min_value=1, required=False)
    votes_for = forms.IntegerField(label=_("赞成票"), min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("meeting_kind"):
            if not d.get("meeting_date"):
                self.add_error("meeting_date", _("请填写会议日期"))
            if not d.get("attendance"):
                self.add_error("attendance", _("请填写到会人数"))
        return d


class CouncilForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80)
    established = forms.DateField(label=_("成立日期"), widget=DATE)


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("平台人员"), queryset=Person.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("姓名"), max_length=services.MAX_NAME, required=False,
        help_text=_("不是平台人员时填写"),
    )  # fmt: skip
    role = forms.ChoiceField(label=_("职务"), choices=CouncilRole.choices)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE, required=False)

    def __init__(self, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = council_limits.village_people(village)  # type: ignore[attr-defined]


class EndMemberForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(label=_("离任日期"), widget=DATE)


class LimitForm(forms.Form):
    kind = forms.ChoiceField(label=_("事项"), choices=CeremonyKind.choices)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)
    source = forms.ChoiceField(label=_("依据"), choices=LimitSource.choices)
    rules = forms.ModelChoiceField(
        label=_("村规民约版本"), queryset=RulesVersion.objects.none(), required=False
    )
    max_tables = forms.IntegerField(label=_("桌数上限"), min_value=1, required=False)
    max_guests = forms.IntegerField(label=_("人数上限"), min_value=1, required=False)
    max_cost = forms.DecimalField(
        label=_("总花费上限（元）"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    max_days = forms.IntegerField(label=_("天数上限"), min_value=1, required=False)
    max_table_cost = forms.DecimalField(
        label=_("每桌花费上限（元）"), min_value=0, max_digits=10, decimal_places=2, required=False
    )

    def __init__(self, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rules"].queryset = RulesVersion.objects.filter(community=village)  # type: ignore[attr-defined]

    def to_input(self) -> council_limits.LimitInput:
        d = self.cleaned_data
        return council_limits.LimitInput(
            kind=d["kind"], effective_from=d["effective_from"], source=d["source"],
            rules_id=d["rules"].pk if d["rules"] else None, max_tables=d["max_tables"],
            max_guests=d["max_guests"], max_cost=d["max_cost"], max_days=d["max_days"],
            max_table_cost=d["max_table_cost"],
        )  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DATE, required=False)
    end = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    by = forms.ChoiceField(
        label=_("统计单位"),
        choices=[("community", _("村/社区")), ("street", _("街道/镇"))],
        required=False,
    )
