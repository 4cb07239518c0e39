"""Tampering findings pages (干扰疑点): the list with its filters and the numbers behind each
finding, and a reviewer's decision. Thin: they call air.tamper_scan and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridgov.air import review, tamper_scan
from gridgov.air.models import CST
from gridgov.air.tamper_models import TamperFinding, TamperKind, TamperStatus

PER_PAGE = 50
EVIDENCE_NAMES = {
    "before": gettext_lazy("前两小时均值"),
    "at": gettext_lazy("本小时"),
    "drop_pct": gettext_lazy("降幅%"),
    "neighbours": gettext_lazy("周边站数"),
    "neighbour_change_pct": gettext_lazy("周边变化%"),
    "rh_before": gettext_lazy("前一小时湿度%"),
    "rh_at": gettext_lazy("本小时湿度%"),
    "neighbour_rh": gettext_lazy("周边湿度%"),
    "rule": gettext_lazy("规则"),
    "hours": gettext_lazy("小时数"),
    "cv": gettext_lazy("变异系数"),
    "neighbour_cv": gettext_lazy("周边变异系数"),
    "equal": gettext_lazy("与前一日相同小时数"),
    "packets": gettext_lazy("数据包"),
    "millis": gettext_lazy("QN毫秒"),
    "gap_ms": gettext_lazy("QN间隔(毫秒)"),
}


STATION_CODE_MAX = 40  # Station.code's length


def _may_view(request: HttpRequest) -> None:
    if not review.can_view(request.user):
        raise PermissionDenied(_("需要数据审核权限"))


def evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """A finding's numbers as short lines ("pm25: 前两小时均值 80.0 · 本小时 20.0 …")."""
    flat = {k: v for k, v in evidence.items() if not isinstance(v, dict) and v is not None}
    lines = [f"{k}: " + " · ".join(_pairs(v)) for k, v in evidence.items() if isinstance(v, dict)]
    if flat:
        lines.append(" · ".join(_pairs(flat)))
    return lines


def _pairs(values: dict[str, Any]) -> list[str]:
    return [f"{EVIDENCE_NAMES.get(k, k)!s} {v}" for k, v in values.items() if v is not None]


@login_required
def tamper_list(request: HttpRequest) -> HttpResponse:
    """The findings of the reviewer's scope, open ones first, filtered by station, kind and
    status."""
    _may_view(request)
    station = request.GET.get("station", "").strip()
    if len(station) > STATION_CODE_MAX:  # no station has such a code: refused, never cut
        return HttpResponseBadRequest(_("站点编码至多 %(n)s 个字符") % {"n": STATION_CODE_MAX})
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    rows = TamperFinding.objects.for_user(request.user).select_related("station", "issue")
    if station:
        rows = rows.filter(station__code=station)
    if kind in TamperKind.values:
        rows = rows.filter(kind=kind)
    if status in TamperStatus.values:
        rows = rows.filter(status=status)
    rows = rows.annotate(
        decided=Case(
            When(status=TamperStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("decided", "-start", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = [
        {
            "finding": f,
            "evidence": evidence_lines(f.evidence or {}),
            "day": f.start.astimezone(CST).date(),
        }
        for f in page.object_list
    ]
    return render(
        request,
        "air/tampering.html",
        {
            "items": items,
            "page": page,
            "station": station,
            "kind": kind,
            "status": status,
            "kinds": TamperKind.choices,
            "statuses": TamperStatus.choices,
            "can_review": review.can_review(request.user),
        },
    )


@login_required
@require_POST
def tamper_decide(request: HttpRequest, finding_id: int) -> HttpResponse:
    if not review.can_review(request.user):
        raise PermissionDenied(_("需要数据审核权限"))
    finding = TamperFinding.objects.for_user(request.user).filter(pk=finding_id).first()
    if finding is None:
        raise Http404(_("没有这个疑点"))
    try:
        tamper_scan.decide(
            finding,
            request.user,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            inspect=request.POST.get("inspect") == "1",
        )
    except review.ReviewError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.success(request, _("已记录核查结论"))
    return redirect(reverse("air:tampering"))
