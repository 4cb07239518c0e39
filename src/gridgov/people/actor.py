"""The roster person (人员) acting behind an account: ``core.actor``'s lookup, typed as people's
``Person``."""

from __future__ import annotations

from typing import cast

from gridgov.core.actor import Account, roster_entry
from gridgov.people.models import Person


def person_of(user: Account) -> Person | None:
    """The person of a signed-in account (read once per account object); else None."""
    return cast("Person | None", roster_entry(user))
