"""check-deploy's replica checks against a replica alias that is unreachable, or that is a
primary (not in recovery). The streaming case is in test_replica_streaming.py."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connections
from django.utils.connection import ConnectionDoesNotExist

from gridgov.ops import deploy_check


@pytest.fixture
def replica_alias(settings, monkeypatch, django_db_blocker):
    """A "replica" alias whose connection settings the test fills in (from the default's, on the
    server's own "postgres" database: no test database needed); removed afterwards."""

    def configure_replica(**changes):
        with contextlib.suppress(AttributeError, ConnectionDoesNotExist):
            connections["replica"].close()
            del connections["replica"]
        entry = {**connections["default"].settings_dict, "NAME": "postgres", **changes}
        monkeypatch.setitem(settings.DATABASES, "replica", entry)
        monkeypatch.setitem(connections.settings, "replica", entry)

    with django_db_blocker.unblock():
        yield configure_replica
        with contextlib.suppress(AttributeError, ConnectionDoesNotExist):
            connections["replica"].close()
            del connections["replica"]


def test_a_replica_that_is_unreachable_or_not_a_standby_fails(replica_alias):
    replica_alias()
    if connections["default"].vendor != "postgresql":
        (check,) = deploy_check.replica_checks()
        assert check.status == "fail" and "SQLite database cannot stream" in check.message
        return
    replica_alias(PORT=1, HOST="127.0.0.1")
    (check,) = deploy_check.replica_checks()
    assert check.status == "fail" and "cannot reach 127.0.0.1:1/postgres" in check.message
    assert "Connection refused" in check.message or "connect" in check.message
    replica_alias()  # the primary's server itself: not in recovery
    (check,) = deploy_check.replica_checks()
    assert check.status == "fail" and "is not in recovery" in check.message
