"""The order desk stays cheap as orders pile up: its query count does not depend on how many
orders there are, and its queue counts (one grouped query) are the same as counting each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.workorders.desk import QUEUES, desk_counts
from gridgov.workorders.models import Source, WorkOrder
from gridgov.workorders.services import perform
from gridgov.workorders.states import OPEN_STATES, State
from tests.workorders.fixtures import G1_POINT, G2_POINT, G3_POINT

pytestmark = pytest.mark.django_db

POINTS = [G1_POINT, G2_POINT, G3_POINT]
CODES = ["construction_dust", "road_dust", "sanitation"]


def add_orders(report, crew, n: int, start: int = 0) -> None:
    """n orders around the district, in several states, categories and assignees."""
    for k in range(start, start + n):
        source = Source.HOTLINE if k % 4 == 3 else Source.PATROL
        order = report(
            point=POINTS[k % 3],
            code=CODES[k % 3],
            source=source,
            title=f"第{k}件",
            user=crew["command"] if source == Source.HOTLINE else None,
        )
        if k % 5 == 1 and order.state == State.DISPATCHED and k % 3 == 0:
            perform(order.pk, "sign", crew["g1_worker"])


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ["command", "east_secretary", "g1_leader"])
def test_desk_query_count_does_not_grow_with_the_number_of_orders(
    client, crew, login, report, username, clock
):
    # The desk's figures are kept per minute (core/pagecache.py): one minute for both rounds.
    clock.travel(timezone.now(), tick=False)
    add_orders(report, crew, 3)
    login(username)
    urls = ["/orders/", "/orders/?queue=all", "/orders/?queue=working", "/orders/?queue=overdue"]
    few = {url: queries(client, url) for url in urls}
    add_orders(report, crew, 27, start=3)
    assert WorkOrder.objects.count() == 30
    many = {url: queries(client, url) for url in urls}
    assert many == few


def test_desk_shows_more_than_a_page_with_its_total(client, crew, login, report, monkeypatch):
    from gridgov.workorders import desk

    monkeypatch.setattr(desk, "DESK_PAGE", 4)
    add_orders(report, crew, 6)
    login("command")
    page = client.get("/orders/?queue=all").content.decode()
    assert "共 6 件" in page
    assert page.count('name="ids"') == 4


def test_desk_counts_are_each_queues_count(crew, report, users):
    from gridgov.workorders.services import orders_for

    add_orders(report, crew, 12)
    first = list(WorkOrder.objects.order_by("pk").values_list("pk", flat=True)[:3])
    now = timezone.now()
    WorkOrder.objects.filter(pk__in=first).update(due_at=now - dt.timedelta(minutes=1))
    for username in ["command", "east_secretary", "west_secretary"]:
        visible = orders_for(users[username])
        counts = desk_counts(visible, now)
        for code, _label, states in QUEUES:
            if code == "overdue":
                expected = visible.filter(
                    due_at__lte=now, state__in=[s.value for s in OPEN_STATES]
                ).count()
                assert expected == 3 or username != "command"
            elif states:
                expected = visible.filter(state__in=[s.value for s in states]).count()
            else:
                expected = visible.count()
            assert counts[code] == expected, (username, code)
    assert desk_counts(orders_for(users["command"]), now)["all"] == 12
