"""巡查检查 pages: the grid worker's phone flow under /m/inspect/ (near me → a source's checklist →
submit → result; open rectifications with 复查) and the desk pages under /inspections/ (list with
filters, overdue sources, statistics; one inspection with its map, photos and items). Thin:
forms in, services.py and plans.py do the work, templates out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account
from gridgov.inspections import plans, services
from gridgov.inspections.api import (
    InspectionFilter,
    filtered_inspections,
    levels,
    near_rows,
    rect_queryset,
)
from gridgov.inspections.effect import rectification_effect
from gridgov.inspections.models import Inspection, InspectionPhoto, Rectification
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.sources import categories
from gridgov.sources.models import PollutionSource
from gridgov.sources.services import sources_for
from gridgov.territory.levels import key
from gridgov.territory.models import Level
from gridgov.workorders.forms import PhotosField

NEAR_RADIUS_M = 2000


class InspectForm(forms.Form):
    lat = forms.FloatField(
        min_value=-90,
        max_value=90,
        error_messages={"required": gettext_lazy("未能获取位置，请打开定位或手动填写")},
    )
    lon = forms.FloatField(
        min_value=-180,
        max_value=180,
        error_messages={"required": gettext_lazy("未能获取位置，请打开定位或手动填写")},
    )
    accuracy = forms.FloatField(min_value=0, max_value=100_000, required=False)
    note = forms.CharField(max_length=services.NOTE_LIMIT, required=False)
    submission = forms.CharField(max_length=services.KEY_LIMIT, required=False)
    rectification = forms.IntegerField(min_value=1, max_value=inputs.INT_MAX, required=False)
    photos = PhotosField()


def _source(user: Account, pk: int) -> PollutionSource:
    found = sources_for(user).exclude(status="closed").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# ------------------------------------------------------------------------------- phone --


@login_required
def phone_near(request: HttpRequest) -> HttpResponse:
    """Tap 1: sources near the phone's position (the page asks the browser, then reloads with
    it), with due/overdue badges; without a position, the due list of the account's area and a
    form to type one. My open rectifications, each with its 复查 button."""
    lat_text, lon_text = request.GET.get("lat", ""), request.GET.get("lon", "")
    rows: list[dict[str, Any]] = []
    located = False
    error = ""
    if lat_text or lon_text:
        try:
            lat, lon = float(lat_text), float(lon_text)
            rows = near_rows(request.user, lat, lon, NEAR_RADIUS_M)
            located = True
        except (ValueError, inputs.InputError):
            error = _("位置无效，请重新定位或手动填写")
    dues = [] if located else [d for d in plans.due_sources(request.user) if d.status != "ok"]
    person = person_of(request.user)
    mine = rect_queryset(request.user, "open", True)[:50] if person else []
    return render(
        request,
        "inspections/phone/near.html",
        {
            "rows": rows,
            "located": located,
            "error": error,
            "dues": dues[:50],
            "mine": mine,
            "today": plans.today(),
            "lat": lat_text,
            "lon": lon_text,
            "radius": NEAR_RADIUS_M,
            "person": person,
        },
    )


def _answers(request: HttpRequest, items: list[Any], form: InspectForm) -> dict[int, bool | None]:
    """Each item's answer as posted (None: not answered). Nothing is assumed: every item must
    be answered, or the explicit 全部合格 (`all_pass=1`, confirmed on the phone) answers the
    ones left open as 合格. The form's errors name the items left open or contradicting it."""
    answers: dict[int, bool | None] = {i.pk: None for i in items}
    for i in items:
        value = request.POST.get(f"item-{i.pk}", "")
        if value in ("0", "1"):
            answers[i.pk] = value == "1"
    if request.POST.get("all_pass") == "1":
        failed = [i for i in items if answers[i.pk] is False]
        if failed:
            form.add_error(
                None,
                _("选择了“全部合格”，但以下检查项标为不合格：%(items)s")
                % {"items": "、".join(i.text for i in failed)},
            )
        else:
            answers = {i.pk: True for i in items}
    missing = [i for i in items if answers[i.pk] is None]
    if missing:
        form.add_error(
            None,
            _("以下检查项未填写：%(items)s") % {"items": "、".join(i.text for i in missing)},
        )
    return answers


@login_required
def phone_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """Tap 2 and 3: the source's checklist (no answer chosen beforehand: each item 合格 or
    不合格, or 全部合格 after a confirmation), photos, a note; submit. With
    ?rectification=<id>: the re-inspection of that rectification."""
    source = _source(request.user, pk)
    items = services.checklist(source.category)
    rect_id = request.GET.get("rectification") or request.POST.get("rectification") or ""
    rect = None
    if rect_id:
        if not rect_id.isdigit():
            raise Http404
        rect = (
            services.rectifications_for(request.user)
            .filter(pk=inputs.check_int("rectification", int(rect_id)), source=source)
            .prefetch_related("failed_items")
            .first()
        )
        if rect is None:
            raise Http404
    form = InspectForm(request.POST or None, request.FILES or None)
    answers: dict[int, bool | None] = {i.pk: None for i in items}
    status = 200
    if request.method == "POST":
        form.is_valid()
        answers = _answers(request, items, form)
        if not form.errors:
            done = _submit(request, form, source, {k: bool(v) for k, v in answers.items()})
            if done is not None:
                return redirect("inspections:phone_done", pk=done.inspection.pk)
        status = 400  # shown again with what is wrong
    failed_before = {i.pk for i in rect.failed_items.all()} if rect else set()
    return render(
        request,
        "inspections/phone/inspect.html",
        {
            "source": source,
            "category": categories.LABELS[source.category],
            "items": [(i, answers[i.pk], i.pk in failed_before) for i in items],
            "posted": request.method == "POST",
            "form": form,
            "rect": rect,
            "max_metres": round(services.max_metres()),
        },
        status=status,
    )


def _submit(
    request: HttpRequest, form: InspectForm, source: PollutionSource, answers: dict[int, bool]
) -> services.Recorded | None:
    d = form.cleaned_data
    try:
        photos = evidence.prepare_photos(d["photos"])
    except evidence.PhotoRejected as exc:
        form.add_error("photos", str(exc))
        return None
    try:
        done = services.record_inspection(
            request.user,
            source.pk,
            d["lat"],
            d["lon"],
            d["accuracy"],
            None,
            answers,
            d["note"] or "",
            photos,
            d["submission"] or None,
            d["rectification"],
        )
    except services.InspectionError as exc:
        evidence.discard(photos)
        field = {"source": None, "items": None, "notes": "note"}.get(exc.field, exc.field)
        form.add_error(field if field in form.fields else None, exc.message)
        return None
    if done.repeated:
        evidence.discard(photos)
    return done


@login_required
def phone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The result: passed, or the rectification made (its deadline and who must act); a
    re-inspection says whether it closed the rectification."""
    inspection = _inspection(request.user, pk)
    opened = (
        Rectification.objects.for_user(request.user)
        .filter(inspection=inspection)
        .select_related("order__event", "order__assignee")
        .first()
    )
    return render(
        request,
        "inspections/phone/done.html",
        {
            "i": inspection,
            "opened": opened,
            "reinspected": inspection.rectification,
            "failed": [it for it in inspection.items.select_related("item") if not it.passed],
        },
    )


# -------------------------------------------------------------------------------- desk --


def _inspection(user: Account, pk: int) -> Inspection:
    found = (
        services.inspections_for(user)
        .select_related("source__grid", "inspector", "rectification")
        .defer("source__grid__geometry")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _date(name: str, text: str | None, default: dt.date) -> dt.date:
    return inputs.parse_date(name, text, default)


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """Inspections with filters, the overdue sources, and the statistics by unit and category."""
    today = plans.today()
    start = _date("from", request.GET.get("from"), today - dt.timedelta(days=29))
    end = _date("to", request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    by = levels()
    level = request.GET.get("level") or key(scope.office_table_level(request.user))
    if level not in by:
        level = "street"
    result = request.GET.get("result", "")
    far = request.GET.get("far", "")
    f = InspectionFilter.model_validate(
        {
            "result": result if result in Inspection.Result.values else None,
            "far": True if far == "1" else None,
            "from": start,
            "to": end,
        }
    )
    page = Paginator(filtered_inspections(request.user, f), 50).get_page(request.GET.get("page"))
    overdue = [d for d in plans.due_sources(request.user) if d.status == "overdue"]
    stats = plans.statistics(request.user, start, end, by.get(level, Level.STREET), effects=True)
    return render(
        request,
        "inspections/desk.html",
        {
            "page": page,
            "overdue": overdue[:100],
            "overdue_count": len(overdue),
            "stats": stats,
            "start": start,
            "end": end,
            "level": level,
            "levels": [(k, lv.label) for k, lv in by.items()],
            "result": result,
            "far": far,
            "results": Inspection.Result.choices,
            "open_rects": rect_queryset(request.user, "open", False)[:100],
            "today": today,
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One inspection: the inspector's position against the source on a map, items, photos,
    the rectification it opened or re-inspected."""
    i = _inspection(request.user, pk)
    opened = (
        Rectification.objects.for_user(request.user)
        .filter(inspection=i)
        .select_related("order__event")
        .first()
    )
    items = list(i.items.select_related("item").order_by("item__sort_order", "item__code"))
    # 治理成效 of the rectification this inspection opened, or of the one it re-inspected.
    rect = opened or i.rectification
    return render(
        request,
        "inspections/detail.html",
        {
            "i": i,
            "effect": rectification_effect(rect) if rect is not None else None,
            "items": items,
            "photos": list(i.photos.order_by("pk")),
            "opened": opened,
            "map_data": {
                "source": i.source.geometry,
                "inspector": [i.lat, i.lon],
                "accuracy": i.accuracy_m,
                "distance": i.distance_m,
            },
        },
    )


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    p = InspectionPhoto.objects.for_user(request.user).filter(pk=pk).first()
    if p is None:
        raise Http404
    try:
        path = services.photo_path(p)
    except evidence.PhotoRejected:
        raise Http404 from None
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=p.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


# ------------------------------------------------------------------- the source's page --


def source_section(source: PollutionSource, user: Account) -> dict[str, Any]:
    """What the source page shows of inspections (template
    inspections/_source_section.html): the due status, the last inspections, the open
    rectifications; empty when the account may not see the source."""
    if not sources_for(user).filter(pk=source.pk).exists():
        return {"inspection_section": None}
    due = next(iter(plans.due_sources(user, qs=sources_for(user).filter(pk=source.pk))), None)
    recent = list(
        Inspection.objects.for_user(user)
        .filter(source=source)
        .select_related("inspector")
        .order_by("-at")[:10]
    )
    rects = list(
        Rectification.objects.for_user(user)
        .filter(source=source, state=Rectification.State.OPEN)
        .select_related("order__event")
        .prefetch_related("failed_items")
    )
    return {
        "inspection_section": {
            "source": source,
            "due": due,
            "recent": recent,
            "open_rects": rects,
            "today": plans.today(),
        }
    }
