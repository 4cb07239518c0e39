"""重污染天气应急 pages: the level in force, its measures and record, the declare form with its
preview (command office), ending early, and the history. Thin: services.py does the work."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.emergency import declaring, recommending, services
from gridgov.emergency.effect import warning_effect
from gridgov.emergency.forms import DeclareForm, DismissForm, EndForm
from gridgov.emergency.models import Measure, Warning
from gridgov.errors import add_form_error
from gridgov.inputs import InputError
from gridgov.people.actor import person_of
from gridgov.sources.categories import LABELS

COLOURS = {1: "yellow", 2: "orange", 3: "red"}
HISTORY = 20
DUE_SHOWN = 100


def grouped_measures(level: int) -> list[tuple[str, list[Measure]]]:
    by_category: dict[str, list[Measure]] = defaultdict(list)
    for m in services.measures_for(level):
        by_category[m.category].append(m)
    return [(str(LABELS[c]), ms) for c, ms in by_category.items()]


def _record(request: HttpRequest, warning: Warning) -> dict[str, Any]:
    now = timezone.now()
    due = [t for t in services.tasks(warning, request.user, now) if t.due]
    return {
        "due": due[:DUE_SHOWN],
        "due_count": len(due),
        "w": warning,
        "colour": COLOURS[warning.level],
        "in_force": warning.starts_at <= now < warning.effective_end,
        "upcoming": now < warning.starts_at and warning.effective_end > warning.starts_at,
        "record": services.compliance(warning, request.user, now),
        "measures": grouped_measures(warning.level),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    can_declare = services.can_declare(request.user)
    if request.method == "POST" and not can_declare:
        raise PermissionDenied
    form = DeclareForm(request.POST or None) if can_declare else None
    preview = None
    from_rec = None
    asked = request.GET.get("recommendation")
    if asked is not None and request.method == "GET":
        # 发布预警 from a recommendation: the declare form filled from it.
        from_rec = recommending.get_for(
            request.user, inputs.parse_ids("recommendation", [asked])[0]
        )
        if from_rec is None:
            raise Http404(_("预警建议不存在"))
        if can_declare:
            initial = recommending.declare_initial(from_rec, now)
            form = DeclareForm(initial={**initial, "recommendation": from_rec.pk})
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if "confirm" in request.POST:
                args = (d["level"], d["starts_at"], d["ends_at"], d["reason"])
                if d.get("recommendation"):
                    done = recommending.declare_from(request.user, d["recommendation"], *args)
                else:
                    done = declaring.declare(request.user, *args)
                messages.success(
                    request,
                    _("已发布%(level)s，向 %(n)s 个街道/镇下达指令")
                    % {"level": done.warning.get_level_display(), "n": len(done.commands)},
                )
                for street in done.unreached:
                    messages.error(
                        request,
                        _("%(name)s 没有在岗责任人，未能下达指令") % {"name": street.name},
                    )
                return redirect("emergency:warning", pk=done.warning.pk)
            declaring.check_period(d["starts_at"], d["ends_at"], now)
            preview = services.preview(d["level"])
        except (services.EmergencyError, InputError) as exc:
            add_form_error(form, exc)
    current = services.in_force(now)
    history = []
    past = Warning.objects.for_user(request.user).filter(starts_at__lte=now)
    if current is not None:
        past = past.exclude(pk=current.pk)
    for w in past[:HISTORY]:
        history.append({"w": w, "colour": COLOURS[w.level], "total": _total(request, w, now)})
    context: dict[str, Any] = {
        "current": _record(request, current) if current else None,
        "upcoming": [{"w": w, "colour": COLOURS[w.level]} for w in services.upcoming(now)],
        "history": history,
        "form": form,
        "preview": preview,
        "can_declare": can_declare,
        "end_form": EndForm() if can_declare else None,
        "person": person_of(request.user),
        "from_rec": from_rec,
        "rec": recommending.panel(request.user, now),
        "dismiss_form": DismissForm() if can_declare else None,
    }
    return render(request, "emergency/index.html", context)


def _total(request: HttpRequest, w: Warning, now: Any) -> services.Figures:
    return services.compliance(w, request.user, now).total


@login_required
def warning_page(request: HttpRequest, pk: int) -> HttpResponse:
    w = Warning.objects.for_user(request.user).filter(pk=pk).first()
    if w is None:
        raise Http404(_("预警不存在"))
    can_declare = services.can_declare(request.user)
    context = {
        "r": _record(request, w),
        "can_declare": can_declare,
        "end_form": EndForm() if can_declare else None,
        "effect": warning_effect(w),
    }
    return render(request, "emergency/warning.html", context)


@login_required
@require_POST
def end_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not Warning.objects.for_user(request.user).filter(pk=pk).exists():
        raise Http404(_("预警不存在"))
    if not services.can_declare(request.user):
        raise PermissionDenied
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            declaring.end_early(
                request.user, pk, form.cleaned_data["at"], form.cleaned_data["reason"]
            )
        except (services.EmergencyError, InputError) as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
        else:
            messages.success(request, _("预警已解除"))
    else:
        for name, errs in form.errors.items():
            messages.error(request, f"{name}: {' '.join(str(e) for e in errs)}")
    return redirect("emergency:warning", pk=pk)


@login_required
@require_POST
def dismiss_page(request: HttpRequest, pk: int) -> HttpResponse:
    """不予采纳 (the command office): the reason is required, at most 200 characters."""
    if not services.can_declare(request.user):
        raise PermissionDenied
    if recommending.get_for(request.user, pk) is None:
        raise Http404(_("预警建议不存在"))
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            recommending.dismiss(request.user, pk, form.cleaned_data["reason"])
        except (services.EmergencyError, InputError) as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
        else:
            messages.success(request, _("已记录不予采纳"))
    else:
        for name, errs in form.errors.items():
            messages.error(request, f"{name}: {' '.join(str(e) for e in errs)}")
    return redirect("emergency:index")
