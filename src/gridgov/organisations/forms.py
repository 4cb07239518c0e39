"""The pages' forms: shapes only; services.py checks the rest (scope, dates, history)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.organisations import instructing, lifecycle, services, volunteering
from gridgov.organisations.models import OrgKind, PartyOrg, SocialForm, WorkerGroup
from gridgov.people.models import Person, Post
from gridgov.territory.models import Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MEETING_POSTS = (
    "party_instructor",
    "street_official",
    "secretary",
    "command_office",
    "city_command_office",
    "district_command_office",
)
BLANK = [("", "—")]


class _Scoped(forms.Form):
    """A form whose grid (and unit) choices are the account's."""

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "grid" in self.fields:
            self.fields["grid"].queryset = services.grids_for(user)  # type: ignore[attr-defined]
        if "unit" in self.fields:
            self.fields["unit"].queryset = services.filter_units(user)  # type: ignore[attr-defined]


class OrganisationForm(_Scoped):
    name = forms.CharField(label=_("名称"), max_length=services.MAX_NAME)
    kind = forms.ChoiceField(label=_("类别"), choices=OrgKind.choices)
    social_form = forms.ChoiceField(
        label=_("社会组织类型"), choices=BLANK + list(SocialForm.choices), required=False
    )
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    industry = forms.CharField(label=_("行业"), max_length=40, required=False)
    staff = forms.IntegerField(label=_("从业人员数"), min_value=0, max_value=services.MAX_COUNT,
                               required=False)  # fmt: skip
    party_members = forms.IntegerField(
        label=_("党员数"), min_value=0, max_value=services.MAX_COUNT, required=False
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    grid = forms.ModelChoiceField(
        label=_("所在网格"), queryset=Region.objects.none(), required=False,
        help_text=_("不选网格时按坐标定位"),
    )  # fmt: skip
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    party_org = forms.ChoiceField(label=_("党组织"), choices=PartyOrg.choices)
    party_org_date = forms.DateField(label=_("党组织成立日期"), required=False, widget=DATE)
    opened = forms.DateField(label=_("纳入日期"), widget=DATE)
    contact = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def to_input(self) -> lifecycle.OrgInput:
        d = self.cleaned_data
        return lifecycle.OrgInput(
            name=d["name"], kind=d["kind"], credit_code=d["credit_code"], opened=d["opened"],
            grid_id=d["grid"].pk if d["grid"] else None, lat=d["lat"], lon=d["lon"],
            social_form=d["social_form"], industry=d["industry"], staff=d["staff"] or 0,
            party_members=d["party_members"] or 0, address=d["address"],
            party_org=d["party_org"], party_org_date=d["party_org_date"],
            contact=d["contact"], contact_phone=d["contact_phone"],
        )  # fmt: skip


class MoveForm(_Scoped):
    date = forms.DateField(label=_("迁移日期"), widget=DATE)
    grid = forms.ModelChoiceField(label=_("迁入网格"), queryset=Region.objects.none())
    address = forms.CharField(label=_("新地址"), max_length=200, required=False)
    note = forms.CharField(label=_("说明"), max_length=services.MAX_NOTE, required=False)


class InfoForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=services.MAX_NAME)
    industry = forms.CharField(label=_("行业"), max_length=40, required=False)
    staff = forms.IntegerField(label=_("从业人员数"), min_value=0, max_value=services.MAX_COUNT,
                               required=False)  # fmt: skip
    party_members = forms.IntegerField(
        label=_("党员数"), min_value=0, max_value=services.MAX_COUNT, required=False
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class EndAssignmentForm(forms.Form):
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)


class CloseForm(forms.Form):
    date = forms.DateField(label=_("注销/迁出日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=services.MAX_NOTE, required=False)


class PartyOrgForm(forms.Form):
    party_org = forms.ChoiceField(label=_("党组织"), choices=PartyOrg.choices)
    date = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=services.MAX_NOTE, required=False)


class _InstructorForm(forms.Form):
    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instructor"].queryset = instructing.instructors_for(user)  # type: ignore[attr-defined]


class AssignForm(_InstructorForm):
    instructor = forms.ModelChoiceField(label=_("党建指导员"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)


class VisitForm(_InstructorForm):
    instructor = forms.ModelChoiceField(label=_("走访人"), queryset=Person.objects.none())
    date = forms.DateField(label=_("走访日期"), widget=DATE)
    notes = forms.CharField(
        label=_("走访情况"), max_length=services.MAX_TEXT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class MeetingForm(_Scoped):
    date = forms.DateField(label=_("会议日期"), widget=DATE)
    unit = forms.ModelChoiceField(label=_("召集单位"), queryset=Region.objects.none())
    topic = forms.CharField(label=_("议题"), max_length=200)
    minutes = forms.CharField(
        label=_("会议纪要"), max_length=services.MAX_TEXT, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    organisations = forms.ModelMultipleChoiceField(
        label=_("参会组织"), queryset=services.Organisation.objects.none(), required=False
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("参会人员"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        orgs = services.organisations_for(user).filter(closed__isnull=True)
        self.fields["organisations"].queryset = orgs  # type: ignore[attr-defined]
        # The people who sit at such a meeting: instructors, street and community officials.
        posts = services.scope.posts_for(user, Post.objects.current()).filter(
            post_type__code__in=MEETING_POSTS
        )
        people = Person.objects.filter(pk__in=posts.values("person_id"))
        people = people | instructing.instructors_for(user)
        self.fields["attendees"].queryset = people.distinct().order_by("name")  # type: ignore[attr-defined]


class VolunteerForm(_Scoped):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    group = forms.ChoiceField(label=_("群体"), choices=WorkerGroup.choices)
    grid = forms.ModelChoiceField(label=_("所在网格"), queryset=Region.objects.none(),
                                  required=False)  # fmt: skip
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    employer = forms.ModelChoiceField(
        label=_("所在企业"), queryset=services.Organisation.objects.none(), required=False
    )
    registered = forms.DateField(label=_("登记日期"), widget=DATE)

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        employers = services.Organisation.objects.filter(closed__isnull=True)
        self.fields["employer"].queryset = employers.order_by("name")  # type: ignore[attr-defined]

    def to_input(self) -> volunteering.VolunteerInput:
        d = self.cleaned_data
        return volunteering.VolunteerInput(
            name=d["name"], phone=d["phone"], group=d["group"], registered=d["registered"],
            grid_id=d["grid"].pk if d["grid"] else None, lat=d["lat"], lon=d["lon"],
            employer_id=d["employer"].pk if d["employer"] else None,
        )  # fmt: skip


class EndVolunteerForm(forms.Form):
    date = forms.DateField(label=_("退出日期"), widget=DATE)
