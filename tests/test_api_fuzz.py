"""schemathesis over /api/v1/openapi.json, in-process against the WSGI app, as the command office
(sees everything) and as a grid worker (one grid): no 5xx, and every answer's status, content
type and body as the OpenAPI document declares them.

Bounded for CI: a fixed number of examples per operation, derandomized (the same inputs every
run), no deadline. Per role it counts the requests and their status classes, printed at the end
of the run and written to bench/out/api_fuzz.json.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_district import ROLES, District, district, put, stations  # noqa: F401
from tests.conftest import PASSWORD

# Per operation and role; GRIDGOV_FUZZ_EXAMPLES=500 for a deeper run by hand.
EXAMPLES = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZED_ROLES = ["command", "grid_worker"]
# One report per test process (pytest-xdist runs several: gw0, gw1, ...).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REPORT = (
    Path(__file__).resolve().parent.parent
    / "bench"
    / "out"
    / (f"api_fuzz.{_WORKER}.json" if _WORKER else "api_fuzz.json")
)


class InProcess:
    """The Django WSGI app, keeping the test's database connection: Django would close (or mark
    for rollback) a connection in a transaction at the end of each request. After a 5xx the
    operation's changes are rolled back to its savepoint (`operation_start`): on PostgreSQL a
    failed statement would otherwise abort the test's transaction, and every later request of
    the test with it. (A savepoint per request did the same at two more statements a request,
    about a sixth of the fuzz's time on PostgreSQL; the requests that pass see the same data.)"""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.after_server_error: Any = None  # set by `operation_start`

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        statuses: list[int] = []

        def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return self.handler(environ, recording)
        finally:
            if (not statuses or statuses[-1] >= 500) and self.after_server_error is not None:
                self.after_server_error()
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def fuzz_counts(request):
    counts: dict[str, Counter[str]] = {}
    yield counts
    if not counts:
        return
    summary: dict[str, Any] = {role: dict(sorted(c.items())) for role, c in counts.items()}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            for role, c in counts.items():
                reporter.write_line(f"api fuzz [{role}]: {dict(c)} (bench/out/{REPORT.name})")


def _token(username: str) -> str:
    from django.contrib.auth import get_user_model

    from gridgov.people.tokens import issue_token

    return issue_token(get_user_model().objects.get(username=username), "fuzz")[1]


@pytest.fixture(params=FUZZED_ROLES)
def role(request) -> str:
    return request.param


@pytest.fixture
def token(district: District, role: str) -> str:  # noqa: F811
    """The role's bearer token, obtained as a client would."""
    from django.test import Client

    response = Client().post(
        "/api/v1/auth/token",
        {"username": ROLES[role], "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _document() -> dict[str, Any]:
    """What GET /api/v1/openapi.json serves (the same call), built without a request so that
    collecting the tests needs no database."""
    from gridgov.api import api

    return json.loads(json.dumps(api.get_openapi_schema()))


@pytest.fixture(scope="session")
def api_schema() -> Any:
    """The schema the fuzz walks, built when the test runs: collecting the tests builds neither
    the OpenAPI document nor schemathesis's cases."""
    schema = schemathesis.openapi.from_dict(
        _document(),
        config=SchemathesisConfig.from_dict(
            {
                "seed": 2026,
                "generation": {"max-examples": EXAMPLES, "deterministic": True},
                # Off: it mines literals from every module imported so far, so the inputs would
                # depend on which other tests ran first (not reproducible).
                "analysis": {"constants": {"enabled": False}},
            }
        ),
    )
    schema.app = InProcess()
    return schema


@pytest.fixture
def operation_start(request, district: District, api_schema: Any) -> Any:  # noqa: F811
    """Each operation starts from the district as the test got it, as when each was a test of
    its own: the changes of the operation before are rolled back (a savepoint per operation)
    and the process caches cleared. A 5xx rolls the operation back to its start too."""
    from tests.conftest import clear_process_caches

    # schemathesis 4.32's lazy test names its subtests through `node._nodeid`, which pytest 9.2's
    # items no longer have.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    current: dict[str, Any] = {"label": None, "savepoint": None}

    def back() -> None:
        # ROLLBACK TO SAVEPOINT keeps the savepoint: the operation's later cases reuse it.
        transaction.savepoint_rollback(current["savepoint"])
        clear_process_caches()

    def start(label: str) -> None:
        if current["label"] == label:
            return
        if current["savepoint"] is not None:
            back()
        current["label"], current["savepoint"] = label, transaction.savepoint()

    api_schema.app.after_server_error = lambda: back() if current["savepoint"] else None
    yield start
    api_schema.app.after_server_error = None


# One test per fuzzed role; each operation is a subtest of it (schemathesis's lazy schema).
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
# The lazy test sees only the fixtures marked here: one test per role, on the database.
@pytest.mark.usefixtures("role", "district")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, role, token, district, fuzz_counts, operation_start):  # noqa: F811
    operation_start(case.operation.label)
    operation = (case.method.upper(), case.operation.path)
    if operation == ("POST", "/api/v1/readings"):
        token = district.station_token  # ingestion takes the station's token
    elif operation == ("DELETE", "/api/v1/auth/token"):
        token = _token(ROLES[role])  # it revokes the token it is sent with: a spare one
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    counts = fuzz_counts.setdefault(role, Counter())
    counts["requests"] += 1
    counts[f"{response.status_code // 100}xx"] += 1
    case.validate_response(response, checks=CHECKS)
