"""Taking an action on a work order (受理、派遣、签收、处置、核查、结案…): the checks, then the
writes — one conditional UPDATE of the order, one audit row, and the notices and records the
action causes — through the transition kit (`gridgov.core.transitions`).

An action is decided before anything is written (`plan`: the refusals, the deadlines, the new
assignee) and written after (`write`), so a refusal never leaves half a transition, and the
transaction of an action taken inside a caller's needs no savepoint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence, transitions
from gridgov.core.actor import Account
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND
from gridgov.inbox.models import Notification
from gridgov.inbox.notify import notify
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Post
from gridgov.territory import extent
from gridgov.territory.models import Region
from gridgov.workorders import attachments, routing, verdict_links
from gridgov.workorders.access import can_see, refusal
from gridgov.workorders.models import (
    Attachment,
    Event,
    Extension,
    Supervision,
    Transition,
    WorkOrder,
)
from gridgov.workorders.signals import order_moved
from gridgov.workorders.states import ACTIONS, Action, Step
from gridgov.workorders.steps import (
    WorkflowError,
    change,
    dispatch_changes,
    lost_race,
    notify_assigned,
    record,
    set_step,
    unit_people,
)

# An order as every action reads it: with its event's category and region (not the boundary).
ORDERS = transitions.Reader(
    WorkOrder.objects.select_related("event__category", "event__region").defer(
        "event__region__geometry"
    )
)


class StepOptions(TypedDict, total=False):
    """What an action may carry besides its order, code and account (see `perform`)."""

    note: str
    assignee_id: int | None
    until: dt.datetime | None
    lat: float | None
    lon: float | None
    photo_ids: list[int] | None
    new_photos: list[evidence.PreparedPhoto] | None
    photo_stage: str
    now: dt.datetime | None
    source_id: int | None
    system: bool


def perform(
    order_id: int, code: str, user: Account, **options: Unpack[StepOptions]
) -> tuple[WorkOrder, Transition]:
    """Take one action on an order, or raise WorkflowError naming what is wrong. `photo_ids`
    are this account's photos already uploaded to the order and not yet part of a step, and
    `new_photos` photos sent with the action (the pages): they become the evidence of this
    step in its transaction — all of them, or the action is refused. `source_id` (处置 only)
    names the registered pollution source found responsible: one the account may see; the
    step's note records it too. A later 处置 without one leaves it as it was. `system`: the
    platform takes a system action (Actor.SYSTEM) on a fact its caller has checked (a
    re-inspection); `user` is then only recorded as who brought that fact, and needs no scope
    or role."""
    action = ACTIONS.get(code)
    if action is None:
        raise WorkflowError(INVALID, _("未知的操作：%(code)s") % {"code": code}, "action")
    try:
        order = ORDERS.get(inputs.check_int("order", int(order_id)))
    except inputs.InputError:  # beyond any id
        order = None
    if order is None or not (options.get("system", False) or can_see(user, order)):
        raise WorkflowError(NOT_FOUND, _("工单不存在"))
    return order, advance(order, code, user, **options)


def advance(
    order: WorkOrder,
    code: str,
    user: Account,
    *,
    note: str = "",
    assignee_id: int | None = None,
    until: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    photo_ids: list[int] | None = None,
    new_photos: list[evidence.PreparedPhoto] | None = None,
    photo_stage: str = "report",
    now: dt.datetime | None = None,
    source_id: int | None = None,
    system: bool = False,
) -> Transition:
    """`perform` on an order the caller holds, read with its event's category and region (as
    `perform` reads it) and seen by the account: no read of it again. The object is brought up
    to date with the change. Should it be out of date, the action is refused as a conflict
    (the conditional update sees it), never applied to a state that no longer holds."""
    now = now or timezone.now()
    action = ACTIONS.get(code)
    if action is None:
        raise WorkflowError(INVALID, _("未知的操作：%(code)s") % {"code": code}, "action")
    refused = refusal(user, order, action, system=system)
    if refused:
        raise WorkflowError(refused[0], refused[1], "action")
    note = (note or "").strip()
    if action.needs_note and not note:
        raise WorkflowError(INVALID, _("请填写说明或理由"), "note")
    located = lat is not None or lon is not None
    if located:
        if lat is None or lon is None:
            raise WorkflowError(INVALID, _("位置无效"), "lat")
        try:
            extent.check_point(lat, lon)
        except inputs.InputError as exc:
            raise WorkflowError(INVALID, exc.message, exc.field) from None
    source = _named_source(user, action.code, source_id)
    if source is not None:
        named = _("认定污染源：%(name)s（%(code)s）") % {"name": source.name, "code": source.code}
        note = f"{note}\n{named}" if note else named
    decided = plan(order, action, user, note, assignee_id, until, lat, lon, now)
    wanted = set(photo_ids or [])
    # A savepoint only when photos are to be linked: their refusal comes after the writes.
    with transitions.step(savepoint=bool(wanted or new_photos)) as moved:
        t = write(decided)
        if t is not None:
            moved(t)
            if source is not None:
                Event.objects.filter(pk=order.event_id).update(pollution_source=source)
                order.event.pollution_source = source
            if wanted:
                linked = Attachment.objects.filter(
                    pk__in=wanted,
                    order=order,
                    transition__isnull=True,
                    uploaded_by=cast("User | None", user),  # the refusal let no visitor in
                ).update(transition=t)
                if linked != len(wanted):
                    raise WorkflowError(
                        INVALID, _("照片不存在、不是您上传的或已用于其他环节"), "photos"
                    )
            if new_photos:
                attachments.attach_photos(
                    order, new_photos, stage=photo_stage, user=user, transition=t
                )
    done: Transition = moved.or_refuse(lost_race(), error=WorkflowError)
    return done


def _named_source(user: Account, code: str, source_id: int | None) -> Any:
    """The source a 处置 names, checked: it must exist and be in the account's scope (else the
    same refusal, so out of scope and no such id look alike)."""
    if source_id is None:
        return None
    if code != "handle":
        raise WorkflowError(INVALID, _("只有处置时可以认定污染源"), "source_id")
    from gridgov.sources.services import sources_for

    try:
        inputs.check_int("source_id", source_id)
    except inputs.InputError:
        raise WorkflowError(INVALID, _("污染源不存在或不在您的管辖范围内"), "source_id") from None
    source = sources_for(user).filter(pk=source_id).first() if source_id > 0 else None
    if source is None:
        raise WorkflowError(INVALID, _("污染源不存在或不在您的管辖范围内"), "source_id")
    return source


def _holder(user: Account) -> User:
    """The account of an action only an assignee or a permission holder takes (``refusal``
    let no visitor or system caller through)."""
    return cast(User, user)


def _chosen_assignee(
    user: Account, order: WorkOrder, assignee_id: int | None
) -> routing.Assignment:
    if assignee_id is None:
        found = routing.assignee_for(order.event.region, order.event.category.line_id)
        if found is None:
            raise WorkflowError(INVALID, _("该网格及上级均无在岗责任人，请指定承办人"), "assignee")
        return found
    post = (
        scope.posts_for(user, Post.objects.current())
        .filter(person_id=assignee_id, post_type__responsible=True)
        .select_related("person", "post_type", "region")
        .defer("region__geometry")
        .order_by("-region__level", "post_type__rank")
        .first()
    )
    if post is None:
        raise WorkflowError(INVALID, _("承办人不在您的管辖范围内或没有在岗职务"), "assignee")
    return routing.Assignment(post.person, post, post.region)


# A person's current posts with their regions (compiled once: every dispatch asks).
PERSON_POSTS = transitions.Query(
    lambda person_id, day: (
        Post.objects.current(day)
        .filter(person_id=person_id)
        .select_related("region")
        .defer("region__geometry")
    )
)


def _sender_unit(user: Account, order: WorkOrder) -> Region:
    """The dispatcher's own unit on the order's chain (deepest), else the grid's community."""
    chain = set(order.event.region.ancestor_ids())
    person = person_of(user)
    if person is not None:
        posts = [
            p for p in PERSON_POSTS.rows(person.pk, timezone.localdate()) if p.region_id in chain
        ]
        if posts:
            return max(posts, key=lambda p: p.region.level).region
    return routing.dispatching_unit(order.event.region)


@dataclass
class Decided:
    """An action decided and not yet written: the order as read, and what changes on it."""

    order: WorkOrder
    action: Action
    user: Account
    note: str
    changes: dict[str, Any]
    assignee_id: int | None  # the new assignee (派遣, 转派)
    until: dt.datetime | None
    lat: float | None
    lon: float | None
    now: dt.datetime


def plan(
    order: WorkOrder,
    action: Action,
    user: Account,
    note: str,
    assignee_id: int | None,
    until: dt.datetime | None,
    lat: float | None,
    lon: float | None,
    now: dt.datetime,
) -> Decided:
    """Decide the action (reads and refusals only, nothing written): the order's changes."""
    code = action.code
    changes: dict[str, Any] = {}
    if order.due_at is not None and now > order.due_at:
        # A fact of this moment, kept for the statistics: the step was past its deadline.
        changes["ever_overdue"] = True
    if action.target is not None:
        changes["state"] = action.target
    new_assignee: int | None = None

    if code in ("dispatch", "reassign"):
        assignment = _chosen_assignee(user, order, assignee_id)
        if code == "reassign" and assignment.person.pk == order.assignee_id:
            raise WorkflowError(INVALID, _("转派须选择另一位承办人"), "assignee")
        changes.update(dispatch_changes(order, assignment, _sender_unit(user, order)))
        new_assignee = assignment.person.pk
        set_step(changes, order, Step.SIGN, now)
    elif code == "sign":
        changes.update(signed_at=now, sign_late=bool(order.due_at and now > order.due_at))
        set_step(changes, order, Step.HANDLE, now)
        fixed = order.extended_until  # a deadline set when the order was made (整改期限)
        if fixed is not None and fixed > changes["due_at"]:
            changes.update(
                due_at=fixed, next_escalation_at=fixed, warn_at=now + (fixed - now) * 0.8
            )
    elif code == "handle":
        due = order.extended_until or order.due_at
        changes.update(
            handled_at=now,
            handled_by=person_of(user),
            handle_late=bool(due and now > due),
        )
        set_step(changes, order, Step.VERIFY, now)
    elif code == "return":
        changes.update(
            assignee=None,
            assignee_post="",
            unit_id=order.sent_by_unit_id or order.unit_id,
            returned_count=order.returned_count + 1,
        )
        set_step(changes, order, Step.DISPATCH, now)
    elif code == "reject":
        changes.update(handled_by=None, handled_at=None)
        set_step(changes, order, Step.HANDLE, now)
    elif code in ("close", "void", "rectified"):
        changes.update(
            step="", warn_at=None, due_at=None, next_escalation_at=None, overdue_noticed=False
        )
        if code in ("close", "rectified"):
            changes["closed_at"] = now
    elif code == "request_extension":
        current = order.extended_until or order.due_at
        if until is None or (current and until <= current) or until <= now:
            raise WorkflowError(INVALID, _("延期时间须晚于当前时限"), "until")
        if order.extensions.filter(approved__isnull=True).exists():
            raise WorkflowError(CONFLICT, _("已有待审批的延期申请"), "action")
    elif code in ("approve_extension", "reject_extension"):
        pending = order.extensions.filter(approved__isnull=True).first()
        if pending is None:
            raise WorkflowError(CONFLICT, _("没有待审批的延期申请"), "action")
        if pending.requested_by_id == getattr(user, "pk", None):
            raise WorkflowError(FORBIDDEN, _("不能审批自己的延期申请"), "action")
        if code == "approve_extension":
            span = pending.until - now
            changes.update(
                extended_until=pending.until,
                due_at=pending.until,
                next_escalation_at=pending.until,
                warn_at=now + span * 0.8 if span.total_seconds() > 0 else pending.until,
                overdue_noticed=False,
            )
    elif code == "supervise" and (until is None or until <= now):
        raise WorkflowError(INVALID, _("督办时限须晚于现在"), "until")

    return Decided(
        order, action, user, note, changes, new_assignee, until, lat, lon, now,
    )  # fmt: skip


def write(d: Decided) -> Transition | None:
    """Write a decided action: the conditional update of the order, its audit row and what it
    causes. None, with nothing written, when someone else moved the order first. Even when no
    field changes (an extension request, 督办) the version moves, so a concurrent action on
    the same version loses cleanly."""
    order, action = d.order, d.action
    before = order.state
    if not change(order, d.changes, d.now):
        return None
    t = record(
        order, action.code, before, action.target or before, d.user, d.now,
        note=d.note, assignee_id=d.assignee_id or order.assignee_id, lat=d.lat, lon=d.lon,
    )  # fmt: skip
    _side_effects(order, action, d.user, t, d.until, d.now)
    # Robust twice over: a failing listener is logged, never fails the committed action, and
    # neither the other listeners nor the later commit hooks are skipped.
    transaction.on_commit(
        lambda: order_moved.send_robust(
            WorkOrder, order=order, action=action.code, from_state=before, to_state=order.state
        ),
        robust=True,
    )
    return t


def perform_now(
    order: WorkOrder,
    action: Action,
    user: Account,
    note: str,
    lat: float | None,
    lon: float | None,
    now: dt.datetime,
) -> Transition:
    """`plan` and `write` inside a transaction the caller holds (an order being created),
    refusing with a conflict when the order was moved meanwhile."""
    t = write(plan(order, action, user, note, None, None, lat, lon, now))
    if t is None:
        raise WorkflowError.conflict(lost_race())
    return t


def _side_effects(
    order: WorkOrder,
    action: Action,
    user: Account,
    t: Transition,
    until: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """The notices and records an action causes, in its transaction. The notices' key is the
    audit row's own (`t<pk>`), new by construction: each is one INSERT."""
    code = action.code
    line_id = order.event.category.line_id
    key = f"t{t.pk}"
    title = order.event.title
    Kind = Notification.Kind
    if code in ("dispatch", "reassign"):
        notify_assigned(order, t)
    elif code == "return":
        notify(
            unit_people(order.unit_id, line_id),
            Kind.RETURNED,
            _("工单被退回：%(title)s") % {"title": title},
            subject=order,
            body=t.note,
            key=key,
            new_key=True,
        )
    elif code == "handle":
        notify(
            unit_people(order.sent_by_unit_id, line_id),
            Kind.TO_VERIFY,
            _("待核查：%(title)s") % {"title": title},
            subject=order,
            body=t.note,
            key=key,
            new_key=True,
        )
    elif code == "still_failing" and order.assignee_id:
        notify(
            [order.assignee_id],
            Kind.REJECTED,
            _("复查不合格：%(title)s") % {"title": title},
            subject=order,
            body=t.note,
            key=key,
            new_key=True,
        )
    elif code == "reject" and order.assignee_id:
        notify(
            [order.assignee_id],
            Kind.REJECTED,
            _("核查不通过：%(title)s") % {"title": title},
            subject=order,
            body=t.note,
            key=key,
            new_key=True,
        )
    elif code == "request_extension":
        assert until is not None
        Extension.objects.create(
            order=order, requested_by=_holder(user), until=until, reason=t.note, created_at=now
        )
        notify(
            unit_people(order.sent_by_unit_id, line_id),
            Kind.EXTENSION,
            _("延期申请：%(title)s") % {"title": title},
            subject=order,
            body=t.note,
            key=key,
            new_key=True,
        )
    elif code in ("approve_extension", "reject_extension"):
        Extension.objects.filter(order=order, approved__isnull=True).update(
            approved=code == "approve_extension", decided_by=user, decided_at=now
        )
        if order.assignee_id:
            notify(
                [order.assignee_id],
                Kind.EXTENSION,
                (
                    _("延期已批准：%(title)s")
                    if code == "approve_extension"
                    else _("延期被驳回：%(title)s")
                )
                % {"title": title},
                subject=order,
                body=t.note,
                key=key,
                new_key=True,
            )
    elif code == "supervise":
        assert until is not None
        Supervision.objects.create(
            order=order, by=_holder(user), note=t.note, due_at=until, created_at=now
        )
        recipients = [order.assignee_id] if order.assignee_id else []
        recipients += unit_people(order.unit_id, line_id)
        notify(
            recipients,
            Kind.SUPERVISED,
            _("督办：%(title)s") % {"title": title},
            subject=order,
            body=t.note,
            key=key,
            new_key=True,
        )
    elif code == "close" and order.event.alarm_id:
        from gridgov.air.alarms import acknowledge
        from gridgov.air.models import Alarm

        alarm = Alarm.objects.get(pk=order.event.alarm_id)
        acknowledge(alarm, user, _("工单 %(ref)s 已结案") % {"ref": order.event.reference})
    if code == "close":  # a public order's reporter gets the link to rate or re-open it
        verdict_links.text_on_close(order, t)
