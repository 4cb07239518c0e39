#!/bin/bash
# Live check of deploy/haproxy/gridgov.cfg on one machine: two `gridgov serve` and two
# `gridgov hj212` behind HAProxy (every port shifted by 10000, so nothing installed is touched);
# HTTP and device connections through it, a device's real address seen by the receivers through
# the PROXY protocol (send-proxy-v2), then a receiver and a web instance killed (kill -9).
#   GRIDGOV_DATA_DIR=/path/to/a/migrated/data/dir deploy/haproxy/smoke.sh
# GRIDGOV: the gridgov command (default: the one on PATH). Needs curl and haproxy.
set -u
: "${GRIDGOV_DATA_DIR:?set GRIDGOV_DATA_DIR to a data dir whose database is migrated}"
export GRIDGOV_DATA_DIR SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
export ALLOWED_HOSTS=gridgov.example.gov.cn GRIDGOV_JOBS_IN_SERVE=false GRIDGOV_PACKET_ARCHIVE_DIR=
# The receivers trust HAProxy (loopback here) to name the devices; a silent device is closed
# after 4 s (and logged with its address: what the receivers believe it is).
export GRIDGOV_HJ212_PROXY_PROTOCOL_FROM=127.0.0.1/32 GRIDGOV_HJ212_FIRST_PACKET_SECONDS=4
G=${GRIDGOV:-gridgov}
CFG=$(cd "$(dirname "$0")" && pwd)/gridgov.cfg
L=$(mktemp -d /tmp/gridgov-haproxy-smoke.XXXXXX)
pids=()
for p in 18001 18002; do $G serve --no-jobs --host 127.0.0.1 --port $p --workers 1 --threads 2 >$L/web$p.log 2>&1 & pids+=($!); echo "web $p pid $!"; done
for p in 19212 19213; do $G hj212 --host 127.0.0.1 --port $p --stats-every 0 >$L/hj$p.log 2>&1 & pids+=($!); echo "hj212 $p pid $!"; done
sed -e 's/^    bind :80$/    bind 127.0.0.1:18080/' -e 's/^    bind :8212$/    bind 127.0.0.1:18212/' \
    -e 's/127.0.0.1:8001/127.0.0.1:18001/; s/127.0.0.1:8002/127.0.0.1:18002/; s/127.0.0.1:9212/127.0.0.1:19212/; s/127.0.0.1:9213/127.0.0.1:19213/' \
    -e 's/127.0.0.1:8404/127.0.0.1:18404/' -e 's/^    maxconn 60000/    maxconn 5000/' -e '/^    log \/dev\/log/d; /^    chroot/d; /^    stats socket/d; /^    user /d; /^    group /d; /^    daemon/d' \
    "$CFG" > $L/haproxy.cfg
haproxy -c -f $L/haproxy.cfg | tail -1
haproxy -db -f $L/haproxy.cfg >$L/haproxy.log 2>&1 & HP=$!; echo "haproxy pid $HP"
status() { curl -s "http://127.0.0.1:18404/;csv" | awk -F, '$2 ~ /^(web|hj)/ {printf "%s=%s(scur %s) ", $2, $18, $5} END {print ""}'; }
for i in $(seq 1 180); do sleep 1; s=$(status); case "$s" in *DOWN*|*"no check"*|"") ;; *) [ $(echo "$s" | grep -o UP | wc -l) = 4 ] && break;; esac; done
echo "after ${i}s: $(status)"
for i in 1 2 3 4; do curl -s -o /dev/null -w "GET /healthz via HAProxy: %{http_code}\n" -H "Host: gridgov.example.gov.cn" http://127.0.0.1:18080/healthz; done
# A device on 127.0.0.5 (HAProxy's client address) that sends nothing: the receiver it lands on
# closes it after 4 s and logs the address from HAProxy's PROXY header, not HAProxy's own.
python3 -c 'import socket, time; s = socket.create_connection(("127.0.0.1", 18212), source_address=("127.0.0.5", 0)); time.sleep(6)'
echo "receiver log: $(grep -h "closed_first_packet from" $L/hj*.log)"
python3 - <<'PY' &
import socket, time
socks = [socket.create_connection(("127.0.0.1", 18212)) for _ in range(4)]
time.sleep(60)
PY
CL=$!
sleep 2; echo "4 device connections open: $(status)"
kill -9 ${pids[2]}; echo "kill -9 the receiver on 19212"
for i in $(seq 1 30); do sleep 1; status | grep -q "hj9212=DOWN" && break; done
echo "after ${i}s: $(status)"
python3 -c '
import socket, time
s=[socket.create_connection(("127.0.0.1", 18212)) for _ in range(2)]
time.sleep(2)' &
sleep 1; echo "2 new device connections: $(status)"
kill -9 ${pids[0]}; echo "kill -9 the web instance on 18001"
for i in 1 2 3 4; do curl -s -o /dev/null -w "GET /healthz via HAProxy: %{http_code}\n" -H "Host: gridgov.example.gov.cn" http://127.0.0.1:18080/healthz; done
for i in $(seq 1 30); do sleep 1; status | grep -q "web8001=DOWN" && break; done
echo "after ${i}s: $(status)"
kill $CL 2>/dev/null; kill $HP; for p in "${pids[@]}"; do kill $p 2>/dev/null; done; sleep 25
for p in "${pids[@]}" $HP; do kill -0 $p 2>/dev/null && { echo "still alive: $p"; kill -9 $p; }; done
echo "PROXY headers read by the receivers (relayed: devices; local: HAProxy's health checks):"
grep -ho '"proxy": {[^}]*}' $L/hj*.log
echo "done (logs in $L)"
