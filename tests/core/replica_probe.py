"""Run by test_replica_streaming.py in a child process whose DATABASE_URL is a primary and whose
DATABASE_REPLICA_URL is that primary's streaming replica; prints one JSON object with what each
read and write was served by. Not a test module itself (pytest does not collect it)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import django

django.setup()

from django.core.signals import request_started  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from gridgov.core.dbrouter import replica_reads  # noqa: E402
from gridgov.ops import deploy_check  # noqa: E402
from gridgov.ops.models import JobBeat  # noqa: E402

served: list[str] = []  # the alias of each statement on the probe's table, in order


def spy(alias: str) -> Callable[..., Any]:
    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if "ops_jobbeat" in sql:
            served.append(alias)
        return execute(sql, params, many, context)

    return wrapper


def raw(alias: str, sql: str) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 15) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def replica_rows() -> int:
    if raw("replica", "SELECT to_regclass('ops_jobbeat')")[0] is None:
        return -1
    return int(raw("replica", "SELECT count(*) FROM ops_jobbeat")[0])


def names() -> tuple[list[str], str]:
    """The probe table's names as the ORM reads them here, and which alias served them."""
    rows = sorted(JobBeat.objects.values_list("name", flat=True))
    return rows, served[-1]


def new_request() -> None:
    request_started.send(sender=None)


def main() -> None:
    out: dict[str, Any] = {
        "default_server": list(raw("default", "SELECT pg_is_in_recovery(), inet_server_port()")),
        "replica_server": list(raw("replica", "SELECT pg_is_in_recovery(), inet_server_port()")),
    }
    with connection.schema_editor() as editor:
        editor.create_model(JobBeat)
    JobBeat.objects.create(name="first", at=timezone.now())
    out["first_write"] = served[-1]
    out["first_replayed_after_s"] = round(wait_for(lambda: replica_rows() == 1, "replay"), 3)

    new_request()
    with replica_reads():
        out["in_context"] = names()
    out["outside_context"] = names()

    # Hold the replica's replay: what the primary writes now is not on the replica yet.
    raw("replica", "SELECT pg_wal_replay_pause()")
    wait_for(
        lambda: raw("replica", "SELECT pg_get_wal_replay_pause_state()")[0] == "paused", "pause"
    )
    JobBeat.objects.create(name="second", at=timezone.now())
    out["second_write"] = served[-1]
    with replica_reads():
        out["same_request_after_write"] = names()  # read-your-writes: the primary
    new_request()
    with replica_reads():
        out["next_request_while_paused"] = names()  # the replica, one row behind
    out["next_request_outside_context"] = names()
    out["lag_while_paused"] = [
        (r.name, r.status, r.message) for r in deploy_check.replica_checks() if "lag" in r.name
    ]

    raw("replica", "SELECT pg_wal_replay_resume()")
    out["second_replayed_after_s"] = round(wait_for(lambda: replica_rows() == 2, "replay"), 3)
    new_request()
    with replica_reads():
        out["after_replay"] = names()
    out["replica_checks"] = [(r.name, r.status, r.message) for r in deploy_check.replica_checks()]
    print(json.dumps(out))


if __name__ == "__main__":
    with (
        connections["default"].execute_wrapper(spy("default")),
        connections["replica"].execute_wrapper(spy("replica")),
    ):
        main()
