"""Handling an enforcement case (办案): decisions, steps forward, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account, actor_name, recorded_user
from gridgov.enforcement.models import (
    Case,
    CaseDocument,
    CaseStep,
    LegalBasis,
)
from gridgov.enforcement.services import (
    MAX_AMOUNT,
    CaseError,
    _store_document,
    can_handle,
    deadline_for,
    get_case,
    invalid,
)
from gridgov.enforcement.steps import FINAL, MOVES, NEEDS_NOTE, Step

# ------------------------------------------------------------------------------ advance --


def _checked_amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        inputs.check_number("penalty_amount", value)
        value = str(value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid("penalty_amount", _("罚款金额须为数字")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise invalid("penalty_amount", _("罚款金额须在0至1亿元之间"))
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid("penalty_amount", _("罚款金额最多精确到分"))
    return amount.quantize(Decimal("0.01"))


def in_range(basis: LegalBasis, amount: Decimal) -> bool:
    if basis.penalty_min is None and basis.penalty_max is None:
        return False
    low = basis.penalty_min if basis.penalty_min is not None else Decimal(0)
    high = basis.penalty_max if basis.penalty_max is not None else MAX_AMOUNT
    return low <= amount <= high


def check_decision(
    party_kind: str, bases: list[LegalBasis], amount: Decimal | None, reason: str
) -> None:
    """A fine must lie within the range of one of the chosen bases (for this kind of party),
    unless a reason is given (从轻、减轻处罚, an amount counted from the goods' value…)."""
    if not bases:
        raise invalid("legal_bases", _("请选择法律依据"))
    for b in bases:
        if b.party_kind and b.party_kind != party_kind:
            raise invalid(
                "legal_bases",
                _("%(basis)s 不适用于该类当事人") % {"basis": str(b)},
            )
    if amount is None or amount == 0:
        return
    if any(in_range(b, amount) for b in bases):
        return
    if not reason.strip():
        ranges = "；".join(f"{b}：{b.penalty_min or '—'}–{b.penalty_max or '—'}" for b in bases)
        raise invalid(
            "penalty_amount",
            _("罚款金额超出所选法律依据的幅度（%(ranges)s），须填写裁量说明") % {"ranges": ranges},
        )


def allowed_steps(case: Case, user: Account) -> list[str]:
    if not can_handle(user):
        return []
    return [s for s in Step.values if s in MOVES.get(case.step, frozenset())]


def advance(
    case_id: int,
    to_step: str,
    user: Account,
    *,
    note: str = "",
    penalty_amount: Any = None,
    legal_basis_ids: list[int] | None = None,
    amount_reason: str = "",
    decision: str = "",
    rectification_required: bool | None = None,
    rectified: bool = False,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Move the case one step (the table in steps.py), writing the audit row in the same
    transaction; a decision records the bases, the fine and the decision text."""
    now = now or timezone.now()
    case = get_case(user, case_id)
    if not can_handle(user):
        raise CaseError("forbidden", _("您无权办理执法案件"))
    if to_step not in Step.values:
        raise invalid("to_step", _("没有这个环节"))
    note = inputs.check_text("note", note, 2000).strip()
    amount_reason = inputs.check_text("amount_reason", amount_reason, 500).strip()
    decision = inputs.check_text("decision", decision, 4000).strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if version is not None and version != case.version:
            raise CaseError("conflict", _("案件已被他人更新，请刷新后再试"), "version")
        if to_step not in MOVES.get(case.step, frozenset()):
            raise CaseError(
                "conflict",
                _("案件处于“%(from)s”环节，不能转到“%(to)s”")
                % {"from": Step(case.step).label, "to": Step(to_step).label},
                "to_step",
            )
        if (case.step, to_step) in NEEDS_NOTE and not note:
            raise invalid("note", _("请填写说明"))
        if to_step == Step.DECISION:
            amount = _checked_amount(penalty_amount)
            ids = [inputs.check_int("legal_bases", int(i)) for i in (legal_basis_ids or [])]
            bases = list(LegalBasis.objects.filter(pk__in=ids, active=True))
            if len(bases) != len(set(ids)):
                raise invalid("legal_bases", _("法律依据不存在或已停用"))
            if not decision:
                raise invalid("decision", _("请填写处罚决定内容"))
            check_decision(case.party_kind, bases, amount, amount_reason)
            case.penalty_amount = amount
            case.amount_reason = amount_reason
            case.decision = decision
            case.decided_at = now
            if rectification_required is not None:
                case.rectification_required = rectification_required
            case.legal_bases.set(bases)
        if to_step == Step.CLOSED and case.step in (Step.DECISION, Step.EXECUTION):
            if rectified and case.rectified_at is None:
                case.rectified_at = now
            done = case.rectified_at is not None or (
                case.rectification is not None and case.rectification.state == "closed"
            )
            if case.rectification_required and not done:
                raise invalid("rectified", _("责令整改的案件须整改完成后方可结案"))
        today = timezone.localtime(now).date()
        late = to_step != Step.WITHDRAWN and case.due_date is not None and today > case.due_date
        CaseStep.objects.create(
            case=case,
            from_step=case.step,
            to_step=to_step,
            actor=recorded_user(user),
            actor_name=actor_name(user),
            note=note,
            due_date=case.due_date,
            late=late,
            at=now,
        )
        case.step = to_step
        case.step_at = now
        case.due_date = deadline_for(to_step, today, timezone.localtime(case.filed_at).date())
        if to_step in FINAL:
            case.closed_at = now
        case.late_steps += int(late)
        case.version += 1
        case.updated_at = now
        case.save()
    return case


def add_document(
    case_id: int,
    user: Account,
    upload: IO[bytes],
    *,
    size: int,
    name: str,
    title: str = "",
    now: dt.datetime | None = None,
) -> CaseDocument:
    """案卷材料: PDF, Word, Excel, PowerPoint or an image, checked by its content."""
    now = now or timezone.now()
    case = get_case(user, case_id)
    if not can_handle(user):
        raise CaseError("forbidden", _("您无权办理执法案件"))
    title = inputs.check_text("title", title.strip(), 100)
    inputs.check_text("file", name, 200)
    try:
        data = evidence._source(upload, size, "file").read()
        kind = evidence.sniff_document(data)
    except evidence.PhotoRejected as exc:
        raise invalid("file", str(exc)) from None
    if kind is None:
        raise invalid("file", _("仅支持PDF、Word、Excel、PowerPoint或图片文件"))
    return _store_document(case, data, kind, name, user, now, title)
