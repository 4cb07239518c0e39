"""The transition kit (状态流转): a state change as one conditional UPDATE, its audit row as one
INSERT, in one transaction, with no read the caller has already made.

Every workflow in the platform is a row whose state moves on (an order, a case, a request) and
an audit row per move. The pattern, for any model::

    with transitions.step() as moved:
        if transitions.change(Case, case.pk, {"state": "open", "version": case.version},
                              {"state": "closed", "version": case.version + 1}):
            moved(transitions.record(CaseStep, case=case, action="close", ...))
    moved.or_refuse(_("案件已被他人处理，请刷新后重试"))

* ``change`` is ``filter(pk=…, **expected).update(**changes)``: it changes the row only while
  it still holds what the caller read, so two people acting at once never make an impossible
  state — one wins, the other changes no row.
* ``record`` writes the audit row from the values the caller already has (one INSERT; no
  related row is read, pass ids rather than objects you have not loaded).
* ``step`` is the transaction of one transition. Outside a transaction it opens one; inside the
  caller's it adds no savepoint (two queries saved per transition), so everything that can be
  refused must be checked before the first write — as the services do, which read and decide
  first and write last. A refusal raised inside would spoil the caller's transaction; the one
  refusal that can only be known by writing, a lost race, is therefore raised by
  ``or_refuse`` after the block, when nothing has been written.

``apply`` is the short form for a change with no audit row of its own (or whose audit row is
written separately): the conditional UPDATE, refusing with a conflict when no row changed.

The kit imports no gridgov app; refusals are ``gridgov.errors.DomainError`` (or the subclass
the caller names), of kind ``conflict``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction

from gridgov.errors import CONFLICT, DomainError

M = TypeVar("M", bound=models.Model)


def change(
    model: type[models.Model], pk: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
) -> bool:
    """One conditional UPDATE: `changes` on row `pk` only while its fields hold `expected`.
    True when the row changed, False when it no longer matched (someone moved it first)."""
    return bool(model._default_manager.filter(pk=pk, **expected).update(**changes))


def apply(
    model: type[models.Model],
    pk: Any,
    expected: Mapping[str, Any],
    changes: Mapping[str, Any],
    message: str,
    *,
    error: type[DomainError] = DomainError,
) -> None:
    """`change`, refusing with `error(CONFLICT, message)` when no row changed. Raise it only
    where a refusal may undo the transaction around it (outside ``step``, or inside a block
    with a savepoint)."""
    if not change(model, pk, expected, changes):
        raise error(CONFLICT, message)


def record(model: type[M], **values: Any) -> M:
    """One INSERT of an audit row built from `values` (ids or objects the caller holds); the
    row is returned with its primary key."""
    row = model(**values)
    row.save(force_insert=True)
    return row


class Moved:
    """What ``step`` yields: call it once the conditional UPDATE has changed its row (with
    the audit row, if any); ``or_refuse`` after the block raises the conflict otherwise."""

    def __init__(self) -> None:
        self.done = False
        self.row: Any = None

    def __call__(self, row: Any = None) -> Any:
        self.done = True
        self.row = row
        return row

    def or_refuse(self, message: str, *, error: type[DomainError] = DomainError) -> Any:
        """The audit row of a transition that happened; else `error(CONFLICT, message)`."""
        if not self.done:
            raise error(CONFLICT, message)
        return self.row


@contextmanager
def step(*, savepoint: bool = False) -> Iterator[Moved]:
    """The transaction of one transition: its own when none is open; inside an open one, no
    savepoint unless asked for (`savepoint=True`: for a step whose later writes may still be
    refused, such as photos to link, so the refusal undoes only this step)."""
    moved = Moved()
    with transaction.atomic(savepoint=savepoint):
        yield moved
