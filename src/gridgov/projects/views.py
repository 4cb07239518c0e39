"""项目 pages: the portfolio (项目库) with filters, totals and per-unit figures; registering a
project; one project (facts, grid chain, milestones, spending, documents, officials, status
history, map) with its forms; the map of projects; Excel export and import. Thin: services.py
does the work and the scoping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from gridgov.apikit import xlsx_response
from gridgov.core.actor import Account
from gridgov.core.dbrouter import replica_reads
from gridgov.errors import add_form_error
from gridgov.people import scope
from gridgov.projects import excel, listing, project_records, services
from gridgov.projects.forms import (
    DocumentForm,
    DoneForm,
    EditForm,
    FilterForm,
    ImportForm,
    MilestoneForm,
    OfficialForm,
    ProjectForm,
    SpendingForm,
    StatusForm,
)
from gridgov.projects.listing import Filters
from gridgov.projects.models import Project, Status
from gridgov.projects.services import ProjectInput, ProjectsError
from gridgov.territory.models import Level

MAX_ROWS = 500


def _need_view(request: HttpRequest) -> None:
    if not services.can_view(request.user):
        raise PermissionDenied


def _filtered(request: HttpRequest) -> tuple[FilterForm, Any]:
    """The filter form (from the query) and the portfolio it selects."""
    form = FilterForm(request.user, request.GET or None)
    f = Filters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f = Filters(
            kind=d["kind"], plan=d["plan"], status=d["status"], unit=d["unit"],
            year=d["year"], overdue=True if d["overdue"] else None, q=d["q"],
        )  # fmt: skip
    try:
        qs = listing.portfolio(request.user, f)
    except ProjectsError as exc:
        add_form_error(form, exc)
        qs = listing.portfolio(request.user, Filters())
    return form, qs


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    _need_view(request)
    form, qs = _filtered(request)
    projects = list(qs)
    # By the level below an office above the street (districts for a city, streets for a
    # district); by street below it (a street's own row); a community's account (no street in
    # its scope) sees its communities.
    own, wanted = scope.own_level(request.user), scope.ranked_level(request.user)
    level = Level.STREET
    if own is not None and own < Level.STREET and wanted is not None and wanted != Level.GRID:
        level = wanted
    units = services.stat_units(request.user, level) or services.stat_units(
        request.user, Level.COMMUNITY
    )
    context = {
        "form": form,
        "projects": projects[:MAX_ROWS],
        "more": max(0, len(projects) - MAX_ROWS),
        "totals": listing.totals(projects),
        "figures": list(services.unit_figures(request.user, units).values()),
        "can_add": services.can_add(request.user),
        "query": request.GET.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "projects/list.html", context)


@login_required
def new_project(request: HttpRequest) -> HttpResponse:
    if not services.can_add(request.user):
        raise PermissionDenied
    form = ProjectForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = services.create_project(request.user, ProjectInput(**d))
        except ProjectsError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("项目已登记"))
            return redirect("projects:project", pk=p.pk)
    return render(request, "projects/new.html", {"form": form})


def _project_or_404(request: HttpRequest, pk: int) -> Project:
    try:
        p = services.get_project(request.user, pk)
    except ProjectsError:
        raise Http404(_("项目不存在")) from None
    return listing.with_figures(
        Project.objects.for_user(request.user).filter(pk=p.pk), timezone.localdate()
    ).get()


@login_required
def project_page(
    request: HttpRequest, pk: int, forms: dict[str, Any] | None = None
) -> HttpResponse:
    p = _project_or_404(request, pk)
    user = request.user
    today = timezone.localdate()
    manage = services.can_manage(user, p)
    forms = forms or {}
    if manage:
        forms.setdefault("edit", EditForm.of(p))
        allowed = services.next_statuses(user, p)
        if allowed:
            forms.setdefault("status", StatusForm(allowed, initial={"date": today}))
        if p.status not in services.CLOSED:
            forms.setdefault("milestone", MilestoneForm())
            forms.setdefault("document", DocumentForm())
            forms.setdefault("official", OfficialForm(user, p))
        if p.status != Status.APPLIED:
            forms.setdefault("spending", SpendingForm(initial={"date": today}))
    running = Decimal("0")
    ledger = []
    for s in p.spendings.all():
        running += s.amount
        ledger.append({"s": s, "total": running})
    officials = [
        {"o": o, "phone": o.person.phone if services.phone_visible(user, o.person) else None}
        for o in p.officials.select_related("person")
    ]
    point = {"lat": p.lat, "lon": p.lon, "name": p.name} if p.lat is not None else None
    context = {
        "p": p,
        "chain": listing.grid_chain(p),
        "milestones": [{"m": m, "overdue": m.overdue_on(today)} for m in p.milestones.all()],
        "ledger": ledger,
        "spend_rate": services.rate(p.spent, p.granted),  # type: ignore[attr-defined]
        "documents": list(p.documents.all()),
        "history": list(p.history.all()),
        "officials": officials,
        "manage": manage,
        "point": point,
        "done_form": DoneForm() if manage and p.status not in services.CLOSED else None,
        "today": today,
        **{f"{k}_form": v for k, v in forms.items()},
    }
    return render(request, "projects/project.html", context)


def _remove_official(user: Account, p: Project, request: HttpRequest) -> None:
    try:
        official_id = int(request.POST.get("official", ""))
    except ValueError:
        raise Http404 from None
    if not p.officials.filter(pk=official_id).exists():
        raise Http404
    project_records.remove_official(user, official_id)


def _complete_milestone(user: Account, p: Project, d: dict[str, Any]) -> None:
    if not p.milestones.filter(pk=d["milestone"]).exists():
        raise Http404
    project_records.complete_milestone(user, d["milestone"], d["done"])


def _save_document(user: Account, p: Project, d: dict[str, Any]) -> None:
    f = d["file"]
    project_records.save_document(
        user, p.pk, f, size=f.size or 0, name=f.name or "", title=d["title"]
    )


@dataclass(frozen=True)
class Action:
    """A form on the project page: its bound form, what a valid one does, what is then said.
    Every action needs ``services.can_manage`` on the project."""

    form: Callable[[Any, Project, HttpRequest], Any]
    run: Callable[[Any, Project, dict[str, Any]], object]
    done: str  # marked with gettext_noop, translated when said


ACTIONS: dict[str, Action] = {
    "edit": Action(
        lambda user, p, rq: EditForm(rq.POST),
        lambda user, p, d: services.update_project(user, p.pk, d),
        gettext_noop("项目信息已更新"),
    ),
    "status": Action(
        lambda user, p, rq: StatusForm(services.next_statuses(user, p), rq.POST),
        lambda user, p, d: services.change_status(user, p.pk, d["status"], d["date"], d["note"]),
        gettext_noop("状态已更新"),
    ),
    "milestone": Action(
        lambda user, p, rq: MilestoneForm(rq.POST),
        lambda user, p, d: project_records.add_milestone(
            user, p.pk, d["title"], d["planned"], d["note"]
        ),
        gettext_noop("节点已添加"),
    ),
    "done": Action(
        lambda user, p, rq: DoneForm(rq.POST), _complete_milestone, gettext_noop("节点已完成")
    ),
    "spending": Action(
        lambda user, p, rq: SpendingForm(rq.POST),
        lambda user, p, d: project_records.record_spending(
            user, p.pk, d["date"], d["amount"], d["note"]
        ),
        gettext_noop("支出已登记"),
    ),
    "official": Action(
        lambda user, p, rq: OfficialForm(user, p, rq.POST),
        lambda user, p, d: project_records.add_official(user, p.pk, d["person"].pk, d["role"]),
        gettext_noop("责任人已添加"),
    ),
    "document": Action(
        lambda user, p, rq: DocumentForm(rq.POST, rq.FILES),
        _save_document,
        gettext_noop("文件已上传"),
    ),
}
UNOFFICIAL = "unofficial"  # removing an official: a button, no form


@login_required
@require_POST
def project_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS and action != UNOFFICIAL:
        raise Http404
    p = _project_or_404(request, pk)
    user = request.user
    if not services.can_manage(user, p):
        raise PermissionDenied
    if action == UNOFFICIAL:
        _remove_official(user, p, request)
        messages.success(request, _("已移除责任人"))
        return redirect("projects:project", pk=p.pk)
    step = ACTIONS[action]
    form = step.form(user, p, request)
    if form.is_valid():
        try:
            step.run(user, p, form.cleaned_data)
        except ProjectsError as exc:
            if exc.kind == "forbidden":
                raise PermissionDenied from exc
            add_form_error(form, exc)
        else:
            messages.success(request, _(step.done))
            return redirect("projects:project", pk=p.pk)
    if action == "done":
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("projects:project", pk=p.pk)
    return project_page(request, pk, {action: form})


@login_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    try:
        d = project_records.get_document(request.user, pk)
        path = project_records.document_path(d)
    except ProjectsError:
        raise Http404 from None
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), content_type=d.content_type, as_attachment=True, filename=d.original_name
    )


@login_required
def project_map(request: HttpRequest) -> HttpResponse:
    _need_view(request)
    form, qs = _filtered(request)
    today = timezone.localdate()
    points = [
        {
            "lat": p.lat,
            "lon": p.lon,
            "code": p.code,
            "name": p.name,
            "status": p.status,
            "status_label": p.get_status_display(),
            "overdue": bool(p.overdue),
            "url": reverse("projects:project", args=[p.pk]),
        }
        for p in qs.filter(lat__isnull=False)
    ]
    context = {
        "form": form,
        "points": points,
        "unplaced": qs.filter(lat__isnull=True).count(),
        "statuses": Status.choices,
        "labels": {"overdue": _("节点逾期")},
        "today": today,
    }
    return render(request, "projects/map.html", context)


@login_required
@replica_reads()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _need_view(request)
    _form, qs = _filtered(request)
    content = excel.export(request.user, qs)
    return xlsx_response(content, f"projects-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def import_xlsx(request: HttpRequest) -> HttpResponse:
    if not services.can_add(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if (f.size or 0) > project_records.document_limit():
            form.add_error("file", _("文件过大"))
        else:
            result = excel.import_projects(request.user, f)
            if result.ok:
                messages.success(request, _("已导入 %(n)d 个项目") % {"n": result.created})
                return redirect("projects:list")
            errors = result.errors
    context = {"form": form, "errors": errors, "columns": excel.COLUMNS}
    return render(request, "projects/import.html", context)
