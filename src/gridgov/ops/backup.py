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

import contextlib
import datetime as dt
import errno
import gzip
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
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
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
    from django.conf import settings

    filename = getattr(getattr(settings.HUEY, "storage", None), "filename", None)
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


def _checksums(staging: Path, members: list[str], report: Progress) -> dict[str, dict]:
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


def _write_archive(part: Path, staging: Path, manifest: dict, report: Progress) -> None:
    step = "Compressing"
    files: dict[str, dict] = manifest["files"]
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


# ---------------------------------------------------------------------------------- restore --


def default_target(data_dir: Path) -> Database:
    """Where `restore` puts the database: PostgreSQL, the configured database; SQLite, the
    configured file when the data dir is the configured one, else DIR/gridgov.sqlite3."""
    from django.conf import settings

    configured = Database.from_settings()
    if configured.engine == "sqlite" and data_dir.resolve() != Path(settings.DATA_DIR).resolve():
        return Database("sqlite", str(data_dir / SQLITE_FILE))
    return configured


def restore_backup(
    path: str | Path,
    data_dir: str | Path,
    *,
    database: Database | None = None,
    progress: Progress | None = None,
) -> RestoreInfo:
    """Restore a backup into an empty data dir (and, for PostgreSQL, an empty database).

    Refuses, with BackupError and nothing written, a target that holds data, an archive that is
    not whole (a checksum differs, a member is missing or added) and an archive of another
    database engine.
    """
    started = time.perf_counter()
    report = progress or _quiet
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    data_dir = Path(data_dir).resolve()
    target = database or default_target(data_dir)
    made_dir = not data_dir.exists()
    staging: Path | None = None
    try:
        try:
            with open(path, "rb") as raw, tarfile.open(fileobj=raw, mode="r:gz") as tar:
                first = tar.next()
                manifest = _read_manifest(tar, first)
                if manifest["engine"] != target.engine:
                    raise BackupError(
                        f"the archive holds a {manifest['engine']} database and this install "
                        f"uses {target.engine} (DATABASE_URL): restore it into an install of "
                        "the same kind"
                    )
                _check_empty(target, data_dir)
                data_dir.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=".gridgov-restore-", dir=data_dir))
                _extract(tar, first, raw, path.stat().st_size, manifest, staging, report)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise BackupError(f"{path}: not a whole gridgov backup ({exc})") from exc
        if target.engine == "sqlite":
            _check_sqlite_copy(staging / SQLITE_MEMBER, manifest["tables"], report)
        info = _put_in_place(staging, manifest, target, data_dir, report)
    except BaseException:
        if made_dir and data_dir.exists():
            shutil.rmtree(data_dir, ignore_errors=True)
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    info.seconds = time.perf_counter() - started
    return info


def _read_manifest(tar: tarfile.TarFile, first: tarfile.TarInfo | None) -> dict:
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError("the archive does not start with manifest.json: not a gridgov backup")
    fh = tar.extractfile(first)
    assert fh is not None
    try:
        manifest = json.loads(fh.read(64 << 20))
    except ValueError as exc:
        raise BackupError(f"manifest.json is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest.json is not a gridgov backup manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"backup format {version!r} is newer than this gridgov reads ({FORMAT_VERSION}): "
            "restore it with the gridgov version that made it "
            f"({manifest.get('gridgov_version', '?')}) or newer"
        )
    engine = manifest.get("engine")
    expected = {"sqlite": SQLITE_MEMBER, "postgresql": PGDUMP_MEMBER}.get(str(engine))
    files = manifest.get("files")
    tables = manifest.get("tables")
    if expected is None or not isinstance(files, dict) or not isinstance(tables, dict):
        raise BackupError("manifest.json lacks the engine, the files or the tables")
    if expected not in files:
        raise BackupError(f"the manifest lists no {expected}")
    for name, meta in files.items():
        parts = PurePosixPath(name).parts
        allowed = name in (expected, QUEUE_MEMBER, KEY_MEMBER) or (
            len(parts) > 1 and parts[0] == MEDIA
        )
        if not allowed or name.startswith("/") or ".." in parts or "\\" in name:
            raise BackupError(f"the manifest names a file a backup does not hold: {name!r}")
        if not isinstance(meta, dict) or not isinstance(meta.get("size"), int):
            raise BackupError(f"the manifest's entry for {name!r} is malformed")
        if not isinstance(meta.get("sha256"), str):
            raise BackupError(f"the manifest's entry for {name!r} is malformed")
    return manifest


def _peek(path: Path) -> sqlite3.Connection:
    """Open a SQLite file to look, writing nothing next to it (no -wal, no -shm): callers first
    make sure no write-ahead log holds data the file lacks."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)


def _sqlite_holds_data(path: Path) -> bool:
    wal = _wal(path)
    if wal.exists() and wal.stat().st_size > 0:
        return True  # committed pages not yet in the file
    if not path.exists():
        return False
    if path.is_file() and path.stat().st_size == 0:
        return False
    try:
        conn = _peek(path)
        try:
            return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:
        return True  # something that is not an empty database: leave it alone


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _shm(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def _check_empty(target: Database, data_dir: Path) -> None:
    refuse = "restore goes only into an empty data directory and database; move it away first"
    if target.engine == "sqlite":
        db = Path(target.name)
        if _sqlite_holds_data(db):
            raise BackupError(f"{db} already holds a database: {refuse}")
    else:
        with target.connect() as conn:
            tables = conn.execute(PG_TABLES).fetchall()
        if tables:
            raise BackupError(
                f"{target.describe()} already holds {len(tables)} table(s): {refuse} "
                "(restore into a new database: createdb NAME, then point DATABASE_URL at it)"
            )
    media = data_dir / MEDIA
    if media.is_dir() and any(p.is_file() or p.is_symlink() for p in media.rglob("*")):
        raise BackupError(f"{media} already holds uploaded files: {refuse}")


def _extract(
    tar: tarfile.TarFile,
    first: tarfile.TarInfo | None,
    raw: IO[bytes],
    archive_size: int,
    manifest: dict,
    staging: Path,
    report: Progress,
) -> None:
    """Stream every member into the staging folder, checking its size and checksum."""
    step = "Reading the archive"
    files: dict[str, dict] = manifest["files"]
    seen: set[str] = set()
    report(step, 0, archive_size)
    for member in tar:
        if member is first:
            continue
        name = member.name
        if name not in files or name in seen:
            raise BackupError(f"{name!r} is not in the manifest: the archive was altered")
        if not member.isfile():
            raise BackupError(f"{name!r} is not a regular file: the archive was altered")
        expected = files[name]
        dest = staging / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        source = tar.extractfile(member)
        assert source is not None
        with open(dest, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
                report(step, min(raw.tell(), archive_size), archive_size)
        if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
            raise BackupError(f"{name}: checksum mismatch, the archive is corrupt")
        seen.add(name)
    missing = sorted(set(files) - seen)
    if missing:
        raise BackupError(f"the archive lacks {', '.join(missing[:5])}: it is incomplete")
    report(step, archive_size, archive_size)


def _check_sqlite_copy(db: Path, tables: dict[str, int], report: Progress) -> None:
    step = CHECK_STEP
    report(step, 0, len(tables))
    conn = _peek(db)  # our own copy, in rollback-journal mode
    try:
        counts = sqlite_counts(conn)
    except sqlite3.Error as exc:
        raise BackupError(f"the database in the archive does not open: {exc}") from exc
    finally:
        conn.close()
    if counts != tables:
        raise BackupError("the database's row counts differ from the manifest's")
    report(step, len(tables), len(tables))


def _move(source: Path, dest: Path) -> None:
    """Rename; across file systems, copy beside the destination and rename there."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        tmp = dest.with_name(f".{dest.name}.restore")
        shutil.copy2(source, tmp)
        os.replace(tmp, dest)
        source.unlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _queue_is_empty(path: Path) -> bool:
    wal = _wal(path)
    if wal.exists() and wal.stat().st_size > 0:
        return False
    try:
        conn = _peek(path)
        try:
            for table in ("task", "schedule", "kv"):
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():  # noqa: S608
                    return False
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def _put_in_place(
    staging: Path, manifest: dict, target: Database, data_dir: Path, report: Progress
) -> RestoreInfo:
    """Move the checked files into the data dir, the database last; undo all if a step fails."""
    files: dict[str, dict] = manifest["files"]
    notes: list[str] = []
    undo: list[Callable[[], None]] = []
    aside = staging / "aside"  # what the target held and the restore replaces (empty things)
    aside.mkdir()

    def set_aside(path: Path) -> None:
        if path.exists() or path.is_symlink():
            kept = aside / f"{len(undo)}-{path.name}"
            os.replace(path, kept)
            undo.append(lambda: os.replace(kept, path))

    def replace(source: Path, dest: Path) -> None:
        set_aside(dest)
        undo.append(lambda: _remove(dest))
        _move(source, dest)

    try:
        queue_restored = False
        if QUEUE_MEMBER in files:
            queue = data_dir / QUEUE_MEMBER  # where settings.HUEY keeps it
            if not queue.exists() or _queue_is_empty(queue):
                set_aside(_wal(queue))
                set_aside(_shm(queue))
                replace(staging / QUEUE_MEMBER, queue)
                queue_restored = True
            else:
                notes.append(f"{queue} holds queued tasks; it was kept, not replaced")
        if KEY_MEMBER in files:
            key = data_dir / "secret_key"
            replace(staging / KEY_MEMBER, key)
            key.chmod(0o600)
        elif manifest.get("secret_key") is False:
            notes.append(
                "the backup holds no secret_key file (SECRET_KEY came from the environment): "
                "set the same SECRET_KEY here"
            )
        media_files = sum(1 for name in files if name.startswith(MEDIA + "/"))
        if media_files:
            media = data_dir / MEDIA
            replace(staging / MEDIA, media)  # an empty tree there (checked) is set aside
        if target.engine == "sqlite":
            db = Path(target.name)
            set_aside(_wal(db))  # an empty database's: SQLite would apply them to ours
            set_aside(_shm(db))
            replace(staging / SQLITE_MEMBER, db)
            tables = dict(manifest["tables"])
        else:
            tables = _pg_restore(target, staging / PGDUMP_MEMBER, report)
            if tables != manifest["tables"]:
                differ = sorted(
                    t
                    for t in set(tables) | set(manifest["tables"])
                    if tables.get(t) != manifest["tables"].get(t)
                )
                notes.append(f"row counts differ from the manifest in: {', '.join(differ[:10])}")
    except BaseException:
        for step in reversed(undo):
            with contextlib.suppress(OSError):
                step()
        raise
    return RestoreInfo(
        data_dir=data_dir,
        database=target.describe(),
        engine=target.engine,
        tables=tables,
        media_files=media_files,
        secret_key=KEY_MEMBER in files,
        queue=queue_restored,
        seconds=0.0,
        created_at=str(manifest.get("created_at", "")),
        gridgov_version=str(manifest.get("gridgov_version", "")),
        notes=notes,
    )


def _pg_restore(target: Database, dump: Path, report: Progress) -> dict[str, int]:
    pg_restore = _program("pg_restore")
    step = "Restoring the database (pg_restore)"
    report(step, 0, 0)
    result = subprocess.run(  # noqa: S603  (no shell; our own arguments)
        [
            pg_restore,
            "--single-transaction",  # all or nothing
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={target.conninfo()}",
            str(dump),
        ],
        env=target.program_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            "pg_restore failed; it ran in one transaction, so the database was left as it was: "
            + result.stderr.strip()
        )
    with target.connect() as conn:
        tables = pg_counts(conn)
    report(step, 1, 1)
    return tables
