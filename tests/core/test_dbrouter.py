"""The read-replica router (gridgov/core/dbrouter.py): reads go to the replica only inside
`replica_reads()`, never after a write of the same request, never inside a transaction, and never
when no replica is configured; writes and migrations always go to the primary."""

from __future__ import annotations

import threading

import pytest
from django.core.signals import request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory

from gridgov.core import dbrouter
from gridgov.core.dbrouter import PIN_COOKIE, ReplicaPinMiddleware, ReplicaRouter, replica_reads
from gridgov.ops.models import JobBeat

router = ReplicaRouter()


def new_request() -> None:
    """What the handler does at a request's start (without closing the test's connections, as
    Django's test client does not either)."""
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _fresh_request():
    new_request()  # each test starts as a new request with no writes
    yield
    new_request()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)


def test_without_a_replica_every_read_goes_to_the_primary():
    assert router.db_for_read(JobBeat) == "default"
    with replica_reads():
        assert router.db_for_read(JobBeat) == "default"


def test_reads_go_to_the_replica_only_inside_replica_reads(with_replica):
    assert router.db_for_read(JobBeat) == "default"
    with replica_reads():
        assert router.db_for_read(JobBeat) == "replica"
        with replica_reads():  # nested: still the replica, and after the inner block too
            assert router.db_for_read(JobBeat) == "replica"
        assert router.db_for_read(JobBeat) == "replica"
    assert router.db_for_read(JobBeat) == "default"


def test_writes_go_to_the_primary_and_later_reads_of_the_request_follow_them(with_replica):
    with replica_reads():
        assert router.db_for_write(JobBeat) == "default"
        assert router.db_for_read(JobBeat) == "default"  # read-your-writes
    with replica_reads():
        assert router.db_for_read(JobBeat) == "default"  # the same request: still the primary
    new_request()  # the next request has written nothing
    with replica_reads():
        assert router.db_for_read(JobBeat) == "replica"


@pytest.mark.django_db
def test_inside_a_transaction_on_the_primary_reads_stay_there(with_replica):
    # The test's own transaction is open: what it wrote is visible only on the primary.
    with replica_reads():
        assert router.db_for_read(JobBeat) == "default"


def test_migrations_only_on_the_primary_and_relations_across_both_allowed():
    assert router.allow_migrate("default", "air") is True
    assert router.allow_migrate("replica", "air") is False
    a, b = JobBeat(name="a"), JobBeat(name="b")
    a._state.db, b._state.db = "default", "replica"
    assert router.allow_relation(a, b) is True
    b._state.db = "elsewhere"
    assert router.allow_relation(a, b) is None


def test_a_decorated_function_has_the_context_in_each_thread_of_its_own(with_replica):
    seen: dict[str, str] = {}
    inside = threading.Barrier(2)

    @replica_reads()
    def report(name: str) -> None:
        inside.wait(timeout=5)  # both calls are inside at once
        seen[name] = router.db_for_read(JobBeat)
        inside.wait(timeout=5)

    threads = [threading.Thread(target=report, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": "replica", "b": "replica"}
    assert router.db_for_read(JobBeat) == "default"  # outside: the primary


def test_a_request_that_wrote_pins_its_client_to_the_primary(with_replica, settings):
    settings.GRIDGOV_REPLICA_PIN_SECONDS = 7

    def saves(request):
        router.db_for_write(JobBeat)
        return HttpResponse("ok")

    new_request()
    response = ReplicaPinMiddleware(saves)(RequestFactory().post("/x"))
    assert response.cookies[PIN_COOKIE]["max-age"] == 7
    assert response.cookies[PIN_COOKIE]["httponly"]

    def reads(request):
        with replica_reads():
            return HttpResponse(router.db_for_read(JobBeat))

    new_request()
    pinned = RequestFactory().get("/report")
    pinned.COOKIES[PIN_COOKIE] = "1"
    response = ReplicaPinMiddleware(reads)(pinned)
    assert response.content == b"default"
    new_request()
    response = ReplicaPinMiddleware(reads)(RequestFactory().get("/report"))
    assert response.content == b"replica"
    assert PIN_COOKIE not in response.cookies  # a request that only read sets no cookie
