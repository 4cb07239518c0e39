"""Backup and restore (gridgov.ops): a round trip keeps every row, upload and the secret key; a
backup taken while another thread writes is consistent; restore refuses a target that holds data,
a corrupt or altered archive and an archive of another engine, and leaves nothing behind when it
refuses or fails; the worker's daily backup keeps the newest N."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from gridgov.ops import backup, restore
from gridgov.ops.backup import BackupError, Database, create_backup, prune
from gridgov.ops.restore import restore_backup

TX = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# ----------------------------------------------------------------------------------- helpers --


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Checksum of every file under root, by relative path."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): sha(p) for p in root.rglob("*") if p.is_file()}


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return backup.sqlite_counts(conn)
    finally:
        conn.close()


def jpeg(colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "JPEG")
    return buf.getvalue()


def add_photo(order) -> None:
    from gridgov.workorders.attachments import save_photo

    data = jpeg()
    save_photo(order, SimpleUploadedFile("scene.jpg", data), size=len(data), stage="before")


def source_dir(tmp_path: Path, settings) -> Path:
    """A data dir with a secret key; uploads (settings.MEDIA_ROOT) go into its media folder."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "secret_key").write_text("k" * 60)
    settings.MEDIA_ROOT = src / "media"
    return src


ROOT = Path(__file__).resolve().parent.parent


def released_version() -> str:
    """The newest numbered release in CHANGELOG.md."""
    import re

    found = re.findall(r"^## (\d+)\.(\d+)\.(\d+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    return ".".join(map(str, max(tuple(map(int, v)) for v in found)))


def test_one_version_source():
    """gridgov.__version__ is the version: the package metadata is built from it (pyproject's
    dynamic version), it is the newest release in the changelog, and backups carry it."""
    import tomllib

    import gridgov

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gridgov.__version__"}
    assert gridgov.__version__ == released_version()


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        first = tar.next()
        assert first is not None and first.name == "manifest.json"
        fh = tar.extractfile(first)
        assert fh is not None
        return json.load(fh)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".gridgov-"))


# ----------------------------------------------------------------------- round trip, SQLite --


@TX
def test_round_trip_keeps_every_row_upload_and_the_key(tmp_path, settings, crew, report):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (the PostgreSQL one is below)")
    src = source_dir(tmp_path, settings)
    orders = [report(title=f"工地{i}") for i in range(3)]
    add_photo(orders[0])
    add_photo(orders[1])
    live = Path(connection.settings_dict["NAME"])

    info = create_backup(tmp_path / "b.tar.gz", data_dir=src)

    assert info.path.exists() and info.size == info.path.stat().st_size
    assert info.engine == "sqlite" and info.secret_key and info.media_files == 2
    manifest = manifest_of(info.path)
    assert manifest["tables"] == info.tables == sqlite_counts(live)
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["gridgov_version"] == released_version() != "0.1.0"
    assert set(manifest["files"]) >= {"database.sqlite3", "secret_key"}

    dst = tmp_path / "dst"
    restored = restore_backup(info.path, dst)

    restored_db = dst / "gridgov.sqlite3"
    assert restored.database == str(restored_db)
    counts = sqlite_counts(restored_db)
    assert counts == sqlite_counts(live)  # every table, row for row
    assert counts["workorders_workorder"] == 3
    assert counts["workorders_attachment"] == 2
    assert counts["territory_region"] == 8
    assert tree(dst / "media") == tree(src / "media") and len(tree(src / "media")) == 2
    assert sha(dst / "secret_key") == sha(src / "secret_key")
    assert (dst / "secret_key").stat().st_mode & 0o077 == 0
    assert leftovers(dst) == [] and leftovers(tmp_path) == []
    with sqlite3.connect(restored_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@TX
def test_a_backup_taken_while_another_thread_writes_is_consistent(tmp_path, settings, crew, report):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: the online backup API against live writers")
    src = source_dir(tmp_path, settings)
    written = 0
    progressed = threading.Condition()
    stop = threading.Event()
    failure: list[BaseException] = []

    def writer() -> None:
        nonlocal written
        try:
            while not stop.is_set():
                report(title=f"并发{written}")  # event, order and transitions in one transaction
                with progressed:
                    written += 1
                    progressed.notify_all()
        except BaseException as exc:  # pragma: no cover - reported below
            failure.append(exc)
        finally:
            connection.close()

    def wait_for(n: int) -> None:
        with progressed:
            assert progressed.wait_for(lambda: written >= n or failure, timeout=60)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(3)
        info = create_backup(tmp_path / "live.tar.gz", data_dir=src)
        during = written
        wait_for(during + 2)  # the writer went on after the snapshot
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failure, failure

    dst = tmp_path / "dst"
    restore_backup(info.path, dst)
    db = dst / "gridgov.sqlite3"
    counts = sqlite_counts(db)
    assert counts == info.tables == manifest_of(info.path)["tables"]
    live = sqlite_counts(Path(connection.settings_dict["NAME"]))
    assert 3 <= counts["workorders_workorder"] < live["workorders_workorder"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # No half-written report: each order has its event and its first transition.
        assert counts["workorders_event"] == counts["workorders_workorder"]
        orphans = conn.execute(
            "SELECT count(*) FROM workorders_workorder w WHERE NOT EXISTS "
            "(SELECT 1 FROM workorders_transition t WHERE t.order_id = w.id "
            "AND t.action = 'create')"
        ).fetchone()[0]
        assert orphans == 0


# ----------------------------------------------------- refusals (a standalone SQLite install) --


def small_install(root: Path) -> tuple[Database, Path]:
    """A data dir with a small SQLite database, a key and two uploads, no Django needed."""
    root.mkdir(parents=True)
    db = root / "gridgov.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE region (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO region (name) VALUES (?)", [("东街道",), ("西街道",)])
        conn.executemany("INSERT INTO person (name) VALUES (?)", [("张网格",)] * 5)
    conn.close()
    (root / "secret_key").write_text("s" * 60)
    photos = root / "media" / "orders" / "2026" / "11"
    photos.mkdir(parents=True)
    (photos / "a.jpg").write_bytes(jpeg())
    (photos / "b.jpg").write_bytes(jpeg((0, 0, 200)))
    (photos / "c.part").write_bytes(b"an upload being written")
    return Database("sqlite", str(db)), root


@pytest.fixture
def archive(tmp_path) -> Path:
    database, root = small_install(tmp_path / "install")
    info = create_backup(
        tmp_path / "small.tar.gz",
        database=database,
        data_dir=root,
        media_root=root / "media",
        queue=root / "no-queue",
    )
    assert info.tables == {"person": 5, "region": 2}
    assert info.media_files == 2  # not the .part being written
    return info.path


def restore_into(archive: Path, dst: Path):
    return restore_backup(archive, dst, database=Database("sqlite", str(dst / "gridgov.sqlite3")))


def test_restore_of_a_standalone_install(archive, tmp_path):
    dst = tmp_path / "dst"
    info = restore_into(archive, dst)
    assert sqlite_counts(dst / "gridgov.sqlite3") == {"person": 5, "region": 2}
    assert tree(dst / "media") == {
        k: v for k, v in tree(tmp_path / "install" / "media").items() if not k.endswith(".part")
    }
    assert info.rows == 7 and info.secret_key and not info.queue and info.notes == []


def test_restore_replaces_what_a_fresh_start_left_in_the_data_dir(archive, tmp_path):
    """A new install's first start writes a secret key, an empty queue and an empty media
    folder (and may leave an empty database file): these do not make the target non-empty."""
    from huey.storage import SqliteStorage

    dst = tmp_path / "dst"
    (dst / "media" / "orders").mkdir(parents=True)
    (dst / "secret_key").write_text("fresh")
    (dst / "gridgov.sqlite3").touch()
    SqliteStorage("gridgov", filename=str(dst / "queue.sqlite3"))
    restore_into(archive, dst)
    assert (dst / "secret_key").read_text() == "s" * 60
    assert sqlite_counts(dst / "gridgov.sqlite3") == {"person": 5, "region": 2}
    assert len(tree(dst / "media")) == 2


def test_restore_refuses_a_data_dir_that_holds_a_database(archive, tmp_path):
    dst = tmp_path / "dst"
    small_install(dst)
    before = tree(dst)
    with pytest.raises(BackupError, match="already holds a database"):
        restore_into(archive, dst)
    assert tree(dst) == before and leftovers(dst) == []


def test_restore_refuses_a_data_dir_with_uploads(archive, tmp_path):
    dst = tmp_path / "dst"
    (dst / "media").mkdir(parents=True)
    (dst / "media" / "x.jpg").write_bytes(b"x")
    with pytest.raises(BackupError, match="already holds uploaded files"):
        restore_into(archive, dst)
    assert sorted(p.name for p in dst.iterdir()) == ["media"]


def rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of the archive with change(name, data) -> data applied to each member."""
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(out, "w:gz") as new:
        for member in tar:
            fh = tar.extractfile(member)
            data = change(member.name, fh.read() if fh else b"")
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return out


def test_restore_refuses_an_archive_whose_member_changed(archive, tmp_path):
    def flip(name: str, data: bytes) -> bytes:
        if name.endswith("a.jpg"):
            return data[:-1] + bytes([data[-1] ^ 1])
        return data

    bad = rewrite(archive, tmp_path / "bad.tar.gz", flip)
    dst = tmp_path / "dst"
    with pytest.raises(BackupError, match="checksum mismatch"):
        restore_into(bad, dst)
    assert not dst.exists()  # made by the restore, so removed again


def test_restore_refuses_a_damaged_or_truncated_file(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    damaged = tmp_path / "damaged.tar.gz"
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: len(data) // 2])
    for path in (damaged, truncated, tmp_path / "install" / "secret_key"):
        dst = tmp_path / f"dst-{path.stem}"
        with pytest.raises(BackupError):
            restore_into(path, dst)
        assert not dst.exists()


def test_restore_refuses_a_member_outside_the_manifest_and_a_path_outside_the_dir(
    archive, tmp_path
):
    def add_evil(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["../../evil"] = {"size": 1, "sha256": "0" * 64}
            return json.dumps(manifest).encode()
        return data

    evil = rewrite(archive, tmp_path / "evil.tar.gz", add_evil)
    with pytest.raises(BackupError, match="does not hold"):
        restore_into(evil, tmp_path / "dst")
    assert not (tmp_path / "evil").exists()

    def drop_member(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"].pop("secret_key")
            return json.dumps(manifest).encode()
        return data

    extra = rewrite(archive, tmp_path / "extra.tar.gz", drop_member)
    with pytest.raises(BackupError, match="not in the manifest"):
        restore_into(extra, tmp_path / "dst")


def test_restore_refuses_an_archive_of_another_engine(archive, tmp_path):
    target = Database("postgresql", "gridgov_never_connected", host="127.0.0.1")
    with pytest.raises(BackupError, match="holds a sqlite database"):
        restore_backup(archive, tmp_path / "dst", database=target)
    assert not (tmp_path / "dst").exists()


def test_a_restore_failing_at_the_last_step_undoes_what_it_placed(archive, tmp_path, monkeypatch):
    dst = tmp_path / "dst"
    (dst / "media").mkdir(parents=True)
    (dst / "secret_key").write_text("fresh")
    real_move = restore._move

    def failing_move(source: Path, dest: Path) -> None:
        if dest.name == "gridgov.sqlite3":
            raise OSError("disk full")
        real_move(source, dest)

    monkeypatch.setattr(restore, "_move", failing_move)
    with pytest.raises(OSError, match="disk full"):
        restore_into(archive, dst)
    assert (dst / "secret_key").read_text() == "fresh"
    assert tree(dst / "media") == {} and (dst / "media").is_dir()
    assert not (dst / "gridgov.sqlite3").exists() and leftovers(dst) == []


def test_backup_refuses_to_overwrite_and_leaves_no_partial_file(tmp_path, monkeypatch):
    database, root = small_install(tmp_path / "install")
    kw = {"database": database, "data_dir": root, "media_root": root / "media", "queue": root}
    first = create_backup(tmp_path / "out" / "x.tar.gz", **kw)
    with pytest.raises(BackupError, match="already exists"):
        create_backup(first.path, **kw)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_write_archive", broken)
    with pytest.raises(OSError):
        create_backup(tmp_path / "out" / "y.tar.gz", **kw)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x.tar.gz"]


def test_missing_pg_dump_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump is not on PATH"):
        create_backup(
            tmp_path / "pg.tar.gz",
            database=Database("postgresql", "x", host="127.0.0.1"),
            data_dir=tmp_path,
            media_root=tmp_path / "media",
            queue=tmp_path / "none",
        )
    assert not (tmp_path / "pg.tar.gz").exists()


# ------------------------------------------------------------------------ schedule, pruning --


def test_prune_keeps_the_newest_by_the_time_in_their_names(tmp_path):
    names = [
        "gridgov-backup-20261125-030000.tar.gz",
        "gridgov-backup-20261126-030000.tar.gz",
        "gridgov-backup-20261126-030000-1.tar.gz",
        "gridgov-backup-20261127-030000.tar.gz",
        "notes.txt",
        "gridgov-backup-manual.tar.gz",
    ]
    for name in names:
        (tmp_path / name).write_text(name)
    removed = prune(tmp_path, 2)
    assert sorted(p.name for p in removed) == names[:2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_the_daily_backup_is_due_at_the_hour_china_time_and_can_be_turned_off(settings):
    from huey.contrib.djhuey import HUEY

    from gridgov.ops import tasks

    settings.GRIDGOV_BACKUP_HOUR = 3
    settings.GRIDGOV_BACKUP_KEEP = 7
    settings.GRIDGOV_BACKUP_DIR = Path("backups")
    # The queue's clock is UTC: 03:00 in Shanghai is 19:00 UTC the day before.
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 11, 26, 19, 0))}
    assert "daily_backup" in due
    assert not tasks.backup_due(dt.datetime(2026, 11, 26, 19, 1))
    assert not tasks.backup_due(dt.datetime(2026, 11, 27, 3, 0))
    settings.GRIDGOV_BACKUP_HOUR = 23
    assert tasks.backup_due(dt.datetime(2026, 11, 27, 15, 0))
    settings.GRIDGOV_BACKUP_KEEP = 0
    assert not tasks.backup_due(dt.datetime(2026, 11, 27, 15, 0))
    settings.GRIDGOV_BACKUP_KEEP = 7
    settings.GRIDGOV_BACKUP_DIR = None
    assert not tasks.backup_due(dt.datetime(2026, 11, 27, 15, 0))


@pytest.mark.django_db
def test_the_daily_backup_writes_an_archive_and_keeps_the_newest(tmp_path, settings):
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("no pg_dump")
    from gridgov.ops import tasks

    settings.GRIDGOV_BACKUP_DIR = tmp_path / "backups"
    settings.GRIDGOV_BACKUP_KEEP = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRIDGOV_BACKUP_DIR.mkdir()
    for day in (24, 25):
        (settings.GRIDGOV_BACKUP_DIR / f"gridgov-backup-202611{day}-030000.tar.gz").touch()
    tasks.daily_backup.call_local()
    kept = sorted(p.name for p in settings.GRIDGOV_BACKUP_DIR.iterdir())
    assert len(kept) == 2 and kept[0] == "gridgov-backup-20261125-030000.tar.gz"
    assert (
        manifest_of(settings.GRIDGOV_BACKUP_DIR / kept[1])["engine"]
        == backup.ENGINES[connection.settings_dict["ENGINE"]]
    )


def settings_probe(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_BACKUP_")}
    code = (
        "import gridgov.settings as s; "
        "print(s.GRIDGOV_BACKUP_DIR, s.GRIDGOV_BACKUP_HOUR, s.GRIDGOV_BACKUP_KEEP)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_backup_settings_defaults_and_bad_values(tmp_path):
    base = {"GRIDGOV_DATA_DIR": str(tmp_path)}
    ok = settings_probe(base)
    assert ok.stdout.split() == [str(tmp_path / "backups"), "3", "7"], ok.stderr
    off = settings_probe({**base, "GRIDGOV_BACKUP_DIR": ""})
    assert off.stdout.split()[0] == "None", off.stderr
    for name, value in [
        ("GRIDGOV_BACKUP_HOUR", "25"),
        ("GRIDGOV_BACKUP_HOUR", "three"),
        ("GRIDGOV_BACKUP_KEEP", "-1"),
        ("GRIDGOV_BACKUP_KEEP", "7.5"),
    ]:
        bad = settings_probe({**base, name: value})
        assert bad.returncode != 0 and name in bad.stderr, (name, value, bad.stderr)


# ------------------------------------------------------------------------------ the command --


def test_backup_and_restore_commands(tmp_path):
    gridgov = [sys.executable, "-m", "gridgov.cli"]
    env = {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(tmp_path / "live"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live' / 'gridgov.sqlite3'}",
        "REDIS_URL": "",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*gridgov, *args], env=env, capture_output=True, text=True, timeout=300
        )

    assert run("migrate", "-v0").returncode == 0
    out = tmp_path / "archives"
    for _ in range(3):
        made = run("backup", "-o", f"{out}/", "--keep", "2")
        assert made.returncode == 0, made.stderr
    assert "Backup written" in made.stdout and "rows" in made.stdout
    archives = sorted(out.glob("gridgov-backup-*.tar.gz"))
    assert len(archives) == 2

    restored = run("restore", str(archives[-1]), "--data-dir", str(tmp_path / "new"))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup" in restored.stdout
    assert sqlite_counts(tmp_path / "new" / "gridgov.sqlite3") == sqlite_counts(
        tmp_path / "live" / "gridgov.sqlite3"
    )
    again = run("restore", str(archives[-1]), "--data-dir", str(tmp_path / "new"))
    assert again.returncode != 0 and "already holds a database" in again.stderr
    into_live = run("restore", str(archives[-1]))  # the configured data dir: it has a database
    assert into_live.returncode != 0 and "already holds a database" in into_live.stderr
    missing = run("restore", str(tmp_path / "none.tar.gz"))
    assert missing.returncode != 0 and "no such file" in missing.stderr


# ---------------------------------------------------------------------------------- PostgreSQL --


def pg_server() -> Database | None:
    """A PostgreSQL server to make scratch databases on (GRIDGOV_TEST_PG_URL), if one answers."""
    import dj_database_url

    url = os.environ.get("GRIDGOV_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    s = dj_database_url.parse(url)
    server = Database(
        "postgresql",
        s["NAME"],
        str(s.get("HOST") or ""),
        str(s.get("PORT") or ""),
        str(s.get("USER") or ""),
        str(s.get("PASSWORD") or ""),
        {"connect_timeout": 2},
    )
    try:
        server.connect().close()
    except BackupError:
        return None
    return server


def scratch(server: Database, suffix: str) -> Database:
    name = f"gridgov_backup_{suffix}_{os.getpid()}"
    with server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return replace(server, name=name)


def drop(server: Database, db: Database) -> None:
    with server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


def pg_counts(db: Database) -> dict[str, int]:
    with db.connect() as conn:
        return backup.pg_counts(conn)


needs_pg_programs = pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="pg_dump/pg_restore not installed",
)


@needs_pg_programs
def test_postgresql_round_trip_on_scratch_databases(tmp_path):
    server = pg_server()
    if server is None:
        pytest.skip("no PostgreSQL server (GRIDGOV_TEST_PG_URL)")
    source, target = scratch(server, "src"), scratch(server, "dst")
    try:
        with source.connect() as conn:
            conn.execute("CREATE TABLE region (id serial PRIMARY KEY, name text NOT NULL)")
            conn.execute(
                "CREATE TABLE person (id serial PRIMARY KEY, region_id int REFERENCES region)"
            )
            conn.execute("INSERT INTO region (name) SELECT 'r' || g FROM generate_series(1, 40) g")
            conn.execute(
                "INSERT INTO person (region_id) SELECT 1 + g % 40 FROM generate_series(1, 500) g"
            )
        src = tmp_path / "src"
        (src / "media" / "orders").mkdir(parents=True)
        (src / "media" / "orders" / "p.jpg").write_bytes(jpeg())
        (src / "secret_key").write_text("p" * 60)
        info = create_backup(
            tmp_path / "pg.tar.gz",
            database=source,
            data_dir=src,
            media_root=src / "media",
            queue=src / "none",
        )
        assert info.engine == "postgresql" and info.tables == {"person": 500, "region": 40}
        assert "database.pgdump" in manifest_of(info.path)["files"]

        dst = tmp_path / "dst"
        restored = restore_backup(info.path, dst, database=target)
        assert restored.notes == []
        assert pg_counts(target) == pg_counts(source) == info.tables
        assert tree(dst / "media") == tree(src / "media")
        assert sha(dst / "secret_key") == sha(src / "secret_key")

        with pytest.raises(BackupError, match="already holds 2 table"):
            restore_backup(info.path, tmp_path / "dst2", database=target)
        assert not (tmp_path / "dst2").exists()
        sqlite_target = Database("sqlite", str(tmp_path / "dst3" / "gridgov.sqlite3"))
        with pytest.raises(BackupError, match="holds a postgresql database"):
            restore_backup(info.path, tmp_path / "dst3", database=sqlite_target)
    finally:
        drop(server, source)
        drop(server, target)


@TX
@needs_pg_programs
def test_postgresql_round_trip_of_the_test_database(tmp_path, settings, crew, report):
    """On the PostgreSQL suite: pg_dump the test database (test_test), restore into a scratch
    database beside it, and compare every table."""
    if connection.vendor != "postgresql":
        pytest.skip("runs on the PostgreSQL suite (DATABASE_URL=postgres://...)")
    src = source_dir(tmp_path, settings)
    orders = [report(title=f"工地{i}") for i in range(3)]
    add_photo(orders[2])
    live = Database.from_settings()
    server = replace(live, name="postgres")
    target = scratch(server, "rt")
    try:
        info = create_backup(tmp_path / "pg.tar.gz", data_dir=src)
        assert info.engine == "postgresql" and info.tables["workorders_workorder"] == 3
        dst = tmp_path / "dst"
        restored = restore_backup(info.path, dst, database=target)
        assert restored.notes == []
        counts = pg_counts(target)
        assert counts == pg_counts(live) == info.tables
        assert counts["workorders_attachment"] == 1 and counts["territory_region"] == 8
        assert tree(dst / "media") == tree(src / "media") and len(tree(dst / "media")) == 1
        assert sha(dst / "secret_key") == sha(src / "secret_key")
    finally:
        drop(server, target)
