"""`gridgov check-deploy` (ops/deploy_check.py): a misconfigured installation gets one failing line
per mistake with its fix and a non-zero exit; a sound one passes."""

from __future__ import annotations

import datetime as dt
import io
import secrets

import pytest
from django.core.management import call_command
from django.db import connection

from gridgov.ops import deploy_check
from gridgov.ops.deploy_check import Deployment, parse_deployment

pytestmark = pytest.mark.django_db

GOOD = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": False,
    "ALLOWED_HOSTS": ["gridgov.example.gov.cn"],
    "GRIDGOV_DEPLOYMENT": "",
    "GRIDGOV_JOBS_IN_SERVE": True,
}


def check_deploy(*args: str) -> tuple[int, dict[str, str], str]:
    """(exit status, {check name: status}, output)."""
    out = io.StringIO()
    status = 0
    try:
        call_command("check_deploy", *args, stdout=out, no_color=True)
    except SystemExit as exc:
        status = int(exc.code or 0)
    text = out.getvalue()
    lines = [line.split() for line in text.splitlines()]
    found = {words[1]: words[0] for words in lines if words and words[0] in {"ok", "warn", "fail"}}
    return status, found, text


def configure(settings, **changes):
    for name, value in {**GOOD, **changes}.items():
        setattr(settings, name, value)


def test_a_sound_single_machine_installation_passes(settings):
    configure(settings)
    status, found, text = check_deploy()
    assert status == 0, text
    assert "fail" not in found.values(), text
    for name in ("secret-key", "debug", "allowed-hosts", "time-zone", "database", "redis", "jobs"):
        assert found[name] == "ok", text
    assert found["static-files"] == "ok" and found["migrations"] == "ok", text
    assert found["replica"] == "ok", text  # none configured
    assert text.rstrip().endswith(" 0 fail")


def test_a_misconfigured_city_installation_fails_with_each_fix(settings):
    configure(
        settings,
        SECRET_KEY="change-me",
        DEBUG=True,
        ALLOWED_HOSTS=["*"],
        REDIS_URL="",
        GRIDGOV_DEPLOYMENT="web=2,hj212=2,worker=1",
        GRIDGOV_HJ212_PORT=0,
    )
    status, found, text = check_deploy()
    assert status == 1
    for name in ("secret-key", "debug", "allowed-hosts", "redis", "hj212-port"):
        assert found[name] == "fail", text
    assert found["jobs"] == "warn", text  # the serve instances start workers of their own too
    if connection.vendor == "sqlite":
        assert found["database"] == "fail", text
        assert "SQLite with several processes (web=2, hj212=2, worker=1)" in text
    assert "→ DEBUG=false" in text
    assert "→ REDIS_URL=redis://" in text
    assert "deployment: web=2, hj212=2, worker=1" in text


def test_the_options_override_the_deployment_setting(settings):
    configure(settings, GRIDGOV_DEPLOYMENT="web=2,worker=1", REDIS_URL="")
    status, found, _ = check_deploy("--web", "1", "--workers", "0")
    assert found["redis"] == "ok" and found["jobs"] == "ok"
    configure(settings, GRIDGOV_JOBS_IN_SERVE=False)
    status, found, text = check_deploy("--web", "1", "--workers", "0")
    assert status == 1 and found["jobs"] == "fail"
    assert "no worker and GRIDGOV_JOBS_IN_SERVE off" in text


def test_an_unreachable_redis_fails(settings):
    configure(settings, REDIS_URL="redis://127.0.0.1:1/0")
    status, found, text = check_deploy()
    assert status == 1 and found["redis"] == "fail"
    assert "cannot reach 127.0.0.1:1" in text


def test_receivers_behind_haproxy_without_the_proxy_protocol_are_warned(settings):
    configure(settings, GRIDGOV_DEPLOYMENT="web=1,hj212=2", GRIDGOV_HJ212_PROXY_PROTOCOL_FROM=[])
    _, found, text = check_deploy()
    assert found["hj212-proxy"] == "warn", text
    assert "2 receivers behind HAProxy see every device as HAProxy's address" in text
    assert "→ send-proxy-v2 in HAProxy and GRIDGOV_HJ212_PROXY_PROTOCOL_FROM=" in text
    configure(settings, GRIDGOV_HJ212_PROXY_PROTOCOL_FROM=["127.0.0.1/32"])
    _, found, text = check_deploy()
    assert found["hj212-proxy"] == "ok" and "PROXY headers required from 127.0.0.1/32" in text


def test_a_bad_deployment_shape_names_the_variable():
    assert parse_deployment("web=3, hj212=2 ,worker=1") == Deployment(3, 2, 1)
    assert parse_deployment("") == Deployment(1, 0, 0)
    with pytest.raises(ValueError, match="GRIDGOV_DEPLOYMENT is web=N"):
        parse_deployment("web=two")
    with pytest.raises(ValueError, match="'cron=1'"):
        parse_deployment("cron=1")


def test_unapplied_migrations_fail(monkeypatch):
    class Migration:
        app_label, name = "air", "0099_later"

    class Executor:
        def __init__(self, conn):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": list})()})()

        def migration_plan(self, targets):
            return [(Migration(), False)]

    monkeypatch.setattr(deploy_check, "MigrationExecutor", Executor)
    check = deploy_check.migrations()
    assert (check.status, check.fix) == ("fail", "gridgov migrate")
    assert "1 migration(s) not applied (first: air.0099_later)" in check.message


def test_postgresql_settings_are_read_from_the_server(settings):
    if connection.vendor != "postgresql":
        pytest.skip("runs on the PostgreSQL suite (DATABASE_URL=postgres://...)")
    checks = {c.name: c for c in deploy_check.postgresql_settings(Deployment(1, 0, 0))}
    assert set(checks) == {"pg-wal-level", "pg-archive", "pg-timezone", "pg-connections"}
    assert checks["pg-wal-level"].message.startswith("wal_level=")
    # Far more processes than any server allows connections for: a fail naming the number.
    crowd = deploy_check.postgresql_settings(Deployment(web=200, receivers=10, workers=10))
    (too_few,) = [c for c in crowd if c.name == "pg-connections"]
    needed = deploy_check.connections_needed(Deployment(web=200, receivers=10, workers=10))
    assert too_few.status == "fail" and f"may hold {needed}" in too_few.message


def test_partitions_ahead_are_checked_in_the_catalogue():
    if connection.vendor != "postgresql":
        pytest.skip("partitioned tables exist only on PostgreSQL")
    now = dt.datetime(2026, 12, 20, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE probe_series (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)"
        )
        cursor.execute(
            "CREATE TABLE probe_series_2026_12 PARTITION OF probe_series "
            "FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')"
        )
    (check,) = [c for c in deploy_check.partitions(now) if c.name == "partitions:probe_series"]
    assert check.status == "ok" and "ahead to 2027-01-01" in check.message
    (check,) = [
        c
        for c in deploy_check.partitions(now + dt.timedelta(days=8))
        if c.name == "partitions:probe_series"
    ]
    assert check.status == "warn" and "less than a week ahead" in check.message
    (check,) = [
        c
        for c in deploy_check.partitions(now + dt.timedelta(days=30))
        if c.name == "partitions:probe_series"
    ]
    assert check.status == "fail" and "no partition for now" in check.message
