"""A work-order transition through the service against the least SQL it could be.

Builds the demo territory and people (no air data, no order history) in a temporary SQLite
database (or PostgreSQL with BENCH_DATABASE_URL), gives the post holders accounts as the demo
does, opens BENCH_ORDERS citizen reports and walks each through its whole life — 立案, 派遣,
签收, 开始处置, 处置完成, 核查, 结案: seven transitions, the ones the demo builder and the desk
make most — timing each call and counting its queries. Half go through
`workorders.services.perform` (the order read by id, as a request does), half through
`advance` (the order the caller already holds, as the demo builder does). Then the same number of transitions as the minimal SQL: one conditional UPDATE of
the order and one INSERT of its audit row, through the same connection. Both run inside one
open transaction (as the demo builder runs them); a request adds its own commit to either.
Times are this thread's CPU time (the machine's other work does not inflate them). Queries are
counted by an execute wrapper on both sides (not Django's debug cursor, whose formatting of every
statement would be timed with the service's calls and not with the minimal SQL).

The accounts are reused from one transition to the next, as the demo builder does, so their
permissions and person are read once per account (a request reads them once per request).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="gridgov-transitions-"))
os.environ["GRIDGOV_DATA_DIR"] = str(TMP)
if os.environ.get("BENCH_DATABASE_URL"):
    import psycopg

    base = os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "gridgov_bench_transitions"')
        conn.execute('CREATE DATABASE "gridgov_bench_transitions"')
    os.environ["DATABASE_URL"] = base + "/gridgov_bench_transitions"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from gridgov.demo.orders import _Accounts  # noqa: E402
from gridgov.people.models import Post  # noqa: E402
from gridgov.territory.models import Level, Region  # noqa: E402
from gridgov.workorders.models import Category, Source, WorkOrder  # noqa: E402
from gridgov.workorders.services import (  # noqa: E402
    EventInput,
    advance,
    create_event,
    perform,
)

DB = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
ORDERS = int(os.environ.get("BENCH_ORDERS", "200"))
LIFE = ["accept", "dispatch", "sign", "start", "handle", "verify", "close"]
NOTES = {"handle": "已现场整改完毕"}
# The budget of issue 21: queries per transition, and its time against the minimal SQL.
MAX_QUERIES, MAX_RATIO = 4, 5.0


def setup() -> tuple[list[WorkOrder], dict[int, object], object]:
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("demo", "--no-serve", "--no-air", "--no-orders", "--no-sources")
    accounts = _Accounts()
    with transaction.atomic():
        accounts.ensure()
    secretaries: dict[int, object] = {}
    for post in Post.objects.current().filter(post_type__code="secretary"):
        secretaries.setdefault(post.region_id, accounts.of(post.person_id))
    operator = get_user_model().objects.get(username="command")
    grids = [
        g
        for g in Region.objects.active().filter(level=Level.GRID).order_by("code").defer("geometry")
        if g.parent_id in secretaries
    ]
    category = Category.objects.get(code="sanitation")
    now = timezone.now()
    orders = []
    with transaction.atomic():
        for i in range(ORDERS):
            grid = grids[i % len(grids)]
            orders.append(
                create_event(
                    EventInput(
                        source=Source.CITIZEN,
                        category=category,
                        title=f"{grid.name}：垃圾堆放",
                        description="垃圾堆放，请及时处置。",
                        lat=grid.centroid_lat,
                        lon=grid.centroid_lon,
                        region=grid,
                    ),
                    operator,
                    now=now,
                )
            )
    dispatchers = {o.pk: secretaries[o.event.region.parent_id] for o in orders}
    return orders, dispatchers, accounts


class Counted:
    """Counts the statements run on the connection (an execute wrapper: nothing formatted)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.n += 1
        return execute(sql, params, many, context)


def through_service(orders, dispatchers, accounts, in_hand) -> dict[str, list[tuple[float, int]]]:  # type: ignore[no-untyped-def]
    """Each order's whole life through `perform` (by id: the order read, as a request does)
    or `advance` (`in_hand`: the order the caller holds, as the demo builder does); (seconds,
    queries) per call, by action."""
    cost: dict[str, list[tuple[float, int]]] = {code: [] for code in LIFE}
    counted = Counted()
    with transaction.atomic(), connection.execute_wrapper(counted):
        for order in orders:
            assignee_id = None
            for code in LIFE:
                if code in ("sign", "start", "handle"):
                    user = accounts.of(assignee_id)
                else:
                    user = dispatchers[order.pk]
                before = counted.n
                started = time.thread_time()
                if in_hand:
                    advance(order, code, user, note=NOTES.get(code, ""))
                else:
                    order, _t = perform(order.pk, code, user, note=NOTES.get(code, ""))
                elapsed = time.thread_time() - started
                cost[code].append((elapsed, counted.n - before))
                assignee_id = order.assignee_id
    return cost


def minimal_sql(orders: list[WorkOrder]) -> list[float]:
    """The same transitions as the least SQL: a conditional UPDATE and an audit INSERT."""
    update = (
        "UPDATE workorders_workorder SET state = %s, version = version + 1, updated_at = %s "
        "WHERE id = %s AND state = %s"
    )
    insert = (
        "INSERT INTO workorders_transition (order_id, action, from_state, to_state, actor_name, "
        "note, at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    times = []
    now = timezone.now()
    counted = Counted()
    with transaction.atomic(), connection.execute_wrapper(counted), connection.cursor() as cursor:
        for order in orders:
            # Back and forth between two states, so every UPDATE changes its row.
            for i in range(len(LIFE)):
                a, b = ("closed", "verified") if i % 2 == 0 else ("verified", "closed")
                started = time.thread_time()
                cursor.execute(update, [b, now, order.pk, a])
                if cursor.rowcount != 1:
                    raise SystemExit("minimal SQL: the conditional UPDATE changed no row")
                cursor.execute(insert, [order.pk, "bench", a, b, "系统", "", now])
                times.append(time.thread_time() - started)
    return times


def report(name: str, cost: dict[str, list[tuple[float, int]]], raw_ms: float) -> bool:
    every = [c for code in LIFE for c in cost[code]]
    ms = statistics.mean(t for t, _q in every) * 1000
    q = statistics.mean(q for _t, q in every)
    for code in LIFE:
        one_ms = statistics.mean(t for t, _q in cost[code]) * 1000
        one_q = statistics.mean(q for _t, q in cost[code])
        print(f"  {name + ': ' + code:<30}{one_q:>8.1f}{one_ms:>8.2f}{one_ms / raw_ms:>10.1f}×")
    print(f"  {name + ': mean':<30}{q:>8.1f}{ms:>8.2f}{ms / raw_ms:>10.1f}×")
    return q <= MAX_QUERIES and ms / raw_ms <= MAX_RATIO


def main() -> None:
    orders, dispatchers, accounts = setup()
    half = len(orders) // 2
    by_id = through_service(orders[:half], dispatchers, accounts, in_hand=False)
    held = through_service(orders[half:], dispatchers, accounts, in_hand=True)
    raw = minimal_sql(orders)
    raw_ms = statistics.mean(raw) * 1000
    print(
        f"Work-order transition ({DB}, {len(orders)} orders × {len(LIFE)} transitions, "
        f"inside one transaction; half by id, half in hand)"
    )
    print(f"  {'':<30}{'queries':>8}{'CPU ms':>8}{'× minimal':>11}")
    ok_id = report("perform (by id)", by_id, raw_ms)
    ok_held = report("advance (in hand)", held, raw_ms)
    print(f"  {'minimal SQL':<30}{2:>8.1f}{raw_ms:>8.2f}{1:>10.1f}×")
    print(
        f"  target ≤ {MAX_QUERIES} queries and ≤ {MAX_RATIO:.0f}× the minimal SQL per transition: "
        f"perform {'met' if ok_id else 'NOT met'}, advance {'met' if ok_held else 'NOT met'}"
    )
    if os.environ.get("BENCH_STRICT") and not ok_held:
        sys.exit(1)


if __name__ == "__main__":
    main()
