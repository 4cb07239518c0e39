"""Backup and restore round trip on the demo district (SQLite): archive size, backup time,
restore time, and whether every table's row count, the uploads and the secret key came back.

    python bench/backup_bench.py [DATA_DIR]

DATA_DIR defaults to a new temporary folder; without a database in it, the demo district is
built there first (`gridgov demo --no-serve`, about two minutes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def main() -> None:
    data_dir = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="gridgov-bk-"))
    data_dir = data_dir.resolve()
    os.environ["GRIDGOV_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["REDIS_URL"] = ""
    db = data_dir / "gridgov.sqlite3"
    if not db.exists():
        print(f"Building the demo district in {data_dir} …")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gridgov.cli", "demo", "--no-serve"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  built in {time.perf_counter() - started:.0f} s")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from gridgov.ops.backup import create_backup, restore_backup, sqlite_counts

    work = Path(tempfile.mkdtemp(prefix="gridgov-bk-bench-"))
    try:
        info = create_backup(work / "demo.tar.gz")
        restored = restore_backup(info.path, work / "restored")
        with sqlite3.connect(db) as live, sqlite3.connect(work / "restored" / db.name) as copy:
            live_counts, copy_counts = sqlite_counts(live), sqlite_counts(copy)
        same_media = tree(data_dir / "media") == tree(work / "restored" / "media")
        same_key = (data_dir / "secret_key").read_bytes() == (
            work / "restored" / "secret_key"
        ).read_bytes()
        db_mb = db.stat().st_size / 1e6
        print(
            f"database {db_mb:,.1f} MB, {len(info.tables)} tables, {info.rows:,} rows "
            f"(air_reading {info.tables.get('air_reading', 0):,}); "
            f"{info.media_files} uploads ({info.media_bytes / 1e6:,.1f} MB)"
        )
        print(
            f"backup:  {info.seconds:5.1f} s -> {info.size / 1e6:,.1f} MB archive "
            f"({info.size / 1e6 / db_mb:.0%} of the database)"
        )
        print(f"restore: {restored.seconds:5.1f} s (checksums verified, counts re-checked)")
        differ = [t for t in live_counts if live_counts[t] != copy_counts.get(t)]
        print(
            f"round trip: row counts {'match' if live_counts == copy_counts else 'DIFFER'} "
            f"in all {len(live_counts)} tables{'' if not differ else ': ' + ', '.join(differ)}; "
            f"uploads {'match' if same_media else 'DIFFER'}; "
            f"secret key {'matches' if same_key else 'DIFFERS'}"
        )
        if live_counts != copy_counts or not same_media or not same_key:
            raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
