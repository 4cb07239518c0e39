"""The acting person (操作人): the account behind a request, and the name on its audit rows.

``Account`` is what views and services receive as ``user``: a signed-in account, the anonymous
visitor, or ``None`` for the system (jobs, the demo builder, device ingest). The roster person
behind an account is ``gridgov.people.actor.person_of`` (typed there: the core knows no app);
the core reads it only through the account's ``person`` relation, once per account object.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

Account: TypeAlias = "User | AnonymousUser | None"

# Names on audit rows are stored at most this long (the audit tables' name columns).
NAME_LENGTH = 60
_UNREAD = object()


def roster_entry(user: Account) -> object | None:
    """The roster entry (``user.person``) of a signed-in account, read once per account object;
    None for the anonymous visitor, the system, or an account without one."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_gridgov_person", _UNREAD)
    if cached is not _UNREAD:
        return cached
    # The reverse one-to-one raises RelatedObjectDoesNotExist (an AttributeError) when absent.
    entry = getattr(user, "person", None)
    setattr(user, "_gridgov_person", entry)  # noqa: B010 (an attribute mypy does not know)
    return entry


def actor_name(user: Account, *, system: bool = False) -> str:
    """The name written on an audit row: the person's name, else the account's username.

    With ``system=True`` an absent user reads 系统 (the system) rather than an empty name.
    """
    entry = roster_entry(user)
    if entry is not None:
        name = str(getattr(entry, "name", ""))
    else:
        name = str(getattr(user, "username", "") or "")
    if not name and system:
        name = _("系统")
    return name[:NAME_LENGTH]
