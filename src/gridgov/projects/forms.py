from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.projects import services
from gridgov.projects.models import Kind, OfficialRole, Plan, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("项目类型"), choices=_blank(Kind.choices), required=False)
    plan = forms.ChoiceField(label=_("计划类别"), choices=_blank(Plan.choices), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_blank(Status.choices), required=False)
    unit = forms.ChoiceField(label=_("单位"), choices=[], required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    overdue = forms.BooleanField(label=_("节点逾期"), required=False)

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = services.stat_units(user, 1) + services.stat_units(user, 2)
        self.fields["unit"].choices = _blank([(u.code, u.name) for u in units])  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("项目编号"), max_length=services.MAX_CODE)
    name = forms.CharField(label=_("项目名称"), max_length=services.MAX_NAME)
    kind = forms.ChoiceField(label=_("项目类型"), choices=Kind.choices)
    applicant = forms.CharField(label=_("申报单位"), max_length=services.MAX_NAME)
    plan = forms.ChoiceField(label=_("计划类别"), choices=Plan.choices)
    plan_text = forms.CharField(label=_("计划名称"), max_length=services.MAX_NAME, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    granted = forms.CharField(label=_("批复资金（万元）"), max_length=20, required=False)
    owner = forms.ChoiceField(label=_("责任单位"), choices=[])
    lat = forms.FloatField(label=_("纬度"), required=False)
    lon = forms.FloatField(label=_("经度"), required=False)
    summary = forms.CharField(
        label=_("项目简介"),
        max_length=services.MAX_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = [(u.code, u.name) for u in services.owner_units(user)]
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class EditForm(forms.Form):
    """The facts a project's unit may correct (code and owning unit stay)."""

    name = forms.CharField(label=_("项目名称"), max_length=services.MAX_NAME)
    applicant = forms.CharField(label=_("申报单位"), max_length=services.MAX_NAME)
    kind = forms.ChoiceField(label=_("项目类型"), choices=Kind.choices)
    plan = forms.ChoiceField(label=_("计划类别"), choices=Plan.choices)
    plan_text = forms.CharField(label=_("计划名称"), max_length=services.MAX_NAME, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    granted = forms.CharField(label=_("批复资金（万元）"), max_length=20)
    lat = forms.FloatField(label=_("纬度"), required=False)
    lon = forms.FloatField(label=_("经度"), required=False)
    summary = forms.CharField(
        label=_("项目简介"),
        max_length=services.MAX_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def of(cls, project: Any) -> EditForm:
        return cls(initial={name: getattr(project, name) for name in cls.base_fields})


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=[])
    date = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=services.MAX_NOTE, required=False)

    def __init__(self, allowed: tuple[str, ...], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Status(s).label) for s in allowed]  # type: ignore[attr-defined]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点名称"), max_length=services.MAX_NAME)
    planned = forms.DateField(label=_("计划完成日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=services.MAX_NOTE, required=False)


class DoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    done = forms.DateField(label=_("实际完成日期"), widget=DATE)


class SpendingForm(forms.Form):
    date = forms.DateField(label=_("支出日期"), widget=DATE)
    amount = forms.CharField(label=_("金额（万元）"), max_length=20)
    note = forms.CharField(label=_("说明"), max_length=services.MAX_SPEND_NOTE, required=False)


class OfficialForm(forms.Form):
    person = forms.ModelChoiceField(label=_("人员"), queryset=services.Person.objects.none())
    role = forms.ChoiceField(label=_("职责"), choices=OfficialRole.choices)

    def __init__(self, user: Account, project: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gridgov.people import scope
        from gridgov.people.models import Post

        # Those holding a post in the owning unit's area (the district's: everyone).
        here = Post.objects.current().filter(region__path__startswith=project.owner.path)
        people = scope.people_for(user).filter(pk__in=here.values("person_id")).order_by("name")
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    file = forms.FileField(label=_("文件（PDF/Word/Excel/图片）"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel文件（.xlsx）"))
