"""Backup and restore of a whole install in one .tar.gz: the database (SQLite through its online
backup API, PostgreSQL through pg_dump), the Huey queue file, the secret key and the uploads.

A backup is consistent while the server runs. SQLite is copied in one step, which reads one
snapshot (WAL lets the writers carry on meanwhile); pg_dump works in a snapshot exported by the
transaction that counts the rows, so the counts in the manifest are those of the dump. Uploads
are linked in after the database is copied: every file a copied row names is already there.

The archive starts with manifest.json (format, versions, engine, row count per table, size and
sha256 of every other member). A restore goes only into an empty target, reads the whole archive
into a staging folder beside the target and checks every checksum before it puts anything in
place; it then moves the files in, the database last, and undoes what it placed if a later step
fails. pg_restore runs in one transaction, so a failed PostgreSQL restore leaves the database
empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import gridgov

FORMAT = "gridgov-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PGDUMP_MEMBER = "database.pgdump"
QUEUE_MEMBER = "queue.sqlite3"
KEY_MEMBER = "secret_key"
MEDIA = "media"
SQLITE_FILE = "gridgov.sqlite3"  # the database's name in a data dir (settings._database)
COMPRESSLEVEL = 1  # the demo database: level 6 is 30 % slower for 1 % smaller
CHUNK = 1 << 20
NAME_RE = re.compile(r"^gridgov-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$")
ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}
# Django OPTIONS that are libpq connection parameters (others, such as "pool", are not).
LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
    "service",
    "passfile",
}

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): a step's name, the work done and its total (0: not known), in
bytes, or in items for the steps in COUNTED."""
COLLECT_STEP = "Collecting uploads"  # files
CHECK_STEP = "Checking the database"  # tables
COUNTED = {COLLECT_STEP, CHECK_STEP}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the command line."""


def _quiet(step: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class Database:
    """Where the data lives: a SQLite file, or a PostgreSQL database and how to reach it."""

    engine: str  # "sqlite" or "postgresql"
    name: str  # the SQLite file, or the PostgreSQL database's name
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        from django.db import connections

        s = connections[alias].settings_dict  # the test database's name under the test runner
        engine = ENGINES.get(s["ENGINE"])
        if engine is None:
            raise BackupError(f"backups cover SQLite and PostgreSQL, not {s['ENGINE']}")
        return cls(
            engine,
            str(s["NAME"]),
            str(s.get("HOST") or ""),
            str(s.get("PORT") or ""),
            str(s.get("USER") or ""),
            str(s.get("PASSWORD") or ""),
            dict(s.get("OPTIONS") or {}),
        )

    def describe(self) -> str:
        if self.engine == "sqlite":
            return self.name
        return f"PostgreSQL database {self.name!r} on {self.host or 'the local socket'}"

    def conninfo(self) -> str:
        """libpq parameters for psycopg and the PostgreSQL programs (the password apart)."""
        from psycopg.conninfo import make_conninfo

        params = {"dbname": self.name, "host": self.host, "port": self.port, "user": self.user}
        params = {k: v for k, v in params.items() if v}
        params.update({k: str(v) for k, v in self.options.items() if k in LIBPQ_OPTIONS})
        return make_conninfo(**params)

    def program_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password  # not on the command line, where `ps` shows it
        return env

    def connect(self) -> Any:
        import psycopg
        from psycopg.conninfo import make_conninfo

        conninfo = self.conninfo()
        if self.password:
            conninfo = make_conninfo(conninfo, password=self.password)
        try:
            return psycopg.connect(conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot connect to {self.describe()}: {exc}".strip()) from exc


@dataclass
class BackupInfo:
    path: Path
    size: int  # bytes of the archive
    seconds: float
    engine: str
    tables: dict[str, int]  # rows per table
    media_files: int
    media_bytes: int
    secret_key: bool  # the data dir's secret_key file is in the archive
    queue: bool  # the Huey queue file is in the archive
    created_at: dt.datetime

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class RestoreInfo:
    data_dir: Path
    database: str  # where the database went
    engine: str
    tables: dict[str, int]
    media_files: int
    secret_key: bool
    queue: bool
    seconds: float
    created_at: str  # when the backup was made
    gridgov_version: str  # the version that made it
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# ----------------------------------------------------------------------------------- backup --


def local_now() -> dt.datetime:
    from django.conf import settings

    return dt.datetime.now(ZoneInfo(settings.TIME_ZONE))


def archive_name(directory: Path, now: dt.datetime | None = None) -> Path:
    """gridgov-backup-YYYYMMDD-HHMMSS.tar.gz (local time) in the directory, not yet taken."""
    stamp = (now or local_now()).strftime("%Y%m%d-%H%M%S")
    path = directory / f"gridgov-backup-{stamp}.tar.gz"
    n = 0
    while path.exists() or path.with_name(f".{path.name}.part").exists():
        n += 1
        path = directory / f"gridgov-backup-{stamp}-{n}.tar.gz"
    return path


def queue_file() -> Path | None:
    """The SQLite file of the Huey queue, when the queue is SQLite (not Redis)."""
    from huey.contrib.djhuey import HUEY

    filename = getattr(getattr(HUEY, "storage", None), "filename", None)
    return Path(filename) if filename else None


def create_backup(
    path: str | Path,
    *,
    database: Database | None = None,
    data_dir: Path | None = None,
    media_root: Path | None = None,
    queue: Path | None = None,
    progress: Progress | None = None,
) -> BackupInfo:
    """Write a backup of the configured install to `path` (a directory: a dated name in it).

    The arguments default to the settings: DATABASES["default"], DATA_DIR (its secret_key file),
    MEDIA_ROOT and the Huey queue file. The archive appears under its name only when complete.
    """
    from django.conf import settings

    started = time.perf_counter()
    report = progress or _quiet
    database = database or Database.from_settings()
    data_dir = Path(data_dir or settings.DATA_DIR)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    queue = queue if queue is not None else queue_file()
    path = Path(path)
    if path.is_dir():
        path = archive_name(path)
    if path.exists():
        raise BackupError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    created = local_now()
    staging = Path(tempfile.mkdtemp(prefix=".gridgov-backup-", dir=path.parent))
    part = path.with_name(f".{path.name}.part")
    try:
        members: list[str] = []
        if database.engine == "sqlite":
            tables = _copy_sqlite(
                Path(database.name), staging / SQLITE_MEMBER, report, "Copying the database"
            )
            members.append(SQLITE_MEMBER)
        else:
            tables = _pg_dump(database, staging / PGDUMP_MEMBER, report)
            members.append(PGDUMP_MEMBER)
        has_queue = queue is not None and queue.is_file() and queue.stat().st_size > 0
        if has_queue:
            assert queue is not None
            _copy_sqlite(queue, staging / QUEUE_MEMBER, report, "Copying the queue")
            members.append(QUEUE_MEMBER)
        key = data_dir / "secret_key"
        has_key = key.is_file()
        if has_key:
            shutil.copyfile(key, staging / KEY_MEMBER)
            members.append(KEY_MEMBER)
        media = _link_tree(media_root, staging / MEDIA, report)
        members.extend(media)
        files = _checksums(staging, members, report)
        media_bytes = sum(files[m]["size"] for m in media)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "gridgov_version": gridgov.__version__,
            "created_at": created.isoformat(timespec="seconds"),
            "engine": database.engine,
            "database": members[0],
            "tables": tables,
            "rows": sum(tables.values()),
            "queue": has_queue,
            "secret_key": has_key,
            "media": {"files": len(media), "bytes": media_bytes},
            "files": files,
        }
        _write_archive(part, staging, manifest, report)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupInfo(
        path=path,
        size=path.stat().st_size,
        seconds=time.perf_counter() - started,
        engine=database.engine,
        tables=tables,
        media_files=len(media),
        media_bytes=media_bytes,
        secret_key=has_key,
        queue=has_queue,
        created_at=created,
    )


def _copy_sqlite(source: Path, target: Path, report: Progress, step: str) -> dict[str, int]:
    """Copy a live SQLite database with the online backup API; row counts of the copy."""
    if not source.is_file():
        raise BackupError(f"no database at {source} (has `gridgov migrate` run?)")
    size = source.stat().st_size
    report(step, 0, size)
    src = sqlite3.connect(str(source), timeout=60)
    try:
        dst = sqlite3.connect(str(target))
        try:
            # One step (pages=-1) reads one snapshot, so the copy is consistent; a copy in
            # several steps starts again whenever another connection writes, which under
            # steady ingestion may be never-ending. In WAL mode the writers do not wait.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            tables = sqlite_counts(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"copying {source} failed: {exc}") from exc
    finally:
        src.close()
    report(step, target.stat().st_size, target.stat().st_size)
    return tables


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of a SQLite database (SQLite's own tables apart)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
    return counts


PG_TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
    ORDER BY 1, 2
"""


def pg_counts(conn: Any) -> dict[str, int]:
    """Rows in every table of a PostgreSQL database (in the connection's transaction)."""
    from psycopg import sql

    counts = {}
    for schema, name in conn.execute(PG_TABLES).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(name)
        )
        key = name if schema == "public" else f"{schema}.{name}"
        counts[key] = conn.execute(query).fetchone()[0]
    return counts


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client programs of the server's "
            "major version or newer (Debian: apt install postgresql-client)"
        )
    return found


def _pg_dump(database: Database, target: Path, report: Progress) -> dict[str, int]:
    """pg_dump --format=custom in a snapshot shared with the transaction that counts the rows."""
    pg_dump = _program("pg_dump")
    step = "Dumping the database (pg_dump)"
    report(step, 0, 0)
    with database.connect() as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = pg_counts(conn)
        result = subprocess.run(  # noqa: S603  (no shell; our own arguments)
            [
                pg_dump,
                "--format=custom",
                f"--file={target}",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--dbname={database.conninfo()}",
            ],
            env=database.program_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        conn.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    size = target.stat().st_size
    report(step, size, size)
    return tables


def _link_tree(root: Path, target: Path, report: Progress) -> list[str]:
    """Hard-link (else copy) every upload into the staging folder; their member names."""
    members: list[str] = []
    if not root.is_dir():
        return members
    step = COLLECT_STEP
    report(step, 0, 0)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            source = Path(folder) / name
            if name.endswith(".part") or source.is_symlink() or not source.is_file():
                continue  # an upload being written (attachments.save_photo), or not ours
            relative = source.relative_to(root)
            dest = target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, dest)
            except OSError:  # another file system, or links not allowed
                shutil.copy2(source, dest)
            members.append(f"{MEDIA}/{relative.as_posix()}")
            report(step, len(members), 0)
    report(step, len(members), len(members))
    return members


def _sha256(path: Path, advance: Callable[[int], None]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            advance(len(chunk))
    return digest.hexdigest()


def _checksums(staging: Path, members: list[str], report: Progress) -> dict[str, dict[str, Any]]:
    step = "Checksums"
    total = sum((staging / m).stat().st_size for m in members)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        report(step, done, total)

    report(step, 0, total)
    files = {}
    for member in members:
        path = staging / member
        files[member] = {"size": path.stat().st_size, "sha256": _sha256(path, advance)}
    report(step, total, total)
    return files


class _Counting(io.RawIOBase):
    """A file read through, telling how many bytes went by."""

    def __init__(self, fh: IO[bytes], advance: Callable[[int], None]) -> None:
        self.fh = fh
        self.advance = advance

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.advance(len(data))
        return data


def _tarinfo(name: str, size: int, mtime: float, private: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600 if private else 0o644
    return info


def _write_archive(part: Path, staging: Path, manifest: dict[str, Any], report: Progress) -> None:
    step = "Compressing"
    files: dict[str, dict[str, Any]] = manifest["files"]
    total = sum(f["size"] for f in files.values())
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        report(step, done, total)

    report(step, 0, total)
    mtime = time.time()
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    with tarfile.open(part, "w:gz", compresslevel=COMPRESSLEVEL, format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_tarinfo(MANIFEST, len(data), mtime, False), io.BytesIO(data))
        for member, meta in files.items():
            private = not member.startswith(MEDIA + "/")  # the key, the database
            with open(staging / member, "rb") as fh:
                info = _tarinfo(member, meta["size"], mtime, private)
                tar.addfile(info, _Counting(fh, advance))
    report(step, total, total)


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest gridgov-backup-*.tar.gz in the directory (by the time in
    their names; other files are left alone). Returns the deleted ones."""
    if keep < 1:
        raise ValueError("keep must be at least 1")

    def when(path: Path) -> tuple[str, int]:
        match = NAME_RE.match(path.name)
        assert match is not None
        return match.group(1), int(match.group(2) or 0)

    archives = sorted(
        (p for p in directory.glob("gridgov-backup-*.tar.gz") if NAME_RE.match(p.name)), key=when
    )
    old = archives[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def scheduled_backup() -> tuple[BackupInfo, list[Path]] | None:
    """The worker's daily job: a backup into GRIDGOV_BACKUP_DIR, keeping GRIDGOV_BACKUP_KEEP."""
    from django.conf import settings

    directory = settings.GRIDGOV_BACKUP_DIR
    keep = settings.GRIDGOV_BACKUP_KEEP
    if not directory or keep < 1:
        return None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    info = create_backup(archive_name(directory))
    return info, prune(directory, keep)
