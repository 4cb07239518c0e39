"""调度会 pages: the list, one meeting (attendance, agenda, carried-over decisions, statements,
decisions with their live state and commands, the minutes), and the forms of the convening
office. Thin: services.py does the work, minutes.py writes the documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.meetings import meeting_decisions, services
from gridgov.meetings import minutes as minutes_doc
from gridgov.meetings.forms import DecisionForm, MeetingForm, StatementForm
from gridgov.meetings.models import Meeting, Presence, Role

LISTED = 200


def _get(request: HttpRequest, pk: int) -> Meeting:
    try:
        return services.get_meeting(request.user, pk)
    except services.NoSuchMeeting:
        raise Http404(_("会议不存在")) from None


def _choices(request: HttpRequest) -> dict[str, list[tuple[str, str]]]:
    units = [(r.code, r.name) for r in services.meeting_units(request.user)]
    people = [(str(p.pk), p.name) for p in services.officials_for(request.user)]
    meetings = [
        (str(m.pk), f"{timezone.localtime(m.starts_at):%Y-%m-%d} {m.title}")
        for m in services.meetings_for(request.user).order_by("-starts_at")[:50]
    ]
    return {"units": units, "people": people, "meetings": meetings}


def _form_error(form: Any, exc: services.MeetingError | inputs.InputError) -> None:
    name = exc.field.split("[")[0].split(".")[0]
    if name == "attendees":
        name = "attend_units"
    form.add_error(name if name in form.fields else None, f"{exc.field}: {exc.message}")


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for m in services.meetings_for(request.user).select_related("convener", "chair")[:LISTED]:
        rows.append({"m": m})
    return render(
        request,
        "meetings/list.html",
        {"rows": rows, "can_create": services.can_create(request.user)},
    )


@login_required
def new_meeting(request: HttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, **_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            m = services.create_meeting(request.user, form.to_input())
        except (services.MeetingError, inputs.InputError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("会议已创建"))
            return redirect("meetings:meeting", pk=m.pk)
    return render(request, "meetings/form.html", {"form": form, "m": None})


def _initial(m: Meeting) -> dict[str, Any]:
    attendees = list(m.attendees.all())

    def pick(role: str, unit: bool) -> list[str]:
        return [
            (a.region.code if unit else str(a.person_id))  # type: ignore[union-attr]
            for a in attendees
            if a.role == role and (a.region_id is not None) == unit
        ]

    return {
        "title": m.title,
        "kind": m.kind,
        "starts_at": timezone.localtime(m.starts_at),
        "place": m.place,
        "convener": m.convener.code,
        "chair": str(m.chair_id or ""),
        "summary": m.summary,
        "agenda": "\n".join(a.text for a in m.agenda.all()),
        "attend_units": pick(Role.ATTEND, True),
        "attend_people": pick(Role.ATTEND, False),
        "sit_in_units": pick(Role.SIT_IN, True),
        "sit_in_people": pick(Role.SIT_IN, False),
        "previous": str(m.previous_id or ""),
    }


def _recorded(m: Meeting) -> dict[tuple[str, str], services.AttendeeInput]:
    out = {}
    for a in m.attendees.select_related("region"):
        key = ("u", a.region.code) if a.region else ("p", str(a.person_id))
        out[key] = services.AttendeeInput(presence=a.presence, note=a.note)
    return out


@login_required
def edit_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    m = _get(request, pk)
    if not services.can_manage(request.user, m):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, initial=_initial(m), **_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(request.user, m.pk, form.to_input(_recorded(m)))
        except (services.MeetingError, inputs.InputError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("会议已保存"))
            return redirect("meetings:meeting", pk=m.pk)
    return render(request, "meetings/form.html", {"form": form, "m": m})


@login_required
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    m = _get(request, pk)
    now = timezone.now()
    manage = services.can_manage(request.user, m)
    choices = _choices(request) if manage else {"units": [], "people": []}
    decisions = [
        {"d": d, "p": services.progress(d, now)}
        for d in services.decisions_of([m]).order_by("position", "pk")
    ]
    context = {
        "m": m,
        "manage": manage,
        "can_issue": services.can_issue(request.user, m),
        "editable": {k: m.state in v for k, v in services.EDITABLE.items()},
        "attendees": list(m.attendees.select_related("region", "person")),
        "presences": Presence.choices,
        "agenda": list(m.agenda.all()),
        "carried": services.carried_over(m, now),
        "statements": list(
            m.statements.select_related("unit", "speaker").prefetch_related("commitments")
        ),
        "decisions": decisions,
        "steps": list(m.steps.all()),
        "statement_form": StatementForm(units=choices["units"], people=choices["people"])
        if manage
        else None,
        "decision_form": DecisionForm(units=choices["units"]) if manage else None,
    }
    return render(request, "meetings/meeting.html", context)


def _managed(request: HttpRequest, pk: int) -> Meeting:
    m = _get(request, pk)
    if not services.can_manage(request.user, m):
        raise PermissionDenied
    return m


def _done(request: HttpRequest, m: Meeting, ok: str, call: Any) -> HttpResponse:
    try:
        call()
    except (services.MeetingError, inputs.InputError) as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.success(request, ok)
    return redirect("meetings:meeting", pk=m.pk)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed(request, pk)
    rows = []
    for i, a in enumerate(m.attendees.select_related("region")):
        rows.append(
            services.AttendeeInput(
                unit=a.region.code if a.region else None,
                person=a.person_id,
                role=a.role,
                presence=request.POST.get(f"presence_{i}", a.presence),
                note=request.POST.get(f"note_{i}", a.note),
            )
        )
    return _done(
        request,
        m,
        _("到会情况已保存"),
        lambda: services.record_attendance(request.user, m.pk, rows),
    )


@login_required
@require_POST
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed(request, pk)
    return _done(request, m, _("会议已召开"), lambda: services.hold(request.user, m.pk))


@login_required
@require_POST
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed(request, pk)
    c = _choices(request)
    form = StatementForm(request.POST, units=c["units"], people=c["people"])
    if not form.is_valid():
        for name, errs in form.errors.items():
            messages.error(request, f"{name}: {' '.join(str(e) for e in errs)}")
        return redirect("meetings:meeting", pk=m.pk)

    def add() -> None:
        d = form.cleaned_data
        meeting_decisions.add_statement(
            request.user,
            m.pk,
            unit=d["unit"],
            speaker=inputs.parse_ids("speaker", [d["speaker"]])[0] if d["speaker"] else None,
            text=d["text"],
            commitments=form.commitment_inputs(),
        )

    return _done(request, m, _("发言已记录"), add)


@login_required
@require_POST
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    m = _managed(request, pk)
    form = DecisionForm(request.POST, units=_choices(request)["units"])
    if not form.is_valid():
        for name, errs in form.errors.items():
            messages.error(request, f"{name}: {' '.join(str(e) for e in errs)}")
        return redirect("meetings:meeting", pk=m.pk)
    d = form.cleaned_data
    return _done(
        request,
        m,
        _("议定事项已记录"),
        lambda: meeting_decisions.add_decision(
            request.user, m.pk, text=d["text"], owners=d["owners"], deadline=d["deadline"]
        ),
    )


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a statement or a decision (not yet a command) before the minutes are issued."""
    m = _managed(request, pk)

    def go() -> None:
        if request.POST.get("statement"):
            sid = inputs.parse_ids("statement", [request.POST["statement"]])[0]
            meeting_decisions.remove_statement(request.user, m.pk, sid)
        else:
            did = inputs.parse_ids("decision", [request.POST.get("decision", "")])[0]
            meeting_decisions.remove_decision(request.user, m.pk, did)

    return _done(request, m, _("已删除"), go)


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    m = _get(request, pk)
    if not services.can_issue(request.user, m):
        raise PermissionDenied
    try:
        done = meeting_decisions.issue_minutes(request.user, m.pk)
    except services.MeetingError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    else:
        if done.again:
            messages.info(request, _("会议纪要此前已印发"))
        else:
            messages.success(
                request,
                _("会议纪要已印发，下达指令 %(n)s 条") % {"n": len(done.commands)},
            )
    return redirect("meetings:meeting", pk=m.pk)


@login_required
def minutes(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    m = _get(request, pk)
    if fmt == "docx":
        response = HttpResponse(minutes_doc.docx_bytes(m), content_type=minutes_doc.DOCX)
    elif fmt == "pdf":
        response = HttpResponse(minutes_doc.pdf_bytes(m), content_type=minutes_doc.PDF)
    else:
        raise Http404(_("不支持的格式"))
    response["Content-Disposition"] = content_disposition_header(True, minutes_doc.filename(m, fmt))
    return response
