"""One migrated test database per run, cloned for each pytest-xdist worker.

Migrating an empty database took 15-20 s before the migrations were squashed (a few seconds
now); each xdist worker used to pay it. Now the first worker to get the lock migrates a template
database (SQLite: a file in the temporary directory; PostgreSQL: a database named after the
run), and every worker, that one included, takes a copy of it with Django's own
`clone_test_db` (SQLite: a file copy; PostgreSQL: CREATE DATABASE ... WITH TEMPLATE). The last
worker out drops the template. A file lock (fcntl) orders the workers; the run's id
(PYTEST_XDIST_TESTRUNUID) keeps concurrent runs apart.

Migrations are run once per run, from scratch (each app's squashed migration): nothing is cached
across runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ALIAS = "default"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _template_name(connection: Any, run: str) -> str:
    if connection.vendor == "sqlite":
        return str(Path(tempfile.gettempdir()) / f"gridgov-test-{run}.sqlite3")
    return f"test_{connection.settings_dict['NAME']}_{run}"[:50]


def _state(run: str) -> Path:
    state = Path(tempfile.gettempdir()) / f"gridgov-test-template-{run}"
    state.mkdir(exist_ok=True)
    return state


def setup(run: str, worker: str, verbosity: int, serialize: bool) -> str:
    """Point the default database at this worker's clone of the run's template (migrated here
    if no worker has yet); answers the database name to restore at teardown."""
    from django.conf import settings
    from django.db import connections

    connection = connections[ALIAS]
    old_name = connection.settings_dict["NAME"]
    template = _template_name(connection, run)
    state = _state(run)
    with _locked(state / "lock"):
        ready, users = state / "ready", state / "users"
        if not ready.exists():
            connection.settings_dict.setdefault("TEST", {})["NAME"] = template
            connection.creation.create_test_db(
                verbosity=verbosity, autoclobber=True, serialize=False
            )
            ready.write_text(template)
        else:
            connection.settings_dict["NAME"] = template
        connection.close()  # SQLite: the file whole (no write-ahead log left); PostgreSQL: unused
        connection.creation.clone_test_db(suffix=worker, verbosity=verbosity, autoclobber=True)
        users.write_text(str(int(users.read_text() or "0") + 1 if users.exists() else 1))
    connection.close()
    connection.settings_dict.update(connection.creation.get_test_db_clone_settings(worker))
    settings.DATABASES[ALIAS]["NAME"] = connection.settings_dict["NAME"]
    if serialize:  # what create_test_db keeps for serialized_rollback tests
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    return old_name


def teardown(run: str, old_name: str, verbosity: int) -> None:
    """Drop this worker's clone; the last worker out drops the template too."""
    from django.db import connections

    connection = connections[ALIAS]
    end_stray_sessions(connection)
    connection.creation.destroy_test_db(old_name, verbosity=verbosity)
    state = _state(run)
    with _locked(state / "lock"):
        users = state / "users"
        left = int(users.read_text() or "1") - 1
        users.write_text(str(left))
        ready = state / "ready"
        if left == 0 and ready.exists():
            connection.creation._destroy_test_db(ready.read_text(), verbosity)
            ready.unlink()


def end_stray_sessions(connection: Any) -> None:
    """PostgreSQL: a session that a test's thread left open on this worker's database would make
    the DROP DATABASE at the very end fail (and with it the run). Each one is reported on the
    terminal with its last query, so the leak stays visible, and ended."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, state, query in cursor.fetchall():
            sys.__stderr__.write(f"\na test left a database session open ({state}): {query}\n")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def xdist_run() -> tuple[str, str] | None:
    """(run id, worker id) under pytest-xdist, else None (one process: nothing to share)."""
    run, worker = os.environ.get("PYTEST_XDIST_TESTRUNUID"), os.environ.get("PYTEST_XDIST_WORKER")
    return (run[:12], worker) if run and worker else None
