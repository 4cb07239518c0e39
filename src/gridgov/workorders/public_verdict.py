"""The reporter's verdict on the public pages (群众评价): rate a closed order or ask to re-open
it, by reference number from the tracking page or by the signed link of the SMS. No login. The
reference number alone is public (Open311 lists it), so a write by number also needs the phone's
last four digits or the 评价码 (verdict.order_to_write); the link is proof of its own. Verdict
POSTs are limited per client address (GRIDGOV_PUBLIC_VERDICTS_PER_HOUR; over it: 429). The
domain is verdict.py; these views only parse, call and render. A bad or expired link is a 404,
the same as an unknown number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.errors import INVALID, DomainError
from gridgov.web import ratelimit
from gridgov.web.clientip import client_ip
from gridgov.workorders import verdict
from gridgov.workorders.models import Verdict, WorkOrder
from gridgov.workorders.public import track_context

# The posted fields by name, for a refusal that names its field on the page.
FIELD_LABELS = {
    "ref": _l("编号"),
    "proof": _l("手机后四位或评价码"),
    "action": _l("操作"),
    "rating": _l("评价"),
    "reason": _l("理由"),
}


def _allowed(request: HttpRequest) -> bool:
    """Count this verdict POST against the client's hourly limit (atomic, every process)."""
    key = f"public-verdict:{client_ip(request) or 'unknown'}"
    return ratelimit.allow(key, settings.GRIDGOV_PUBLIC_VERDICTS_PER_HOUR, 3600)


def _too_many() -> dict[str, Any]:
    return {"error": DomainError(INVALID, _("提交过于频繁，请稍后再试"))}


def _refused(exc: DomainError) -> dict[str, Any]:
    label = FIELD_LABELS.get(exc.field or "")
    return {"error": exc, "error_field": f"{label}（{exc.field}）" if label else ""}


def _act(order: WorkOrder, data: QueryDict, via: str) -> str:
    """Take the posted action (rate or reopen) on the order: the message to show."""
    action = data.get("action", "")
    if action == "rate":
        verdict.rate(order, data.get("rating", ""), via=via)
        return _("感谢您的评价！")
    if action == "reopen":
        verdict.reopen(order, data.get("reason", ""))
        return _("已申请重新办理，工单已退回原承办单位重新处理。")
    raise DomainError(INVALID, _("未知的操作"), "action")


@require_POST
def by_reference(request: HttpRequest) -> HttpResponse:
    """From the tracking page: the reference number and its proof in the form."""
    ref = request.POST.get("ref", "").strip().upper()
    if not _allowed(request):
        return render(
            request, "workorders/public/track.html", track_context("", **_too_many()), status=429
        )
    try:
        order = verdict.order_to_write(ref, request.POST.get("proof", ""))
        message = _act(order, request.POST, Verdict.Via.REFERENCE)
    except DomainError as exc:
        shown = "" if exc.field == "ref" else ref  # a refused number is not echoed back
        context = track_context(shown, **_refused(exc))
        return render(request, "workorders/public/track.html", context, status=exc.status)
    context = track_context(order.event.reference, message=message)
    return render(request, "workorders/public/track.html", context)


@require_http_methods(["GET", "POST"])
def by_link(request: HttpRequest, token: str) -> HttpResponse:
    """From the SMS: the signed link names the order; no number to type."""
    try:
        order = verdict.order_by_token(token)
    except DomainError:
        raise Http404(_("链接无效或已过期，请凭编号查询")) from None
    status, extra = 200, dict[str, Any]()
    if request.method == "POST" and not _allowed(request):
        status, extra = 429, _too_many()
    elif request.method == "POST":
        try:
            extra["message"] = _act(order, request.POST, Verdict.Via.LINK)
        except DomainError as exc:
            status, extra = exc.status, _refused(exc)
    context = track_context(order.event.reference, **extra)
    # The link's page posts back to itself and does not show the number in a form.
    context.update(ref="", verdict_action=reverse("public_verdict_link", args=[token]))
    return render(request, "workorders/public/link.html", context, status=status)
