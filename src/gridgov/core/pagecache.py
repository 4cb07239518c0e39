"""Figures of the busy pages (the overview, the order desk, the menu), kept a short time per
account.

`remember(name, user, compute)` answers `compute()` from the Django cache (this process's
memory, or Redis shared by every process) when the same account, with the same scope, asked in
the same minute, in the same language, since the last write. Kept at most
`GRIDGOV_PAGE_CACHE_SECONDS` (0: never kept).

What makes a kept answer wrong, and how the key follows it:
- a write: every save or delete of a model (but those of `IGNORED_APPS` and the high-rate
  tables in `UNWATCHED`) bumps one version number in the cache, at once and again when
  the transaction commits (a request that read the data before the commit cannot keep its answer
  under the new version). Writes that send no signal (`QuerySet.update`, `bulk_create`) are seen
  at the next minute or when the time runs out;
- the clock: the key holds the minute (China time), so figures that follow from "now" (overdue,
  due soon, today's dates) are at most a minute old, and a new day is a new key;
- the scope: the key holds the account and its scope's paths, so a changed post or role is a
  new key at once.

Nothing here imports a gridgov app: the unwatched tables are named by label, and the caller
passes the scope's paths.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from gridgov.core.actor import Account

T = TypeVar("T")

VERSION_KEY = "pagecache:version"
# Writes that change no page: sessions and login attempts (every sign-in), the admin's log.
IGNORED_APPS = frozenset({"sessions", "axes", "admin", "contenttypes"})
# Written every minute or more often (readings and what is derived from them, the inbox): the
# overview's air figures are kept by their own time (GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS).
UNWATCHED = frozenset(
    {
        ("air", "reading"),
        ("air", "hourlyaggregate"),
        ("air", "dailyaggregate"),
        ("air", "stationstate"),
        ("air", "stationwind"),
        ("air", "stationmonth"),
        ("air", "pendingday"),
        ("air", "monthrevision"),
        ("air", "devicestatus"),
        ("workorders", "notification"),
        ("auth", "permission"),
    }
)


def version() -> int:
    """The current version; a new one (the time in µs) when the cache has lost it, so an entry
    kept under an older number is never read again."""
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, time.time_ns() // 1000, None)
        current = cache.get(VERSION_KEY, 0)
    return int(current)


def bump() -> None:
    """A write happened: what was kept before it is not read again."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (evicted, cleared): start from a number never used
        cache.set(VERSION_KEY, time.time_ns() // 1000, None)


def watched(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None:
        return False
    return meta.app_label not in IGNORED_APPS and (meta.app_label, meta.model_name) not in UNWATCHED


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or not watched(sender):
        return
    bump()
    if transaction.get_connection(kwargs.get("using") or "default").in_atomic_block:
        transaction.on_commit(bump, using=kwargs.get("using"))


def is_receiver(receiver: Any) -> bool:
    """Whether `receiver` is the page cache's own (whose work `written` does for a write that
    sends no signal)."""
    return receiver is _changed or receiver is _m2m_changed


def written(model: type[Any], using: str | None = None) -> None:
    """A write that sent no signal (a bare UPDATE or INSERT, ``core.transitions``) to `model`'s
    table: the same as a save."""
    _changed(model, using=using)


def _m2m_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        _changed(type(instance), using=kwargs.get("using"))


def watch() -> None:
    """Connect the receivers (once; the web app's `ready()` calls it)."""
    post_save.connect(_changed, dispatch_uid="gridgov.pagecache.save")
    post_delete.connect(_changed, dispatch_uid="gridgov.pagecache.delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="gridgov.pagecache.m2m")


def key(name: str, user: Account, paths: Iterable[str] | None, *parts: object) -> str:
    """The cache key of `name` for this account, scope, minute and language (and `parts`)."""
    minute = timezone.localtime(timezone.now()).strftime("%Y%m%d%H%M")
    scope = "ALL" if paths is None else "|".join(sorted(paths))
    raw = "\n".join(
        [name, str(getattr(user, "pk", "")), scope, minute, translation.get_language() or ""]
        + [str(p) for p in parts]
    )
    digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    return f"pagecache:{name}:{version()}:{digest}"


def remember(
    name: str, user: Account, paths: Iterable[str] | None, compute: Callable[[], T], *parts: object
) -> T:
    """`compute()`, or what it answered for the same key (see the module's note)."""
    seconds = settings.GRIDGOV_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    k = key(name, user, paths, *parts)
    kept = cache.get(k)
    if kept is not None:
        return cast(T, kept)
    value = compute()
    cache.set(k, value, seconds)
    return value
