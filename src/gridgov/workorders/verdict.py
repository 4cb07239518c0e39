"""The citizen's verdict (群众评价与重新办理): after an order from the public closes, its reporter
— by the reference number plus a second proof on the public tracking page, or by the signed link
of the SMS — rates it (满意/基本满意/不满意), once per closure, and may re-open it within
GRIDGOV_REOPEN_DAYS days of closing, giving a reason.

Re-opening is a transition of its own, 已结案 → 重新打开 (`State.REOPENED`, action "reopen",
actor 公众, the reason its note): the order goes back, undispatched, to the unit that closed it
(the closing dispatcher's own unit on the order's chain), whose dispatchers send it out again
like a returned order. Its steps' deadlines, and its public 办结时限 (lateness.public_deadline),
run again from the re-opening. The statistics count it as 结案未解决 from the order's
`reopen_count` (stats.py), the horse race and the bulletin from them. Listeners of
`signals.order_moved` (the 12345 push) hear of it once it has committed.

The reference number alone is no proof: Open311 lists closed requests' numbers. A write by
number also needs the last four digits of the reporter's contact phone (when one was given) or
the 评价码: the first 6 characters of base32 of HMAC-SHA256(SECRET_KEY, "verdict:" + number),
stateless, shown only on the public report's done page. A wrong or missing proof is refused
exactly as an unknown number is, so it tells nothing of which part was wrong.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.errors import CONFLICT, INVALID, NOT_FOUND, DomainError
from gridgov.inbox.models import Notification
from gridgov.inbox.notify import notify
from gridgov.workorders.actions import _sender_unit
from gridgov.workorders.models import Rating, Transition, Verdict, WorkOrder
from gridgov.workorders.publication import trackable_events
from gridgov.workorders.signals import order_moved
from gridgov.workorders.states import State, Step
from gridgov.workorders.steps import apply, record, set_step, unit_people
from gridgov.workorders.verdict_links import PUBLIC_SOURCES, order_id_of, window

REASON_LIMIT = 500
REFERENCE_LIMIT = 20
PROOF_LIMIT = 20
CODE_SALT = "gridgov.workorders.verdict.code"
CODE_LENGTH = 6
PUBLIC_ACTOR = "公众"  # the audit row's actor: the reporter, who has no account


def _public_orders() -> QuerySet[WorkOrder]:
    """Orders whose reporter may give a verdict: trackable (publication.py) and from the
    public, read with what an action needs."""
    return (
        WorkOrder.objects.filter(
            event__in=trackable_events().filter(source__in=PUBLIC_SOURCES),
        )
        .select_related("event__category", "event__region")
        .defer("event__region__geometry")
    )


def order_by_reference(ref: str) -> WorkOrder:
    """The public order of a reference number, or not_found."""
    try:
        ref = inputs.check_text("ref", (ref or "").strip().upper(), REFERENCE_LIMIT)
    except inputs.InputError as exc:
        raise DomainError(INVALID, exc.message, "ref") from None
    order = _public_orders().filter(event__reference=ref).first() if ref else None
    if order is None:
        raise DomainError(NOT_FOUND, _("没有找到该编号。"), "ref")
    return order


def verdict_code(reference: str) -> str:
    """The 评价码 of a reference number: stateless, from SECRET_KEY; shown on the done page."""
    mac = salted_hmac(CODE_SALT, "verdict:" + reference, algorithm="sha256").digest()
    return base64.b32encode(mac).decode()[:CODE_LENGTH]


def _proved(order: WorkOrder, proof: str) -> bool:
    """The proof matches: the 评价码, or the last 4 digits of the event's contact phone."""
    if not proof:
        return False
    good = constant_time_compare(proof, verdict_code(order.event.reference))
    digits = "".join(c for c in order.event.contact_phone or "" if c.isdigit())
    if len(digits) >= 4:
        good = constant_time_compare(proof, digits[-4:]) or good
    return good


def order_to_write(ref: str, proof: str) -> WorkOrder:
    """The public order a tracking-page write names: its reference number AND a proof (phone's
    last 4 digits or the 评价码). Unknown number and wrong proof: the same not_found."""
    try:
        proof = inputs.check_text("proof", (proof or "").strip().upper(), PROOF_LIMIT)
    except inputs.InputError as exc:
        raise DomainError(INVALID, exc.message, "proof") from None
    unknown = DomainError(NOT_FOUND, _("编号或手机后四位/评价码不正确。"), "ref")
    try:
        order = order_by_reference(ref)
    except DomainError as exc:
        if exc.kind == NOT_FOUND:
            raise unknown from None
        raise
    if not _proved(order, proof):
        raise unknown
    return order


def order_by_token(token: str) -> WorkOrder:
    """The public order of an SMS link's token, or not_found (bad or expired)."""
    order = _public_orders().filter(pk=order_id_of(token)).first()
    if order is None:
        raise DomainError(NOT_FOUND, _("链接无效或已过期，请凭编号查询"))
    return order


@dataclass(frozen=True)
class Offer:
    """What the reporter may do now: rate this closure (or what they said), re-open (or why not)."""

    closed: bool
    rating: str  # this closure's rating's label, "" when not yet rated
    may_rate: bool
    may_reopen: bool
    reopen_until: dt.datetime | None
    window_over: bool


def offer(order: WorkOrder, now: dt.datetime) -> Offer:
    if order.state != State.CLOSED or order.closed_at is None:
        return Offer(False, "", False, False, None, False)
    given = order.verdicts.filter(closed_at=order.closed_at).first()
    until = order.closed_at + window()
    return Offer(
        True,
        given.get_rating_display() if given else "",
        given is None,
        now <= until,
        until,
        now > until,
    )


def _closed(order: WorkOrder, field: str) -> dt.datetime:
    if order.state != State.CLOSED or order.closed_at is None:
        raise DomainError(
            CONFLICT,
            _("工单当前状态为「%(state)s」，办结后才能评价或申请重新办理")
            % {"state": State(order.state).label},
            field,
        )
    return order.closed_at


def rate(order: WorkOrder, rating: str, *, via: str, now: dt.datetime | None = None) -> Verdict:
    """The reporter's rating of the order's current closure: once per closure."""
    now = now or timezone.now()
    try:
        rating = inputs.check_text("rating", rating or "", 20)
    except inputs.InputError as exc:
        raise DomainError(INVALID, exc.message, "rating") from None
    if rating not in Rating.values:
        raise DomainError(INVALID, _("请选择：满意、基本满意或不满意"), "rating")
    closed_at = _closed(order, "rating")
    try:
        with transaction.atomic():
            return Verdict.objects.create(
                order=order, closed_at=closed_at, rating=rating, via=via, at=now
            )
    except IntegrityError:
        raise DomainError(CONFLICT, _("本次办结已评价过，感谢您的反馈"), "rating") from None


def checked_reason(reason: str) -> str:
    try:
        reason = inputs.check_text("reason", (reason or "").strip(), REASON_LIMIT)
    except inputs.InputError as exc:
        raise DomainError(INVALID, exc.message, "reason") from None
    if not reason:
        raise DomainError(INVALID, _("请填写申请重新办理的理由"), "reason")
    return reason


def _closing_unit(order: WorkOrder) -> int:
    """The unit that closed the order: the closing dispatcher's own unit on its chain, else
    the unit that dispatched it, else the unit holding it."""
    closing = order.transitions.filter(action="close").select_related("actor").last()
    if closing is not None and closing.actor is not None:
        return _sender_unit(closing.actor, order).pk
    return order.sent_by_unit_id or order.unit_id


def reopen(order: WorkOrder, reason: str, *, now: dt.datetime | None = None) -> Transition:
    """Re-open a closed public order within the window: 已结案 → 重新打开 at the closing unit,
    recorded with actor 公众 and the reason; its people are told. After the window: refused."""
    now = now or timezone.now()
    reason = checked_reason(reason)
    closed_at = _closed(order, "reason")
    if now > closed_at + window():
        raise DomainError(
            CONFLICT,
            _("已超过结案后%(days)d天的重新办理期限，不能再申请重新办理；如问题仍在，请重新上报。")
            % {"days": window().days},
            "reason",
        )
    unit_id = _closing_unit(order)
    changes = {
        "state": State.REOPENED,
        "unit_id": unit_id,
        "assignee": None,
        "assignee_post": "",
        "closed_at": None,
        "extended_until": None,
        "reopened_at": now,
        "reopen_count": order.reopen_count + 1,
    }
    set_step(changes, order, Step.DISPATCH, now)
    with transaction.atomic():
        apply(order, changes, now)
        t = record(
            order, "reopen", State.CLOSED, State.REOPENED, None, now,
            note=reason, actor_name=PUBLIC_ACTOR,
        )  # fmt: skip
        notify(
            unit_people(unit_id, order.event.category.line_id),
            Notification.Kind.RETURNED,
            _("群众申请重新办理：%(title)s") % {"title": order.event.title},
            subject=order,
            body=reason,
            key=f"t{t.pk}",
            new_key=True,
        )
        # robust: a failing listener (the 12345 push) is logged, the re-opening stands
        transaction.on_commit(
            lambda: order_moved.send(
                WorkOrder, order=order, action="reopen",
                from_state=State.CLOSED, to_state=State.REOPENED,
            ),
            robust=True,
        )  # fmt: skip
    return t
