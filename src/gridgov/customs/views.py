"""村规民约与移风易俗 pages: the villages, one village (its rules with versions and a compare,
its council, its limits, its registrations, and the forms to keep them), the registrations
(list, form, one with its check and follow-up, import and export), the statistics, and the
grid worker's phone form. Thin: services.py does the work and the scoping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.apikit import xlsx_response
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.customs import ceremonies, council_limits, excel, rulebook, services
from gridgov.customs.forms import (
    CouncilForm,
    EndMemberForm,
    FollowUpForm,
    ImportForm,
    LimitForm,
    MemberForm,
    PeriodForm,
    RegistrationForm,
    RulesForm,
)
from gridgov.customs.models import CeremonyKind, Limit, Registration
from gridgov.customs.services import CustomsError
from gridgov.errors import add_form_error
from gridgov.territory.models import Region

RECENT = 50


def _village_or_404(request: HttpRequest, pk: int) -> Region:
    try:
        return services.get_village(request.user, pk)
    except CustomsError:
        raise Http404(_("村/社区不存在")) from None


def _registration_or_404(request: HttpRequest, pk: int) -> Registration:
    try:
        return services.get_registration(request.user, pk)
    except CustomsError:
        raise Http404(_("报备不存在")) from None


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    if not services.can_view(request.user):
        raise PermissionDenied
    villages = list(services.villages_for(request.user).select_related("parent").order_by("code"))
    found = rulebook.summaries(request.user, villages)
    rows = [{"v": v, "s": found[v.pk]} for v in villages]
    return render(request, "customs/list.html", {"rows": rows})


@login_required
def village_page(
    request: HttpRequest, pk: int, forms: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    village = _village_or_404(request, pk)
    today = timezone.localdate()
    versions = rulebook.versions(village)
    current = rulebook.current_rules(village, today)
    shown = current or (versions[0] if versions else None)
    chosen = _int_param(request, "v")
    if chosen is not None:
        shown = next((r for r in versions if r.pk == chosen), shown)
    comparison = None
    a, b = _int_param(request, "a"), _int_param(request, "b")
    by_id = {r.pk: r for r in versions}
    if a in by_id and b in by_id and a != b:
        old, new = sorted((by_id[a], by_id[b]), key=lambda r: r.number)
        comparison = rulebook.compare(old, new)
    manage = services.can_manage(user) and services.scope.can_see_region(user, village)
    forms = forms or {}
    if manage:
        forms.setdefault("rules", RulesForm(initial={"adopted": today, "meeting_date": today}))
        forms.setdefault("council", CouncilForm())
        forms.setdefault("member", MemberForm(village, initial={"start_date": today}))
        forms.setdefault("limit", LimitForm(village, initial={"effective_from": today}))
    council = council_limits.council_of(village)
    context = {
        "village": village,
        "versions": versions,
        "current": current,
        "shown": shown,
        "comparison": comparison,
        "council": council,
        "members": council_limits.council_members(village, today),
        "limits": council_limits.limits_in_force(village, today),
        "limit_history": list(
            Limit.objects.for_user(user).filter(community=village).select_related("rules")
        ),
        "registrations": list(
            services.registrations_for(user)
            .filter(community=village)
            .select_related("grid", "order__event")[:RECENT]
        ),
        "manage": manage,
        "can_register": services.registration_grids(user).filter(parent=village).exists(),
        "today": today,
        **{f"{k}_form": v for k, v in forms.items()},
    }
    return render(request, "customs/village.html", context)


def _add_rules(user: Account, village: Region, form: Any) -> str:
    d = form.cleaned_data
    meeting_id = None
    if d["meeting_kind"]:
        meeting_id = rulebook.add_meeting(
            user, village.pk, d["meeting_date"], d["meeting_kind"],
            d["attendance"], d["entitled"], d["votes_for"],
        ).pk  # fmt: skip
    rules = rulebook.add_rules(user, village.pk, d["title"], d["adopted"], d["text"], meeting_id)
    if d["file"] is not None:
        upload = d["file"]
        rulebook.attach_file(user, rules.pk, upload, size=upload.size or 0, name=upload.name or "")
    return _("已登记第 %(n)s 版") % {"n": rules.number}


def _set_council(user: Account, village: Region, form: Any) -> str:
    d = form.cleaned_data
    council_limits.set_council(user, village.pk, d["name"], d["established"])
    return _("已保存红白理事会")


def _add_member(user: Account, village: Region, form: Any) -> str:
    d = form.cleaned_data
    council_limits.add_member(
        user, village.pk, d["role"], d["start_date"], name=d["name"],
        person_id=d["person"].pk if d["person"] else None, end_date=d["end_date"],
    )  # fmt: skip
    return _("已添加理事会成员")


def _end_member(user: Account, village: Region, form: Any) -> str:
    d = form.cleaned_data
    council_limits.end_member(user, d["member"], d["end_date"])
    return _("已登记离任")


def _set_limit(user: Account, village: Region, form: Any) -> str:
    council_limits.set_limit(user, village.pk, form.to_input())
    return _("已保存操办标准")


@dataclass(frozen=True)
class Action:
    """A form on the village page: its bound form, and what the valid form does (returning what
    is then said). Every action needs ``services.can_manage`` and the village in scope."""

    form: Callable[[Region, HttpRequest], Any]
    run: Callable[[Any, Region, Any], str]
    key: str  # the page's form it re-renders


ACTIONS: dict[str, Action] = {
    "rules": Action(lambda v, rq: RulesForm(rq.POST, rq.FILES), _add_rules, "rules"),
    "council": Action(lambda v, rq: CouncilForm(rq.POST), _set_council, "council"),
    "member": Action(lambda v, rq: MemberForm(v, rq.POST), _add_member, "member"),
    "end_member": Action(lambda v, rq: EndMemberForm(rq.POST), _end_member, "member"),
    "limit": Action(lambda v, rq: LimitForm(v, rq.POST), _set_limit, "limit"),
}


@login_required
@require_POST
def village_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    village = _village_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    if not services.can_manage(user) or not services.scope.can_see_region(user, village):
        raise PermissionDenied
    step = ACTIONS[action]
    form = step.form(village, request)
    if form.is_valid():
        try:
            with transaction.atomic():
                done = step.run(user, village, form)
        except CustomsError as exc:
            if exc.kind == "forbidden":
                raise PermissionDenied from exc
            add_form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("customs:village", pk=village.pk)
    if action == "end_member":
        messages.error(request, "; ".join(str(e) for e in form.errors.values()))
        return redirect("customs:village", pk=village.pk)
    return village_page(request, pk, {step.key: form})


@login_required
def rules_file(request: HttpRequest, pk: int) -> FileResponse:
    try:
        rules = services.get_rules(request.user, pk)
        path = rulebook.file_path(rules)
    except CustomsError:
        raise Http404 from None
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"), content_type=rules.file_type, filename=rules.file_name, as_attachment=True
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------ registrations --


def _filtered(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    qs = services.registrations_for(request.user).select_related(
        "community", "grid", "order__event"
    )
    chosen = {
        "village": request.GET.get("village", ""),
        "kind": request.GET.get("kind", ""),
        "flagged": request.GET.get("flagged", ""),
    }
    if chosen["village"].isdigit() and len(chosen["village"]) < 12:
        qs = qs.filter(community_id=int(chosen["village"]))
    if chosen["kind"] in CeremonyKind.values:
        qs = qs.filter(kind=chosen["kind"])
    if chosen["flagged"] in {"1", "0"}:
        qs = qs.filter(flagged=chosen["flagged"] == "1")
    return qs, chosen


@login_required
def registration_list(
    request: HttpRequest, import_form: Any = None, report: Any = None
) -> HttpResponse:
    if not services.can_view_registrations(request.user):
        raise PermissionDenied
    qs, chosen = _filtered(request)
    context = {
        "registrations": list(qs[:200]),
        "total": qs.count(),
        "chosen": chosen,
        "villages": services.villages_for(request.user).order_by("code"),
        "kinds": CeremonyKind.choices,
        "can_register": services.can_register(request.user),
        "import_form": import_form or ImportForm(),
        "report": report,
        "masked": not services.sees_family_in_exports(request.user),
    }
    return render(request, "customs/registrations.html", context)


@login_required
@replica_reads()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    if not services.can_view_registrations(request.user):
        raise PermissionDenied
    qs, _chosen = _filtered(request)
    return xlsx_response(
        excel.export_registrations(request.user, qs), f"customs-{timezone.localdate():%Y%m%d}.xlsx"
    )


@login_required
@require_POST
def import_xlsx(request: HttpRequest) -> HttpResponse:
    if not services.can_register(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return registration_list(request, form)
    report, created = excel.import_registrations(request.user, form.cleaned_data["file"].read())
    if not report.ok:
        return registration_list(request, form, report)
    messages.success(
        request,
        _("已导入 %(n)s 条报备，其中 %(f)s 条超标") % {
            "n": len(created), "f": sum(1 for r in created if r.flagged)},
    )  # fmt: skip
    return redirect("customs:registrations")


@login_required
def registration_new(request: HttpRequest) -> HttpResponse:
    if not services.can_register(request.user):
        raise PermissionDenied
    form = RegistrationForm(request.user, request.POST or None, initial={"days": 1})
    if request.method == "POST" and form.is_valid():
        try:
            reg = ceremonies.register(request.user, form.to_input())
        except CustomsError as exc:
            add_form_error(form, exc)
        else:
            if reg.flagged:
                messages.warning(request, _("报备已登记：超出操办标准，已生成工单"))
            else:
                messages.success(request, _("报备已登记：符合操办标准"))
            return redirect("customs:registration", pk=reg.pk)
    return render(request, "customs/registration_form.html", {"form": form})


@login_required
def registration_page(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration_or_404(request, pk)
    may_follow = services.can_follow(request.user) and reg.flagged
    form = None
    if may_follow:
        form = FollowUpForm(request.POST or None, initial={"advised_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                ceremonies.record_follow_up(
                    request.user, reg.pk, d["advised_on"], d["outcome"], d["advised_by"]
                )
            except CustomsError as exc:
                add_form_error(form, exc)
            else:
                messages.success(request, _("已记录劝导情况"))
                return redirect("customs:registration", pk=reg.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "reg": reg,
        "lines": ceremonies.describe(reg.exceedances),
        "form": form,
    }
    return render(request, "customs/registration.html", context)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    if not services.can_view_registrations(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end, by = today - dt.timedelta(days=364), today, "community"
    rows: list[services.StatRow] = []
    total = None
    if form.is_valid():
        d = form.cleaned_data
        start, end, by = d["start"] or start, d["end"] or end, d["by"] or by
    if not form.is_bound or form.is_valid():
        try:
            rows, total = services.statistics(request.user, start, end, by)
        except CustomsError as exc:
            add_form_error(form, exc)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "start": start,
        "end": end,
        "by": by,
        "kinds": CeremonyKind.choices,
    }
    return render(request, "customs/statistics.html", context)


# -------------------------------------------------------------------------------- phone --


@login_required
def phone_new(request: HttpRequest) -> HttpResponse:
    """A grid worker registers a wedding or funeral and sees the check's result."""
    if not services.can_register(request.user):
        raise PermissionDenied
    form = RegistrationForm(request.user, request.POST or None, initial={"days": 1})
    if request.method == "POST" and form.is_valid():
        try:
            reg = ceremonies.register(request.user, form.to_input())
        except CustomsError as exc:
            add_form_error(form, exc)
        else:
            return redirect("customs:phone_done", pk=reg.pk)
    return render(request, "customs/phone/new.html", {"form": form})


@login_required
def phone_done(request: HttpRequest, pk: int) -> HttpResponse:
    reg = _registration_or_404(request, pk)
    context = {"reg": reg, "lines": ceremonies.describe(reg.exceedances)}
    return render(request, "customs/phone/done.html", context)
