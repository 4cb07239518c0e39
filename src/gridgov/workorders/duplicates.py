"""Duplicates (重复上报): finding the open events near a new one, merging one into another, and
deciding whether an event is public (公开)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, holds
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND
from gridgov.workorders.access import can_see
from gridgov.workorders.models import Category, Event, Source, WorkOrder
from gridgov.workorders.signals import order_moved
from gridgov.workorders.states import STEP_OF_STATE, State
from gridgov.workorders.steps import WorkflowError, apply, record


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


def set_public(
    event_id: int, public: bool, user: Account, *, now: dt.datetime | None = None
) -> Event:
    """Mark an event public (公开) or internal: a public event is listed on Open311 and can be
    followed on the public page (masked and rounded, workorders.publication). Citizens' reports
    are always public. Only the desk roles decide, in their scope; the decision is an audit row."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_related("order").filter(pk=event_id).first()
        if event is None or not can_see(user, event.order):
            raise WorkflowError(NOT_FOUND, _("事件不存在"))
        if not holds(user, "workorders.dispatch_workorder"):
            raise WorkflowError(FORBIDDEN, _("只有受理、派遣岗位可以决定是否公开"), "public")
        if event.source == Source.CITIZEN and not public:
            raise WorkflowError(INVALID, _("群众上报的事件始终公开"), "public")
        if event.public != public:
            Event.objects.filter(pk=event.pk).update(public=public)
            event.public = public
            state = event.order.state
            record(event.order, "publish" if public else "unpublish", state, state, user, now)
    return event


def merge(event_id: int, into_id: int, user: Account, *, now: dt.datetime | None = None) -> Event:
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
        reporter = user.pk if user is not None else None
        if not holds(user, "workorders.dispatch_workorder") and event.reported_by_id != reporter:
            raise WorkflowError(FORBIDDEN, _("您无权合并此事件"))
        updated = Event.objects.filter(pk=event.pk, merged_into__isnull=True).update(
            merged_into=into
        )
        if not updated:
            raise WorkflowError(CONFLICT, _("该事件已被合并"))
        before = order.state
        apply(
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
        record(
            order, "merge", before, State.VOIDED, user, now,
            note=_("合并至 %(ref)s") % {"ref": into.reference},
        )  # fmt: skip
        record(
            into.order, "merge", into.order.state, into.order.state, user, now,
            note=_("并入 %(ref)s") % {"ref": event.reference},
        )  # fmt: skip
        event.merged_into = into
        # Like every transition: the apps above learn the order was voided (a 12345 record
        # merged away has its status pushed), robustly, once it has committed.
        transaction.on_commit(
            lambda: order_moved.send_robust(
                WorkOrder, order=order, action="merge", from_state=before, to_state=State.VOIDED
            ),
            robust=True,
        )
    return event
