"""Case pages (logged in) and the public exposure board. Thin: forms in, services and
publication do the work, templates out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov import inputs
from gridgov.core import evidence, privacy
from gridgov.enforcement import handling, services
from gridgov.enforcement import publication as pubs
from gridgov.enforcement.api import CaseFilter, filtered_cases, public_allowed
from gridgov.enforcement.forms import (
    AdvanceForm,
    ApproveForm,
    CaseForm,
    DocumentForm,
    ProposeForm,
    UnpublishForm,
)
from gridgov.enforcement.models import Case, CaseDocument, LegalBasis
from gridgov.enforcement.services import CaseError, CaseInput
from gridgov.enforcement.steps import MOVES, NEEDS_NOTE, Step
from gridgov.errors import add_form_error
from gridgov.sources import categories


def _need_view(request: HttpRequest) -> None:
    if not services.can_view(request.user):
        raise PermissionDenied


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return services.get_case(request.user, pk)
    except CaseError:
        raise Http404 from None


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    return inputs.parse_ids(name, [raw])[0]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _need_view(request)
    today = timezone.localdate()
    start = inputs.parse_date("from", request.GET.get("from"), dt.date(today.year, 1, 1))
    end = inputs.parse_date("to", request.GET.get("to"), today)
    step = request.GET.get("step", "")
    category = request.GET.get("category", "")
    f = CaseFilter(
        step=[step] if step in Step.values else None,
        category=category if category in categories.LABELS else None,
        overdue=request.GET.get("overdue") == "1",
        open=None,
    )
    cases = list(filtered_cases(request, f)[:500])
    try:
        stats = services.statistics(request.user, start, end, today)
    except CaseError as exc:
        messages.error(request, exc.message)
        stats = services.statistics(request.user, start, start, today)
    return render(
        request,
        "enforcement/list.html",
        {
            "rows": [{"c": c, "overdue": services.is_overdue(c, today)} for c in cases],
            "stats": stats,
            "steps": Step.choices,
            "categories": categories.CHOICES,
            "step": step,
            "category": category,
            "overdue": request.GET.get("overdue") == "1",
            "start": start,
            "end": end,
            "can_open": services.can_handle(request.user),
        },
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    if not services.can_handle(request.user):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if request.method != "POST":
        try:
            found = services.prefill(
                request.user,
                inspection_id=_int_param(request, "inspection"),
                order_id=_int_param(request, "order"),
            )
        except CaseError:
            raise Http404 from None
        source_id = _int_param(request, "source")
        initial = {
            "title": found.get("title", ""),
            "facts": found.get("facts", ""),
            "party_kind": found.get("party_kind", "org"),
            "party_name": found.get("party_name", ""),
            "party_code": found.get("party_code", ""),
            "source": found.get("source_id", source_id),
            "grid": found.get("region_code", ""),
            "inspection": found.get("inspection_id"),
            "order": found.get("order_id"),
        }
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.open_case(
                CaseInput(
                    title=d["title"],
                    facts=d["facts"],
                    party_kind=d["party_kind"],
                    party_name=d["party_name"],
                    party_code=d["party_code"],
                    party_phone=d["party_phone"],
                    source_id=d["source"],
                    region_code=d["grid"],
                    inspection_id=d["inspection"],
                    order_id=d["order"],
                ),
                request.user,
            )
        except CaseError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("已立案：%(ref)s") % {"ref": case.reference})
            return redirect("enforcement:case", case.pk)
    source = None
    source_id = form["source"].value()
    if source_id and str(source_id).isdigit():
        from gridgov.sources.services import sources_for

        source = sources_for(request.user).filter(pk=int(str(source_id))).first()
    return render(request, "enforcement/new.html", {"form": form, "source": source})


def _do(request: HttpRequest, case: Case) -> tuple[bool, str]:
    """One POSTed action on the case page: advance, document, propose, approve, unpublish."""
    what = request.POST.get("do", "")
    try:
        if what == "advance":
            form: Any = AdvanceForm(request.POST)
            if not form.is_valid():
                return False, _errors(form)
            d = form.cleaned_data
            handling.advance(
                case.pk,
                d["to_step"],
                request.user,
                note=d["note"],
                penalty_amount=d["penalty_amount"],
                legal_basis_ids=[b.pk for b in d["legal_bases"]],
                amount_reason=d["amount_reason"],
                decision=d["decision"],
                rectification_required=d["rectification_required"]
                if d["to_step"] == Step.DECISION
                else None,
                rectified=d["rectified"],
                version=d["version"],
            )
            return True, _("已转入“%(step)s”") % {"step": Step(d["to_step"]).label}
        if what == "document":
            form = DocumentForm(request.POST, request.FILES)
            if not form.is_valid():
                return False, _errors(form)
            upload = form.cleaned_data["file"]
            handling.add_document(
                case.pk,
                request.user,
                upload,
                size=upload.size or 0,
                name=upload.name or "",
                title=form.cleaned_data["title"],
            )
            return True, _("材料已上传")
        if what == "propose":
            form = ProposeForm(request.POST, case=case)
            if not form.is_valid():
                return False, _errors(form)
            d = form.cleaned_data
            pubs.propose(
                case.pk,
                request.user,
                title=d["title"],
                summary=d["summary"],
                photo_ids=[p.pk for p in d["photos"]],
            )
            return True, _("已提请曝光，待另一人审核")
        if what == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                return False, _errors(form)
            pub = case.publications.filter(pk=form.cleaned_data["publication"]).first()
            if pub is None:
                return False, _("曝光记录不存在")
            pubs.approve(pub.pk, request.user)
            return True, _("已审核发布")
        if what == "unpublish":
            form = UnpublishForm(request.POST)
            if not form.is_valid():
                return False, _errors(form)
            pub = case.publications.filter(pk=form.cleaned_data["publication"]).first()
            if pub is None:
                return False, _("曝光记录不存在")
            pubs.unpublish(pub.pk, request.user, reason=form.cleaned_data["reason"])
            return True, _("已撤下")
    except CaseError as exc:
        return False, exc.message
    return False, _("未知操作")


def _errors(form: Any) -> str:
    return "; ".join(f"{k}: {', '.join(str(e) for e in v)}" for k, v in form.errors.items())


@login_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    if request.method == "POST":
        ok, message = _do(request, case)
        (messages.success if ok else messages.error)(request, message)
        if ok:
            return redirect("enforcement:case", case.pk)
        case = _case_or_404(request, pk)
    today = timezone.localdate()
    full = services.sees_identity(request.user, case)
    next_steps = handling.allowed_steps(case, request.user)
    return render(
        request,
        "enforcement/case.html",
        {
            "c": case,
            "overdue": services.is_overdue(case, today),
            "party_code": case.party_code if full else services.masked_code(case),
            "party_phone": case.party_phone if full else privacy.mask_phone(case.party_phone),
            "steps": [
                {
                    "s": s,
                    "from": Step(s.from_step).label if s.from_step else "",
                    "to": Step(s.to_step).label,
                }
                for s in case.steps.all()
            ],
            "next_steps": [
                {
                    "code": s,
                    "label": Step(s).label,
                    "needs_note": (case.step, s) in NEEDS_NOTE,
                    "decision": s == Step.DECISION,
                    "closing": s == Step.CLOSED and case.rectification_required,
                }
                for s in next_steps
            ],
            "bases": LegalBasis.objects.for_user(request.user).filter(active=True),
            "documents": case.documents.all(),
            "publications": case.publications.order_by("-pk"),
            "can_handle": services.can_handle(request.user),
            "can_approve": request.user.has_perm(services.APPROVE),
            "publishable": case.step in pubs.PUBLISHABLE_STEPS
            and not case.publications.filter(unpublished_at__isnull=True).exists(),
            "propose_form": ProposeForm(case=case),
            "final": not MOVES.get(case.step),
        },
    )


@login_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    d = CaseDocument.objects.for_user(request.user).filter(pk=pk).first()
    if d is None:
        raise Http404
    try:
        path = evidence.stored_path(d.file)
    except evidence.PhotoRejected:
        raise Http404 from None
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=d.content_type,
        filename=d.original_name,
        as_attachment=not d.is_image,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------- public --


def _limited(request: HttpRequest) -> HttpResponse | None:
    if public_allowed(request):
        return None
    return render(request, "enforcement/public_busy.html", status=429)


@require_GET
def exposure_list(request: HttpRequest) -> HttpResponse:
    busy = _limited(request)
    if busy:
        return busy
    items = [pubs.public_view(p) for p in pubs.published()[:100]]
    return render(request, "enforcement/exposure_list.html", {"items": items})


@require_GET
def exposure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    busy = _limited(request)
    if busy:
        return busy
    pub = pubs.published().filter(pk=pk).first()
    if pub is None:
        raise Http404
    return render(request, "enforcement/exposure_detail.html", {"v": pubs.public_view(pub)})


@require_GET
def exposure_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = pubs.published_photo(pk)
    if photo is None:
        raise Http404
    try:
        path = evidence.stored_path(photo.file)
    except evidence.PhotoRejected:
        raise Http404 from None
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    return response
