"""Data review pages (数据审核): the queue of stations for a day, one station's day with its
marked values, decisions and undo. Thin: they call air.review and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.air import review
from gridgov.air.assessment import station_units
from gridgov.air.models import CST, POLLUTANT_FIELDS, ReviewAction, ReviewDecision, Station
from gridgov.air.reports import REVIEW_STATES, daily_rows
from gridgov.core.actor import Account

PER_PAGE = 50
LABELS = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO₂", "no2": "NO₂", "co": "CO", "o3": "O₃"}


def _may_view(user: Account) -> None:
    if not review.can_view(user):
        raise PermissionDenied(_("需要数据审核权限"))


def _station(request: HttpRequest, code: str) -> Station:
    station = review.station_for(request.user, code)
    if station is None:
        raise Http404(_("没有这个站点"))
    return station


def _day(text: str) -> dt.date:
    return inputs.parse_date("day", text)


def _yesterday() -> dt.date:
    return dt.datetime.now(CST).date() - dt.timedelta(days=1)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Stations of the reviewer's scope for one day (yesterday by default: today is not over),
    with the values still to decide and each day's state."""
    _may_view(request.user)
    day = inputs.parse_date("day", request.GET.get("day"), _yesterday())
    kind = request.GET.get("kind", "")
    rows = review.queue(request.user, day, kind)
    # What still needs a decision first: unreviewed days with the most undecided values.
    rows.sort(key=lambda r: (r.reviewed, -r.undecided))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    pending = sum(1 for r in rows if not r.reviewed)
    return render(
        request,
        "air/review_queue.html",
        {
            "day": day,
            "rows": page.object_list,
            "page": page,
            "pending": pending,
            "total": len(rows),
            "kind": kind,
            "kinds": Station._meta.get_field("kind").choices,
            "can_review": review.can_review(request.user),
        },
    )


@login_required
def review_day(request: HttpRequest, code: str, day: str) -> HttpResponse:
    _may_view(request.user)
    station = _station(request, code)
    the_day = _day(day)
    series = review.day_series(station, the_day)
    runs = series.runs()
    chosen = request.GET.get("p") or (runs[0].pollutant if runs else "pm25")
    if chosen not in POLLUTANT_FIELDS:
        chosen = "pm25"
    report = daily_rows(station_units([station.code]), the_day, the_day)
    decisions = (
        ReviewDecision.objects.for_user(request.user)
        .filter(station=station, day=the_day)
        .select_related("decided_by", "undone_by")
        .order_by("-decided_at", "-id")
    )
    j = POLLUTANT_FIELDS.index(chosen)
    chart = {
        "pollutant": chosen,
        "label": LABELS[chosen],
        "unit": "mg/m³" if chosen == "co" else "µg/m³",
        # Beijing wall-clock times as if UTC: the chart shows them with useUTC, whatever the
        # browser's own time zone.
        "times": [(int(t) + 8 * 3600) * 1000 for t in series.ts.tolist()],
        "names": {
            "suspect": _("存疑"),
            "invalid": _("无效/判无效"),
            "confirmed": _("已确认"),
        },
        "values": [None if v != v else v for v in series.values[:, j].tolist()],
        "flags": series.flags[:, j].tolist(),
        "counted": series.counted()[:, j].tolist(),
    }
    prefill = {
        "pollutant": request.GET.get("pollutant", ""),
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
        "action": request.GET.get("action", ""),
    }
    return render(
        request,
        "air/review_day.html",
        {
            "station": station,
            "day": the_day,
            "previous": the_day - dt.timedelta(days=1),
            "next": the_day + dt.timedelta(days=1),
            "summary": series.summary(),
            "runs": runs,
            "report": report[0] if report else None,
            "decisions": decisions,
            "approval": review.approval(station, the_day),
            "review_states": REVIEW_STATES,
            "chart": chart,
            "pollutants": [(p, LABELS[p]) for p in POLLUTANT_FIELDS],
            "actions": [
                (ReviewAction.CONFIRM, _("确认有效")),
                (ReviewAction.INVALIDATE, _("判为无效")),
            ],
            "prefill": prefill,
            "can_review": review.can_review(request.user),
        },
    )


def _back(station: Station, day: dt.date, **query: str) -> HttpResponse:
    url = reverse("air:review_day", args=[station.code, day.isoformat()])
    return redirect(url)


def _require_reviewer(request: HttpRequest) -> None:
    if not review.can_review(request.user):
        raise PermissionDenied(_("需要数据审核权限"))


@login_required
@require_POST
def review_decide(request: HttpRequest, code: str, day: str) -> HttpResponse:
    _require_reviewer(request)
    station = _station(request, code)
    the_day = _day(day)
    try:
        decision = review.decide(
            station,
            request.user,
            action=request.POST.get("action", ""),
            pollutant=request.POST.get("pollutant", ""),
            start=review.parse_moment(the_day, request.POST.get("start", ""), "start"),
            end=review.parse_moment(the_day, request.POST.get("end", ""), "end"),
            reason=request.POST.get("reason", ""),
        )
    except review.ReviewError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.success(
            request,
            _("已记录审核：%(action)s %(n)d 个数值，日均值和AQI已重算")
            % {"action": decision.get_action_display(), "n": decision.values_changed},
        )
    return _back(station, the_day)


@login_required
@require_POST
def review_approve(request: HttpRequest, code: str, day: str) -> HttpResponse:
    _require_reviewer(request)
    station = _station(request, code)
    the_day = _day(day)
    try:
        review.approve_day(station, request.user, the_day, request.POST.get("reason", ""))
    except review.ReviewError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.success(request, _("该日数据已审核"))
    return _back(station, the_day)


@login_required
@require_POST
def review_undo(request: HttpRequest, decision_id: int) -> HttpResponse:
    _require_reviewer(request)
    decision = (
        ReviewDecision.objects.for_user(request.user)
        .filter(pk=decision_id)
        .select_related("station")
        .first()
    )
    if decision is None:
        raise Http404(_("没有这条审核记录"))
    try:
        review.undo(decision, request.user)
    except review.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销，相关数值已按其余审核记录恢复"))
    return _back(decision.station, decision.day)
