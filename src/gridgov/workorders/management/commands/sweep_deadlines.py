"""gridgov sweep-deadlines: one deadline sweep now (what the worker does every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gridgov.workorders.receivers import events_for_alarms
from gridgov.workorders.sweep import sweep


class Command(BaseCommand):
    help = "Warn, mark overdue and escalate work orders once (idempotent)."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def handle(self, *args: Any, **opts: Any) -> None:
        from gridgov.inbox.commands import sweep_overdue

        made = events_for_alarms()
        r = sweep()
        late = sweep_overdue()
        self.stdout.write(
            f"warned {r.warned}, newly overdue {r.newly_overdue}, escalations {r.escalated}, "
            f"supervision overdue {r.supervision_overdue}, events for alarms {made}, "
            f"late command recipients {late}"
        )
