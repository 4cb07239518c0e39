"""The case's steps (立案 → 调查取证 → 告知 → 决定 → 执行 → 结案, and 撤销) and the moves between
them, as data: `services.advance` refuses anything not in `MOVES`, and the pages and the API offer
only what it allows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    FILED = "filed", _("立案")
    INVESTIGATION = "investigation", _("调查取证")
    NOTICE = "notice", _("告知")
    DECISION = "decision", _("决定")
    EXECUTION = "execution", _("执行")
    CLOSED = "closed", _("结案")
    WITHDRAWN = "withdrawn", _("撤销")


# The ordinary path, in order: deadlines are "to reach the next of these".
PATH = [
    Step.FILED,
    Step.INVESTIGATION,
    Step.NOTICE,
    Step.DECISION,
    Step.EXECUTION,
    Step.CLOSED,
]
FINAL = frozenset({Step.CLOSED, Step.WITHDRAWN})
OPEN = frozenset(Step) - FINAL

# from → the steps it may move to. A case may be withdrawn (撤销立案) before a decision; after
# an investigation finds nothing to punish it may be closed without a decision (不予处罚), and a
# decision with no fine and no rectification may be closed at once.
MOVES: dict[str, frozenset[str]] = {
    Step.FILED: frozenset({Step.INVESTIGATION, Step.WITHDRAWN}),
    Step.INVESTIGATION: frozenset({Step.NOTICE, Step.CLOSED, Step.WITHDRAWN}),
    Step.NOTICE: frozenset({Step.DECISION, Step.INVESTIGATION, Step.WITHDRAWN}),
    Step.DECISION: frozenset({Step.EXECUTION, Step.CLOSED}),
    Step.EXECUTION: frozenset({Step.CLOSED}),
    Step.CLOSED: frozenset(),
    Step.WITHDRAWN: frozenset(),
}

# What a move needs besides the actor: a note (the reason or what was done).
NEEDS_NOTE = {
    (Step.INVESTIGATION, Step.CLOSED),  # 不予处罚: why
    (Step.NOTICE, Step.INVESTIGATION),  # back to investigation after 陈述申辩
    (Step.FILED, Step.WITHDRAWN),
    (Step.INVESTIGATION, Step.WITHDRAWN),
    (Step.NOTICE, Step.WITHDRAWN),
}


def allowed(from_step: str, to_step: str) -> bool:
    return to_step in MOVES.get(from_step, frozenset())
