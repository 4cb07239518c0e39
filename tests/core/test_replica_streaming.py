"""Streaming replication between two scratch PostgreSQL clusters (pg_createcluster, pg_basebackup
-R): a gridgov process with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the standby
reads from the standby inside `replica_reads()` and from the primary everywhere else, writes on
the primary, and sees the writes on the standby once they are replayed.

The proof that a read came from the standby: its replay is paused, the primary takes one more
row, and the read inside the context does not see it while the primary's read does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import pgclusters

PROBE = Path(__file__).with_name("replica_probe.py")
ROOT = Path(__file__).resolve().parents[2]


def test_reads_in_replica_reads_come_from_the_streaming_standby(tmp_path):
    version = pgclusters.require_debian_postgresql()
    tag = f"ggrepl{os.getpid()}"
    with pgclusters.scratch_clusters(tag) as made:
        primary = pgclusters.create_cluster(made, version, f"{tag}p")
        pgclusters.start(primary)
        primary.psql("CREATE DATABASE gridgov")
        standby = pgclusters.create_cluster(made, version, f"{tag}s", "hot_standby=on")
        # The standby's files are a base backup of the primary; -R writes standby.signal and
        # primary_conninfo, so it starts as a streaming replica.
        pgclusters.run("find", str(standby.data_dir), "-mindepth", "1", "-delete")
        pgclusters.run(
            "runuser",
            "-u",
            "postgres",
            "--",
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(standby.data_dir),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        pgclusters.start(standby)
        assert standby.psql("SELECT pg_is_in_recovery()") == "t"

        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT),
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "GRIDGOV_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": primary.url("gridgov"),
            "DATABASE_REPLICA_URL": standby.url("gridgov"),
            "SECRET_KEY": "x" * 60,
        }
        result = subprocess.run(
            [sys.executable, str(PROBE)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        seen = json.loads(result.stdout.strip().splitlines()[-1])
        print(json.dumps(seen, ensure_ascii=False))  # shown with pytest -s

    # Which server each alias reached: the primary is not in recovery, the replica is.
    assert seen["default_server"] == [False, primary.port]
    assert seen["replica_server"] == [True, standby.port]
    assert seen["first_write"] == "default"
    # The replayed row is read from the standby inside the context, from the primary outside.
    assert seen["in_context"] == [["first"], "replica"]
    assert seen["outside_context"] == [["first"], "default"]
    # Replay paused, a second row written on the primary:
    assert seen["second_write"] == "default"
    # the request that wrote reads its own write (the primary) even inside the context,
    assert seen["same_request_after_write"] == [["first", "second"], "default"]
    # the next request's report reads the standby, which has not replayed it yet,
    assert seen["next_request_while_paused"] == [["first"], "replica"]
    assert seen["next_request_outside_context"] == [["first", "second"], "default"]
    # and check-deploy's lag check sees the standby behind.
    ((name, status, message),) = seen["lag_while_paused"]
    assert name == "replica-lag" and status == "ok"
    assert int(message.split()[1]) > 0, message  # "replay N bytes, S s behind the primary"
    # Once replay resumes the standby has the write.
    assert seen["after_replay"] == [["first", "second"], "replica"]
    assert seen["second_replayed_after_s"] < 15
    assert [c[:2] for c in seen["replica_checks"]] == [["replica", "ok"], ["replica-lag", "ok"]]
    assert "streaming (in recovery)" in seen["replica_checks"][0][2]


def test_the_clusters_are_gone_afterwards():
    pgclusters.require_debian_postgresql()
    listing = subprocess.run(
        [pgclusters.tool("pg_lsclusters"), "-h"], capture_output=True, text=True, check=True
    ).stdout
    assert f"ggrepl{os.getpid()}" not in listing
