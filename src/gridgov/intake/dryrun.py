"""Imports are a dry run unless told to commit (the project's rule for every `import-*`).

The outcome of a fire point or a 12345 record (new event, merged, outside, already known)
depends on what the database holds and on the rows before it in the same file, so a dry run
does the whole import inside a transaction that is rolled back: the counts are exactly what
`--commit` would give at that moment, and nothing is kept (the commit hooks — notifications,
pushes — are dropped with it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")

DRY_RUN_NOTE = "Dry run: nothing was written. Add --commit to apply."


def run(work: Callable[[], T], *, commit: bool) -> T:
    """`work()`, kept only when `commit`; otherwise every write it made is rolled back."""
    if commit:
        return work()
    with transaction.atomic():
        try:
            return work()
        finally:
            transaction.set_rollback(True)
