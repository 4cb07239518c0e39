"""HJ 212 receiver: thousands of device connections catching up faster than real time, the
packet → answer and packet → alarm times, the cost of storing, and a kill -9 under load.

Makes a fresh SQLite database with BENCH_HJ212_DEVICES (2,000) micro-stations (1-minute
interval, MN and PW), starts `gridgov hj212` as a subprocess and drives it with the device
simulator (gridgov.air.hj212.simulator) from this process: one TCP connection per device, each
device sending its successive minutes from 20 hours ago as fast as its answers allow, with at
most BENCH_HJ212_WINDOW (1) unanswered packets — a closed loop that always has a packet
waiting per device, so the offered load is whatever the receiver can take and the latency is
measured at saturation (by Little's law it is about devices × window / answered per second).
Receiver and simulator share this machine's 2 cores.

Phases (BENCH_HJ212_SECONDS each, 30 s by default, after a ramp of devices/500 s):
1. storing: answered packets/s, packet → answer (device's first send → its 9014), and packet →
   alarm: BENCH_HJ212_HOT stations send PM2.5 150–250 and have part of that hour stored
   beforehand, so that their k-th packet (k = 1…10) completes the hour's 45 minutes and raises
   the PM2.5 threshold alarm; Alarm.raised_at (receiver, wall clock) − the simulator's send time
   of that packet (wall clock, same machine);
2. below saturation: the devices paced at 80% of what phase 1 sustained (or at the goal
   rate, 2,000 packets/s, if that is less), window 2: packet → answer and packet → alarm when
   the receiver keeps up (other hot stations, one hour of their own);
3. `--no-store` (parse, check, answer; nothing stored) under the load of phase 1: the ratio says
   what share of the front's capacity storing keeps;
4. kill -9: BENCH_HJ212_KILL_MINUTES (15) minutes per device; when 40% are answered the receiver
   is killed with SIGKILL and restarted; the devices reconnect with back-off and re-send what
   was unanswered. Then the database must hold every (MN, DataTime) the devices saw answered,
   every minute they sent, nothing else, once each, with the values they sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from processes import Process, receiver_args

DEVICES = int(os.environ.get("BENCH_HJ212_DEVICES", "2000"))
SECONDS = float(os.environ.get("BENCH_HJ212_SECONDS", "30"))
WINDOW = int(os.environ.get("BENCH_HJ212_WINDOW", "1"))
HOT = int(os.environ.get("BENCH_HJ212_HOT", "40"))
KILL_MINUTES = int(os.environ.get("BENCH_HJ212_KILL_MINUTES", "15"))
GOAL_RATE = 2000  # answered packets/s
GOAL_ANSWER_MS = 500
GOAL_ALARM_MS = 1000
PORT = int(os.environ.get("BENCH_HJ212_PORT", "8712"))
# BENCH_HJ212_MIX=1: phases 1 and 2 with a realistic mix of loggers (issue 22): 20 % HJ/T
# 212-2005 headers (no QN, no Flag) with 2005-era codes, 10 % with untracked factors (TSP,
# noise, VOCs) beside the six, the rest 2017 — to compare with the 2017-only figure.
MIX = os.environ.get("BENCH_HJ212_MIX", "") not in ("", "0")
# BENCH_HJ212_QUICK=1: phase 1 only (the storing rate), with the raw packet archive's size; run
# it with GRIDGOV_PACKET_ARCHIVE_DIR= (empty: archive off) and without to compare the two.
QUICK = os.environ.get("BENCH_HJ212_QUICK", "") not in ("", "0")
ALIASES_2005 = {"PM25": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}


def mix_quirks(index: int) -> frozenset[str]:
    if index % 10 in (0, 1):
        return frozenset({"header2005", "codes2005"})
    if index % 10 == 2:
        return frozenset({"untracked"})
    return frozenset()


PW = "bench-212"
PREFIX = "BENCH"


def raise_open_files() -> None:
    """Each connection is a descriptor in the simulator and another in the receiver."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = DEVICES * 2 + 512
    if soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
        if limit < DEVICES + 256:
            sys.exit(f"open files limit {limit} is too low for {DEVICES} devices")


def prepare(tmp: Path) -> dict[str, int]:
    """A migrated database with the stations; returns MN → station id."""
    os.environ["GRIDGOV_DATA_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    os.environ["GRIDGOV_HJ212_MAX_CONNECTIONS"] = str(DEVICES + 500)
    # The per-connection packet limit (20/s) is not what is measured: a quick run with few
    # devices sends more than that per device.
    os.environ.setdefault("GRIDGOV_HJ212_RATE", "1000")
    os.environ.setdefault("GRIDGOV_HJ212_BURST", "1000")
    import django

    django.setup()
    from django.core.management import call_command

    from gridgov.air.hj212.devices import hash_password
    from gridgov.air.hj212.sim_config import Config
    from gridgov.air.models import AlarmRule, Station

    with contextlib.redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0)
    AlarmRule.objects.exclude(
        kind__in=os.environ.get("BENCH_RULES", "threshold,stuck").split(",")
    ).update(active=False)
    names = Config(devices=DEVICES, prefix=PREFIX)
    Station.objects.bulk_create(
        [
            Station(
                code=f"J{i:05d}",
                name=f"HJ212 微站 {i}",
                kind="micro",
                lat=35.0 + (i // 50) * 0.004,
                lon=113.0 + (i % 50) * 0.005,
                interval_minutes=1,
                mn=names.mn(i),
                pw_hash=hash_password(PW),
                **({"device_codes": ALIASES_2005} if MIX else {}),
            )
            for i in range(DEVICES)
        ],
        batch_size=500,
    )
    return dict(Station.objects.filter(mn__startswith=PREFIX).values_list("mn", "pk"))


def hot_plan(offset: int = 0) -> dict[int, int]:
    """Hot device index → k: its k-th packet completes the hour's 45 minutes (k = 1…10).
    Each phase has its own hot devices (`offset`): a station's alarm stays open."""
    if not HOT:
        return {}
    step = max(DEVICES // HOT, 2)
    return {i: 1 + r % 10 for r, i in enumerate(range(offset, DEVICES, step))}


def preload_hot(base: dt.datetime, sid_of: dict[str, int], offset: int = 0) -> None:
    """The first 45 − k minutes of the hour for each hot station, stored beforehand."""
    from gridgov.air.hj212.sim_config import Config
    from gridgov.air.hj212.simulator import minute_values
    from gridgov.air.ingest import Batch, ingest
    from gridgov.air.models import POLLUTANT_FIELDS

    names = Config(devices=DEVICES, prefix=PREFIX)
    station, ts, values = [], [], []
    order = ("a34004", "a34002", "a21026", "a21004", "a21005", "a05024")
    for i, k in hot_plan(offset).items():
        for m in range(45 - k):
            minute = base + dt.timedelta(minutes=m)
            v = minute_values(i + 1, minute, hot=True)
            station.append(sid_of[names.mn(i)])
            ts.append(int(minute.timestamp()))
            values.append([v[c] for c in order])
    if not station:
        return
    vals = np.array(values, dtype=float)
    assert vals.shape[1] == len(POLLUTANT_FIELDS)
    batch = Batch(
        np.array(station, np.int64),
        np.array(ts, np.int64),
        vals,
        np.zeros(vals.shape, bool),
        np.arange(len(ts), dtype=np.int64),
    )
    result = ingest(batch, reject_all_on_error=False)
    assert result.stored == len(ts), result


def receiver_of(tmp: Path, store: bool = True) -> Process:
    """`gridgov hj212` as a subprocess (its log: receiver-<start>.log, with its stats lines)."""
    return Process(receiver_args(PORT, store, stats_every=None), tmp, "receiver", PORT)


def config(start: dt.datetime, **options):
    from gridgov.air.hj212.sim_config import Config

    defaults = dict(
        port=PORT,
        devices=DEVICES,
        prefix=PREFIX,
        pw=PW,
        start=start,
        window=WINDOW,
        seconds=SECONDS,
        ramp=DEVICES / 500,
        timeout=5.0,
        drain=30.0,
        backoff=0.5,
        backoff_max=4.0,
    )
    defaults.update(options)
    return Config(**defaults)


def ms(values: list[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if len(values) else float("nan")


def phase(tmp: Path, base: dt.datetime, sid_of: dict[str, int], offset: int, **options) -> dict:
    """Run the devices against a fresh receiver; the alarms of this phase's hot stations, and
    the share of a core the simulator (this process) used."""
    from gridgov.air.hj212 import codec
    from gridgov.air.hj212.simulator import run
    from gridgov.air.models import Alarm

    plan = hot_plan(offset)
    starts = {i: base + dt.timedelta(minutes=45 - k) for i, k in plan.items()}
    if MIX:
        options.setdefault("quirks_of", mix_quirks)
    cfg = config(base, starts=starts, hot=lambda i: i in plan, **options)
    receiver = receiver_of(tmp)
    receiver.start(wait_seconds=60)
    cpu = time.process_time()
    try:
        stats = asyncio.run(run(cfg))
    finally:
        receiver.stop()
    cpu_share = (time.process_time() - cpu) / max(stats.finished - stats.started, 1e-6)
    trigger = codec.stamp(base + dt.timedelta(minutes=44))  # the hour's 45th minute
    sent_at = {sid_of[cfg.mn(i)]: stats.first_sent.get((cfg.mn(i), trigger)) for i in plan}
    alarms = []
    for sid, raised in Alarm.objects.filter(
        rule__kind="threshold", pollutant="pm25", station_id__in=list(sent_at)
    ).values_list("station_id", "raised_at"):
        began = sent_at[sid]
        if began is not None:
            alarms.append(raised.timestamp() - began)
    return {
        "stats": stats,
        "alarms": alarms,
        "hot": len(plan),
        "hot_sent": sum(v is not None for v in sent_at.values()),
        "cpu": cpu_share,
    }


def bare(tmp: Path, base: dt.datetime) -> dict:
    """Phase 3: the receiver with storage switched off, the load of phase 1."""
    from gridgov.air.hj212.simulator import run

    receiver = receiver_of(tmp, store=False)
    receiver.start(wait_seconds=60)
    cpu = time.process_time()
    try:
        stats = asyncio.run(run(config(base)))
    finally:
        receiver.stop()
    cpu_share = (time.process_time() - cpu) / max(stats.finished - stats.started, 1e-6)
    return {"stats": stats, "cpu": cpu_share}


def kill_under_load(tmp: Path, base: dt.datetime, sid_of: dict[str, int]) -> dict:
    """Phase 4: kill -9 the receiver at 40% of the packets answered, restart it, finish."""
    from gridgov.air.hj212.simulator import Simulator

    cfg = config(base, minutes=KILL_MINUTES, seconds=None, drain=120.0)
    total = DEVICES * KILL_MINUTES
    receiver = receiver_of(tmp)
    receiver.start(wait_seconds=60)
    out: dict = {}

    async def main():
        sim = Simulator(cfg)
        running = asyncio.create_task(sim.run())
        while sim.stats.answered < 0.4 * total and not running.done():
            await asyncio.sleep(0.05)
        out["answered_at_kill"] = sim.stats.answered
        out["unanswered_at_kill"] = len(sim.stats.first_sent) - sim.stats.answered
        killed = time.perf_counter()
        receiver.kill9()
        await asyncio.sleep(0.5)  # dead for a moment: connections refused
        out["restart_s"] = await asyncio.to_thread(lambda: receiver.start(wait_seconds=60))
        out["stats"] = await running
        out["recovered_s"] = time.perf_counter() - killed
        return out

    try:
        asyncio.run(main())
    finally:
        receiver.stop()
    stats = out["stats"]
    # What the database holds for the stations and minutes of this phase.
    from django.db import connection

    from gridgov.air.hj212 import codec
    from gridgov.air.hj212.simulator import minute_values

    connection.close()  # a fresh connection sees everything the receiver committed
    lo = int(base.timestamp())
    hi = lo + KILL_MINUTES * 60
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, ts, pm25, COUNT(*) FROM air_reading WHERE ts >= %s AND ts < %s "
            "GROUP BY station_id, ts, pm25",
            [lo, hi],
        )
        rows = cursor.fetchall()
    stored = {(sid, ts): pm25 for sid, ts, pm25, _ in rows}

    def key(k: tuple[str, str]) -> tuple[int, int]:
        return sid_of[k[0]], int(codec.parse_stamp(k[1]).timestamp())

    answered = {key(k) for k in stats.answered_keys}
    sent = {key(k) for k in stats.sent_keys}
    number_of = {sid: int(mn.removeprefix(PREFIX)) for mn, sid in sid_of.items()}
    changed = sum(
        1
        for (sid, ts), pm25 in stored.items()
        if pm25 != minute_values(number_of[sid], dt.datetime.fromtimestamp(ts, dt.UTC))["a34004"]
    )
    out.update(
        total=total,
        answered=len(answered),
        sent=len(sent),
        stored=len(stored),
        missing_answered=len(answered - set(stored)),
        missing_sent=len(sent - set(stored)),
        extra=len(set(stored) - sent),
        duplicates=sum(1 for *_, n in rows if n > 1) + (len(rows) - len(stored)),
        changed=changed,
    )
    return out


def archive_line(tmp: Path) -> str:
    """The raw packet archive the receiver wrote (air/packet_archive.py), or that it was off."""
    from django.conf import settings

    from gridgov.air.archive_models import PacketArchiveDay

    directory = settings.GRIDGOV_PACKET_ARCHIVE_DIR
    if directory is None:
        return "packet archive off"
    size = sum(p.stat().st_size for p in Path(directory).rglob("*.jsonl"))
    records = sum(PacketArchiveDay.objects.values_list("records", flat=True))
    return f"packet archive on: {records:,} records, {size / 1e6:,.1f} MB"


def alarm_line(result: dict, when: str) -> str:
    alarms = result["alarms"]
    if not alarms:
        return (
            f"  packet → alarm {when}: no alarm raised ({result['hot_sent']} hot 45th minutes sent)"
        )
    a99 = ms(alarms, 99)
    return (
        f"  packet → alarm {when} ({len(alarms)} PM2.5 threshold alarms; {result['hot_sent']} of "
        f"{result['hot']} hot stations sent their 45th minute): p50 {ms(alarms, 50):,.0f} ms, "
        f"p99 {a99:,.0f} ms (goal < {GOAL_ALARM_MS:,} ms: {GOAL_ALARM_MS / a99:.2f}x)"
    )


def main() -> None:
    raise_open_files()
    tmp = Path(tempfile.mkdtemp(prefix="gridgov-hj212-"))
    began = time.perf_counter()
    sid_of = prepare(tmp)
    from gridgov.air.models import CST

    # Every phase sends minutes of its own hours, all in the past (20 hours ago onwards).
    hour = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0)
    base = hour - dt.timedelta(hours=20)
    preload_hot(base, sid_of, offset=0)
    preload_hot(base + dt.timedelta(hours=4), sid_of, offset=1)
    setup_s = time.perf_counter() - began

    one = phase(tmp, base, sid_of, 0)
    s1 = one["stats"]
    rate = s1.rate()
    if QUICK:
        print(
            f"HJ 212 receiver, phase 1 only: {DEVICES:,} devices, {SECONDS:.0f} s; answered "
            f"packets/s {rate:,.0f}; packet → answer p50 {s1.percentile(50) * 1000:,.0f} ms, "
            f"p99 {s1.percentile(99) * 1000:,.0f} ms; {archive_line(tmp)}"
        )
        return
    # Phase 2 offers 80% of what phase 1 sustained, or the goal rate if that is less: a load
    # the receiver can keep up with, so the latency is its own and not a queue's.
    offered = min(GOAL_RATE, 0.8 * rate)
    two = phase(
        tmp,
        base + dt.timedelta(hours=4),
        sid_of,
        1,
        rate=offered / DEVICES,
        window=2,
        seconds=max(SECONDS / 2, 10),
    )
    three = bare(tmp, base + dt.timedelta(hours=8))
    four = kill_under_load(tmp, base + dt.timedelta(hours=12), sid_of)

    s2, s3, s4 = two["stats"], three["stats"], four["stats"]
    rate_bare = s3.rate()
    p50, p99 = s1.percentile(50) * 1000, s1.percentile(99) * 1000
    print(
        ("mix: 20 % 2005-era headers, 10 % untracked factors; " if MIX else "")
        + f"HJ 212 receiver (`gridgov hj212`, SQLite): {DEVICES:,} devices on {s1.connections:,} "
        f"TCP connections, each catching up from 20 h ago with {WINDOW} unanswered packet(s) at "
        f"most; receiver and simulator on the same 2 cores; setup {setup_s:.0f} s"
    )
    print(
        f"  answered packets/s: {rate:,.0f} (goal {GOAL_RATE:,}: {rate / GOAL_RATE:.2f}x) over "
        f"{SECONDS:.0f} s after a {DEVICES / 500:.0f} s ramp; {s1.answered:,} answered, "
        f"{s1.resent:,} re-sent, {s1.backfilled:,} back-filled on the receiver's request; "
        f"the simulator used {one['cpu']:.0%} of a core"
    )
    little = DEVICES * WINDOW / rate * 1000 if rate else float("nan")
    print(
        f"  packet → answer at saturation (device's first send → its 9014): p50 {p50:,.0f} ms, "
        f"p99 {p99:,.0f} ms (goal < {GOAL_ANSWER_MS} ms: {GOAL_ANSWER_MS / p99:.2f}x); "
        f"Little's law: {DEVICES * WINDOW:,} packets in flight / {rate:,.0f} per s = "
        f"{little:,.0f} ms"
    )
    print(alarm_line(one, "at saturation"))
    q50, q99 = s2.percentile(50) * 1000, s2.percentile(99) * 1000
    what = "the goal rate" if offered >= GOAL_RATE else "80% of the sustained rate"
    print(
        f"  packet → answer below saturation ({offered:,.0f} packets/s offered = {what}, "
        f"{offered / DEVICES:.2f}/s per device, window 2): {s2.rate():,.0f} answered/s, "
        f"p50 {q50:,.0f} ms, p99 {q99:,.0f} ms (goal < {GOAL_ANSWER_MS} ms: "
        f"{GOAL_ANSWER_MS / q99:.2f}x), {s2.resent:,} re-sent"
    )
    print(alarm_line(two, "below saturation"))
    print(
        f"  without storage (--no-store, same load as the first line): {rate_bare:,.0f} answered "
        f"packets/s, p99 {s3.percentile(99) * 1000:,.0f} ms (simulator {three['cpu']:.0%} of a "
        f"core); storing keeps {rate / rate_bare:.0%} of it (ratio {rate / rate_bare:.2f})"
    )
    k = four
    print(
        f"  kill -9 under load: {k['total']:,} packets ({KILL_MINUTES} minutes × {DEVICES:,} "
        f"devices); killed at {k['answered_at_kill']:,} answered ({k['unanswered_at_kill']:,} "
        f"sent and unanswered); restarted in {k['restart_s']:.1f} s; every device done "
        f"{k['recovered_s']:.1f} s after the kill with {s4.resent:,} re-sends, "
        f"{s4.backfilled:,} back-filled minutes, {s4.connect_failures:,} refused connections"
    )
    ok = (
        k["missing_answered"] == 0
        and k["missing_sent"] == 0
        and k["extra"] == 0
        and k["duplicates"] == 0
        and k["changed"] == 0
        and k["sent"] == k["total"]
    )
    print(
        f"    answered but not stored: {k['missing_answered']} (of {k['answered']:,} answered); "
        f"sent but not stored: {k['missing_sent']} (of {k['sent']:,} sent); rows stored: "
        f"{k['stored']:,}; rows nobody sent: {k['extra']}; duplicate rows: {k['duplicates']}; "
        f"values differing from what was sent: {k['changed']} — {'OK' if ok else 'FAILED'}"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
