"""Dispatch benchmarks: an alarm storm, the deadline sweep over 100,000 open orders, and the
time from a reading's arrival to the work order in the grid worker's inbox.

Builds the demo territory and people (no air data, no order history) in a temporary SQLite
database (or PostgreSQL with BENCH_DATABASE_URL), puts a micro-station in every one of the 819
grids, and drives the real ingestion path: the alarm is raised inside the ingestion of the reading
that completes the hour, and its event, work order and inbox notice are written in that same
transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import tempfile
import time
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="gridgov-dispatch-"))
os.environ["GRIDGOV_DATA_DIR"] = str(TMP)
if os.environ.get("BENCH_DATABASE_URL"):
    import psycopg

    base = os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "gridgov_bench_dispatch"')
        conn.execute('CREATE DATABASE "gridgov_bench_dispatch"')
    os.environ["DATABASE_URL"] = base + "/gridgov_bench_dispatch"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from gridgov.air.ingest import NCOL, Batch, ingest, station_infos  # noqa: E402
from gridgov.air.models import AlarmRule, Station  # noqa: E402
from gridgov.territory.models import Region  # noqa: E402
from gridgov.workorders.dispatcher import dispatcher  # noqa: E402
from gridgov.workorders.models import (  # noqa: E402
    Category,
    Event,
    Notification,
    Priority,
    Source,
    WorkOrder,
)
from gridgov.workorders.states import State  # noqa: E402
from gridgov.workorders.sweep import sweep  # noqa: E402

DB = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"


def setup() -> list[int]:
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-serve", "--no-air", "--no-orders")
    AlarmRule.objects.exclude(kind="threshold").update(active=False)
    grids = list(Region.objects.active().grids().order_by("code"))
    Station.objects.bulk_create(
        Station(
            code=f"B{i:04d}",
            name=f"微站{i:04d}",
            kind="micro",
            lat=g.centroid_lat,
            lon=g.centroid_lon,
            grid=g,
        )
        for i, g in enumerate(grids)
    )
    return list(Station.objects.order_by("code").values_list("pk", flat=True))


def batch(ids: list[int], minutes: range, hour: int, pm25: float) -> Batch:
    n = len(ids) * len(minutes)
    station = np.repeat(np.array(ids, dtype=np.int64), len(minutes))
    ts = np.tile(np.array([hour + 60 * m for m in minutes], dtype=np.int64), len(ids))
    values = np.full((n, NCOL), np.nan)
    values[:, 0] = pm25  # the first column is PM2.5
    return Batch(station, ts, values, np.zeros((n, NCOL), dtype=bool), np.arange(n))


def storm(ids: list[int]) -> None:
    now = timezone.now()
    hour = int(now.timestamp()) // 3600 * 3600 - 2 * 3600
    infos = station_infos(ids)
    # 44 valid minutes of a bad hour everywhere: no hourly mean yet, so no alarm yet.
    ingest(batch(ids, range(44), hour, 210.0), infos, evaluate_alarms=False)
    before = WorkOrder.objects.count()
    started = time.perf_counter()
    # One minute later, every station completes its hour in the same ingestion: 819 alarms.
    result = ingest(batch(ids, range(44, 45), hour, 210.0), infos)
    dispatcher.drain()  # the orders are made by the dispatcher thread after the commit
    elapsed = time.perf_counter() - started
    made = WorkOrder.objects.count() - before
    dispatched = WorkOrder.objects.filter(
        event__source=Source.AIR_ALARM, state=State.DISPATCHED, assignee__isnull=False
    ).count()
    inboxed = Notification.objects.filter(kind="assigned", order__event__source=Source.AIR_ALARM)
    print(f"Alarm storm ({DB}): {len(ids)} stations alarm in the same minute (one ingestion)")
    print(
        f"  {len(result.alarms)} alarms → {made} work orders, {dispatched} dispatched to a named "
        f"person, {inboxed.count()} inbox notices in {elapsed:.2f} s "
        f"({made / elapsed:,.0f} orders/s, reading to inbox included)"
    )


def arrival_to_inbox(ids: list[int], samples: int = 200) -> None:
    """One station at a time: the ingestion of the reading that completes its bad hour, timed
    until its work order is committed and in the grid worker's inbox."""
    now = timezone.now()
    hour = int(now.timestamp()) // 3600 * 3600 - 4 * 3600
    chosen = ids[:samples]
    infos = station_infos(chosen)
    ingest(batch(chosen, range(44), hour, 190.0), infos, evaluate_alarms=False)
    # The storm's alarms are still open for these stations; end them so new ones open.
    from gridgov.air.models import Alarm

    Alarm.objects.filter(station_id__in=chosen, ended_at__isnull=True).update(ended_at=now)
    latencies = []
    for sid in chosen:
        one = {sid: infos[sid]}
        started = time.perf_counter()
        result = ingest(batch([sid], range(44, 45), hour, 190.0), one)
        dispatcher.drain()
        ok = Notification.objects.filter(
            kind="assigned", order__event__alarm__in=[a.pk for a in result.alarms]
        ).exists()
        latencies.append(time.perf_counter() - started)
        assert ok, f"station {sid}: no work order in an inbox"
    ms = np.array(latencies) * 1000
    print(
        f"Reading arrival → work order in the grid worker's inbox ({DB}, in process, {samples} stations)"
    )
    print(
        f"  p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
        f"max {ms.max():.1f} ms (target p99 < 1 s; HTTP adds the request: see http_bench.py)"
    )


def sweep_bench(n: int = 100_000, due_share: float = 0.01) -> None:
    """100,000 open orders; 1% past their deadline and 1% in their warning window."""
    grids = list(Region.objects.active().grids().order_by("code"))
    community = {g.pk: Region.objects.get(pk=g.parent_id) for g in grids}
    category = Category.objects.get(code="sanitation")
    now = timezone.now()
    rng = np.random.default_rng(1)
    due = rng.random(n)
    with transaction.atomic():
        for start in range(0, n, 5000):
            events = []
            for i in range(start, min(n, start + 5000)):
                g = grids[i % len(grids)]
                events.append(
                    Event(
                        reference=f"BENCH{i:07d}",
                        source=Source.PATROL,
                        category=category,
                        title="bench",
                        lat=g.centroid_lat,
                        lon=g.centroid_lon,
                        region=g,
                        region_path=g.path,
                        created_at=now - dt.timedelta(hours=3),
                    )
                )
            Event.objects.bulk_create(events)
        events = Event.objects.filter(reference__startswith="BENCH").order_by("reference")
        orders = []
        for i, e in enumerate(events.iterator(chunk_size=5000)):
            g = grids[i % len(grids)]
            if due[i] < due_share:  # overdue
                warn, deadline = now - dt.timedelta(minutes=50), now - dt.timedelta(minutes=5)
            elif due[i] < 2 * due_share:  # in the yellow window
                warn, deadline = now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=30)
            else:
                warn, deadline = now + dt.timedelta(hours=5), now + dt.timedelta(hours=8)
            orders.append(
                WorkOrder(
                    event=e,
                    state=State.DISPATCHED,
                    priority=Priority.NORMAL,
                    unit=g,
                    sent_by_unit=community[g.pk],
                    step="sign",
                    step_seq=1,
                    step_started_at=now - dt.timedelta(hours=3),
                    warn_at=warn,
                    due_at=deadline,
                    next_escalation_at=deadline,
                    created_at=now - dt.timedelta(hours=3),
                    updated_at=now - dt.timedelta(hours=3),
                )
            )
            if len(orders) == 5000:
                WorkOrder.objects.bulk_create(orders)
                orders = []
        WorkOrder.objects.bulk_create(orders)
    open_orders = WorkOrder.objects.exclude(state__in=[State.CLOSED, State.VOIDED]).count()
    started = time.perf_counter()
    first = sweep(now)
    t1 = time.perf_counter() - started
    started = time.perf_counter()
    again = sweep(now)
    t2 = time.perf_counter() - started
    print(f"Deadline sweep over {open_orders:,} open orders ({DB})")
    print(
        f"  first sweep: {t1:.2f} s — {first.warned} warned, {first.newly_overdue} newly overdue, "
        f"{first.escalated} escalations (1% due, 1% in the warning window)"
    )
    print(
        f"  repeated sweep (nothing new to do, as every minute): {t2:.2f} s, {again.escalated} escalations"
    )


if __name__ == "__main__":
    ids = setup()
    storm(ids)
    arrival_to_inbox(ids)
    sweep_bench()
