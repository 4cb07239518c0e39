"""The air app's signals, apart from the modules that send them, so that a receiver can connect
at start-up without loading numpy (gridgov.air.alarms sends `alarms_raised`)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the ingestion's transaction with the alarms it opened; the dispatch app turns
# each into an event and a work order (gridgov.workorders.receivers).
alarms_raised = Signal()
