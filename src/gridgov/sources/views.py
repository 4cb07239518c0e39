"""污染源档案 pages: the registry (filters, table, counts, a map layer per category), a source's
page (facts, category fields, map, responsibility, history, files, other apps' sections, the
monitors' device status), the forms per category, status changes and files. Thin: forms in, the
services do the work, templates out."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.apikit import xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.sources import categories, excel, files
from gridgov.sources.api import WRITE_PERMISSION, filtered_sources
from gridgov.sources.forms import FileForm, SourceForm, StatusForm
from gridgov.sources.models import PollutionSource, SourceFile, Status
from gridgov.sources.monitors import monitors
from gridgov.sources.sections import sections_for
from gridgov.sources.services import (
    SourceError,
    create_source,
    responsible_of,
    set_status,
    sources_for,
    update_source,
)
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region

# One colour per category (the map's layers and the legend use the same classes).
COLOURS = {
    "construction_site": "#e08a1e",
    "road_section": "#6b7a8c",
    "enterprise": "#b8281e",
    "restaurant": "#8e44ad",
    "farmland": "#3aa657",
    "burning_spot": "#d35400",
    "vehicle": "#2f7ed8",
    "fireworks_point": "#c2185b",
}
PAGE_SIZE = 50


def _get_source(request: HttpRequest, pk: int) -> PollutionSource:
    found = (
        sources_for(request.user)
        .select_related("grid__parent__parent", "responsible_post__person")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("污染源不存在"))
    return found


def _require_write(request: HttpRequest) -> None:
    if not request.user.has_perm(WRITE_PERMISSION):
        raise PermissionDenied(_("无权修改污染源档案"))


def _filters(request: HttpRequest) -> tuple[dict[str, str], Any]:
    """The registry's filters from the query string; a region outside the scope is a 404."""
    f = {k: request.GET.get(k, "").strip() for k in ("category", "status", "region", "q")}
    if f["category"] and f["category"] not in [c.value for c in categories.Category]:
        f["category"] = ""
    if f["status"] not in Status.values:
        f["status"] = ""
    region = None
    if f["region"]:
        region = Region.objects.for_user(request.user).filter(code=f["region"]).first()
        if region is None:
            raise Http404(_("区域不存在"))
    return f, region


def _query(f: dict[str, str], **over: str) -> str:
    from urllib.parse import urlencode

    merged = {**f, **over}
    return urlencode({k: v for k, v in merged.items() if v})


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    f, region = _filters(request)
    q = f["q"][:100]
    qs = filtered_sources(
        request.user, category=f["category"] or None, status=f["status"] or None, region=region, q=q
    ).defer("geometry", "attributes")
    everything = filtered_sources(request.user, status=f["status"] or None, region=region, q=q)
    counts = dict(
        everything.order_by()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    page_number = (
        inputs.check_int("page", int(request.GET["page"]))
        if request.GET.get("page", "").isdigit()
        else 1
    )
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    units = (
        Region.objects.for_user(request.user)
        .active()
        .filter(level__in=ladder.units_below_root())
        .defer("geometry")
        .order_by("path")
    )
    layer_query = _query({k: v for k, v in f.items() if k in ("status", "region", "q")})
    layers = [
        {
            "code": c.value,
            "name": str(categories.LABELS[c]),
            "colour": COLOURS[c.value],
            "count": counts.get(c.value, 0),
            "url": f"/api/v1/sources.geojson?{_query({}, category=c.value)}"
            + (f"&{layer_query}" if layer_query else ""),
            "on": not f["category"] or f["category"] == c.value,
        }
        for c in categories.Category
    ]
    return render(
        request,
        "sources/registry.html",
        {
            "filters": f,
            "page": page,
            "total": page.paginator.count,
            "categories": [
                (c.value, categories.LABELS[c], counts.get(c.value, 0)) for c in categories.Category
            ],
            "statuses": Status.choices,
            "units": units,
            "layers": layers,
            "query": _query(f),
            "can_write": request.user.has_perm(WRITE_PERMISSION),
        },
    )


def _display(spec: categories.FieldSpec, value: Any) -> str:
    """A category field's value as the page shows it (choices by their Chinese label)."""
    if spec.kind == "bool":
        return str(_("是") if value else _("否"))
    if spec.kind == "choice":
        return spec.choice_label(value) if value else "—"
    if spec.kind == "choices":
        return "、".join(spec.choice_label(v) for v in value or []) or "—"
    if spec.kind in ("texts", "dates"):
        return "、".join(str(v) for v in value or []) or "—"
    if value in (None, ""):
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _attribute_rows(source: PollutionSource) -> list[tuple[Any, str]]:
    return [
        (spec.label, _display(spec, source.attributes.get(spec.name)))
        for spec in categories.field_specs(source.category)
    ]


def _field_label(category: str, name: str) -> str:
    shared = {
        "name": _("名称"),
        "address": _("地址"),
        "geometry": _("位置"),
        "status": _("状态"),
        "attributes": _("类别信息"),
        "responsible_post_id": _("指定责任岗位"),
        "notes": _("备注"),
        "grid_id": _("所属网格"),
        "files": _("附件"),
    }
    return str(shared.get(name, name))


def _history(source: PollutionSource) -> list[dict[str, Any]]:
    labels = {
        "created": _("建档"),
        "updated": _("修改"),
        "status": _("状态变更"),
        "imported": _("Excel导入"),
        "file": _("上传附件"),
    }
    out = []
    for c in source.changes.all():
        details = []
        for name, pair in sorted(c.changes.items()):
            old, new = pair
            if name == "status":
                old = Status(old).label if old in Status.values else old
                new = Status(new).label if new in Status.values else new
            if name == "attributes" and isinstance(old, dict) and isinstance(new, dict):
                specs = {s.name: s for s in categories.field_specs(source.category)}
                for key in sorted(set(old) | set(new)):
                    if old.get(key) != new.get(key):
                        spec = specs.get(key)
                        if spec is None:
                            details.append((key, _short(old.get(key)), _short(new.get(key))))
                        else:
                            shown = (_display(spec, old.get(key)), _display(spec, new.get(key)))
                            details.append((spec.label, *shown))
                continue
            if name == "geometry":
                details.append((_field_label(source.category, name), "…", "…"))
                continue
            details.append((_field_label(source.category, name), _short(old), _short(new)))
        out.append({"c": c, "label": labels.get(c.action, c.action), "details": details})
    return out


def _short(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return str(text)[:80]


def _source_context(request: HttpRequest, source: PollutionSource) -> dict[str, Any]:
    chain = []
    grid = source.grid
    region: Region | None = grid
    while region is not None:
        chain.append(region)
        region = region.parent if region.level > Level.STREET else None
    return {
        "source": source,
        "category_label": categories.LABELS.get(source.category, source.category),
        "attributes": _attribute_rows(source),
        "chain": list(reversed(chain)),
        "grids": list(
            source.grid_links.select_related("region")
            .defer("region__geometry")
            .order_by("region__code")
        ),
        "responsible": responsible_of(source),
        "history": _history(source),
        "files": list(source.files.all()),
        "sections": sections_for(source, request.user),
        "monitors": monitors(source),
        "geometry": {
            "geometry": source.geometry,
            "colour": COLOURS.get(source.category, "#b8281e"),
        },
        "can_write": request.user.has_perm(WRITE_PERMISSION),
        "status_form": StatusForm(initial={"status": source.status, "version": source.version}),
        "file_form": FileForm(),
        "file_limit_mb": files.document_limit() // files.MB,
    }


@login_required
def source_page(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source(request, pk)
    return render(request, "sources/source.html", _source_context(request, source))


@login_required
def new_source(request: HttpRequest) -> HttpResponse:
    _require_write(request)
    category = request.GET.get("category", "") or request.POST.get("category", "")
    if category not in [c.value for c in categories.Category]:
        choices = [(c.value, categories.LABELS[c]) for c in categories.Category]
        return render(request, "sources/choose.html", {"choices": choices})
    form = SourceForm(category, request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = create_source(form.source_input(), request.user, scoped=True)
        except (SourceError, inputs.InputError) as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已建档：%(code)s") % {"code": source.code})
            return redirect("sources:source", pk=source.pk)
    return render(
        request,
        "sources/form.html",
        {
            "form": form,
            "category": category,
            "category_label": categories.LABELS[category],
            "source": None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def edit_source(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source(request, pk)
    _require_write(request)
    form = SourceForm(source.category, request.user, request.POST or None, instance=source)
    version = request.POST.get("version", "")
    if request.method == "POST" and form.is_valid():
        try:
            update_source(
                source.pk,
                form.source_input(),
                request.user,
                note=form.cleaned_data.get("note") or "",
                version=int(version) if version.isdigit() and len(version) < 12 else -1,
                scoped=True,
            )
        except (SourceError, inputs.InputError) as exc:
            if exc.field == "version":
                form.add_error(None, _("该档案已被他人修改，请刷新后重试。"))
            else:
                form.add_service_error(exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("sources:source", pk=source.pk)
    return render(
        request,
        "sources/form.html",
        {
            "form": form,
            "category": source.category,
            "category_label": categories.LABELS[source.category],
            "source": source,
            "version": source.version if request.method != "POST" else version,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source(request, pk)
    _require_write(request)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()),
        )
        return redirect("sources:source", pk=pk)
    d = form.cleaned_data
    try:
        set_status(source.pk, d["status"], request.user, note=d["note"], version=d["version"])
    except (SourceError, inputs.InputError) as exc:
        if exc.field == "version":
            messages.error(request, _("该档案已被他人修改，请刷新后重试。"))
        else:
            messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.success(request, _("状态已更新"))
    return redirect("sources:source", pk=pk)


@login_required
@require_POST
def upload_file(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source(request, pk)
    _require_write(request)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        context = _source_context(request, source)
        context["file_form"] = form
        return render(request, "sources/source.html", context, status=400)
    d = form.cleaned_data
    upload = d["file"]
    save = files.save_photo if d["kind"] == "photo" else files.save_document
    try:
        save(
            source,
            upload,
            size=upload.size or 0,
            name=upload.name or "",
            title=d["title"],
            user=request.user,
        )
    except files.FileRejected as exc:
        form.add_error("file", str(exc))
        context = _source_context(request, source)
        context["file_form"] = form
        return render(request, "sources/source.html", context, status=exc.status)
    messages.success(request, _("附件已上传"))
    return redirect("sources:source", pk=pk)


@login_required
def source_file(request: HttpRequest, pk: int) -> FileResponse:
    f = SourceFile.objects.for_user(request.user).filter(pk=pk).first()
    if f is None:
        raise Http404
    path = files.file_path(f)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=f.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    if f.kind == SourceFile.Kind.DOCUMENT:
        response["Content-Disposition"] = f'inline; filename="{path.name}"'
    return response


@login_required
@replica_reads()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    f, region = _filters(request)
    qs = filtered_sources(
        request.user,
        category=f["category"] or None,
        status=f["status"] or None,
        region=region,
        q=f["q"][:100],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content = excel.export_workbook(qs, [f["category"]] if f["category"] else None)
    return xlsx_response(content, f"sources-{stamp}.xlsx")


@login_required
def template_xlsx(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in [c.value for c in categories.Category]:
        raise Http404(_("没有这个类别"))
    return xlsx_response(excel.template_workbook(category), f"template-{category}.xlsx")
