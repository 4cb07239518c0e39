"""The work order's states and the transitions between them, in the field's own words.

This table is the whole state machine: `services.transition` refuses anything not in it, and the
pages and the API offer only what it allows the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REPORTED = "reported", _("待受理")
    ACCEPTED = "accepted", _("已立案")
    DISPATCHED = "dispatched", _("已派遣")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("处置中")
    HANDLED = "handled", _("已处置")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    RETURNED = "returned", _("已退回")
    # 重新打开: a closed order the reporter said is not fixed (结案未解决), back at the unit that
    # closed it; a state of its own so the history and the statistics can tell it apart.
    REOPENED = "reopened", _("重新打开")
    VOIDED = "voided", _("已作废")


OPEN_STATES = frozenset(State) - {State.CLOSED, State.VOIDED}


class Actor(StrEnum):
    """Who may take an action: the order's assignee, or an account with a permission."""

    ASSIGNEE = "assignee"
    DISPATCHER = "dispatch_workorder"  # 受理、派遣、转派、结案、作废
    VERIFIER = "verify_workorder"  # 核查
    SUPERVISOR = "supervise_workorder"  # 督办, approving extensions
    # The platform itself, on a fact another module records (a re-inspection of a
    # rectification): never offered to a person; `services.perform(..., system=True)` only.
    SYSTEM = "system"


class Step(StrEnum):
    """The timed step an open order is in; each has its own deadline (时限)."""

    DISPATCH = "dispatch"  # 受理/派遣 by the unit holding it
    SIGN = "sign"  # 签收
    HANDLE = "handle"  # 处置
    VERIFY = "verify"  # 核查


STEP_LABELS = {
    Step.DISPATCH: _("派遣"),
    Step.SIGN: _("签收"),
    Step.HANDLE: _("处置"),
    Step.VERIFY: _("核查"),
}

STEP_OF_STATE = {
    State.REPORTED: Step.DISPATCH,
    State.ACCEPTED: Step.DISPATCH,
    State.RETURNED: Step.DISPATCH,
    State.REOPENED: Step.DISPATCH,
    State.DISPATCHED: Step.SIGN,
    State.SIGNED: Step.HANDLE,
    State.IN_PROGRESS: Step.HANDLE,
    State.HANDLED: Step.VERIFY,
    State.VERIFIED: Step.VERIFY,
}


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    sources: frozenset[State]
    target: State | None  # None: the state does not change (extension, supervision)
    actor: Actor
    needs_note: bool = False  # a reason or a description of the work is required
    needs_assignee: bool = False
    not_by_handler: bool = False  # 核查 by someone other than who handled it


def _a(code, label, sources, target, actor, **kw) -> Action:
    return Action(code, label, frozenset(sources), target, actor, **kw)


_WORKING = (State.DISPATCHED, State.SIGNED, State.IN_PROGRESS)
_UNDISPATCHED = (State.REPORTED, State.ACCEPTED, State.RETURNED, State.REOPENED)

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in [
        _a("accept", _("立案"), [State.REPORTED], State.ACCEPTED, Actor.DISPATCHER),
        _a(
            "dispatch",
            _("派遣"),
            [State.ACCEPTED, State.RETURNED, State.REOPENED],
            State.DISPATCHED,
            Actor.DISPATCHER,
        ),
        _a(
            "reassign",
            _("转派"),
            _WORKING,
            State.DISPATCHED,
            Actor.DISPATCHER,
            needs_assignee=True,
            needs_note=True,
        ),
        _a("sign", _("签收"), [State.DISPATCHED], State.SIGNED, Actor.ASSIGNEE),
        _a("start", _("开始处置"), [State.SIGNED], State.IN_PROGRESS, Actor.ASSIGNEE),
        _a(
            "handle",
            _("处置完成"),
            [State.SIGNED, State.IN_PROGRESS],
            State.HANDLED,
            Actor.ASSIGNEE,
            needs_note=True,
        ),
        _a("return", _("退回"), _WORKING, State.RETURNED, Actor.ASSIGNEE, needs_note=True),
        _a(
            "verify",
            _("核查通过"),
            [State.HANDLED],
            State.VERIFIED,
            Actor.VERIFIER,
            not_by_handler=True,
        ),
        _a(
            "reject",
            _("核查不通过"),
            [State.HANDLED],
            State.IN_PROGRESS,
            Actor.VERIFIER,
            needs_note=True,
            not_by_handler=True,
        ),
        _a("close", _("结案"), [State.VERIFIED], State.CLOSED, Actor.DISPATCHER),
        _a(
            "void",
            _("作废"),
            [*_UNDISPATCHED, *_WORKING],
            State.VOIDED,
            Actor.DISPATCHER,
            needs_note=True,
        ),
        _a(
            "request_extension",
            _("申请延期"),
            [State.SIGNED, State.IN_PROGRESS],
            None,
            Actor.ASSIGNEE,
            needs_note=True,
        ),
        _a(
            "approve_extension",
            _("批准延期"),
            [State.SIGNED, State.IN_PROGRESS],
            None,
            Actor.SUPERVISOR,
        ),
        _a(
            "reject_extension",
            _("驳回延期"),
            [State.SIGNED, State.IN_PROGRESS],
            None,
            Actor.SUPERVISOR,
            needs_note=True,
        ),
        _a("supervise", _("督办"), OPEN_STATES, None, Actor.SUPERVISOR, needs_note=True),
        # A rectification order (整改) is finished by the re-inspection that finds it put right,
        # whatever step it had reached; a re-inspection that still fails is recorded on it.
        _a("rectified", _("复查合格"), OPEN_STATES, State.CLOSED, Actor.SYSTEM, needs_note=True),
        _a("still_failing", _("复查不合格"), OPEN_STATES, None, Actor.SYSTEM, needs_note=True),
    ]
}

# The actions that move an order on to its next step: an order "waits for" whoever may take one
# of them now (the desk's 待我处理, `services.waiting_for`). Not the side actions every open
# order allows someone (转派, 作废, 退回, extensions, 督办), or every order would wait for them.
FORWARD_ACTIONS = frozenset(
    {"accept", "dispatch", "sign", "start", "handle", "verify", "reject", "close"}
)

# Rows of the audit trail that no caller can POST: the system writes them.
SYSTEM_ACTIONS = {
    "create": _("上报"),
    "auto_dispatch": _("自动派遣"),
    "warn": _("临期预警"),
    "escalate": _("超期升级"),
    "merge": _("合并"),
    "publish": _("设为公开"),
    "unpublish": _("取消公开"),
    "mediation": _("转人民调解"),
    # The reporter's own action on the public page or the SMS link (verdict.py), actor 公众.
    "reopen": _("群众申请重新办理"),
}
