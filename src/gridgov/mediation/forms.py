"""The pages' forms: they only parse; services.py checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.mediation import services
from gridgov.mediation.models import CaseSource, Committee, Judicial, Kind, Outcome, State
from gridgov.people.models import Person
from gridgov.territory.models import Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: Any, limit: int, required: bool = False, rows: int = 0) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget)


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=[("", "—"), *State.choices], required=False)
    kind = forms.ChoiceField(
        label=_("纠纷类型"), choices=[("", "—"), *Kind.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=Region.objects.none(), required=False, to_field_name="code"
    )
    start = forms.DateField(label=_("受理日期自"), required=False, widget=DATE)
    end = forms.DateField(label=_("至"), required=False, widget=DATE)
    q = forms.CharField(label=_("编号/简况"), max_length=60, required=False)

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gridgov.people import scope
        from gridgov.territory.models import Level

        levels = Region.objects.active().filter(level__in=[Level.STREET, Level.COMMUNITY])
        units = scope.regions_for(user, levels).defer("geometry").order_by("code")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class IntakeForm(forms.Form):
    kind = forms.ChoiceField(label=_("纠纷类型"), choices=Kind.choices)
    title = _text(_("纠纷简况"), 120, required=True)
    facts = _text(_("纠纷事实"), 4000, rows=4)
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[c for c in CaseSource.choices if c[0] != CaseSource.WORK_ORDER],
        initial=CaseSource.WALK_IN,
    )
    referral = _text(_("委托/转办单位及文号"), 120)
    amount = forms.CharField(label=_("争议金额(元)"), max_length=20, required=False)
    grid = forms.ModelChoiceField(label=_("所在网格"), queryset=Region.objects.none())
    address = _text(_("发生地点"), 200)
    committee = forms.ModelChoiceField(
        label=_("调解委员会"),
        queryset=Committee.objects.none(),
        required=False,
        empty_label=_("按网格自动确定"),
    )
    received_on = forms.DateField(label=_("受理日期"), required=False, widget=DATE)
    followup_days = forms.IntegerField(
        label=_("回访期限(天)"), min_value=1, max_value=365, initial=30
    )
    mediators = forms.ModelMultipleChoiceField(
        label=_("调解员"), queryset=Person.objects.none(), required=False
    )
    applicant_name = _text(_("申请人姓名/名称"), 80, required=True)
    applicant_phone = _text(_("申请人电话"), 20)
    applicant_id = _text(_("申请人身份证号码"), 18)
    applicant_address = _text(_("申请人住址"), 200)
    respondent_name = _text(_("被申请人姓名/名称"), 80)
    respondent_phone = _text(_("被申请人电话"), 20)
    respondent_id = _text(_("被申请人身份证号码"), 18)
    respondent_address = _text(_("被申请人住址"), 200)

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = services.intake_grids(user)  # type: ignore[attr-defined]
        self.fields["mediators"].queryset = services.mediators_for(user)  # type: ignore[attr-defined]
        committees = services.committees_for(user).filter(active=True).select_related("unit")
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]

    def case_input(self) -> services.CaseInput:
        d = self.cleaned_data
        parties = [
            services.PartyInput(
                "applicant",
                d["applicant_name"],
                d["applicant_phone"],
                d["applicant_id"],
                d["applicant_address"],
            )
        ]
        if d["respondent_name"]:
            parties.append(
                services.PartyInput(
                    "respondent",
                    d["respondent_name"],
                    d["respondent_phone"],
                    d["respondent_id"],
                    d["respondent_address"],
                )
            )
        return services.CaseInput(
            kind=d["kind"],
            title=d["title"],
            facts=d["facts"],
            source=d["source"],
            referral=d["referral"],
            amount=d["amount"] or None,
            grid_id=d["grid"].pk,
            address=d["address"],
            committee_id=d["committee"].pk if d["committee"] else None,
            received_on=d["received_on"],
            followup_days=d["followup_days"],
            mediator_ids=[p.pk for p in d["mediators"]],
            parties=parties,
        )


class PhoneIntakeForm(forms.Form):
    """The phone's short form: located by GPS (or a grid chosen), one applicant."""

    kind = forms.ChoiceField(label=_("纠纷类型"), choices=Kind.choices)
    title = _text(_("纠纷简况"), 120, required=True)
    facts = _text(_("纠纷事实"), 4000, rows=3)
    applicant_name = _text(_("申请人"), 80, required=True)
    applicant_phone = _text(_("联系电话"), 20)
    respondent_name = _text(_("被申请人"), 80)
    address = _text(_("发生地点"), 200)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    grid = forms.ModelChoiceField(
        label=_("所在网格"), queryset=Region.objects.none(), required=False
    )

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = services.intake_grids(user)  # type: ignore[attr-defined]

    def case_input(self) -> services.CaseInput:
        d = self.cleaned_data
        parties = [services.PartyInput("applicant", d["applicant_name"], d["applicant_phone"])]
        if d["respondent_name"]:
            parties.append(services.PartyInput("respondent", d["respondent_name"]))
        grid = d.get("grid")
        return services.CaseInput(
            kind=d["kind"],
            title=d["title"],
            facts=d["facts"],
            source=CaseSource.GRID,
            address=d["address"],
            lat=None if grid else d.get("lat"),
            lon=None if grid else d.get("lon"),
            grid_id=grid.pk if grid else None,
            parties=parties,
        )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("调解日期"), widget=DATE)
    place = _text(_("调解地点"), 120, required=True)
    mediators = forms.ModelMultipleChoiceField(label=_("调解员"), queryset=Person.objects.none())
    notes = _text(_("调解经过"), 4000, required=True, rows=3)

    def __init__(self, user: Account, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mediators = services.mediators_for(user)
        if case is not None:  # the committee's own mediators first offered; others if none
            own = services.committee_mediators(user, case.committee)
            mediators = own if own.exists() else mediators
        self.fields["mediators"].queryset = mediators  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("调解结果"), choices=Outcome.choices)
    date = forms.DateField(label=_("结果日期"), widget=DATE)
    terms = _text(_("协议内容（调解成功时）"), 4000, rows=3)
    perform_by = forms.DateField(label=_("履行期限"), required=False, widget=DATE)
    note = _text(_("说明（转办去向及理由）"), 2000, rows=2)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签署日期"), widget=DATE)
    followup_days = forms.IntegerField(
        label=_("回访期限(天)"), min_value=1, max_value=365, required=False
    )


class JudicialForm(forms.Form):
    applied_on = forms.DateField(label=_("申请日期"), widget=DATE)
    court = _text(_("受理法院"), 80, required=True)
    result = forms.ChoiceField(label=_("结果"), choices=[c for c in Judicial.choices if c[0]])
    ruling = _text(_("裁定书文号"), 60)
    decided_on = forms.DateField(label=_("裁定日期"), required=False, widget=DATE)


PERFORMED = [("", _("未说明")), ("yes", _("已履行")), ("no", _("未履行"))]


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("回访日期"), widget=DATE)
    performed = forms.ChoiceField(label=_("协议履行情况"), choices=PERFORMED, required=False)
    findings = _text(_("回访情况"), 2000, required=True, rows=3)

    def performed_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("performed") or "")


class ArchiveForm(forms.Form):
    note = _text(_("归档说明"), 4000, rows=2)


class FromOrderForm(forms.Form):
    reference = forms.CharField(label=_("工单编号"), max_length=20)


class TrainingForm(forms.Form):
    topic = _text(_("培训主题"), 120, required=True)
    date = forms.DateField(label=_("培训日期"), widget=DATE)
    place = _text(_("培训地点"), 120, required=True)
    organiser = forms.ModelChoiceField(label=_("组织单位"), queryset=Region.objects.none())
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=99, decimal_places=1,
                               initial=4)  # fmt: skip

    def __init__(self, user: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gridgov.people import scope
        from gridgov.territory.models import Level

        active = Region.objects.active().filter(level__lte=Level.COMMUNITY).defer("geometry")
        units = scope.regions_for(user, active).order_by("level", "code")
        self.fields["organiser"].queryset = units  # type: ignore[attr-defined]


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label=_("签到表 (.xlsx)"))
