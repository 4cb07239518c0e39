"""The work orders' hooks for the apps above them (which they never import).

`order_moved` is sent (robustly: a failing listener is logged, never raised) once a transition
has committed: `order` (the WorkOrder as moved),
`action` (its code: "close", "void", …), `from_state` and `to_state`. The 12345 intake listens to
queue a closed hotline order's status for the hotline system. A listener must be quick and
must not call other systems in the request: it queues, the worker does the rest."""

from __future__ import annotations

from django.dispatch import Signal

order_moved = Signal()
