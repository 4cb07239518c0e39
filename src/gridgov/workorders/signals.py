"""The work orders' hooks for the apps above them (which they never import).

`order_moved` is sent once a transition has committed: `order` (the WorkOrder as moved),
`action` (its code: "close", "void", …), `from_state` and `to_state`. The 12345 intake listens to
push a closed hotline order's status back to the hotline system."""

from __future__ import annotations

from django.dispatch import Signal

order_moved = Signal()
