"""新兴领域党建 pages: the organisations (list as of a day, one organisation with its history,
register, import, export), instructors and their load, joint meetings, the coverage statistics,
and the new-employment volunteers (desk and phone registration). Thin: services.py does the
work and the scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.apikit import xlsx_response
from gridgov.core import privacy
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.errors import add_form_error
from gridgov.organisations import (
    excel,
    forms,
    instructing,
    joint_meetings,
    lifecycle,
    lookups,
    services,
    volunteering,
)
from gridgov.organisations.models import OrgKind, PartyOrg, WorkerGroup
from gridgov.organisations.services import OrganisationsError
from gridgov.territory import ladder

COVERAGE_CHOICES = [
    ("org_covered", gettext_lazy("已组织覆盖")),
    ("org_uncovered", gettext_lazy("未组织覆盖")),
    ("work_covered", gettext_lazy("已工作覆盖")),
    ("work_uncovered", gettext_lazy("未工作覆盖")),
    ("uncovered", gettext_lazy("任一未覆盖")),
]


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _day(request: HttpRequest, name: str = "on") -> tuple[dt.date, str]:
    """A date from the query string (today when empty) and an error message when it is bad."""
    today = timezone.localdate()
    try:
        return inputs.parse_date(name, request.GET.get(name), today), ""
    except inputs.InputError:
        return today, _("日期无效，已按今天显示")


def _filters(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    on, error = _day(request)
    kind = request.GET.get("kind", "")
    coverage = request.GET.get("coverage", "")
    unit_code = request.GET.get("unit", "")
    q = request.GET.get("q", "")
    if len(q) > 100:  # refused, not cut: the page says so (and does not filter)
        q, error = "", error or _("搜索词不能超过100个字")
    unit = services.filter_units(user).filter(code=unit_code).first() if unit_code else None
    if kind not in OrgKind.values:
        kind = ""
    if coverage not in services.COVERAGE_FILTERS:
        coverage = ""
    return {"on": on, "error": error, "kind": kind, "coverage": coverage, "unit": unit, "q": q}


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(services.can_view(user))
    f = _filters(request)
    rows = services.search(user, f["on"], kind=f["kind"], coverage=f["coverage"], unit=f["unit"],
                           q=f["q"])  # fmt: skip
    context = {
        **f,
        "rows": rows,
        "kinds": OrgKind.choices,
        "coverages": COVERAGE_CHOICES,
        "units": services.filter_units(user),
        "query": request.GET.urlencode(),
        "can_add": services.can_add(user),
        "today": timezone.localdate(),
    }
    return render(request, "organisations/list.html", context)


@login_required
@replica_reads()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(services.can_view(user))
    f = _filters(request)
    rows = services.search(user, f["on"], kind=f["kind"], coverage=f["coverage"], unit=f["unit"],
                           q=f["q"])  # fmt: skip
    return xlsx_response(excel.export_sheet(user, rows), excel.filename(f["on"]))


@login_required
def org_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(services.can_add(user))
    form = forms.OrganisationForm(user, request.POST or None,
                                  initial={"opened": timezone.localdate()})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            org = lifecycle.create_organisation(user, form.to_input())
        except OrganisationsError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已登记"))
            return redirect("organisations:detail", pk=org.pk)
    return render(request, "organisations/new.html", {"form": form})


@login_required
def org_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(services.can_add(user))
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = excel.import_sheet(user, form.cleaned_data["file"].read())
        if result.report.ok:
            messages.success(request, _("已导入 %(n)s 个组织") % {"n": result.created})
            return redirect("organisations:list")
    context = {"form": form, "result": result, "columns": excel.COLUMNS}
    return render(request, "organisations/import.html", context)


ACTIONS = ("info", "move", "close", "party_org", "assign", "end_assignment", "visit")


def _action_forms(user: Account, org: Any, data: Any = None, which: str = "") -> dict[str, Any]:
    if not services.owns(user, org) or org.closed is not None:
        return {}
    out: dict[str, Any] = {}
    today = {"date": timezone.localdate(), "start_date": timezone.localdate()}
    bound = {k: (data if k == which else None) for k in ACTIONS}
    if services.can_change(user):
        info = {k: getattr(org, k) for k in forms.InfoForm.base_fields}
        if not services.sees_contact(user):
            # not shown: left empty, the stored contact is kept
            info["contact"] = info["contact_phone"] = ""
        out["info"] = forms.InfoForm(bound["info"], initial=info, prefix="info")
        out["move"] = forms.MoveForm(user, bound["move"], initial=today, prefix="move")
        out["close"] = forms.CloseForm(bound["close"], initial=today, prefix="close")
        out["party_org"] = forms.PartyOrgForm(bound["party_org"], initial=today, prefix="party")
    if services.can_assign(user):
        out["assign"] = forms.AssignForm(user, bound["assign"], initial=today, prefix="assign")
        if org.assignments.filter(end_date__isnull=True).exists():
            out["end_assignment"] = forms.EndAssignmentForm(
                bound["end_assignment"], initial={"end_date": timezone.localdate()}, prefix="end"
            )
    if services.can_visit(user):
        out["visit"] = forms.VisitForm(user, bound["visit"], initial=today, prefix="visit")
    return out


def _get(request: HttpRequest, pk: int) -> Any:
    try:
        return services.get_organisation(request.user, pk)
    except OrganisationsError:
        raise Http404(_("组织不存在")) from None


@login_required
def org_detail(
    request: HttpRequest, pk: int, action_forms: dict[str, Any] | None = None
) -> HttpResponse:
    org = _get(request, pk)
    on, error = _day(request)
    state = services.states([org], on)[org.pk]
    user = request.user
    context = {
        "org": org,
        "on": on,
        "error": error,
        "state": state,
        "party_label": PartyOrg(state.party_org).label,
        "instructors": lookups.people(state.instructors),
        "events": org.events.select_related("grid", "instructor")
        .defer("grid__geometry")
        .order_by("date", "pk"),
        "assignments": org.assignments.select_related("instructor").order_by("-start_date"),
        "visits": org.visits.select_related("instructor")[:100],
        "meetings": joint_meetings.meetings_for(
            user, org.meetings.select_related("unit").defer("unit__geometry")
        ),
        "volunteers": volunteering.volunteers_for(user, org.volunteers.select_related("person"))[
            :50
        ],
        "contact": services.sees_contact(user),
        "masked_phone": privacy.mask_phone(org.contact_phone) if org.contact_phone else "",
        "forms": action_forms or _action_forms(user, org),
        "months": services.WORK_MONTHS,
    }
    return render(request, "organisations/detail.html", context)


@login_required
@require_POST
def org_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    user = request.user
    org = _get(request, pk)
    all_forms = _action_forms(user, org, request.POST, action)
    form = all_forms.get(action)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "info":
                contact, phone = d["contact"], d["contact_phone"]
                if not services.sees_contact(user):
                    contact, phone = contact or org.contact, phone or org.contact_phone
                lifecycle.update_organisation(
                    user, org.pk, name=d["name"], industry=d["industry"], staff=d["staff"] or 0,
                    party_members=d["party_members"] or 0, address=d["address"],
                    contact=contact, contact_phone=phone,
                )  # fmt: skip
            elif action == "end_assignment":
                instructing.end_assignment(user, org.pk, d["end_date"])
            elif action == "move":
                lifecycle.move_organisation(user, org.pk, d["date"], d["grid"].pk,
                                           address=d["address"], note=d["note"])  # fmt: skip
            elif action == "close":
                lifecycle.close_organisation(user, org.pk, d["date"], d["note"])
            elif action == "party_org":
                lifecycle.set_party_org(user, org.pk, d["party_org"], d["date"], d["note"])
            elif action == "assign":
                instructing.assign_instructor(user, org.pk, d["instructor"].pk, d["start_date"])
            else:
                instructing.record_visit(user, org.pk, d["instructor"].pk, d["date"], d["notes"])
        except OrganisationsError as exc:
            if exc.kind == "forbidden":
                raise PermissionDenied from exc
            add_form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("organisations:detail", pk=org.pk)
    return org_detail(request, pk, all_forms)


@login_required
def instructors(request: HttpRequest) -> HttpResponse:
    _need(services.can_view(request.user))
    on, error = _day(request)
    rows = instructing.load(request.user, on)
    loads = [r["load"] for r in rows]
    context = {
        "rows": rows,
        "on": on,
        "error": error,
        "average": round(sum(loads) / len(loads), 1) if loads else None,
    }
    return render(request, "organisations/instructors.html", context)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    _need(services.can_view(request.user))
    on, error = _day(request)
    by = request.GET.get("by", "")
    by = by if by in ladder.unit_keys() else services.default_by(request.user)
    try:
        months = int(request.GET.get("months", services.WORK_MONTHS))
        cov = services.coverage(request.user, on, by=by, months=months)
    except (ValueError, OrganisationsError):
        months = services.WORK_MONTHS
        error = _("月数须在1到60之间")
        cov = services.coverage(request.user, on, by=by, months=months)
    context = {"cov": cov, "on": on, "by": by, "months": months, "error": error}
    return render(request, "organisations/statistics.html", context)


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(services.can_view_meetings(user))
    form = None
    if services.can_add_meeting(user) and services.filter_units(user).exists():
        form = forms.MeetingForm(user, request.POST or None,
                                 initial={"date": timezone.localdate()})  # fmt: skip
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            m = joint_meetings.create_meeting(
                user, d["date"], d["unit"].pk, d["topic"], d["minutes"],
                [o.pk for o in d["organisations"]], [p.pk for p in d["attendees"]],
            )  # fmt: skip
        except OrganisationsError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("联席会已登记"))
            return redirect("organisations:meeting", pk=m.pk)
    rows = joint_meetings.meetings_for(user).select_related("unit").defer("unit__geometry")[:200]
    return render(request, "organisations/meetings.html", {"rows": rows, "form": form})


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        m = joint_meetings.get_meeting(request.user, pk)
    except OrganisationsError:
        raise Http404(_("联席会不存在")) from None
    orgs = m.organisations.filter(pk__in=services.organisations_for(request.user))
    context = {
        "m": m,
        "orgs": orgs.select_related("grid").defer("grid__geometry"),
        "attendees": m.attendees.all(),
    }
    return render(request, "organisations/meeting.html", context)


def _register(request: HttpRequest, form: forms.VolunteerForm) -> Any:
    try:
        v = volunteering.register_volunteer(request.user, form.to_input())
    except OrganisationsError as exc:
        add_form_error(form, exc)
        return None
    messages.success(request, _("已登记志愿者 %(name)s") % {"name": v.person.name})
    return v


@login_required
def volunteers(request: HttpRequest) -> HttpResponse:
    user = request.user
    _need(services.can_view_volunteers(user))
    form = None
    if services.can_register(user):
        form = forms.VolunteerForm(user, request.POST or None,
                                   initial={"registered": timezone.localdate()})  # fmt: skip
    elif request.method == "POST":
        raise PermissionDenied
    posted = form is not None and request.method == "POST" and form.is_valid()
    if posted and form is not None and _register(request, form) is not None:
        return redirect("organisations:volunteers")
    end, error = _day(request, "to")
    start = end - dt.timedelta(days=29)
    if request.GET.get("from"):
        start, error2 = _day(request, "from")
        error = error or error2
    if start > end:
        start, error = end - dt.timedelta(days=29), _("开始日期晚于结束日期")
    by = request.GET.get("by", "")
    by = by if by in ladder.unit_keys() else services.default_by(user)
    stats, total = volunteering.volunteer_stats(user, start, end, by=by)
    rows = (
        volunteering.volunteers_for(user)
        .select_related("person", "grid", "employer")
        .defer("grid__geometry")
    )
    group = request.GET.get("group", "")
    if group in WorkerGroup.values:
        rows = rows.filter(group=group)
    shown = list(rows[:300])
    reports = volunteering.reports_by_volunteer(shown, start, end)
    context = {
        "form": form,
        "rows": [(v, reports.get(v.pk, 0)) for v in shown],
        "stats": stats,
        "total": total,
        "groups": WorkerGroup.choices,
        "group": group,
        "start": start,
        "end": end,
        "by": by,
        "error": error,
        "contact": services.sees_contact(user),
        "can_end": user.has_perm(services.CHANGE_VOLUNTEER),
    }
    return render(request, "organisations/volunteers.html", context)


@login_required
@require_POST
def volunteer_end(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.EndVolunteerForm(request.POST)
    try:
        volunteering.get_volunteer(request.user, pk)
    except OrganisationsError:
        raise Http404(_("志愿者不存在")) from None
    if not form.is_valid():
        messages.error(request, _("日期无效"))
        return redirect("organisations:volunteers")
    try:
        volunteering.end_volunteer(request.user, pk, form.cleaned_data["date"])
    except OrganisationsError as exc:
        if exc.kind == "forbidden":
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理退出"))
    return redirect("organisations:volunteers")


@login_required
def phone_volunteer(request: HttpRequest) -> HttpResponse:
    """登记志愿者 on the phone: name, phone, group, and the grid from the phone's position
    (or chosen)."""
    user = request.user
    _need(services.can_register(user))
    form = forms.VolunteerForm(user, request.POST or None,
                               initial={"registered": timezone.localdate()})  # fmt: skip
    if request.method == "POST" and form.is_valid() and _register(request, form) is not None:
        return redirect("organisations:phone_volunteer")
    recent = (
        volunteering.volunteers_for(user)
        .select_related("person", "grid")
        .defer("grid__geometry")
        .order_by("-pk")[:10]
    )
    context = {"form": form, "recent": recent, "contact": services.sees_contact(user)}
    return render(request, "organisations/phone/volunteer.html", context)
