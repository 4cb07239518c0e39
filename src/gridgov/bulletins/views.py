"""调度通报 pages: the bulletins in the account's scope with their downloads, and the form to
generate one now (who may). Thin: services.py does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.bulletins import services
from gridgov.bulletins.forms import GenerateForm
from gridgov.bulletins.models import Bulletin
from gridgov.core.dbrouter import replica_reads

SHOWN = 200
KINDS = dict(Bulletin.Kind.choices)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    can_generate = services.can_generate(request.user)
    if request.method == "POST" and not can_generate:
        raise PermissionDenied
    form = None
    if can_generate:
        units = services.bulletin_units(request.user)
        initial = {"kind": "month", "date": timezone.localdate()}
        form = GenerateForm(request.POST or None, units=units, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                region = services.unit_for(d["region"], request.user)
                bulletin, made = services.generate(
                    d["kind"], d["date"], region, force=d["force"], user=request.user
                )
            except services.BulletinError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                text = _("已生成：%(b)s") if made else _("该期通报已存在：%(b)s")
                messages.success(request, text % {"b": bulletin})
                return redirect("bulletins:index")
    kind = request.GET.get("kind", "")
    qs = services.bulletins_for(request.user).select_related("region").defer("region__geometry")
    if kind in KINDS:
        qs = qs.filter(kind=kind)
    with replica_reads():  # the list (generating above reads and writes on the primary)
        return render(
            request,
            "bulletins/index.html",
            {
                "bulletins": list(qs[:SHOWN]),
                "form": form,
                "kind": kind,
                "kinds": Bulletin.Kind.choices,
            },
        )


def _download(request: HttpRequest, pk: int, suffix: str) -> FileResponse:
    try:
        b = services.get_bulletin(request.user, pk)
    except services.NotFound:
        raise Http404 from None
    path = services.file_path(b.pdf_file if suffix == "pdf" else b.xlsx_file)
    if not path.is_file():
        raise Http404
    media = (
        "application/pdf"
        if suffix == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"bulletin-{b.region.code}-{b.kind}-{b.end:%Y%m%d}.{suffix}"
    response = FileResponse(path.open("rb"), content_type=media, as_attachment=True, filename=name)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@replica_reads()
def pdf_file(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "pdf")


@login_required
@replica_reads()
def xlsx_file(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "xlsx")
