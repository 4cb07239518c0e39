"""The busy pages' kept figures (gridgov/core/pagecache.py): answered again from the cache for the
same account, scope and minute; recomputed after any write, at the next minute, in another
language; never kept with GRIDGOV_PAGE_CACHE_SECONDS=0. And the desk's pages of rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core import pagecache
from gridgov.workorders.models import WorkOrder
from tests.workorders.fixtures import G2_POINT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept(settings):
    settings.GRIDGOV_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    # The CSRF token is masked afresh on every page: not part of what is compared.
    return len(ctx.captured_queries), re.sub(r'value="[^"]{64}"', "", response.content.decode())


def test_a_write_bumps_the_version_and_a_session_does_not(crew, report):
    before = pagecache.version()
    SessionStore().save()  # every sign-in writes one
    assert pagecache.version() == before
    report(title="新的一件")
    assert pagecache.version() > before


def test_the_version_starts_from_an_unused_number_when_the_cache_lost_it():
    first = pagecache.version()
    cache.delete(pagecache.VERSION_KEY)
    pagecache.bump()
    assert pagecache.version() > first


def test_the_desk_counts_are_kept_and_a_new_order_shows_at_once(client, crew, login, report, clock):
    clock.travel(timezone.now(), tick=False)  # one minute: one key
    report(title="第一件")
    login("command")
    cold, page = queries(client, "/orders/?queue=all")
    warm, again = queries(client, "/orders/?queue=all")
    assert warm < cold  # the queues' counts, the map's orders and the filters' choices kept
    assert "共 1 件" in page and "共 1 件" in again
    report(point=G2_POINT, title="第二件")
    _, after = queries(client, "/orders/?queue=all")
    assert "第二件" in after and "共 2 件" in after
    assert 'data-label="网格"' in after  # rows formatted in the view, placed by the template


def test_kept_figures_follow_the_minute(client, crew, login, report, clock):
    report(title="到期的一件")
    order = WorkOrder.objects.get()
    login("command")
    start = clock.travel(order.created_at + dt.timedelta(minutes=1), tick=False)
    queries(client, "/orders/")
    # No signal for a queryset update: the kept counts hold for the minute, not longer.
    WorkOrder.objects.filter(pk=order.pk).update(due_at=start + dt.timedelta(seconds=30))
    _, same_minute = queries(client, "/orders/")
    assert "超期 <b>0</b>" in same_minute
    clock.travel(start + dt.timedelta(minutes=1), tick=False)
    _, next_minute = queries(client, "/orders/")
    assert "超期 <b>1</b>" in next_minute


def test_each_account_and_language_has_its_own(client, crew, login, report):
    report(title="东边的工地")
    login("command")
    chinese = client.get("/overview/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/overview/"})
    english = client.get("/overview/").content.decode()
    assert "指挥中心总览" in chinese and "指挥中心总览" not in english
    client.logout()
    login("west_secretary")
    west = client.get("/orders/?queue=all").content.decode()
    assert "东边的工地" not in west


def test_nothing_is_kept_at_zero_seconds(client, crew, login, report, settings):
    settings.GRIDGOV_PAGE_CACHE_SECONDS = 0
    report(title="第一件")
    login("command")
    cold, _ = queries(client, "/orders/?queue=all")
    again, _ = queries(client, "/orders/?queue=all")
    assert again == cold


def test_the_overview_body_is_kept_and_dropped_at_a_write(client, crew, login, report, clock):
    clock.travel(timezone.now(), tick=False)  # one minute: one key
    login("command")
    cold, first = queries(client, "/overview/")
    warm, second = queries(client, "/overview/")
    assert warm < cold and first == second
    report(title="新的一件")
    _, third = queries(client, "/overview/")
    assert third != first  # the order counts moved


def test_the_desk_pages_its_rows(client, crew, login, report, monkeypatch):
    from gridgov.workorders import desk

    monkeypatch.setattr(desk, "DESK_PAGE", 2)
    for k in range(5):
        report(title=f"第{k}件")
    login("command")
    first = client.get("/orders/?queue=all").content.decode()
    assert "共 5 件" in first and first.count('name="ids"') == 2
    assert "第 1 / 3 页" in first and "page=2" in first
    last = client.get("/orders/?queue=all&page=3").content.decode()
    assert "共 5 件" in last and last.count('name="ids"') == 1
    assert "第 3 / 3 页" in last and "page=2" in last
    shown = set()
    for page in (1, 2, 3):
        html = client.get(f"/orders/?queue=all&page={page}").content.decode()
        shown |= {f"第{k}件" for k in range(5) if f"第{k}件" in html.split("<tbody>")[1]}
    assert shown == {f"第{k}件" for k in range(5)}


def test_a_bare_update_by_the_transition_kit_drops_what_pages_kept(crew, report):
    # The transition kit changes a row with a bare conditional UPDATE (no post_save): it must
    # still tell the page cache, or the desk and the overview would show the old state.
    from gridgov.core import transitions

    order = report()
    before = pagecache.version()
    assert transitions.change(WorkOrder, order.pk, {"state": order.state}, {"priority": 1})
    assert pagecache.version() > before
    unchanged = pagecache.version()
    assert not transitions.change(WorkOrder, order.pk, {"state": "closed"}, {"priority": 2})
    assert pagecache.version() == unchanged  # nothing written, nothing dropped


def test_an_audit_row_by_the_transition_kit_is_a_bare_insert_that_drops_what_pages_kept(
    crew, report, django_assert_num_queries
):
    # The page cache listens to every model's saves; that alone must not send the kit's audit
    # rows the ORM's way (it tells the page cache itself), while a receiver of the model's own
    # still hears of the row (the ORM's way).
    from django.db.models.signals import post_save

    from gridgov.core import transitions
    from gridgov.workorders.models import Transition

    order = report()
    assert not transitions._signalled(Transition)
    before = pagecache.version()
    with django_assert_num_queries(1):
        row = transitions.record(
            Transition, order=order, action="note", actor_name="系统", at=order.created_at
        )
    assert pagecache.version() > before
    assert Transition.objects.get(pk=row.pk).action == "note"
    heard = []

    def listen(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listen, sender=Transition)
    try:
        assert transitions._signalled(Transition)
        again = transitions.record(
            Transition, order=order, action="note", actor_name="系统", at=order.created_at
        )
    finally:
        post_save.disconnect(listen, sender=Transition)
    assert heard == [(again.pk, True)]
