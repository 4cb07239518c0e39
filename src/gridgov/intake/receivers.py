"""Listening to the work orders' `order_moved` hook: a 12345 order that closes (or is voided)
has its status queued for the hotline system (gridgov.intake.hotline.schedule_order); the worker
pushes it, so the closing request never waits on (or fails with) the 12345 system."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from gridgov.workorders.signals import order_moved

PUSHED_STATES = {"closed": "closed", "voided": "voided"}


@receiver(order_moved, dispatch_uid="intake-hotline-push")
def on_order_moved(sender: Any, order: Any, to_state: str, **_: Any) -> None:
    if to_state not in PUSHED_STATES or order.event.source != "hotline":
        return
    from gridgov.intake import hotline

    hotline.schedule_order(order.event_id, PUSHED_STATES[to_state])
