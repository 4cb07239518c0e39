"""Restoring a backup (恢复): checks of the archive and the target, then the swap into place."""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from gridgov.ops.backup import (
    CHECK_STEP,
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    KEY_MEMBER,
    MANIFEST,
    MEDIA,
    PG_TABLES,
    PGDUMP_MEMBER,
    QUEUE_MEMBER,
    SQLITE_FILE,
    SQLITE_MEMBER,
    BackupError,
    Database,
    RestoreInfo,
    _program,
    _quiet,
    pg_counts,
    sqlite_counts,
)

if TYPE_CHECKING:
    from gridgov.ops.backup import Progress


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


def _read_manifest(tar: tarfile.TarFile, first: tarfile.TarInfo | None) -> dict[str, Any]:
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
            tables: int = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            return tables > 0
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
    manifest: dict[str, Any],
    staging: Path,
    report: Progress,
) -> None:
    """Stream every member into the staging folder, checking its size and checksum."""
    step = "Reading the archive"
    files: dict[str, dict[str, Any]] = manifest["files"]
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
    staging: Path, manifest: dict[str, Any], target: Database, data_dir: Path, report: Progress
) -> RestoreInfo:
    """Move the checked files into the data dir, the database last; undo all if a step fails."""
    files: dict[str, dict[str, Any]] = manifest["files"]
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
