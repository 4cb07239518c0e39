"""The acting person (操作人): the account behind a request, and the roster entry behind it.

``Account`` is what views and services receive as ``user``: a signed-in account, the anonymous
visitor, or ``None`` for the system (jobs, the demo builder, device ingest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from gridgov.people.models import Person

Account: TypeAlias = "User | AnonymousUser | None"

# Names on audit rows are stored at most this long (the audit tables' name columns).
NAME_LENGTH = 60
_UNREAD = object()


def person_of(user: Account) -> Person | None:
    """The roster person (人员) of a signed-in account, read once per request object; else None."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_gridgov_person", _UNREAD)
    if cached is not _UNREAD:
        return cast("Person | None", cached)
    # The reverse one-to-one raises RelatedObjectDoesNotExist (an AttributeError) when absent.
    person = cast("Person | None", getattr(user, "person", None))
    setattr(user, "_gridgov_person", person)  # noqa: B010 (an attribute mypy does not know)
    return person


def actor_name(user: Account, *, system: bool = False) -> str:
    """The name written on an audit row: the person's name, else the account's username.

    With ``system=True`` an absent user reads 系统 (the system) rather than an empty name.
    """
    person = person_of(user)
    name = str(person.name) if person is not None else str(getattr(user, "username", "") or "")
    if not name and system:
        name = _("系统")
    return name[:NAME_LENGTH]
