"""Recording events (事件) and opening their work orders: one report at a time from every door
(patrol, citizens, 12345, alarms, inspections, commands, a report handled on the spot), and an
alarm storm's many at once."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, UNAVAILABLE
from gridgov.inbox.models import Notification
from gridgov.people.actor import person_of
from gridgov.people.models import Person, Post
from gridgov.territory import extent
from gridgov.territory.models import Region
from gridgov.workorders import attachments, routing
from gridgov.workorders.access import refusal
from gridgov.workorders.actions import perform_now
from gridgov.workorders.models import Category, Event, Source, Transition, WorkOrder
from gridgov.workorders.states import ACTIONS, State, Step
from gridgov.workorders.steps import (
    WorkflowError,
    auto_dispatch,
    dispatch_changes,
    record,
    set_step,
)

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


def may_take_calls(user: Account) -> bool:
    """Hotline (12345) calls are entered by the desk: the roles that accept and dispatch (or
    the platform itself, user None: a 12345 system's feed)."""
    return user is None or bool(user.has_perm("workorders.dispatch_workorder"))


def _submitted(key: str, user: Account) -> WorkOrder | None:
    """The order already made under this submission key, if any; a key of another reporter
    is refused (never a peek at another's report)."""
    seen = WorkOrder.objects.filter(event__submission_key=key).select_related("event").first()
    if seen is not None and seen.event.reported_by_id != getattr(user, "pk", None):
        raise WorkflowError(INVALID, _("该提交编号已被使用，请重新提交"), "submission")
    return seen


def _event(
    data: EventInput,
    region: Region,
    user: Account,
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
        reported_by=user if isinstance(user, User) and user.is_authenticated else None,
        alarm_id=data.alarm_id,
        submission_key=data.submission_key or None,
        created_at=now,
    )


AUTO_DISPATCHED = {
    Source.PATROL,
    Source.AIR_ALARM,
    Source.INSPECTION,
    Source.COMMAND,
    Source.MONITOR,
    Source.UPKEEP,
    Source.SATELLITE,  # machine-detected (gridgov.intake): to the grid's person at once
    Source.CAMERA,
}


def create_event(
    data: EventInput,
    user: Account = None,
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
        seen = _submitted(data.submission_key, user)
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
                if data.submission_key:
                    # The same report sent twice at once (the queue's retry overtaking a slow
                    # answer): the other request stored it meanwhile — answer with its order.
                    seen = _submitted(data.submission_key, user)
                    if seen is not None:
                        return seen
                    if Event.objects.filter(submission_key=data.submission_key).exists():
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
        set_step(changes, order, Step.DISPATCH, now)
        for key, value in changes.items():
            setattr(order, key, value)
        order.save()
        record(order, "create", "", State.REPORTED, user, now, note=event.description)
        if photos:
            attachments.attach_photos(order, photos, stage="report", user=user)
        if data.handled_on_spot:
            assert reporter is not None
            _handle_on_spot(order, user, reporter, handling_note, after_photos or [], now)
        elif data.source in AUTO_DISPATCHED:
            order = auto_dispatch(order, user, now, data.assignee, reporter=reporter)
            if (
                data.source == Source.PATROL
                and reporter is not None
                and order.state == State.DISPATCHED
                and order.assignee_id == reporter.pk
            ):
                perform_now(
                    order, ACTIONS["sign"], user, _("上报人即本网格承办人，上报时自动签收"),
                    None, None, now,
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
    user: Account,
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
    auto_dispatch(order, user, now, own, reporter=reporter)
    for code, text in (("sign", _("就地处置：上报人自行签收")), ("handle", note)):
        action = ACTIONS[code]
        refused = refusal(user, order, action)
        if refused:  # pragma: no cover - the order was just dispatched to him
            raise WorkflowError(refused[0], refused[1], "handled_on_spot")
        t = perform_now(order, action, user, text, order.event.lat, order.event.lon, now)
    if after_photos:
        attachments.attach_photos(order, after_photos, stage="after", user=user, transition=t)


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
        set_step(changes, order, Step.DISPATCH, now)
        order.step_seq = changes["step_seq"]
        if assignment is not None:
            changes = dispatch_changes(order, assignment, unit)
            changes.update(state=State.DISPATCHED, dispatched_at=now)
            set_step(changes, order, Step.SIGN, now)
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
                subject=o,
                key=f"assigned:{o.pk}:{o.step_seq}",
                created_at=now,
            )
            for o in orders
            if o.assignee_id
        ]
        Notification.objects.bulk_create(notices)
        from gridgov.inbox.notify import _deliver

        transaction.on_commit(lambda: _deliver(notices))
    return orders
