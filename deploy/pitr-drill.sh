#!/bin/sh
# Point-in-time recovery drill (恢复演练) on a scratch PostgreSQL cluster — the procedure of
# docs/deploy.md ("Backups"), run end to end:
#   1. a cluster with deploy/postgresql/gridgov.conf (memory scaled down), archiving its WAL;
#   2. base backups by deploy/pg-basebackup.sh (pg_basebackup -Ft -z, pruned, WAL archive cleaned);
#   3. rows inserted (batch A), the time noted, more rows inserted (batch B);
#   4. the cluster "lost": its data dir wiped, the base backup unpacked, the archived WAL replayed
#      up to the noted time (recovery_target_time);
#   5. batch A is there, batch B is not.
# Run as root on a Debian machine with postgresql-common (pg_createcluster). Touches nothing but
# the scratch cluster (a free port, or PORT=...), its folders under /tmp, and drops them at the
# end, also on failure.   sh deploy/pitr-drill.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=${VERSION:-$(ls /usr/lib/postgresql | sort -n | tail -1)}
NAME=ggpitr$$
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
WORK=$(mktemp -d /tmp/gridgov-pitr.XXXXXX)
ARCHIVE=$WORK/wal-archive
BASE=$WORK/base
CONF=/etc/postgresql/$VERSION/$NAME
DATA=/var/lib/postgresql/$VERSION/$NAME

[ "$(id -u)" = 0 ] || { echo "run as root (pg_createcluster creates the cluster as postgres)"; exit 2; }
command -v pg_createcluster >/dev/null || { echo "needs postgresql-common (pg_createcluster)"; exit 2; }

cleanup() {
    pg_ctlcluster "$VERSION" "$NAME" stop -m immediate >/dev/null 2>&1 || true
    pg_dropcluster "$VERSION" "$NAME" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

say() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
sql() { psql -h 127.0.0.1 -p "$PORT" -U postgres -d "${DB:-drill}" -XAtqc "$1"; }
as_postgres() { runuser -u postgres -- "$@"; }

chown postgres: "$WORK"
as_postgres mkdir "$ARCHIVE"

say "cluster $VERSION/$NAME on port $PORT, WAL archive $ARCHIVE"
pg_createcluster "$VERSION" "$NAME" -p "$PORT" -- --auth=trust --no-sync >/dev/null
cp "$HERE/postgresql/gridgov.conf" "$CONF/conf.d/gridgov.conf"
# The scratch machine is small: memory scaled down, the archive in the scratch folder. Later
# files in conf.d win.
cat >"$CONF/conf.d/zz-drill.conf" <<EOF
shared_buffers = 128MB
effective_cache_size = 512MB
maintenance_work_mem = 64MB
max_wal_size = 1GB
min_wal_size = 80MB
wal_keep_size = 0
max_connections = 20
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
EOF
pg_ctlcluster "$VERSION" "$NAME" start
DB=postgres sql "CREATE DATABASE drill" >/dev/null
say "settings in force: $(sql "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('wal_level', 'archive_mode', 'wal_compression', 'synchronous_commit', 'checkpoint_timeout', 'autovacuum_vacuum_insert_scale_factor')")"
sql "CREATE TABLE reading (id bigserial PRIMARY KEY, batch text NOT NULL, station int NOT NULL,
     at timestamptz NOT NULL DEFAULT now(), pm25 real NOT NULL)"

# Two base backups with deploy/pg-basebackup.sh keeping one: the first is pruned, and the WAL
# the kept one does not need leaves the archive.
as_postgres mkdir "$BASE"
for n in 1 2; do
    say "base backup $n (deploy/pg-basebackup.sh, keep 1)"
    as_postgres env PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres \
        sh "$HERE/pg-basebackup.sh" "$BASE" 1 "$ARCHIVE" | sed 's/^/          /'
    [ "$n" = 1 ] && sleep 1  # the backups are named by the second
done
KEPT=$(ls -1 "$BASE")

sql "INSERT INTO reading (batch, station, pm25) SELECT 'A', s, 30 + s % 50 FROM generate_series(1, 1000) s"
sleep 1
TARGET=$(sql "SELECT now()")
say "batch A: $(sql "SELECT count(*) FROM reading WHERE batch = 'A'") rows committed; noted time $TARGET"
sleep 1
sql "INSERT INTO reading (batch, station, pm25) SELECT 'B', s, 80 + s % 50 FROM generate_series(1, 500) s"
say "batch B: $(sql "SELECT count(*) FROM reading WHERE batch = 'B'") rows committed after it"
# Close the current WAL segment so it is archived now (archive_timeout would within 5 minutes).
SEGMENT=$(sql "SELECT pg_walfile_name(pg_current_wal_lsn())")
sql "SELECT pg_switch_wal()" >/dev/null
for _ in $(seq 1 100); do
    [ -f "$ARCHIVE/$SEGMENT" ] && break
    sleep 0.1
done
[ -f "$ARCHIVE/$SEGMENT" ] || { echo "segment $SEGMENT was not archived"; exit 1; }
say "archived WAL segments: $(ls "$ARCHIVE" | wc -l) (last $SEGMENT); archiver: $(sql "SELECT archived_count || ' archived, ' || failed_count || ' failed' FROM pg_stat_archiver")"

say "disaster: the cluster is stopped and its data dir wiped"
pg_ctlcluster "$VERSION" "$NAME" stop -m immediate
find "$DATA" -mindepth 1 -delete

say "restore: base backup $KEPT unpacked, WAL replayed from the archive up to $TARGET"
as_postgres tar -xzf "$BASE/$KEPT/base.tar.gz" -C "$DATA"
as_postgres tar -xzf "$BASE/$KEPT/pg_wal.tar.gz" -C "$DATA/pg_wal"
cat >"$CONF/conf.d/zz-recovery.conf" <<EOF
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
EOF
as_postgres touch "$DATA/recovery.signal"
pg_ctlcluster "$VERSION" "$NAME" start
for _ in $(seq 1 150); do
    [ "$(DB=postgres sql "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ] && break
    sleep 0.2
done
[ "$(DB=postgres sql "SELECT pg_is_in_recovery()")" = "f" ] || { echo "recovery did not finish"; exit 1; }
# Recovery done: the settings must go, or the next restart would try to recover again.
rm "$CONF/conf.d/zz-recovery.conf"
say "recovered: $(grep -h 'recovery stopping\|archive recovery complete\|database system is ready' /var/log/postgresql/postgresql-"$VERSION"-"$NAME".log | tail -3 | sed 's/^.*LOG: *//' | paste -sd ';' -)"

A=$(sql "SELECT count(*) FROM reading WHERE batch = 'A'")
B=$(sql "SELECT count(*) FROM reading WHERE batch = 'B'")
say "after the restore: batch A $A rows, batch B $B rows"
if [ "$A" = 1000 ] && [ "$B" = 0 ]; then
    say "PITR drill passed: the state at $TARGET, nothing after it"
else
    say "PITR drill FAILED: expected 1000 and 0"
    exit 1
fi
