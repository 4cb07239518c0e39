"""健康检查 (/healthz): whether this instance can serve — what a load balancer asks every few
seconds before sending it requests.

The database answers `SELECT 1`; where the platform runs on Redis (REDIS_URL: the cache, with
the per-client limits, and Huey's queue), each Redis the cache and the queue are configured with
answers PING within GRIDGOV_HEALTHZ_TIMEOUT seconds. Kept cheap: one query, one PING per distinct
Redis URL over a connection pool kept between checks, no retries. A failure names the part (the
error's kind only: a public endpoint does not show hosts or credentials).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
REDIS_QUEUE = "huey.RedisHuey"
OK = "ok"

_clients: dict[tuple[str, float], Any] = {}  # (URL, timeout) → redis.Redis (thread-safe pool)


def redis_parts() -> dict[str, str]:
    """The parts that run on Redis → the URL each is configured with."""
    parts: dict[str, str] = {}
    cache = settings.CACHES.get("default", {})
    if cache.get("BACKEND") == REDIS_CACHE:
        location = cache.get("LOCATION")
        parts["cache"] = str(location[0] if isinstance(location, list | tuple) else location)
    queue = settings.HUEY
    if isinstance(queue, dict) and queue.get("huey_class") == REDIS_QUEUE and queue.get("url"):
        parts["queue"] = str(queue["url"])
    return parts


def check() -> dict[str, str]:
    """Each part → "ok", or why it failed ("timeout", "unreachable (ConnectionError)" …)."""
    results = {"database": _database()}
    pinged: dict[str, str] = {}
    for part, url in redis_parts().items():
        if url not in pinged:
            pinged[url] = _ping(url, settings.GRIDGOV_HEALTHZ_TIMEOUT)
        results[part] = pinged[url]
    return results


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # the finding itself: the database does not answer
        return f"failed ({type(exc).__name__})"
    return OK


def _ping(url: str, timeout: float) -> str:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    key = (url, timeout)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
    try:
        client.ping()
    except redis.TimeoutError:
        return f"timeout ({timeout:g} s)"
    except redis.RedisError as exc:
        return f"unreachable ({type(exc).__name__})"
    return OK
