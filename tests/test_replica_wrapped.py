"""Which pages and endpoints may read from the replica: reports, rankings and exports do (their
reads happen inside `replica_reads()`), the ordinary pages do not. With no replica configured in
the tests every read still goes to the primary; the router is asked, and says where it would."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridgov.core import dbrouter
from gridgov.core.dbrouter import ReplicaRouter

REPORTS = [
    reverse("air:rankings"),
    reverse("air:quality"),
    reverse("racing:index"),
    reverse("bulletins:index"),
    reverse("centre:hotspots"),
    reverse("centre:hotspots_export"),
    reverse("sources:export"),
    reverse("forces:export"),
    reverse("projects:export"),
    reverse("organisations:export"),
    reverse("mediation:export"),
    "/api/v1/air/rankings",
    "/api/v1/bulletins",
    "/api/v1/orders.xlsx",
    "/api/v1/sources.xlsx",
    "/api/v1/export/people.xlsx",
    "/api/v1/export/regions.xlsx",
]
ORDINARY = [reverse("centre:overview"), reverse("air:alarms"), "/api/v1/alarms"]


@pytest.fixture
def reads(monkeypatch):
    """Each ORM read of the request: whether it was asked inside `replica_reads()`."""
    seen: list[bool] = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(dbrouter.in_replica_reads())
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return seen


@pytest.mark.parametrize("url", REPORTS)
def test_reports_rankings_and_exports_read_inside_replica_reads(url, login, reads):
    client = login("command")
    reads.clear()  # the login's own reads
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert any(reads), f"{url}: no read inside replica_reads()"


@pytest.mark.parametrize("url", ORDINARY)
def test_ordinary_pages_read_from_the_primary(url, login, reads):
    client = login("command")
    reads.clear()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert reads and not any(reads), url
