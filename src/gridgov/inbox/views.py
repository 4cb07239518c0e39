"""The command pages (指令): the list with the issuing form, one command with its receipts,
its files. Thin: the commands service does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.errors import DomainError
from gridgov.inbox import commands as command_service
from gridgov.inbox.forms import CommandForm
from gridgov.inbox.models import Command, CommandAttachment
from gridgov.people.actor import person_of
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region


@login_required
def commands_page(request: HttpRequest) -> HttpResponse:
    units = [
        (r.code, f"{r.name}")
        for r in Region.objects.for_user(request.user)
        .active()
        .filter(level__in=[*ladder.units_below_root(), Level.GRID])
        .order_by("level", "code")[:3000]
    ]
    can_issue = request.user.has_perm("inbox.issue_command")
    form = CommandForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and can_issue and form.is_valid():
        d = form.cleaned_data
        people = inputs.parse_ids("people", request.POST.getlist("people"))
        try:
            c = command_service.issue(
                request.user,
                title=d["title"],
                body=d["body"],
                due_at=d["due_at"],
                units=d["units"],
                people=people,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            for f in d["documents"]:
                try:
                    command_service.save_document(c, f, size=f.size, name=f.name, user=request.user)
                except evidence.PhotoRejected as exc:
                    messages.error(request, f"{f.name}: {exc}")
            messages.success(request, _("指令已下达"))
            return redirect("inbox:command", pk=c.pk)
    rows = []
    for c in Command.objects.for_user(request.user).prefetch_related("recipients")[:200]:
        rs = list(c.recipients.all())
        rows.append(
            {
                "c": c,
                "total": len(rs),
                "acked": sum(r.acknowledged_at is not None for r in rs),
                "done": sum(r.completed_at is not None for r in rs),
            }
        )
    return render(
        request,
        "inbox/commands.html",
        {"rows": rows, "form": form, "can_issue": can_issue, "now": timezone.now()},
    )


@login_required
def command_file(request: HttpRequest, pk: int) -> FileResponse:
    a = CommandAttachment.objects.for_user(request.user).filter(pk=pk).first()
    if a is None:
        raise Http404
    path = evidence.stored_path(a.file)
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), content_type=a.content_type, as_attachment=True, filename=a.original_name
    )


@login_required
def command_page(request: HttpRequest, pk: int) -> HttpResponse:
    c = Command.objects.for_user(request.user).filter(pk=pk).first()
    if c is None:
        raise Http404(_("指令不存在"))
    if request.method == "POST":
        try:
            if request.POST.get("do") == "complete":
                command_service.complete(pk, request.user, request.POST.get("note", ""))
            else:
                command_service.acknowledge(pk, request.user)
            messages.success(request, _("已提交"))
        except DomainError as exc:
            messages.error(request, str(exc))
        nxt = request.POST.get("next", "")
        if nxt.startswith("/") and not nxt.startswith("//"):
            return redirect(nxt)
        return redirect("inbox:command", pk=pk)
    rows = command_service.recipients_of(c)
    person = person_of(request.user)
    return render(
        request,
        "inbox/command.html",
        {
            "c": c,
            "rows": rows,
            "pending": [r for r in rows if r.acknowledged_at is None],
            "files": list(c.attachments.all()),
            "mine": next((r for r in rows if person and r.person_id == person.pk), None),
            "now": timezone.now(),
        },
    )
