"""/healthz (web/health.py): 200 when the database answers and, where the cache and the queue
run on Redis, Redis answers PING too; 503 naming each part that failed, within the short
timeout (HAProxy asks every few seconds). Redis-backed cases use a live Redis on 127.0.0.1:6379
(db 12) and skip without one; a dead Redis is a closed port, a hung one a socket that accepts
and never answers."""

from __future__ import annotations

import socket
import time

import pytest
from django.db import OperationalError

from gridgov.web import health

LIVE = "redis://127.0.0.1:6379/12"
CLOSED = "redis://127.0.0.1:1/0"  # nothing listens: refused at once

pytestmark = pytest.mark.django_db


def on_redis(settings, cache_url: str, queue_url: str) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    }
    settings.HUEY = {"huey_class": "huey.RedisHuey", "name": "gridgov", "url": queue_url}


@pytest.fixture
def live_redis():
    import redis

    try:
        redis.Redis.from_url(LIVE, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (Debian package redis-server)")
    return LIVE


def test_without_redis_only_the_database_is_checked(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}, "failed": []}


def test_with_redis_the_cache_and_the_queue_are_checked(client, settings, live_redis):
    on_redis(settings, live_redis, live_redis)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "queue": "ok"}


def test_a_dead_cache_redis_is_a_503_naming_the_cache(client, settings, live_redis):
    on_redis(settings, CLOSED, live_redis)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["failed"] == ["cache"]
    assert body["checks"] == {
        "database": "ok",
        "cache": "unreachable (ConnectionError)",
        "queue": "ok",
    }
    assert "127.0.0.1" not in response.content.decode()  # no host shown to the public


def test_a_dead_queue_redis_is_a_503_naming_the_queue(client, settings, live_redis):
    on_redis(settings, live_redis, CLOSED)
    body = client.get("/healthz").json()
    assert body["failed"] == ["queue"] and body["checks"]["cache"] == "ok"


@pytest.fixture
def silent_redis():
    """A port whose connections the kernel accepts and nothing ever reads: a hung Redis."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    sock.close()


def test_a_redis_that_does_not_answer_fails_within_the_timeout(client, settings, silent_redis):
    on_redis(settings, silent_redis, silent_redis)
    settings.GRIDGOV_HEALTHZ_TIMEOUT = 0.3
    started = time.monotonic()
    response = client.get("/healthz")
    took = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache", "queue"]
    # One PING for the URL both share, no retries: about one timeout, not one per part.
    assert body["checks"] == {
        "database": "ok",
        "cache": "timeout (0.3 s)",
        "queue": "timeout (0.3 s)",
    }
    assert took < 1.5


def test_a_database_that_does_not_answer_is_a_503_naming_it(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "failed (OperationalError)"},
        "failed": ["database"],
    }
