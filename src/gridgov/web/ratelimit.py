"""Per-client limits that hold across processes and machines.

`allow(key, limit, window)` counts one more use of `key` and says whether it is within `limit`
for the current window (fixed, starting at the key's first use): count and check are one atomic
step, increment first, refuse when the new count exceeds the limit. So N simultaneous requests
over any number of processes get exactly `limit` yeses.

The count lives where every process sees it:
- with REDIS_URL (the default cache is Redis): `add(key, 0, window)` then `incr(key)`; Redis'
  INCR is atomic and the key expires with its window;
- otherwise the database (SQLite or PostgreSQL), table web_clientcounter, one statement:
  INSERT … ON CONFLICT (key) DO UPDATE SET count = count + 1 (or 1 and a new window when the
  old one has ended) RETURNING count. PostgreSQL locks the row for the upsert; SQLite runs one
  writer at a time (WAL, busy timeout). Django's DatabaseCache would not do: its incr() is a get
  then a set, and two processes both read 9 and both write 10.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction

from gridgov.web.models import ClientCounter


def count(key: str, window: int) -> int:
    """Add one to `key`'s count in its current window of `window` seconds; the new count."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return _redis(cache, f"limit:{key}", window)
    return _database(key, window)


def allow(key: str, limit: int, window: int) -> bool:
    """Count this use of `key`; True while the count is within `limit` for the window."""
    return count(key, window) <= limit


def _redis(cache: RedisCache, key: str, window: int) -> int:
    for _attempt in range(5):
        cache.add(key, 0, timeout=window)  # starts the window; no-op while it runs
        try:
            return int(cache.incr(key))
        except ValueError:  # the window ended between add and incr: start the next one
            continue
    raise RuntimeError(f"could not count {key!r}")  # pragma: no cover


def _database(key: str, window: int) -> int:
    now = time.time()
    q = connection.ops.quote_name
    table = q(ClientCounter._meta.db_table)
    k, c, e = q("key"), q("count"), q("expires_at")
    sql = (
        f"INSERT INTO {table} ({k}, {c}, {e}) VALUES (%s, 1, %s) "  # noqa: S608 (names only)
        f"ON CONFLICT ({k}) DO UPDATE SET "
        f"{c} = CASE WHEN {table}.{e} <= %s THEN 1 ELSE {table}.{c} + 1 END, "
        f"{e} = CASE WHEN {table}.{e} <= %s THEN %s ELSE {table}.{e} END "
        f"RETURNING {c}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [key[:200], now + window, now, now, now + window])
        value = int(cursor.fetchone()[0])
    if value == 1:  # a new window: clear the counters whose windows have ended
        ClientCounter.objects.filter(expires_at__lte=now).delete()
    return value
