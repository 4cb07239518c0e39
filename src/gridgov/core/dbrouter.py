"""The read replica (只读副本): reports, rankings and exports may read from it; nothing else does.

A streaming replica is a few hundred milliseconds (or, under load, seconds) behind the primary,
so reading from it is a choice made where staleness is harmless: inside `replica_reads()` (a
context manager and a decorator) around a report, a ranking or an export view, API endpoint or
command. Everything else — every write, and every read outside that context — uses the primary,
so the ordinary path always reads its own writes.

Inside the context a read still goes to the primary when
- no replica is configured (DATABASE_REPLICA_URL unset: the "replica" alias does not exist);
- this request (or, outside requests, this thread) has already written through the ORM: a page
  that saved something and then lists it must see what it saved (read-your-writes);
- a transaction is open on the primary: the rows it wrote are visible only there.

The "has written" mark is kept per request (reset when a request starts) in a context variable,
which is per thread for the server's threads and per task for asyncio. A request that wrote also
pins its client to the primary for GRIDGOV_REPLICA_PIN_SECONDS (`ReplicaPinMiddleware`, a cookie):
the page it redirects to reads what it has just saved even while the replica is still behind.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from contextlib import ContextDecorator
from typing import Any

from django.conf import settings
from django.core.signals import request_started
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "gridgov_primary"

_replica_depth: contextvars.ContextVar[int] = contextvars.ContextVar("replica_depth", default=0)
_has_written: contextvars.ContextVar[bool] = contextvars.ContextVar("has_written", default=False)


class replica_reads(ContextDecorator):  # a function to its users: `with replica_reads():`
    """Within this block (or the decorated view or command), ORM reads may go to the replica.

    As a decorator only on plain views and commands: django-ninja resolves a handler's type
    hints in its module, which a wrapper hides, so API handlers use the `with` form."""

    def _recreate_cm(self) -> replica_reads:
        # A decorated view runs in many threads at once: each call gets its own token.
        return type(self)()

    def __enter__(self) -> replica_reads:
        self._token = _replica_depth.set(_replica_depth.get() + 1)
        return self

    def __exit__(self, *exc: object) -> None:
        _replica_depth.reset(self._token)


def mark_written() -> None:
    """Reads in this request (or thread) go to the primary from now on."""
    _has_written.set(True)


def forget_writes(**_: Any) -> None:
    """A new request starts with no writes of its own (connected to `request_started`)."""
    _has_written.set(False)


request_started.connect(forget_writes, dispatch_uid="gridgov.core.dbrouter.forget_writes")


def in_replica_reads() -> bool:
    return _replica_depth.get() > 0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias a read made here and now goes to (see the module's docstring)."""
    if not in_replica_reads() or _has_written.get() or not replica_configured():
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads by `read_alias()`, writes and migrations on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        mark_written()
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same data: a row read from the replica may be related to one
        # read from the primary.
        pair = {obj1._state.db, obj2._state.db}
        return True if pair <= {PRIMARY, REPLICA, None} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica is a copy of the primary's files: it receives the schema by replication.
        return db == PRIMARY


class ReplicaPinMiddleware:
    """A client whose request wrote reads from the primary for the next few seconds (a cookie
    with that lifetime), so a redirect after a save shows the save. In MIDDLEWARE only when a
    replica is configured, outside the session middleware (whose saves count as writes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.COOKIES.get(PIN_COOKIE):
            mark_written()
        response = self.get_response(request)
        if _has_written.get():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.GRIDGOV_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
