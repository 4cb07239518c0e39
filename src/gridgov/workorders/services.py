"""Creating events and moving work orders through their states: the only write path.

Every change is a conditional update on the order's `version` (so two people acting at once
never produce an impossible state: one wins, the other gets a conflict) plus one `Transition`
row, in one transaction with the notices it causes — through the transition kit
(`gridgov.core.transitions`).

The work lives in modules along its seams, all reached from here: `events` (recording events,
opening orders, an alarm storm in bulk), `actions` (taking an action: `perform`), `access`
(who sees which orders and may take which action), `steps` (the writes a transition is made
of) and `duplicates` (near-duplicates, merging, publishing).
"""

from __future__ import annotations

from gridgov.workorders.access import (
    allowed_actions,
    can_see,
    in_region_scope,
    orders_for,
    waiting_for,
    waiting_q,
)
from gridgov.workorders.actions import advance, perform
from gridgov.workorders.duplicates import merge, possible_duplicates, set_public
from gridgov.workorders.events import (
    AUTO_DISPATCHED,
    HANDLING_NOTE_LIMIT,
    MEDIA_URL_LIMIT,
    TEXT_LIMITS,
    EventInput,
    checked_media_url,
    checked_text,
    create_dispatched_events,
    create_event,
    may_take_calls,
    new_reference,
)
from gridgov.workorders.steps import WITHOUT_GEOMETRY, WorkflowError
from gridgov.workorders.steps import unit_people as _unit_people

__all__ = [
    "AUTO_DISPATCHED",
    "HANDLING_NOTE_LIMIT",
    "MEDIA_URL_LIMIT",
    "TEXT_LIMITS",
    "WITHOUT_GEOMETRY",
    "EventInput",
    "WorkflowError",
    "_unit_people",
    "advance",
    "allowed_actions",
    "can_see",
    "checked_media_url",
    "checked_text",
    "create_dispatched_events",
    "create_event",
    "in_region_scope",
    "may_take_calls",
    "merge",
    "new_reference",
    "orders_for",
    "perform",
    "possible_duplicates",
    "set_public",
    "waiting_for",
    "waiting_q",
]
