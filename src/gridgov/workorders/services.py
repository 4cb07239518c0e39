"""Creating events and moving work orders through their states: the only write path.

Every change is a conditional update on the order's `version` (so two people acting at once
never produce an impossible state: one wins, the other gets a conflict) plus one `Transition`
row, in one transaction with the notices it causes.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.scopes import under_paths
from gridgov.errors import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    UNAVAILABLE,
    DomainError,
)
from gridgov.people import scope
from gridgov.people.actor import person_of
from gridgov.people.models import Person, Post
from gridgov.territory import extent
from gridgov.territory.models import Region
from gridgov.workorders import attachments, routing
from gridgov.workorders.deadlines import timing_for
from gridgov.workorders.models import (
    Attachment,
    Category,
    Event,
    Extension,
    Notification,
    Source,
    Supervision,
    Transition,
    WorkOrder,
)
from gridgov.workorders.notify import notify
from gridgov.workorders.states import (
    ACTIONS,
    FORWARD_ACTIONS,
    STEP_OF_STATE,
    Action,
    Actor,
    State,
    Step,
)

# Orders are read with their regions joined; a region's boundary (a large JSON polygon) is never
# needed there, and decoding it would dominate the cost of every action.
WITHOUT_GEOMETRY = ("event__region__geometry", "unit__geometry", "sent_by_unit__geometry")


class WorkflowError(DomainError):
    """A refused action: its kind, message, and the input field it is about."""


def orders_for(user: Any, qs: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """Orders in the account's regions, plus those dispatched to its person."""
    qs = WorkOrder.objects.all() if qs is None else qs
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    q = under_paths(paths, "event__region_path")
    person = person_of(user)
    if person is not None:
        q |= Q(assignee=person)
    return qs.filter(q)


def in_region_scope(user: Any, order: WorkOrder) -> bool:
    paths = scope.scope_paths(user)
    return paths is scope.ALL or any(order.event.region_path.startswith(p) for p in paths)


def can_see(user: Any, order: WorkOrder) -> bool:
    person = person_of(user)
    return in_region_scope(user, order) or (person is not None and order.assignee_id == person.pk)


# ---------------------------------------------------------------------------------- events --

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference(at: dt.datetime) -> str:
    """`SJ` + date + 5 random characters: short enough to read out on the phone."""
    day = timezone.localtime(at).strftime("%y%m%d")
    return "SJ" + day + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


@dataclass
class EventInput:
    source: str
    category: Category
    title: str
    lat: float
    lon: float
    description: str = ""
    address: str = ""
    grid_code: str | None = None
    priority: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    # A link to a photo or video the reporter published elsewhere (Open311's media_url).
    media_url: str = ""
    alarm_id: int | None = None
    submission_key: str | None = None
    region: Region | None = None  # already known (an alarm's grid): no lookup needed
    # Dispatched to this person rather than by routing (a rectification goes to the source's
    # responsible person); only for auto-dispatched sources.
    assignee: routing.Assignment | None = None
    # A handling deadline fixed by the caller (a rectification's date): kept as the order's
    # `extended_until`, and the handling step, once signed for, is due then at the earliest.
    handle_by: dt.datetime | None = None
    # 就地处置: the reporter (a patrol) put it right there and then. The order is dispatched to
    # him, signed for and handled in the same transaction, with `handling_note` as the handling
    # step's note, and waits for 核查 by someone else.
    handled_on_spot: bool = False
    handling_note: str = ""


# Longest accepted text per field: longer is refused, never cut.
TEXT_LIMITS = {
    "title": 120,
    "description": 4000,
    "address": 200,
    "contact_name": 50,
    "contact_phone": 20,
    "contact_email": 254,
}
HANDLING_NOTE_LIMIT = 4000
MEDIA_URL_LIMIT = 500
_MEDIA_URL = URLValidator(schemes=["http", "https"])


def checked_text(data: EventInput) -> dict[str, str]:
    """The event's text fields, stripped and checked by the input boundary (WorkflowError
    naming the field when one is refused)."""
    out = {}
    for name, limit in TEXT_LIMITS.items():
        value = getattr(data, name).strip()
        try:
            out[name] = inputs.check_text(name, value, max_length=limit)
        except inputs.InputError as exc:
            raise WorkflowError(INVALID, exc.message, name) from exc
    out["media_url"] = checked_media_url(data.media_url)
    return out


def checked_media_url(value: str) -> str:
    """An http or https URL of at most MEDIA_URL_LIMIT characters, or "" (WorkflowError naming
    media_url otherwise): it is published as it is, so no other scheme (javascript:, data:)."""
    value = value.strip()
    try:
        inputs.check_text("media_url", value, max_length=MEDIA_URL_LIMIT)
    except inputs.InputError as exc:
        raise WorkflowError(INVALID, exc.message, "media_url") from exc
    if value:
        try:
            _MEDIA_URL(value)
        except ValidationError:
            message = _("须为 http:// 或 https:// 开头的网址")
            raise WorkflowError(INVALID, message, "media_url") from None
    return value


def may_take_calls(user: Any) -> bool:
    """Hotline (12345) calls are entered by the desk: the roles that accept and dispatch (or
    the platform itself, user None: a 12345 system's feed)."""
    return user is None or bool(user.has_perm("workorders.dispatch_workorder"))


def _event(
    data: EventInput,
    region: Region,
    user: Any,
    now: dt.datetime,
    text: dict[str, str] | None = None,
) -> Event:
    """The event row (unsaved) as every way of reporting records it."""
    return Event(
        reference=new_reference(now),
        source=data.source,
        category=data.category,
        **(text if text is not None else checked_text(data)),
        lat=data.lat,
        lon=data.lon,
        region=region,
        region_path=region.path,
        reported_by=user if getattr(user, "is_authenticated", False) else None,
        alarm_id=data.alarm_id,
        submission_key=data.submission_key or None,
        created_at=now,
    )


AUTO_DISPATCHED = {Source.PATROL, Source.AIR_ALARM, Source.INSPECTION, Source.COMMAND}


def _set_step(changes: dict[str, Any], order: WorkOrder, step: Step, now: dt.datetime) -> None:
    timing = timing_for(order.event.category, changes.get("priority", order.priority))
    warn_at, due_at = timing.due(step, now)
    changes.update(
        step=step.value,
        step_seq=order.step_seq + 1,
        step_started_at=now,
        warn_at=warn_at,
        due_at=due_at,
        next_escalation_at=due_at,
        overdue_noticed=False,
        escalation_level=0,
    )


def create_event(
    data: EventInput,
    user: Any = None,
    *,
    now: dt.datetime | None = None,
    photos: list[evidence.PreparedPhoto] | None = None,
    after_photos: list[evidence.PreparedPhoto] | None = None,
) -> WorkOrder:
    """Record an event and open its work order; patrol, alarm, inspection and command events
    are dispatched at once to the grid's responsible person. `photos` (checked beforehand by
    evidence.prepare_photos) are stored with the event in its transaction, or nothing is.

    A patrol report routed to its own reporter is signed for at once (he need not sign for what
    he reported). One handled on the spot (`data.handled_on_spot`) goes to its reporter and
    through 派遣, 签收 and 处置 at once — the ordinary transitions with their audit rows, in
    the same transaction — and waits in 已处置 for 核查 by someone else; `after_photos` are
    the handling step's evidence."""
    now = now or timezone.now()
    if data.submission_key:
        seen = WorkOrder.objects.filter(event__submission_key=data.submission_key).first()
        if seen is not None:
            return seen
    if not data.title.strip():
        raise WorkflowError(INVALID, _("请填写标题"), "title")
    text = checked_text(data)  # before anything is located or written
    try:
        extent.check_point(data.lat, data.lon)
    except inputs.InputError as exc:
        raise WorkflowError(INVALID, exc.message, exc.field) from None
    reporter = person_of(user)
    handling_note = _checked_on_spot(data, reporter, bool(after_photos))
    if data.source == Source.HOTLINE and user is not None and not may_take_calls(user):
        raise WorkflowError(FORBIDDEN, _("只有受理、派遣岗位可以登记12345热线来电"), "source")
    if not data.category.active or data.category.parent_id is None:  # a group, not a category
        raise WorkflowError(INVALID, _("请选择一个具体的二级类别"), "category")
    try:
        region = data.region or routing.region_for(data.lat, data.lon, data.grid_code)
    except routing.Unlocated as exc:
        raise WorkflowError(INVALID, str(exc), "grid" if data.grid_code else "location") from exc
    except ValueError as exc:  # bad coordinates
        raise WorkflowError(INVALID, str(exc), getattr(exc, "field", "location")) from exc
    priority = data.priority or data.category.default_priority
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    event = _event(data, region, user, now, text)
                    event.save()
                break
            except IntegrityError:
                if (
                    data.submission_key
                    and Event.objects.filter(submission_key=data.submission_key).exists()
                ):
                    raise WorkflowError(CONFLICT, _("该上报已提交"), "submission") from None
                if data.alarm_id and Event.objects.filter(alarm_id=data.alarm_id).exists():
                    raise WorkflowError(CONFLICT, _("该报警已生成事件"), "alarm") from None
        else:  # pragma: no cover - five reference collisions in a row
            raise WorkflowError(UNAVAILABLE, _("编号生成失败，请重试"))
        order = WorkOrder(
            event=event,
            state=State.REPORTED,
            priority=priority,
            unit=routing.dispatching_unit(region),
            extended_until=data.handle_by,
            created_at=now,
            updated_at=now,
        )
        changes: dict[str, Any] = {}
        _set_step(changes, order, Step.DISPATCH, now)
        for key, value in changes.items():
            setattr(order, key, value)
        order.save()
        _record(order, "create", "", State.REPORTED, user, now, note=event.description)
        if photos:
            attachments.attach_photos(order, photos, stage="report", user=user)
        if data.handled_on_spot:
            assert reporter is not None
            _handle_on_spot(order, user, reporter, handling_note, after_photos or [], now)
        elif data.source in AUTO_DISPATCHED:
            order = _auto_dispatch(order, user, now, data.assignee, reporter=reporter)
            if (
                data.source == Source.PATROL
                and reporter is not None
                and order.state == State.DISPATCHED
                and order.assignee_id == reporter.pk
            ):
                _perform(
                    order, ACTIONS["sign"], user, _("上报人即本网格承办人，上报时自动签收"),
                    None, None, None, None, now,
                )  # fmt: skip
    return order


def _checked_on_spot(data: EventInput, reporter: Person | None, after_photos: bool) -> str:
    """The handling note of a report handled on the spot, checked (WorkflowError naming the
    field); "" for any other report."""
    if not data.handled_on_spot:
        if after_photos:
            raise WorkflowError(INVALID, _("处置后照片仅用于就地处置的上报"), "after_photos")
        return ""
    if data.source != Source.PATROL:
        raise WorkflowError(INVALID, _("只有巡查上报可以就地处置"), "handled_on_spot")
    if reporter is None:
        raise WorkflowError(FORBIDDEN, _("该账号没有关联人员，不能就地处置"), "handled_on_spot")
    note = (data.handling_note or "").strip()
    if not note:
        raise WorkflowError(INVALID, _("已就地处置，请填写处置情况"), "handling_note")
    try:
        return inputs.check_text("handling_note", note, max_length=HANDLING_NOTE_LIMIT)
    except inputs.InputError as exc:
        raise WorkflowError(INVALID, exc.message, "handling_note") from exc


def _own_assignment(reporter: Person, region: Region) -> routing.Assignment | None:
    """The reporter's own responsible post for an order in `region`: the deepest on the
    region's chain, else his highest-ranked post anywhere (he fixed it next door)."""
    posts = list(
        Post.objects.current()
        .filter(person=reporter, post_type__responsible=True)
        .select_related("person", "post_type", "region")
        .defer("region__geometry")
    )
    if not posts:
        return None
    chain = set(region.ancestor_ids())
    on_chain = [p for p in posts if p.region_id in chain]
    if on_chain:
        post = max(on_chain, key=lambda p: (p.region.level, -p.post_type.rank))
    else:
        post = min(posts, key=lambda p: (p.post_type.rank, p.pk))
    return routing.Assignment(reporter, post, post.region)


def _handle_on_spot(
    order: WorkOrder,
    user: Any,
    reporter: Person,
    note: str,
    after_photos: list[evidence.PreparedPhoto],
    now: dt.datetime,
) -> None:
    """派遣 to the reporter, 签收 and 处置 by him, as three audit rows (inside create_event's
    transaction). 核查 stays with the unit: `not_by_handler` keeps him from verifying it."""
    own = _own_assignment(reporter, order.event.region)
    if own is None:
        raise WorkflowError(FORBIDDEN, _("只有在岗的网格人员可以就地处置"), "handled_on_spot")
    _auto_dispatch(order, user, now, own, reporter=reporter)
    for code, text in (("sign", _("就地处置：上报人自行签收")), ("handle", note)):
        action = ACTIONS[code]
        refusal = _refusal(user, order, action)
        if refusal:  # pragma: no cover - the order was just dispatched to him
            raise WorkflowError(refusal[0], refusal[1], "handled_on_spot")
        t = _perform(order, action, user, text, None, None, order.event.lat, order.event.lon, now)
    if after_photos:
        attachments.attach_photos(order, after_photos, stage="after", user=user, transition=t)


def _record(
    order: WorkOrder,
    action: str,
    from_state: str,
    to_state: str,
    user: Any,
    now: dt.datetime,
    *,
    note: str = "",
    assignee: Person | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> Transition:
    person = person_of(user)
    if person is not None:
        name = person.name
    elif getattr(user, "is_authenticated", False):
        name = user.get_full_name() or user.get_username()
    else:
        name = _("系统")
    return Transition.objects.create(
        order=order,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_name=name[:60],
        assignee=assignee,
        note=note,
        lat=lat,
        lon=lon,
        at=now,
    )


def _auto_dispatch(
    order: WorkOrder,
    user: Any,
    now: dt.datetime,
    chosen: routing.Assignment | None = None,
    *,
    reporter: Person | None = None,
) -> WorkOrder:
    """Dispatch to `chosen` or the grid's person; no notice when that is the reporter."""
    assignment = chosen or routing.assignee_for(order.event.region, order.event.category.line_id)
    if assignment is None:  # nobody anywhere up the chain: it waits at its unit
        return order
    changes = _dispatch_changes(order, assignment, order.unit)  # the grid's community
    changes["state"] = State.DISPATCHED
    _set_step(changes, order, Step.SIGN, now)
    _apply(order, changes, now)
    t = _record(
        order, "auto_dispatch", State.REPORTED, State.DISPATCHED, None, now,
        assignee=assignment.person,
    )  # fmt: skip
    if reporter is None or assignment.person.pk != reporter.pk:
        _notify_assigned(order, t)
    return order


def _dispatch_changes(
    order: WorkOrder, assignment: routing.Assignment, sent_by: Region
) -> dict[str, Any]:
    return {
        "assignee": assignment.person,
        "assignee_post": assignment.post.post_type.name,
        "unit": assignment.region,
        "sent_by_unit": sent_by,
        "dispatched_at": None,  # set by _apply to `now`
    }


def _apply(order: WorkOrder, changes: dict[str, Any], now: dt.datetime) -> None:
    """Conditional update: only if nobody changed the order since we read it."""
    if "dispatched_at" in changes and changes["dispatched_at"] is None:
        changes["dispatched_at"] = now
    changes.update(version=order.version + 1, updated_at=now)
    n = WorkOrder.objects.filter(pk=order.pk, version=order.version, state=order.state).update(
        **changes
    )
    if n != 1:
        raise WorkflowError(CONFLICT, _("工单已被他人处理，请刷新后重试"))
    for key, value in changes.items():
        setattr(order, key, value)


def _notify_assigned(order: WorkOrder, t: Transition) -> None:
    if order.assignee_id:
        notify(
            [order.assignee_id],
            Notification.Kind.ASSIGNED,
            _("新派单：%(title)s") % {"title": order.event.title},
            order=order,
            body=f"{order.event.reference} · {order.event.region.name}",
            key=f"t{t.pk}",
        )


def _unit_people(region: Region | int | None, line_id: int | None) -> list[int]:
    if region is None:
        return []
    region_id = region if isinstance(region, int) else region.pk
    return [
        p.person_id
        for p in Post.objects.current()
        .filter(region_id=region_id, post_type__responsible=True)
        .filter(Q(line__isnull=True) | Q(line_id=line_id))
    ]


# ------------------------------------------------------------------------------ transitions --


def allowed_actions(user: Any, order: WorkOrder) -> list[Action]:
    """The actions this account may take on the order now (for pages and the API)."""
    return [a for a in ACTIONS.values() if _refusal(user, order, a) is None]


def waiting_q(user: Any) -> Q:
    """The orders that wait for this account: those on which it may take one of the actions
    that move an order on (`states.FORWARD_ACTIONS`) now. Built from the same table and the same
    conditions as `_refusal`, so the desk's 待我处理 holds exactly the orders whose page offers
    the account such a button (a test checks both agree on every order)."""
    person = person_of(user)
    paths = scope.scope_paths(user)
    in_regions = under_paths(paths, "event__region_path")
    parts = []
    for action in ACTIONS.values():
        if action.code not in FORWARD_ACTIONS or action.actor == Actor.SYSTEM:
            continue
        q = Q(state__in=[s.value for s in action.sources])
        if action.actor == Actor.ASSIGNEE:
            if person is None:
                continue
            q &= Q(assignee=person)
        else:
            if not user.has_perm(f"workorders.{action.actor.value}"):
                continue
            q &= in_regions
        if action.not_by_handler and person is not None:
            q &= ~Q(handled_by=person)
        parts.append(q)
    return reduce(or_, parts, Q(pk__in=[]))


def waiting_for(user: Any, qs: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """The account's 待我处理: visible orders whose next step is the account's to take."""
    return orders_for(user, qs).filter(waiting_q(user))


def _refusal(
    user: Any, order: WorkOrder, action: Action, *, system: bool = False
) -> tuple[str, str] | None:
    if (action.actor == Actor.SYSTEM) != system:
        return FORBIDDEN, _("「%(action)s」由系统根据检查记录执行") % {"action": action.label}
    if order.state not in action.sources:
        return CONFLICT, _("工单当前状态为「%(state)s」，不能%(action)s") % {
            "state": State(order.state).label,
            "action": action.label,
        }
    if system:
        return None
    person = person_of(user)
    if action.actor == Actor.ASSIGNEE:
        if person is None or order.assignee_id != person.pk:
            return FORBIDDEN, _("只有承办人可以%(action)s") % {"action": action.label}
    else:
        if not user.has_perm(f"workorders.{action.actor.value}") or not in_region_scope(
            user, order
        ):
            return FORBIDDEN, _("您无权%(action)s此工单") % {"action": action.label}
    if action.not_by_handler and person is not None and order.handled_by_id == person.pk:
        return FORBIDDEN, _("处置人不能核查自己处置的工单")
    return None


def perform(
    order_id: int,
    code: str,
    user: Any,
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
    now = now or timezone.now()
    action = ACTIONS.get(code)
    if action is None:
        raise WorkflowError(INVALID, _("未知的操作：%(code)s") % {"code": code}, "action")
    try:
        order = (
            WorkOrder.objects.select_related("event__category", "event__region")
            .defer("event__region__geometry")
            .get(pk=order_id)
        )
    except WorkOrder.DoesNotExist:
        order = None
    if order is None or not (system or can_see(user, order)):
        raise WorkflowError(NOT_FOUND, _("工单不存在"))
    refusal = _refusal(user, order, action, system=system)
    if refusal:
        raise WorkflowError(refusal[0], refusal[1], "action")
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
    with transaction.atomic():
        t = _perform(order, action, user, note, assignee_id, until, lat, lon, now)
        if source is not None:
            Event.objects.filter(pk=order.event_id).update(pollution_source=source)
            order.event.pollution_source = source
        if photo_ids:
            wanted = set(photo_ids)
            linked = Attachment.objects.filter(
                pk__in=wanted, order=order, transition__isnull=True, uploaded_by=user
            ).update(transition=t)
            if linked != len(wanted):
                raise WorkflowError(
                    INVALID, _("照片不存在、不是您上传的或已用于其他环节"), "photos"
                )
        if new_photos:
            attachments.attach_photos(order, new_photos, stage=photo_stage, user=user, transition=t)
    return order, t


def _named_source(user: Any, code: str, source_id: int | None) -> Any:
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


def _chosen_assignee(user: Any, order: WorkOrder, assignee_id: int | None) -> routing.Assignment:
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


def _sender_unit(user: Any, order: WorkOrder) -> Region:
    """The dispatcher's own unit on the order's chain (deepest), else the grid's community."""
    chain = set(order.event.region.ancestor_ids())
    person = person_of(user)
    if person is not None:
        posts = [
            p
            for p in Post.objects.current()
            .filter(person=person)
            .select_related("region")
            .defer("region__geometry")
            if p.region_id in chain
        ]
        if posts:
            return max(posts, key=lambda p: p.region.level).region
    return routing.dispatching_unit(order.event.region)


def _perform(
    order: WorkOrder,
    action: Action,
    user: Any,
    note: str,
    assignee_id: int | None,
    until: dt.datetime | None,
    lat: float | None,
    lon: float | None,
    now: dt.datetime,
) -> Transition:
    code = action.code
    before = order.state
    changes: dict[str, Any] = {}
    if order.due_at is not None and now > order.due_at:
        # A fact of this moment, kept for the statistics: the step was past its deadline.
        changes["ever_overdue"] = True
    target = action.target or order.state
    if action.target is not None:
        changes["state"] = action.target
    new_assignee: Person | None = None
    line_id = order.event.category.line_id

    if code in ("dispatch", "reassign"):
        assignment = _chosen_assignee(user, order, assignee_id)
        if code == "reassign" and assignment.person.pk == order.assignee_id:
            raise WorkflowError(INVALID, _("转派须选择另一位承办人"), "assignee")
        changes.update(_dispatch_changes(order, assignment, _sender_unit(user, order)))
        new_assignee = assignment.person
        _set_step(changes, order, Step.SIGN, now)
    elif code == "sign":
        changes.update(signed_at=now, sign_late=bool(order.due_at and now > order.due_at))
        _set_step(changes, order, Step.HANDLE, now)
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
        _set_step(changes, order, Step.VERIFY, now)
    elif code == "return":
        changes.update(
            assignee=None,
            assignee_post="",
            unit_id=order.sent_by_unit_id or order.unit_id,
            returned_count=order.returned_count + 1,
        )
        _set_step(changes, order, Step.DISPATCH, now)
    elif code == "reject":
        changes.update(handled_by=None, handled_at=None)
        _set_step(changes, order, Step.HANDLE, now)
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

    # Even when no field changes (an extension request, 督办) the version moves, so a
    # concurrent action on the same version loses cleanly.
    _apply(order, changes, now)
    t = _record(
        order, code, before, target, user, now,
        note=note, assignee=new_assignee or order.assignee, lat=lat, lon=lon,
    )  # fmt: skip
    _side_effects(order, action, user, t, until, line_id, now)
    return t


def _side_effects(
    order: WorkOrder,
    action: Action,
    user: Any,
    t: Transition,
    until: dt.datetime | None,
    line_id: int | None,
    now: dt.datetime,
) -> None:
    code = action.code
    key = f"t{t.pk}"
    title = order.event.title
    Kind = Notification.Kind
    if code in ("dispatch", "reassign"):
        _notify_assigned(order, t)
    elif code == "return":
        notify(
            _unit_people(order.unit_id, line_id),
            Kind.RETURNED,
            _("工单被退回：%(title)s") % {"title": title},
            order=order,
            body=t.note,
            key=key,
        )
    elif code == "handle":
        notify(
            _unit_people(order.sent_by_unit_id, line_id),
            Kind.TO_VERIFY,
            _("待核查：%(title)s") % {"title": title},
            order=order,
            body=t.note,
            key=key,
        )
    elif code == "still_failing" and order.assignee_id:
        notify(
            [order.assignee_id],
            Kind.REJECTED,
            _("复查不合格：%(title)s") % {"title": title},
            order=order,
            body=t.note,
            key=key,
        )
    elif code == "reject" and order.assignee_id:
        notify(
            [order.assignee_id],
            Kind.REJECTED,
            _("核查不通过：%(title)s") % {"title": title},
            order=order,
            body=t.note,
            key=key,
        )
    elif code == "request_extension":
        assert until is not None
        Extension.objects.create(
            order=order, requested_by=user, until=until, reason=t.note, created_at=now
        )
        notify(
            _unit_people(order.sent_by_unit_id, line_id),
            Kind.EXTENSION,
            _("延期申请：%(title)s") % {"title": title},
            order=order,
            body=t.note,
            key=key,
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
                order=order,
                body=t.note,
                key=key,
            )
    elif code == "supervise":
        assert until is not None
        Supervision.objects.create(order=order, by=user, note=t.note, due_at=until, created_at=now)
        recipients = [order.assignee_id] if order.assignee_id else []
        recipients += _unit_people(order.unit_id, line_id)
        notify(
            recipients,
            Kind.SUPERVISED,
            _("督办：%(title)s") % {"title": title},
            order=order,
            body=t.note,
            key=key,
        )
    elif code == "close" and order.event.alarm_id:
        from gridgov.air.alarms import acknowledge
        from gridgov.air.models import Alarm

        alarm = Alarm.objects.get(pk=order.event.alarm_id)
        acknowledge(alarm, user, _("工单 %(ref)s 已结案") % {"ref": order.event.reference})


# ------------------------------------------------------------------------- duplicates --


def _duplicate_radius() -> tuple[float, float]:
    return settings.GRIDGOV_DUPLICATE_METERS, settings.GRIDGOV_DUPLICATE_HOURS


def possible_duplicates(
    category: Category, lat: float, lon: float, *, now: dt.datetime | None = None
) -> list[tuple[Event, float]]:
    """Open events of the same category near the point and recent: (event, metres), nearest
    first. Shown to whoever is creating a new event, who may merge instead."""
    now = now or timezone.now()
    meters, hours = _duplicate_radius()
    dlat = meters / 111_320
    dlon = meters / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    candidates = Event.objects.filter(
        category=category,
        merged_into__isnull=True,
        created_at__gte=now - dt.timedelta(hours=hours),
        lat__range=(lat - dlat, lat + dlat),
        lon__range=(lon - dlon, lon + dlon),
        order__state__in=[s.value for s in STEP_OF_STATE],
    ).select_related("order", "region")
    found = []
    for e in candidates:
        d = _metres(lat, lon, e.lat, e.lon)
        if d <= meters:
            found.append((e, d))
    return sorted(found, key=lambda pair: pair[1])


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def set_public(event_id: int, public: bool, user: Any, *, now: dt.datetime | None = None) -> Event:
    """Mark an event public (公开) or internal: a public event is listed on Open311 and can be
    followed on the public page (masked and rounded, workorders.publication). Citizens' reports
    are always public. Only the desk roles decide, in their scope; the decision is an audit row."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_related("order").filter(pk=event_id).first()
        if event is None or not can_see(user, event.order):
            raise WorkflowError(NOT_FOUND, _("事件不存在"))
        if not user.has_perm("workorders.dispatch_workorder"):
            raise WorkflowError(FORBIDDEN, _("只有受理、派遣岗位可以决定是否公开"), "public")
        if event.source == Source.CITIZEN and not public:
            raise WorkflowError(INVALID, _("群众上报的事件始终公开"), "public")
        if event.public != public:
            Event.objects.filter(pk=event.pk).update(public=public)
            event.public = public
            state = event.order.state
            _record(event.order, "publish" if public else "unpublish", state, state, user, now)
    return event


def merge(event_id: int, into_id: int, user: Any, *, now: dt.datetime | None = None) -> Event:
    """Merge a duplicate event into an open one: its order is voided with a note, never deleted."""
    now = now or timezone.now()
    if event_id == into_id:
        raise WorkflowError(INVALID, _("不能合并到自身"), "into")
    with transaction.atomic():
        event = Event.objects.select_related("order").filter(pk=event_id).first()
        into = Event.objects.select_related("order").filter(pk=into_id).first()
        if event is None or not can_see(user, event.order):
            raise WorkflowError(NOT_FOUND, _("事件不存在"))
        if into is None or not can_see(user, into.order):
            raise WorkflowError(INVALID, _("要合并到的事件不存在"), "into")
        if into.merged_into_id or into.order.state not in STEP_OF_STATE:
            raise WorkflowError(INVALID, _("只能合并到未办结的事件"), "into")
        if event.category_id != into.category_id:
            raise WorkflowError(INVALID, _("只能合并同类别的事件"), "into")
        order = event.order
        if order.state not in STEP_OF_STATE:
            raise WorkflowError(CONFLICT, _("该事件的工单已办结"), "event")
        if not user.has_perm("workorders.dispatch_workorder") and event.reported_by_id != user.pk:
            raise WorkflowError(FORBIDDEN, _("您无权合并此事件"))
        updated = Event.objects.filter(pk=event.pk, merged_into__isnull=True).update(
            merged_into=into
        )
        if not updated:
            raise WorkflowError(CONFLICT, _("该事件已被合并"))
        before = order.state
        _apply(
            order,
            {
                "state": State.VOIDED,
                "step": "",
                "warn_at": None,
                "due_at": None,
                "next_escalation_at": None,
                "overdue_noticed": False,
            },
            now,
        )
        _record(
            order, "merge", before, State.VOIDED, user, now,
            note=_("合并至 %(ref)s") % {"ref": into.reference},
        )  # fmt: skip
        _record(
            into.order, "merge", into.order.state, into.order.state, user, now,
            note=_("并入 %(ref)s") % {"ref": event.reference},
        )  # fmt: skip
        event.merged_into = into
    return event


# ---------------------------------------------------------------------------- in bulk --


def create_dispatched_events(
    inputs: list[EventInput], *, now: dt.datetime | None = None
) -> list[WorkOrder]:
    """Many system events at once (an alarm storm): the same records as `create_event` makes
    for each — event, order dispatched to the grid's person, the `create` and `auto_dispatch`
    rows, the inbox notice — but routed from one read of the posts and written in bulk, in one
    transaction. Every input must name its region. Raises IntegrityError on a clash (a reference
    or an alarm already used); the caller then falls back to one at a time."""
    now = now or timezone.now()
    if not inputs:
        return []
    if any(d.region is None or d.category.parent_id is None for d in inputs):
        raise ValueError("bulk events need a region and a second-level category each")
    chains = {rid for d in inputs for rid in d.region.ancestor_ids()}  # type: ignore[union-attr]
    regions = {r.pk: r for r in Region.objects.filter(pk__in=chains).defer("geometry")}
    book = routing.PostBook(chains)
    events, orders, plans = [], [], []
    for d in inputs:
        region = d.region
        assert region is not None
        ids = region.ancestor_ids()
        unit = regions[ids[-2] if len(ids) >= 2 else ids[-1]]
        assignment = routing.assignee_for(region, d.category.line_id, book)
        priority = d.priority or d.category.default_priority
        event = _event(d, region, None, now)
        order = WorkOrder(
            event=event, state=State.REPORTED, priority=priority, unit=unit, created_at=now,
            updated_at=now,
        )  # fmt: skip
        changes: dict[str, Any] = {}
        _set_step(changes, order, Step.DISPATCH, now)
        order.step_seq = changes["step_seq"]
        if assignment is not None:
            changes = _dispatch_changes(order, assignment, unit)
            changes.update(state=State.DISPATCHED, dispatched_at=now)
            _set_step(changes, order, Step.SIGN, now)
        for key, value in changes.items():
            setattr(order, key, value)
        events.append(event)
        orders.append(order)
        plans.append(assignment)
    with transaction.atomic():
        Event.objects.bulk_create(events)
        for event, order in zip(events, orders, strict=True):
            order.event = event
        WorkOrder.objects.bulk_create(orders)
        rows = []
        for order, assignment in zip(orders, plans, strict=True):
            rows.append(Transition(
                order=order, action="create", from_state="", to_state=State.REPORTED,
                actor_name=_("系统"), note=order.event.description, at=now,
            ))  # fmt: skip
            if assignment is not None:
                rows.append(Transition(
                    order=order, action="auto_dispatch", from_state=State.REPORTED,
                    to_state=State.DISPATCHED, actor_name=_("系统"),
                    assignee=assignment.person, at=now,
                ))  # fmt: skip
        Transition.objects.bulk_create(rows)
        notices = [
            Notification(
                person_id=o.assignee_id,
                kind=Notification.Kind.ASSIGNED,
                title=(_("新派单：%(title)s") % {"title": o.event.title})[:200],
                body=f"{o.event.reference} · {o.event.region.name}",
                order=o,
                key=f"assigned:{o.pk}:{o.step_seq}",
                created_at=now,
            )
            for o in orders
            if o.assignee_id
        ]
        Notification.objects.bulk_create(notices)
        from gridgov.workorders.notify import _deliver

        transaction.on_commit(lambda: _deliver(notices))
    return orders
