#!/bin/sh
# A base backup for point-in-time recovery, the older ones pruned, and the archived WAL that no
# kept base backup needs removed. Run as postgres (gridgov-pg-basebackup.timer: weekly).
#   pg-basebackup.sh [BACKUP_DIR] [KEEP] [WAL_ARCHIVE]
# BACKUP_DIR (default /var/backups/postgresql/base) gets one folder per backup, named by its UTC
# time, holding base.tar.gz and pg_wal.tar.gz (pg_basebackup -Ft -z -X stream); KEEP (default 4)
# newest are kept; WAL_ARCHIVE (default /var/lib/postgresql/wal-archive) loses the segments
# older than the oldest kept backup's start. The server is found by libpq's PGHOST, PGPORT,
# PGUSER (default: the local socket). Restoring: docs/deploy.md, "Restoring to a moment".
set -eu

BACKUPS=${1:-/var/backups/postgresql/base}
KEEP=${2:-4}
ARCHIVE=${3:-/var/lib/postgresql/wal-archive}

case $KEEP in '' | *[!0-9]* | 0) echo "KEEP must be a whole number of at least 1"; exit 2 ;; esac
mkdir -p "$BACKUPS"
NAME=$(date -u +%Y%m%dT%H%M%SZ)
# Written under a temporary name and renamed when complete: a half-written backup is never
# taken for a good one (nor counted among the kept).
pg_basebackup -D "$BACKUPS/.$NAME.partial" -Ft -z -X stream -c fast
mv "$BACKUPS/.$NAME.partial" "$BACKUPS/$NAME"
echo "base backup $BACKUPS/$NAME: $(du -sh "$BACKUPS/$NAME" | cut -f1)"

# Prune: keep the KEEP newest (the names sort by time).
ls -1 "$BACKUPS" | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort | head -n "-$KEEP" | while read -r old; do
    rm -rf "${BACKUPS:?}/$old"
    echo "removed base backup $old"
done

# The WAL the oldest kept backup starts from: "START WAL LOCATION: 0/2000028 (file 0000…02)".
OLDEST=$(ls -1 "$BACKUPS" | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort | head -n 1)
START=$(tar -xzOf "$BACKUPS/$OLDEST/base.tar.gz" backup_label | sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]*\))$/\1/p')
if [ -n "$START" ] && [ -d "$ARCHIVE" ]; then
    pg_archivecleanup "$ARCHIVE" "$START"
    echo "WAL archive: segments before $START removed ($(ls -1 "$ARCHIVE" | wc -l) files kept)"
fi
