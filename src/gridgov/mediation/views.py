"""人民调解 pages: the case list (filters, export, hand-over from a work order), intake, one
case (parties, sessions, outcome, agreement files, judicial confirmation, follow-ups, history,
and the forms of its next steps), committees with mediators and trainings (attendance import
and export), statistics per unit; on the phone, a dispute registered in the field and a
follow-up visit recorded. Thin: services.py does the work and the scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.apikit import xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.errors import HTTP_STATUS, DomainError
from gridgov.mediation import agreement, casework, excel, forms, services, training
from gridgov.mediation.models import Attendance, Case, Outcome
from gridgov.mediation.services import MediationError
from gridgov.territory import ladder
from gridgov.web import receipts

PAGE = 200
ACTION_FORMS: dict[str, Any] = {
    "session": forms.SessionForm,
    "outcome": forms.OutcomeForm,
    "sign": forms.SignForm,
    "judicial": forms.JudicialForm,
    "followup": forms.FollowUpForm,
    "archive": forms.ArchiveForm,
}


def _form_error(form: Any, exc: MediationError) -> None:
    field = exc.field.split(".")[0] if exc.field else None
    aliases = {"lat": "grid", "lon": "grid", "parties": None, "name": "applicant_name"}
    if field not in form.fields:
        field = aliases.get(field or "")
    form.add_error(field if field in form.fields else None, exc.message)


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return services.get_case(request.user, pk)
    except MediationError:
        raise Http404(_("调解案件不存在")) from None


def _require_view(request: HttpRequest) -> None:
    if not services.can_view(request.user):
        raise PermissionDenied


def _filtered(request: HttpRequest) -> tuple[Any, Any]:
    form = forms.CaseFilterForm(request.user, request.GET or None)
    qs = services.cases_for(request.user).select_related("grid", "committee")
    qs = qs.defer("grid__geometry")
    if form.is_valid():
        d = form.cleaned_data
        if d["state"]:
            qs = qs.filter(state=d["state"])
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["unit"]:
            qs = qs.filter(region_path__startswith=d["unit"].path)
        if d["start"]:
            qs = qs.filter(received_on__gte=d["start"])
        if d["end"]:
            qs = qs.filter(received_on__lte=d["end"])
        if d["q"]:
            from django.db.models import Q

            qs = qs.filter(Q(number__icontains=d["q"]) | Q(title__icontains=d["q"]))
    elif form.is_bound:
        qs = qs.none()
    return form, qs


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    form, qs = _filtered(request)
    today = timezone.localdate()
    context = {
        "form": form,
        "cases": list(qs[:PAGE]),
        "total": qs.count(),
        "page": PAGE,
        "overdue": services.overdue_followups(request.user, today).count(),
        "can_add": services.can_add(request.user),
        "from_order": forms.FromOrderForm() if services.can_add(request.user) else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "mediation/list.html", context)


@login_required
@replica_reads()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    _form, qs = _filtered(request)
    return xlsx_response(
        excel.cases_workbook(request.user, qs),
        f"mediation-cases-{timezone.localdate():%Y%m%d}.xlsx",
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    if not services.can_add(request.user):
        raise PermissionDenied
    form = forms.IntakeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = casework.create_case(request.user, form.case_input())
        except MediationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已受理，案件编号 %(n)s") % {"n": case.number})
            return redirect("mediation:case", pk=case.pk)
    return render(request, "mediation/intake.html", {"form": form})


@login_required
@require_POST
def from_order(request: HttpRequest) -> HttpResponse:
    """工单转入: an order of a dispute category, by its reference, becomes a case."""
    if not services.can_add(request.user):
        raise PermissionDenied
    from gridgov.workorders.models import WorkOrder

    form = forms.FromOrderForm(request.POST)
    if form.is_valid():
        ref = form.cleaned_data["reference"].strip().upper()
        order = (
            WorkOrder.objects.for_user(request.user)
            .select_related("event__category", "event__region")
            .defer("event__region__geometry")
            .filter(event__reference=ref)
            .first()
        )
        try:
            case = casework.case_from_order(request.user, order)
        except MediationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已转入，案件编号 %(n)s") % {"n": case.number})
            return redirect("mediation:case", pk=case.pk)
    else:
        messages.error(request, _("请填写工单编号"))
    return redirect("mediation:list")


@login_required
def case_page(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    case = _case_or_404(request, pk)
    user = request.user
    today = timezone.localdate()
    allowed = casework.next_actions(user, case)
    action_forms: dict[str, Any] = {}
    for name in allowed:
        if bound and name in bound:
            action_forms[name] = bound[name]
            continue
        cls = ACTION_FORMS[name]
        initial: dict[str, Any] = {}
        if name == "session":
            initial = {"date": today, "place": case.committee.address or case.committee.name}
        elif name == "outcome":
            initial = {"date": today, "perform_by": today + dt.timedelta(days=30)}
        elif name == "sign":
            initial = {"signed_on": today, "followup_days": case.followup_days}
        elif name == "judicial":
            initial = {
                "applied_on": case.judicial_applied_on or today,
                "court": case.judicial_court,
                "result": "confirmed" if case.judicial else "pending",
            }
        elif name == "followup":
            initial = {"done_on": today}
        action_forms[name] = (
            cls(user, initial=initial, case=case) if name == "session" else cls(initial=initial)
        )
    full = services.sees_identity(user)
    parties = [services.party_view(p, True) for p in case.parties.all()]
    if not full:  # in scope: names and phones shown, ID numbers masked without the permission
        parties = [
            services.PartyView(v.role, v.role_label, v.name, v.phone,
                               services.mask_id(v.id_number), v.address, True)
            for v in parties
        ]  # fmt: skip
    context = {
        "case": case,
        "parties": parties,
        "masked_ids": not full,
        "sessions": list(case.sessions.prefetch_related("mediators")),
        "followups": list(case.followups.all()),
        "steps": [{"s": s, "label": services.action_label(s.action)} for s in case.steps.all()],
        "mediators": list(case.mediators.all()),
        "has_agreement": case.outcome == Outcome.AGREEMENT,
        "forms": action_forms,
        "today": today,
    }
    return render(request, "mediation/case.html", context)


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case_or_404(request, pk)
    user = request.user
    cls = ACTION_FORMS.get(action)
    if cls is None:
        raise Http404
    if not services.can_change(user):
        raise PermissionDenied
    form = cls(user, request.POST, case=case) if action == "session" else cls(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "session":
                casework.add_session(user, case.pk, date=d["date"], place=d["place"],
                                     mediator_ids=[p.pk for p in d["mediators"]],
                                     notes=d["notes"])  # fmt: skip
            elif action == "outcome":
                casework.record_outcome(user, case.pk, outcome=d["outcome"], date=d["date"],
                                        note=d["note"], terms=d["terms"],
                                        perform_by=d["perform_by"])  # fmt: skip
            elif action == "sign":
                casework.sign_agreement(user, case.pk, signed_on=d["signed_on"],
                                        followup_days=d["followup_days"])  # fmt: skip
            elif action == "judicial":
                casework.judicial_confirmation(user, case.pk, applied_on=d["applied_on"],
                                               court=d["court"], result=d["result"],
                                               ruling=d["ruling"],
                                               decided_on=d["decided_on"])  # fmt: skip
            elif action == "followup":
                casework.record_followup(user, case.pk, done_on=d["done_on"],
                                         findings=d["findings"],
                                         performed=form.performed_value())  # fmt: skip
            else:
                casework.archive(user, case.pk, note=d["note"])
        except MediationError as exc:
            if exc.kind == "forbidden":
                raise PermissionDenied from exc
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("mediation:case", pk=case.pk)
    return case_page(request, pk, {action: form})


@login_required
def agreement_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = _case_or_404(request, pk)
    if case.outcome != Outcome.AGREEMENT or fmt not in ("docx", "pdf"):
        raise Http404(_("该案件没有调解协议"))
    full = services.sees_identity(request.user)
    if fmt == "docx":
        content, media = agreement.docx_bytes(case, full), agreement.DOCX
    else:
        content, media = agreement.pdf_bytes(case, full), agreement.PDF
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type=media)
    response["Content-Disposition"] = content_disposition_header(
        True, agreement.filename(case, fmt)
    )
    return response


@login_required
def committees(request: HttpRequest, training_form: Any = None) -> HttpResponse:
    user = request.user
    if not (services.can_view(user) or services.can_view_training(user)):
        raise PermissionDenied
    posts = list(services.mediator_posts(user).order_by("region__code", "person__name"))
    trained: dict[int, int] = {}
    for person_id in Attendance.objects.for_user(user).values_list("person_id", flat=True):
        trained[person_id] = trained.get(person_id, 0) + 1
    rows = []
    for c in services.committees_for(user).select_related("unit", "director"):
        members = [p for p in posts if p.region.path.startswith(c.unit.path)]
        rows.append({"c": c, "mediators": len(members)})
    visible = {p.person_id for p in posts}
    trainings = []
    for t in (
        services.trainings_for(user).select_related("organiser").prefetch_related("attendance")
    ):
        present = sum(1 for a in t.attendance.all() if a.person_id in visible)
        trainings.append({"t": t, "present": present})
    context = {
        "committees": rows,
        "mediators": [{"p": p, "trainings": trained.get(p.person_id, 0)} for p in posts],
        "trained": sum(1 for p in posts if trained.get(p.person_id)),
        "trainings": trainings,
        "import_form": forms.AttendanceImportForm() if services.can_manage_training(user) else None,
        "errors": [],
    }
    return render(request, "mediation/committees.html", context)


@login_required
@require_POST
def training_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.can_manage_training(user):
        raise PermissionDenied
    form = forms.TrainingForm(user, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            training.create_training(user, topic=d["topic"], date=d["date"], place=d["place"],
                                     organiser_id=d["organiser"].pk, hours=d["hours"])  # fmt: skip
        except MediationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("培训已登记"))
            return redirect("mediation:committees")
    return committees(request, training_form=form)


@login_required
@replica_reads()
def attendance_xlsx(request: HttpRequest) -> HttpResponse:
    if not services.can_view_training(request.user):
        raise PermissionDenied
    return xlsx_response(excel.attendance_workbook(request.user), "mediation-attendance.xlsx")


@login_required
@require_POST
def attendance_import(request: HttpRequest) -> HttpResponse:
    if not services.can_manage_training(request.user):
        raise PermissionDenied
    form = forms.AttendanceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择 .xlsx 文件"))
        return redirect("mediation:committees")
    report = excel.import_attendance(request.user, form.cleaned_data["file"].read())
    if report.ok:
        messages.success(request, _("已导入 %(n)s 行签到") % {"n": len(report.rows)})
    else:
        messages.error(request, _("导入失败，未写入任何数据："))
        for e in report.errors[:20]:
            messages.error(request, str(e))
    return redirect("mediation:committees")


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    today = timezone.localdate()
    try:
        end = inputs.parse_date("end", request.GET.get("end"), today)
        start = inputs.parse_date("start", request.GET.get("start"), end.replace(month=1, day=1))
    except inputs.InputError as exc:
        messages.error(request, exc.message)
        start, end = today.replace(month=1, day=1), today
    if start > end:
        start, end = end, start
    level = services.default_level(request.user)
    levels = [(lv, lv.label) for lv in ladder.units_below_root()]
    if request.GET.get("level") in {str(int(lv)) for lv, _label in levels}:
        level = int(request.GET["level"])
    rows = services.statistics(request.user, start, end, level=level)
    from gridgov.mediation.models import Kind

    kinds = [(k, label) for k, label in Kind.choices if rows and rows[-1].by_kind.get(k)]
    context = {
        "rows": rows,
        "start": start,
        "end": end,
        "level": level,
        "levels": levels,
        "kinds": kinds,
        "kind_rows": [{"r": r, "counts": [r.by_kind.get(k, 0) for k, _l in kinds]} for r in rows],
    }
    return render(request, "mediation/stats.html", context)


# --------------------------------------------------------------------------------- phone --


@login_required
def phone_new(request: HttpRequest) -> HttpResponse:
    if not services.can_add(request.user):
        raise PermissionDenied
    form = forms.PhoneIntakeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not d.get("grid") and (d.get("lat") is None or d.get("lon") is None):
            form.add_error("grid", _("未能定位，请选择网格"))
        else:
            try:
                case = casework.create_case(request.user, form.case_input())
            except MediationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已登记，案件编号 %(n)s") % {"n": case.number})
                return redirect("mediation:phone_followups")
    return render(request, "mediation/phone/new.html", {"form": form})


@login_required
def phone_followups(request: HttpRequest) -> HttpResponse:
    if not services.can_view(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    visits = list(services.open_followups(request.user)[:100])
    return render(
        request,
        "mediation/phone/followups.html",
        {"visits": visits, "today": today, "can_add": services.can_add(request.user)},
    )


@login_required
def phone_followup(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    if not services.can_change(request.user):
        raise PermissionDenied
    """回访 on the phone. The phone's `submission` key makes a re-send (the phone's offline
    queue, an answer lost) answer the first result rather than 该案件没有待回访事项; a refusal
    answers its status (409: the case moved on meanwhile)."""
    visit = case.followups.filter(done_on__isnull=True).order_by("due_on").first()
    form = forms.FollowUpForm(request.POST or None, initial={"done_on": timezone.localdate()})
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def act() -> tuple[str, str]:
            casework.record_followup(request.user, case.pk, done_on=d["done_on"],
                                     findings=d["findings"],
                                     performed=form.performed_value())  # fmt: skip
            return reverse("mediation:phone_followups"), _("回访已记录")

        try:
            done = receipts.once(
                request.user, f"followup:{case.pk}", request.POST.get("submission"), act
            )
        except DomainError as exc:
            status = HTTP_STATUS[exc.kind]
            if isinstance(exc, MediationError):
                _form_error(form, exc)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, done.message)
            return redirect(done.url)
    return render(
        request,
        "mediation/phone/followup.html",
        {"case": case, "visit": visit, "form": form},
        status=status,
    )
