"""What a transition costs in queries (issue 21: ≤ 4 per transition through the transition kit),
pinned so the cost cannot creep back: one read of the order, one conditional UPDATE, one audit
INSERT, and a notice's INSERT where the action sends one — no savepoint inside the caller's
transaction, no row read again.

处置 and 派遣 cost one or two more (who to tell, who gets it, the notice); a whole life
averages at most four. The accounts have acted once before the counting starts (their person,
scope and permissions are read once per account object, as once per request)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core import transitions
from gridgov.errors import CONFLICT, DomainError
from gridgov.inbox.models import Notification
from gridgov.workorders.models import Source, Transition, WorkOrder
from gridgov.workorders.services import WorkflowError, advance, perform
from gridgov.workorders.states import State

pytestmark = pytest.mark.django_db

LIFE = [
    ("accept", "east_secretary", ""),
    ("dispatch", "east_secretary", ""),
    ("sign", "g1_worker", ""),
    ("start", "g1_worker", ""),
    ("handle", "g1_worker", "已苫盖并洒水"),
    ("verify", "east_secretary", ""),
    ("close", "east_secretary", ""),
]


def _warm(crew, report) -> None:
    """Each account acts once, so its person, scope and permissions are known."""
    order = report(source=Source.CITIZEN)
    for code, who, note in LIFE:
        order, _t = perform(order.pk, code, crew[who], note=note)


def test_a_typical_transition_costs_at_most_four_queries(
    crew, report, django_assert_max_num_queries
):
    _warm(crew, report)
    order = report()  # a patrol report: dispatched to the grid's worker at once
    with django_assert_max_num_queries(4):
        order, t = perform(order.pk, "sign", crew["g1_worker"])
    assert order.state == State.SIGNED and t.action == "sign"
    with django_assert_max_num_queries(4):
        order, t = perform(order.pk, "start", crew["g1_worker"])
    assert order.state == State.IN_PROGRESS
    # 处置 tells the dispatching unit: who they are (one read) and the notice (one INSERT).
    with django_assert_max_num_queries(5):
        order, t = perform(order.pk, "handle", crew["g1_worker"], note="已清理")
    assert Notification.objects.filter(order=order, key=f"t{t.pk}").exists()


def test_a_whole_life_averages_at_most_four_queries_a_transition(crew, report):
    _warm(crew, report)
    order = report(source=Source.CITIZEN)
    counts, sql = {}, []
    for code, who, note in LIFE:
        with CaptureQueriesContext(connection) as queries:
            order, _t = perform(order.pk, code, crew[who], note=note)
        counts[code] = len(queries)
        sql += [q["sql"] for q in queries.captured_queries]
    assert order.state == State.CLOSED
    assert sum(counts.values()) <= 4 * len(LIFE), counts
    # The transitions that send nothing: the read, the UPDATE and the INSERT.
    assert counts["accept"] == counts["start"] == counts["verify"] == counts["close"] == 3, counts
    assert not any("SAVEPOINT" in q for q in sql)


def test_an_order_in_hand_moves_with_two_queries(crew, report, django_assert_num_queries):
    _warm(crew, report)
    order = report()
    worker = crew["g1_worker"]
    with django_assert_num_queries(2):
        t = advance(order, "sign", worker)
    with django_assert_num_queries(2):
        advance(order, "start", worker)
    assert order.state == State.IN_PROGRESS and t.actor_name == "李专职"
    stored = WorkOrder.objects.get(pk=order.pk)
    assert (stored.state, stored.version, stored.step) == (
        State.IN_PROGRESS,
        order.version,
        "handle",
    )


def test_an_out_of_date_order_is_refused_and_the_callers_transaction_goes_on(crew, report):
    _warm(crew, report)
    order = report()
    stale = WorkOrder.objects.select_related("event__category", "event__region").get(pk=order.pk)
    advance(order, "sign", crew["g1_worker"])
    before = Transition.objects.filter(order=order).count()
    with pytest.raises(WorkflowError) as info:
        advance(stale, "sign", crew["g1_worker"])
    assert info.value.kind == CONFLICT
    # Nothing was written, and the test's own transaction is still usable.
    assert Transition.objects.filter(order=order).count() == before
    assert WorkOrder.objects.get(pk=order.pk).state == State.SIGNED


def test_the_kit_changes_a_row_only_while_it_holds_what_was_read(crew, report):
    order = report()
    expected = {"state": State.DISPATCHED, "version": order.version}
    changes = {"state": State.SIGNED, "version": order.version + 1, "assignee": None}
    assert transitions.change(WorkOrder, order.pk, expected, changes)
    assert not transitions.change(WorkOrder, order.pk, expected, changes)
    with pytest.raises(DomainError) as info:
        transitions.apply(WorkOrder, order.pk, expected, changes, "已被他人处理")
    assert (info.value.kind, info.value.message) == (CONFLICT, "已被他人处理")
    stored = WorkOrder.objects.get(pk=order.pk)
    assert (stored.state, stored.assignee_id) == (State.SIGNED, None)
    with transitions.step() as moved:
        if transitions.change(WorkOrder, order.pk, expected, changes):
            moved()
    with pytest.raises(DomainError):
        moved.or_refuse("已被他人处理")
    row = transitions.record(
        Transition, order=order, action="note", actor_name="系统", at=order.created_at
    )
    assert Transition.objects.get(pk=row.pk).action == "note" and row._state.adding is False


def test_a_query_compiled_once_answers_as_the_orm_does_for_every_value(crew, report):
    import datetime as dt

    from django.db.models import Q

    from gridgov.people.models import Post

    def build(region_id, line_id, day):
        return (
            Post.objects.current(day)
            .filter(region_id=region_id)
            .filter(Q(line__isnull=True) | Q(line_id=line_id))
            .select_related("person", "region")
            .order_by("pk")
        )

    query = transitions.Query(build)
    ids = transitions.Query(
        lambda person_id, day: (
            build(None, None, day).filter(person_id=person_id).values_list("pk", "region_id")
        )
    )
    posts = list(Post.objects.select_related("person", "region").order_by("pk"))
    assert posts
    days = [dt.date(2000, 1, 1), dt.date(2026, 12, 1), dt.date(2100, 1, 1)]
    for post in posts:
        for line_id in (None, post.line_id or 1, 999_999):
            for day in days:
                got = query.rows(post.region_id, line_id, day)
                want = list(build(post.region_id, line_id, day))
                assert [(p.pk, p.person.name, p.region.path) for p in got] == [
                    (p.pk, p.person.name, p.region.path) for p in want
                ]
        for day in days:
            assert ids.rows(post.person_id, day) == list(
                build(None, None, day)
                .filter(person_id=post.person_id)
                .values_list("pk", "region_id")
            )
    # Compiled once per shape: a line of work or none (IS NULL).
    assert len(query._compiled) == 2 and len(ids._compiled) == 1
    with pytest.raises(ValueError):  # a value that never reaches the SQL
        transitions.Query(lambda region_id: Post.objects.all()).rows(1)
    with pytest.raises(TypeError):  # values are ids and days
        transitions.Query(lambda name: Post.objects.filter(notes=name)).rows("x")
