"""Work-order pages: the desk (queues, an order's timeline, bulk actions, the map of open
orders, hotline entry, statistics) and the grid worker's phone pages. Thin: forms in,
services.py and friends do the work, templates out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account
from gridgov.errors import HTTP_STATUS, DomainError
from gridgov.inbox import notify
from gridgov.inbox.models import Notification
from gridgov.people.actor import person_of
from gridgov.web import receipts
from gridgov.workorders import attachments, lateness
from gridgov.workorders.access import handled_by
from gridgov.workorders.api import ORDER_DEFERRED, ORDER_RELATED
from gridgov.workorders.effect import order_effect, order_windows
from gridgov.workorders.forms import ActionForm, DeskEventForm, PhoneReportForm
from gridgov.workorders.models import Attachment, Priority, Source, WorkOrder
from gridgov.workorders.services import (
    EventInput,
    WorkflowError,
    allowed_actions,
    can_see,
    create_event,
    merge,
    orders_for,
    perform,
    possible_duplicates,
    set_public,
)
from gridgov.workorders.sourcing import around_order
from gridgov.workorders.states import ACTIONS, OPEN_STATES, STEP_LABELS, SYSTEM_ACTIONS, State, Step


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    a = Attachment.objects.for_user(request.user).filter(pk=pk).first()
    if a is None:
        raise Http404
    path = attachments.photo_path(a)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=a.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --------------------------------------------------------------------------------- helpers --


STAGE_OF_ACTION = {"handle": "after", "start": "before", "sign": "before"}


def _do_action(request: HttpRequest, order: WorkOrder) -> tuple[bool, str]:
    try:
        return True, _act(request, order)
    except DomainError as exc:
        return False, exc.message


def _act(request: HttpRequest, order: WorkOrder) -> str:
    """The posted action on the order, or a `DomainError` (a conflict when the order has moved
    on: the action is no longer allowed in its state)."""
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        raise DomainError.invalid(
            "action",
            "; ".join(f"{k}: {', '.join(str(e) for e in v)}" for k, v in form.errors.items()),
        )
    d = form.cleaned_data
    try:
        photos = evidence.prepare_photos(d["photos"])
    except evidence.PhotoRejected as exc:
        raise DomainError.invalid("photos", _("照片未通过检查，操作未执行：") + str(exc)) from None
    try:
        perform(
            order.pk,
            d["action"],
            request.user,
            note=d["note"] or "",
            assignee_id=d["assignee"],
            until=d["until"],
            lat=d["lat"],
            lon=d["lon"],
            new_photos=photos,
            photo_stage=STAGE_OF_ACTION.get(d["action"], "report"),
            source_id=d["source_id"],
        )
    except WorkflowError:
        evidence.discard(photos)
        raise
    return _("已%(action)s") % {"action": ACTIONS[d["action"]].label}


def create_with_photos(
    form: Any, data: EventInput, user: Account, *, public: bool = False
) -> WorkOrder | None:
    """create_event with the form's photos, all or nothing; refusals become the form's errors.
    `public`: from the public page (the lower memory budget for photos)."""
    try:
        photos = evidence.prepare_photos(form.cleaned_data["photos"], public=public)
    except evidence.PhotoRejected as exc:
        form.add_error("photos", str(exc))
        return None
    try:
        after = evidence.prepare_photos(form.cleaned_data.get("after_photos") or [])
    except evidence.PhotoRejected as exc:
        evidence.discard(photos)
        form.add_error("after_photos", str(exc))
        return None
    try:
        order = create_event(data, user, photos=photos, after_photos=after)
    except WorkflowError as exc:
        evidence.discard(photos + after)
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return None
    evidence.discard(photos + after)  # a re-sent report returns the first one and its photos
    return order


def _timeline(order: WorkOrder) -> list[dict[str, Any]]:
    photos: dict[int | None, list[Attachment]] = {}
    for a in order.attachments.all():
        photos.setdefault(a.transition_id, []).append(a)
    rows = []
    for t in order.transitions.select_related("assignee").order_by("at", "pk"):
        action = ACTIONS.get(t.action)
        rows.append(
            {
                "t": t,
                "label": action.label if action else SYSTEM_ACTIONS.get(t.action, t.action),
                "to_label": State(t.to_state).label if t.to_state in State.values else "",
                "show_assignee": t.action in ("dispatch", "auto_dispatch", "reassign"),
                "photos": photos.get(t.pk, []),
            }
        )
    return rows


def _order_context(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    now = timezone.now()
    actions = allowed_actions(request.user, order)
    assignable = []
    if any(a.code in ("dispatch", "reassign") for a in actions):
        from gridgov.people.models import Post

        chain = order.event.region.ancestor_ids()
        assignable = list(
            Post.objects.for_user(request.user)
            .current()
            .filter(region_id__in=chain, post_type__responsible=True)
            .select_related("person", "post_type", "region")
            .defer("region__geometry")
            .order_by("-region__level", "post_type__rank")
        )
    duplicates = []
    if order.state in OPEN_STATES and not order.event.merged_into_id:
        duplicates = [
            (e, m)
            for e, m in possible_duplicates(order.event.category, order.event.lat, order.event.lon)
            if e.pk != order.event_id and can_see(request.user, e.order)
        ]
    around = around_order(order, request.user)
    return {
        "order": order,
        "event": order.event,
        "actions": actions,
        "timeline": _timeline(order),
        "photos": list(order.attachments.all()),
        "urgency": lateness.urgency(order, now),
        "step_label": STEP_LABELS.get(Step(order.step)) if order.step else "",
        "assignable": assignable,
        "duplicates": duplicates,
        "supervisions": list(order.supervisions.all()),
        "verdicts": list(order.verdicts.all()),  # 群众评价, one per closure
        "extension": order.extensions.filter(approved__isnull=True).first(),
        "around": around,
        "trace_map": around.trace_map(),
        "pollution_source": order.event.pollution_source,
        "effect": order_effect(order),
        "effect_windows": order_windows(order),
    }


def _get_order(request: HttpRequest, pk: int) -> WorkOrder:
    order = (
        orders_for(request.user)
        .select_related(*ORDER_RELATED)
        .defer(*ORDER_DEFERRED)
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404(_("工单不存在"))
    return order


# ------------------------------------------------------------------------------------ desk --


# Labels are lazy: this list is built once at import, and shown in each request's language.
# The first queue, 待我处理 (`services.waiting_for`), is not a set of states: what waits for the
# viewer, by the actions the workflow allows the viewer on each order. `?queue=todo` (the old
# 待办) is read as it.
@login_required
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get_order(request, pk)
    if request.method == "POST":
        done, message = _do_action(request, order)
        (messages.success if done else messages.error)(request, message)
        if done:
            return redirect("workorders:order", pk=pk)
        order = _get_order(request, pk)
    return render(request, "workorders/order.html", _order_context(request, order))


@login_required
@require_POST
def publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the order's event public or internal (Open311, the public page)."""
    order = _get_order(request, pk)
    public = request.POST.get("public") == "1"
    try:
        set_public(order.event_id, public, request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已设为公开") if public else _("已取消公开"))
    return redirect("workorders:order", pk=pk)


@login_required
@require_POST
def merge_page(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get_order(request, pk)
    (into,) = inputs.parse_ids("into", [request.POST.get("into", "")])
    try:
        merge(order.event_id, into, request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("workorders:order", pk=pk)
    messages.success(request, _("已合并"))
    target = orders_for(request.user).filter(event_id=into).first()
    return redirect("workorders:order", pk=target.pk if target else pk)


@login_required
def new_event(request: HttpRequest) -> HttpResponse:
    """Hotline (12345) and desk entry: the operator picks the place on a map."""
    if not request.user.has_perm("workorders.add_workorder"):
        raise Http404
    form = DeskEventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        order = create_with_photos(
            form,
            EventInput(
                source=d["source"],
                category=d["category"],
                title=d["title"],
                description=d["description"],
                lat=d["lat"],
                lon=d["lon"],
                address=d["address"],
                priority=d["priority"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
            ),
            request.user,
        )
        if order is not None:
            messages.success(request, _("已登记 %(ref)s") % {"ref": order.event.reference})
            return redirect("workorders:order", pk=order.pk)
    return render(
        request, "workorders/new_event.html", {"form": form, "priorities": Priority.choices}
    )


# ------------------------------------------------------------------------------ statistics --


def _given_date(request: HttpRequest, field: str) -> dt.date | None:
    text = request.GET.get(field)
    return inputs.parse_date(field, text) if text and text.strip() else None


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    from gridgov.air import periods
    from gridgov.workorders.stats import order_stats

    start, end = periods.resolve(_given_date(request, "from"), _given_date(request, "to"))
    below = periods.default_level(request.user)  # the level below the viewer's unit
    default_by = "grid" if below == "station" else below
    by = request.GET.get("by") or default_by
    try:
        min_orders = max(1, int(request.GET.get("min_orders", "5")))
        result = order_stats(request.user, start, end, by, min_orders)
    except ValueError as exc:
        messages.error(request, str(exc))
        result = order_stats(request.user, *periods.default_period(), default_by, 5)
    return render(request, "workorders/stats.html", {"r": result, "by": result["by"]})


# ---------------------------------------------------------------------------------- phone --


@login_required
def phone_home(request: HttpRequest) -> HttpResponse:
    """My tasks, most urgent first: overdue, then the nearest deadline."""
    person = person_of(request.user)
    now = timezone.now()
    orders = WorkOrder.objects.for_user(request.user)
    mine = (
        orders.filter(assignee=person, state__in=[s.value for s in OPEN_STATES])
        .select_related("event__category", "event__region")
        .defer("event__region__geometry")
        .order_by(*lateness.most_urgent_first())
        if person
        else orders.none()
    )
    done = handled_by(person).select_related("event").order_by("-handled_at")[:20] if person else []
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(
        request,
        "workorders/phone/home.html",
        {
            "tasks": [(o, lateness.urgency(o, now)) for o in mine],
            "done": done,
            "unread": unread,
            "person": person,
        },
    )


@login_required
def phone_order(request: HttpRequest, pk: int) -> HttpResponse:
    """A task on the phone and its actions. A posted action carries the phone's `submission`
    key: a re-send is answered with the first result (web/receipts.py). A refusal answers its
    status — 409 when the order moved on meanwhile — so the phone's queue knows a conflict."""
    order = _get_order(request, pk)
    status = 200
    if request.method == "POST":
        url = reverse("workorders:phone_order", args=[pk])
        try:
            done = receipts.once(
                request.user,
                f"order-action:{pk}",
                request.POST.get("submission"),
                lambda: (url, _act(request, order)),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = HTTP_STATUS[exc.kind]
        else:
            messages.success(request, done.message)
            return redirect(done.url)
        order = _get_order(request, pk)
    return render(
        request, "workorders/phone/order.html", _order_context(request, order), status=status
    )


@login_required
def phone_report(request: HttpRequest) -> HttpResponse:
    """Report a new event in three taps: category, place (the phone's GPS), send."""
    form = PhoneReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        title = (d["description"].splitlines()[0][:60] if d["description"] else "") or d[
            "category"
        ].name
        order = create_with_photos(
            form,
            EventInput(
                source=Source.PATROL,
                category=d["category"],
                title=title,
                description=d["description"],
                lat=d["lat"],
                lon=d["lon"],
                address=d["address"],
                submission_key=d["submission"] or None,
                handled_on_spot=d["handled_on_spot"],
                handling_note=d["handling_note"] if d["handled_on_spot"] else "",
            ),
            request.user,
        )
        if order is not None:
            done = _("已上报 %(ref)s") % {"ref": order.event.reference}
            if order.state == State.HANDLED:
                done = _("已上报 %(ref)s，已记录为就地处置，待核查") % {
                    "ref": order.event.reference
                }
            messages.success(request, done)
            return redirect("workorders:phone_order", pk=order.pk)
    if request.method == "POST":
        status = 400  # shown again with the errors next to their fields
    from gridgov.workorders.forms import category_choices

    return render(
        request,
        "workorders/phone/report.html",
        {"form": form, "groups": category_choices(public_only=True)},
        status=status,
    )


@login_required
def phone_queue(request: HttpRequest) -> HttpResponse:
    """待上传: what this phone keeps queued (in its own IndexedDB; web/static/web/queue.js
    lists it here), each with its state and last error, to retry or discard."""
    return render(request, "workorders/phone/queue.html")


@login_required
def phone_inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notify.mark_all_read(request.user)
        return redirect("workorders:phone_inbox")
    return render(request, "workorders/phone/inbox.html", {"items": notify.inbox(request.user)})
