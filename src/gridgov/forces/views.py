"""专班与物资 pages: forces (list, one force with its members, seconded staff and roster) and
supplies (stock by kind and depot, allocations by unit, the request form, a request with its
approval, rejection and hand-over). Thin: services.py does the work and the scoping."""

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
from django.views.decorators.http import require_POST

from gridgov.apikit import xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.errors import add_form_error
from gridgov.forces import depot_stock, excel, force_members, services, supply_requests
from gridgov.forces.forms import ApproveForm, HandoverForm, RejectForm, RequestForm
from gridgov.forces.models import Allocation, Status
from gridgov.forces.services import ForcesError

ROSTER_DAYS = 7


@login_required
def force_list(request: HttpRequest) -> HttpResponse:
    if not services.can_view_forces(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    forces = []
    for f in services.forces_for(request.user).select_related("owner", "leader"):
        current = list(f.members.current(today).values_list("seconded", flat=True))
        forces.append({"f": f, "members": len(current), "seconded": sum(current)})
    context = {
        "forces": forces,
        "seconded": force_members.seconded_by_street(request.user, today),
        "today": today,
    }
    return render(request, "forces/list.html", context)


@login_required
def force_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        force = services.get_force(request.user, pk)
    except ForcesError:
        raise Http404(_("专班不存在")) from None
    today = timezone.localdate()
    everyone = force_members.members(force, history=True)
    current = [m for m in everyone if m.start_date <= today and (m.end_date or today) >= today]
    ended = [m for m in everyone if m not in current]
    phones: dict[int, bool] = {}
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for d in force_members.roster(force, today, today + dt.timedelta(days=ROSTER_DAYS - 1)):
        if d.person_id not in phones:
            phones[d.person_id] = services.phone_visible(request.user, d.person, force)
        days.setdefault(d.date, []).append({"d": d, "phone": phones[d.person_id]})
    context = {
        "force": force,
        "current": current,
        "ended": ended,
        "seconded": force_members.seconded_by_street(request.user, today, force),
        "roster": sorted(days.items()),
        "today": today,
    }
    return render(request, "forces/force.html", context)


@login_required
def supplies(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.can_view_supplies(user):
        raise PermissionDenied
    form = None
    if services.can_request(user) and services.request_units(user).exists():
        form = RequestForm(user, request.POST or None)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = supply_requests.request_supplies(user, d["kind"].pk, d["unit"].pk, d["quantity"],
                                            d["reason"])  # fmt: skip
        except ForcesError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("物资申请已提交"))
            return redirect("forces:request", pk=req.pk)
    rows = depot_stock.stock(user)
    requests = services.requests_for(user).select_related("kind", "unit", "depot")
    open_statuses = [Status.REQUESTED, Status.APPROVED]
    context = {
        "by_kind": depot_stock.stock_by_kind(rows),
        "rows": rows,
        "allocated": depot_stock.allocated_by_unit(user),
        "open_requests": list(requests.filter(status__in=open_statuses)[:100]),
        "closed_requests": list(requests.exclude(status__in=open_statuses)[:30]),
        "recent": list(services.allocations_for(user).select_related("kind", "depot", "unit")[:30]),
        "form": form,
        "can_handle": services.can_handle(user),
    }
    return render(request, "forces/supplies.html", context)


@login_required
@replica_reads()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    if not services.can_view_supplies(request.user):
        raise PermissionDenied
    return xlsx_response(
        excel.workbook(request.user), f"supplies-{timezone.localdate():%Y%m%d}.xlsx"
    )


def _request_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return services.get_request(request.user, pk)
    except ForcesError:
        raise Http404(_("物资申请不存在")) from None


@login_required
def request_page(
    request: HttpRequest, pk: int, forms: dict[str, Any] | None = None
) -> HttpResponse:
    req = _request_or_404(request, pk)
    allowed = supply_requests.next_statuses(request.user, req)
    forms = forms or {}
    if Status.APPROVED in allowed and "approve" not in forms:
        forms["approve"] = ApproveForm(request.user, initial={"quantity": req.quantity})
    if Status.REJECTED in allowed and "reject" not in forms:
        forms["reject"] = RejectForm()
    if Status.HANDED_OVER in allowed and "handover" not in forms:
        forms["handover"] = HandoverForm()
    allocation = (
        Allocation.objects.for_user(request.user)
        .filter(request=req)
        .select_related("handover")
        .first()
    )
    context = {
        "req": req,
        "steps": list(req.steps.all()),
        "allocation": allocation,
        "handover": getattr(allocation, "handover", None) if allocation else None,
        "stock": depot_stock.stock(request.user, req.kind_id) if allowed else [],
        **{f"{k}_form": v for k, v in forms.items()},
    }
    return render(request, "forces/request.html", context)


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = _request_or_404(request, pk)
    user = request.user
    form: Any
    if action == "approve":
        form = ApproveForm(user, request.POST)
    elif action == "reject":
        form = RejectForm(request.POST)
    elif action == "handover":
        form = HandoverForm(request.POST)
    else:
        raise Http404
    if not services.can_handle(user):
        raise PermissionDenied
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "approve":
                supply_requests.approve(
                    user, req.pk, d["depot"].pk, d["quantity"] or None, d["note"]
                )
                messages.success(request, _("已批准"))
            elif action == "reject":
                supply_requests.reject(user, req.pk, d["note"])
                messages.success(request, _("已驳回"))
            else:
                supply_requests.hand_over(user, req.pk, d["received_by"], d["given_by"], d["note"])
                messages.success(request, _("已交接"))
        except ForcesError as exc:
            if exc.kind == "forbidden":
                raise PermissionDenied from exc
            add_form_error(form, exc)
        else:
            return redirect("forces:request", pk=req.pk)
    return request_page(request, pk, {action: form})
