"""The acting person (操作人): the account behind a request, and the name on its audit rows.

``Account`` is what views and services receive as ``user``: a signed-in account, the anonymous
visitor, or ``None`` for the system (jobs, the demo builder, device ingest). The roster person
behind an account is ``gridgov.people.actor.person_of`` (typed there: the core knows no app);
the core reads it only through the account's ``person`` relation, once per account object.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

from gridgov.errors import FORBIDDEN, DomainError

Account: TypeAlias = "User | AnonymousUser | None"


class Reader(Protocol):
    """The read side of an account: what the scope and view-permission checks ask of it. Every
    account has one; so do the stand-ins that read without being accounts (a bulletin reads as
    its unit's office, the racing metrics as everyone). Read-only functions take
    ``Reader | None``; anything that writes takes an ``Account``."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


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


def recorded_user(user: Account) -> User | None:
    """The account to write in a nullable who-did-it column (``actor``, ``created_by`` ...): the
    signed-in user, or None for the system. The anonymous visitor acts on nothing, so it is
    refused (forbidden) rather than written down as the system."""
    if user is None:
        return None
    if not user.is_authenticated:
        raise DomainError(FORBIDDEN, "a signed-in account is required", field="user")
    return user


def required_user(user: Account) -> User:
    """The signed-in user for a who-did-it column that must name one (no system writes there);
    the anonymous visitor and the system are refused (forbidden)."""
    if user is None or not user.is_authenticated:
        raise DomainError(FORBIDDEN, "a signed-in account is required", field="user")
    return user


def signed_in_user(user: Account) -> User | None:
    """The signed-in user, else None (the anonymous visitor and the system alike): for the
    who-did-it columns that record an anonymous action as nobody's."""
    return user if user is not None and user.is_authenticated else None


def holds(user: Account, perm: str) -> TypeGuard[User]:
    """A signed-in account holding the permission (through its groups, or as superuser); past a
    ``holds`` check the account is known to be a ``User``."""
    return bool(user is not None and user.is_authenticated and user.has_perm(perm))
