"""部署检查 (`gridgov check-deploy`): what in this installation's configuration is wrong for the
deployment it is meant to be, one line per check — ok, warn or fail — with the fix.

The deployment's shape (how many `gridgov serve` instances, `gridgov hj212` receivers and
`gridgov worker`s share the database) comes from GRIDGOV_DEPLOYMENT ("web=2,hj212=2,worker=1")
or the command's options; one machine running one `gridgov serve` is the embedded default, where
SQLite and no Redis are right. Several instances need PostgreSQL and Redis: the cache, the Huey
queue, the per-client limits and the token caches are otherwise each process's own.

Everything is read from the settings and the databases as they are now; nothing is changed.
Django's own `gridgov check --deploy` covers the HTTP security headers and cookies.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

Status = Literal["ok", "warn", "fail"]
REPLICA = "replica"
# Files every page or PDF needs that `make vendor` installs (npm) and git does not hold.
VENDOR_FILES = ("vendor/leaflet/leaflet.js", "vendor/echarts/echarts.min.js")
# Database connections one process may hold at once, beside a web instance's threads.
RECEIVER_CONNECTIONS = 5  # the store thread, the status writer, the command poller, refreshes
WORKER_CONNECTIONS = 4  # Huey's worker threads (2), its scheduler, the alarm-order thread
SPARE_CONNECTIONS = 10  # migrations, backups, an operator's psql, check-deploy itself
# A partitioned table should hold a partition reaching this far past now.
PARTITIONS_AHEAD = dt.timedelta(days=7)


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name:<20} {self.message}"
        return f"{text}  → {self.fix}" if self.fix and self.status != "ok" else text


@dataclass(frozen=True)
class Deployment:
    """How many instances of each process share this database."""

    web: int = 1
    receivers: int = 0
    workers: int = 0

    @property
    def scaled_out(self) -> bool:
        return self.web > 1 or self.receivers > 1 or self.workers > 1

    def describe(self) -> str:
        return f"web={self.web}, hj212={self.receivers}, worker={self.workers}"


def parse_deployment(text: str) -> Deployment:
    """ "web=2,hj212=2,worker=1" → Deployment; a bad entry is a ValueError naming it."""
    counts = {"web": 1, "hj212": 0, "worker": 0}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in counts or not value.strip().isdigit():
            raise ValueError(
                f"GRIDGOV_DEPLOYMENT is web=N,hj212=N,worker=N (whole numbers), got {part!r}"
            )
        counts[key] = int(value)
    return Deployment(counts["web"], counts["hj212"], counts["worker"])


def run_checks(deployment: Deployment) -> list[Check]:
    checks = [
        secret_key(deployment),
        debug(),
        allowed_hosts(),
        time_zone(),
        database_engine(deployment),
        redis(deployment),
        jobs_in_serve(deployment),
        static_files(),
        media_dir(),
        hj212_port(deployment),
        hj212_proxy(deployment),
        migrations(),
    ]
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        checks += postgresql_settings(deployment)
        checks += partitions()
    checks += replica_checks()
    return checks


def failed(checks: list[Check]) -> bool:
    return any(c.status == "fail" for c in checks)


# --- the process and its files ---


def secret_key(deployment: Deployment) -> Check:
    key = settings.SECRET_KEY
    fix = "SECRET_KEY=50+ random characters in the environment file (secrets.token_urlsafe(50))"
    if key.startswith("django-insecure") or len(key) < 50 or len(set(key)) < 5:
        return Check("secret-key", "fail", "SECRET_KEY is short, repetitive or a default", fix)
    kept = Path(settings.DATA_DIR) / "secret_key"
    if kept.is_file() and kept.read_text().strip() == key:
        status: Status = "warn" if deployment.scaled_out else "ok"
        return Check(
            "secret-key",
            status,
            "SECRET_KEY generated into the data dir: processes on other machines would make "
            "their own (sessions and tokens signed on one rejected by another)",
            fix,
        )
    return Check("secret-key", "ok", "SECRET_KEY set")


def debug() -> Check:
    if settings.DEBUG:
        return Check(
            "debug", "fail", "DEBUG is on: error pages show settings and code", "DEBUG=false"
        )
    return Check("debug", "ok", "DEBUG off")


def allowed_hosts() -> Check:
    hosts = list(settings.ALLOWED_HOSTS)
    fix = "ALLOWED_HOSTS=the site's names, comma-separated (e.g. gridgov.example.gov.cn)"
    if not hosts:
        return Check(
            "allowed-hosts", "fail", "ALLOWED_HOSTS is empty: every request is refused", fix
        )
    if "*" in hosts:
        return Check("allowed-hosts", "fail", "ALLOWED_HOSTS allows any host name", fix)
    local = {"127.0.0.1", "localhost", "[::1]", "::1"}
    if set(hosts) <= local:
        return Check(
            "allowed-hosts",
            "warn",
            "only this machine's names: no other computer can reach it",
            fix,
        )
    return Check("allowed-hosts", "ok", ", ".join(hosts))


def time_zone() -> Check:
    if not settings.USE_TZ:
        return Check(
            "time-zone", "fail", "USE_TZ is off: times are stored without zone", "USE_TZ=True"
        )
    if settings.TIME_ZONE != "Asia/Shanghai":
        return Check(
            "time-zone",
            "warn",
            f"TIME_ZONE is {settings.TIME_ZONE}: days, hours and reports follow China time",
            "TIME_ZONE = 'Asia/Shanghai'",
        )
    return Check("time-zone", "ok", "stored in UTC, days and reports in Asia/Shanghai")


def database_engine(deployment: Deployment) -> Check:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor == "sqlite":
        if deployment.scaled_out:
            return Check(
                "database",
                "fail",
                f"SQLite with several processes ({deployment.describe()}): one file cannot be "
                "shared across machines, and its single writer lock serialises them",
                "DATABASE_URL=postgres://gridgov@db-host/gridgov",
            )
        return Check(
            "database",
            "ok",
            "SQLite: right for one machine; a city's installation uses PostgreSQL",
        )
    return Check("database", "ok", f"{vendor} ({_where(DEFAULT_DB_ALIAS)})")


def redis(deployment: Deployment) -> Check:
    url = settings.REDIS_URL
    if not url:
        if deployment.scaled_out:
            return Check(
                "redis",
                "fail",
                "REDIS_URL unset with several processes: the cache, the Huey queue, the "
                "per-client limits and the token caches would be each process's own",
                "REDIS_URL=redis://redis-host:6379/0",
            )
        return Check("redis", "ok", "none: one process's memory cache, SQLite queue")
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 3) as s:
            s.sendall(b"PING\r\n")
            answer = s.recv(64)
    except OSError as exc:
        return Check(
            "redis",
            "fail",
            f"cannot reach {parts.hostname}:{parts.port}: {exc}",
            "start Redis or fix REDIS_URL",
        )
    if not answer.startswith((b"+PONG", b"-NOAUTH")):
        return Check("redis", "fail", f"unexpected answer to PING: {answer!r}", "check REDIS_URL")
    return Check("redis", "ok", f"{parts.hostname}:{parts.port or 6379}{parts.path or ''} answers")


def jobs_in_serve(deployment: Deployment) -> Check:
    if deployment.workers and settings.GRIDGOV_JOBS_IN_SERVE and deployment.web:
        return Check(
            "jobs",
            "warn",
            f"GRIDGOV_JOBS_IN_SERVE is on and {deployment.workers} separate worker(s) run: "
            "each `gridgov serve` starts one more (harmless — every job is locked — but "
            "wasteful)",
            "GRIDGOV_JOBS_IN_SERVE=false (or `gridgov serve --no-jobs`)",
        )
    if not deployment.workers and not settings.GRIDGOV_JOBS_IN_SERVE:
        return Check(
            "jobs",
            "fail",
            "no worker and GRIDGOV_JOBS_IN_SERVE off: no sweeps, escalations, bulletins or "
            "backups run",
            "run `gridgov worker` (gridgov-worker@.service) or GRIDGOV_JOBS_IN_SERVE=true",
        )
    where = f"in {deployment.workers} worker(s)" if deployment.workers else "inside `gridgov serve`"
    return Check("jobs", "ok", f"scheduled jobs run {where}")


def static_files() -> Check:
    fix = "make vendor (npm ci) on the build machine, then deploy the static folder"
    if getattr(settings, "WHITENOISE_USE_FINDERS", False):
        missing = [name for name in VENDOR_FILES if not finders.find(name)]
        where = "the app folders (WHITENOISE_USE_FINDERS)"
    else:
        root = Path(settings.STATIC_ROOT)
        missing = [name for name in VENDOR_FILES if not (root / name).is_file()]
        where = f"STATIC_ROOT {root}"
        fix = "gridgov collectstatic --no-input"
    if missing:
        return Check("static-files", "fail", f"missing from {where}: {', '.join(missing)}", fix)
    return Check("static-files", "ok", f"served from {where}")


def media_dir() -> Check:
    media = Path(settings.MEDIA_ROOT)
    target = media if media.exists() else media.parent
    if not os.access(target, os.W_OK | os.X_OK):
        return Check(
            "media-dir",
            "fail",
            f"{target} is not writable by this user: photos and bulletins cannot be saved",
            "chown -R gridgov: the data dir (GRIDGOV_DATA_DIR)",
        )
    note = "" if media.exists() else " (created at the first upload)"
    return Check("media-dir", "ok", f"{media} writable{note}")


def hj212_port(deployment: Deployment) -> Check:
    port = settings.GRIDGOV_HJ212_PORT
    if not deployment.receivers:
        return Check("hj212-port", "ok", "no receiver in this deployment")
    if port == 0:
        return Check(
            "hj212-port",
            "fail",
            "GRIDGOV_HJ212_PORT=0: each start takes a random port, devices cannot find it",
            "GRIDGOV_HJ212_PORT=8212 (and --port per receiver behind HAProxy)",
        )
    if port < 1024:
        return Check(
            "hj212-port",
            "warn",
            f"port {port} needs root or CAP_NET_BIND_SERVICE",
            "a port above 1023 behind HAProxy, or AmbientCapabilities=CAP_NET_BIND_SERVICE",
        )
    return Check("hj212-port", "ok", f"{settings.GRIDGOV_HJ212_HOST}:{port}")


def hj212_proxy(deployment: Deployment) -> Check:
    """Several receivers stand behind HAProxy: without the PROXY protocol they see every device
    as HAProxy."""
    networks = list(settings.GRIDGOV_HJ212_PROXY_PROTOCOL_FROM)
    if networks:
        return Check("hj212-proxy", "ok", f"PROXY headers required from {', '.join(networks)}")
    if deployment.receivers < 2:
        return Check("hj212-proxy", "ok", "PROXY protocol off (devices connect directly)")
    return Check(
        "hj212-proxy",
        "warn",
        f"{deployment.receivers} receivers behind HAProxy see every device as HAProxy's address"
        " (per-address cap, packet archive, a device's last address)",
        "send-proxy-v2 in HAProxy and GRIDGOV_HJ212_PROXY_PROTOCOL_FROM=HAProxy's address/32"
        " (docs/deploy.md §4)",
    )


def migrations() -> Check:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # an unreachable database is this check's finding
        return Check(
            "migrations", "fail", f"cannot read the migration state: {exc}", "check DATABASE_URL"
        )
    if plan:
        first = plan[0][0]
        return Check(
            "migrations",
            "fail",
            f"{len(plan)} migration(s) not applied (first: {first.app_label}.{first.name})",
            "gridgov migrate",
        )
    return Check("migrations", "ok", "all applied")


# --- PostgreSQL ---


def _where(alias: str) -> str:
    db = settings.DATABASES[alias]
    return f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}/{db.get('NAME')}"


def _fetch(alias: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _pg_setting(alias: str, name: str) -> str:
    return str(_fetch(alias, "SELECT setting FROM pg_settings WHERE name = %s", (name,))[0][0])


def connections_needed(deployment: Deployment) -> int:
    web = deployment.web * settings.GRIDGOV_WEB_CONCURRENCY * 4  # gunicorn workers × 4 threads
    return (
        web
        + deployment.receivers * RECEIVER_CONNECTIONS
        + (deployment.workers + (deployment.web if settings.GRIDGOV_JOBS_IN_SERVE else 0))
        * WORKER_CONNECTIONS
        + SPARE_CONNECTIONS
    )


def postgresql_settings(deployment: Deployment) -> list[Check]:
    out: list[Check] = []
    wal_level = _pg_setting(DEFAULT_DB_ALIAS, "wal_level")
    if wal_level == "minimal":
        out.append(
            Check(
                "pg-wal-level",
                "fail",
                "wal_level=minimal: no WAL archive (point-in-time recovery) and no replica",
                "wal_level = replica (deploy/postgresql/gridgov.conf), restart PostgreSQL",
            )
        )
    else:
        out.append(Check("pg-wal-level", "ok", f"wal_level={wal_level}"))
    archive_mode = _pg_setting(DEFAULT_DB_ALIAS, "archive_mode")
    archive_command = _pg_setting(DEFAULT_DB_ALIAS, "archive_command")
    if archive_mode == "off":
        out.append(
            Check(
                "pg-archive",
                "warn",
                "archive_mode off: a restore goes back to the last dump, not to a chosen minute",
                "archive_mode = on and an archive_command (docs/deploy.md, backups)",
            )
        )
    elif archive_command in ("", "(disabled)"):
        out.append(
            Check(
                "pg-archive",
                "fail",
                "archive_mode on without an archive_command: WAL piles up in pg_wal",
                "archive_command (deploy/postgresql/gridgov.conf)",
            )
        )
    else:
        failed_count = _fetch(DEFAULT_DB_ALIAS, "SELECT failed_count FROM pg_stat_archiver")
        failing = failed_count and failed_count[0][0]
        out.append(
            Check(
                "pg-archive",
                "warn" if failing else "ok",
                f"archive_mode={archive_mode}"
                + (f", {failing} failed archive attempts" if failing else ""),
                "look at pg_stat_archiver.last_failed_wal and the archive folder's space",
            )
        )
    zone = _fetch(DEFAULT_DB_ALIAS, "SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'")
    server_zone = zone[0][0] if zone else "?"
    if server_zone not in ("UTC", "Etc/UTC", "Asia/Shanghai", "PRC", "Etc/GMT-8"):
        out.append(
            Check(
                "pg-timezone",
                "warn",
                f"the server's default TimeZone is {server_zone}: gridgov's connections use UTC, "
                "but an operator's psql shows times in it",
                "timezone = 'Asia/Shanghai' (or 'UTC') in postgresql.conf",
            )
        )
    else:
        out.append(Check("pg-timezone", "ok", f"server default {server_zone}; connections use UTC"))
    max_connections = int(_pg_setting(DEFAULT_DB_ALIAS, "max_connections"))
    needed = connections_needed(deployment)
    text = f"max_connections={max_connections}, this deployment may hold {needed}"
    if max_connections < needed:
        out.append(
            Check(
                "pg-connections",
                "fail",
                text,
                f"max_connections = {needed * 5 // 4} or more (or fewer threads: WEB_CONCURRENCY)",
            )
        )
    else:
        out.append(Check("pg-connections", "ok", text))
    return out


_BOUND = re.compile(r"TO \('([^']+)'\)")


def partitions(now: dt.datetime | None = None) -> list[Check]:
    """Each range-partitioned table (found in the catalogue, whoever made it) holds a partition
    for now and one reaching PARTITIONS_AHEAD past it."""
    now = now or timezone.now()
    tables = _fetch(
        DEFAULT_DB_ALIAS,
        """
        SELECT parent.relname,
               array_agg(pg_get_expr(child.relpartbound, child.oid))
                   FILTER (WHERE child.oid IS NOT NULL)
        FROM pg_partitioned_table p
        JOIN pg_class parent ON parent.oid = p.partrelid
        JOIN pg_namespace ns ON ns.oid = parent.relnamespace AND ns.nspname = current_schema()
        LEFT JOIN pg_inherits i ON i.inhparent = parent.oid
        LEFT JOIN pg_class child ON child.oid = i.inhrelid
        WHERE p.partstrat = 'r'
        GROUP BY parent.relname
        ORDER BY parent.relname
        """,
    )
    if not tables:
        return [Check("partitions", "ok", "no partitioned tables")]
    out = []
    for table, bounds in tables:
        bounds = bounds or []
        has_default = any(b == "DEFAULT" for b in bounds)
        ends = []
        for bound in bounds:
            match = _BOUND.search(bound)
            if match:
                try:
                    ends.append(dt.datetime.fromisoformat(match.group(1)))
                except ValueError:
                    continue
        ends = [e if e.tzinfo else e.replace(tzinfo=dt.UTC) for e in ends]
        last = max(ends, default=None)
        name = f"partitions:{table}"
        fix = "gridgov worker creates them ahead (or the import does); run it, or create them now"
        if last is None:
            out.append(Check(name, "ok", f"{len(bounds)} partition(s), not by time: not checked"))
        elif last <= now:
            status: Status = "warn" if has_default else "fail"
            out.append(
                Check(name, status, f"no partition for now (the last ends {last:%Y-%m-%d})", fix)
            )
        elif last - now < PARTITIONS_AHEAD:
            out.append(
                Check(name, "warn", f"partitions end {last:%Y-%m-%d}: less than a week ahead", fix)
            )
        else:
            out.append(Check(name, "ok", f"{len(bounds)} partitions, ahead to {last:%Y-%m-%d}"))
    return out


# --- the read replica ---


@dataclass(frozen=True)
class Lag:
    bytes: int  # WAL the primary has written that the replica has not replayed
    seconds: float  # since the last replayed transaction, when it is behind; else 0


def replica_lag() -> Lag:
    primary_lsn = _fetch(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()")[0][0]
    behind, seconds = _fetch(
        REPLICA,
        """
        SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),
               EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
        """,
        (primary_lsn,),
    )[0]
    behind = max(0, int(behind or 0))
    return Lag(behind, float(seconds or 0) if behind else 0.0)


def replica_checks() -> list[Check]:
    if REPLICA not in settings.DATABASES:
        return [Check("replica", "ok", "none configured: reports read from the primary")]
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return [
            Check(
                "replica",
                "fail",
                "a replica of a SQLite database cannot stream",
                "DATABASE_URL must be the replica's PostgreSQL primary",
            )
        ]
    try:
        in_recovery = _fetch(REPLICA, "SELECT pg_is_in_recovery()")[0][0]
    except Exception as exc:  # an unreachable replica is this check's finding
        return [
            Check(
                "replica",
                "fail",
                f"cannot reach {_where(REPLICA)}: {str(exc).strip()}",
                "start it or fix DATABASE_REPLICA_URL (reports would fail)",
            )
        ]
    if not in_recovery:
        return [
            Check(
                "replica",
                "fail",
                f"{_where(REPLICA)} is not in recovery: a primary of its own, which the writes "
                "here never reach",
                "point DATABASE_REPLICA_URL at a streaming standby (pg_basebackup -R)",
            )
        ]
    out = [Check("replica", "ok", f"{_where(REPLICA)} streaming (in recovery)")]
    lag = replica_lag()
    limit = settings.GRIDGOV_REPLICA_MAX_LAG_SECONDS
    text = f"replay {lag.bytes} bytes, {lag.seconds:.1f} s behind the primary"
    if lag.seconds > limit:
        out.append(
            Check(
                "replica-lag",
                "warn",
                f"{text} (more than {limit:g} s)",
                "look at the replica's load and network; reports show older figures meanwhile",
            )
        )
    else:
        out.append(Check("replica-lag", "ok", text))
    return out
