"""网格通 without signal, in a real browser on a 375×812 phone: the grid worker opens his pages
once (the service worker keeps them), loses the network, files a report with a photo and an
inspection from the kept pages — the badge says "2 待上传" — and when the network returns the
queue empties by itself: each is stored exactly once, photos included. And a submission whose
answer is lost on the way back is re-sent and still stored once. Screenshots go to
$GRIDGOV_SCREENSHOTS (or the test's tmp dir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov.inspections.models import Inspection
from gridgov.workorders.models import Attachment, Event
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    photo_file,
    shots,
)
from tests.inspections.conftest import NEAR_G1, make_source

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PHONE = {"width": 375, "height": 812}
BADGE_SELECTOR = "#queue-badge"


def phone(browser, **kw):  # noqa: F811
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": NEAR_G1[0], "longitude": NEAR_G1[1], "accuracy": 8},
        permissions=["geolocation"],
        **kw,
    )


def badge_says(page, text):
    page.wait_for_function(
        "t => document.getElementById('queue-badge').textContent === t", arg=text
    )


def fill_report(page, photo):
    page.wait_for_function("() => document.getElementById('report-lat').value !== ''")
    page.click(".cat:has-text('工地扬尘')")
    page.fill("textarea[name=description]", "东侧裸土未苫盖（离线上报）")
    page.set_input_files("input[name=photos]", str(photo))
    page.click("#report-form button[type=submit]")


def test_offline_report_and_inspection_are_queued_then_stored_once(
    live_server,
    browser,  # noqa: F811
    crew,
    shots,  # noqa: F811
    tmp_path,
):
    site = make_source("construction_site", (35.2, 113.05), "东一花园工地")
    base = live_server.url
    context = phone(browser)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, base, "g1_worker", "/orders/m/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["start_url"] == "/orders/m/" and manifest["display"] == "standalone"
    # Open the pages once, with signal: the worker keeps them.
    pages = ("/orders/m/report/", f"/m/inspect/{site.pk}/", "/m/inspect/", "/orders/m/queue/")
    for path in (*pages, "/orders/m/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")

    context.set_offline(True)
    page.goto(base + "/orders/m/report/")
    page.wait_for_selector("#stale:not([hidden])")
    assert "离线副本 · 更新于" in page.inner_text("#stale")
    fill_report(page, photo_file(tmp_path))
    badge_says(page, "1 待上传")
    assert "已存入待上传队列" in page.inner_text("#offline")

    page.goto(base + f"/m/inspect/{site.pk}/")  # the checklist, from the kept copy
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#all-pass-button")
    page.set_input_files("input[name=photos]", str(photo_file(tmp_path)))
    page.fill("textarea[name=note]", "现场检查，无信号")
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    page.click("#submit-inspection")
    badge_says(page, "2 待上传")
    page.goto(base + "/orders/m/queue/")
    assert page.locator("#queue-list li[data-key]").count() == 2
    page.screenshot(path=shots / "o1-queued.png", full_page=True)
    assert not Event.objects.exists() and not Inspection.objects.exists()

    context.set_offline(False)  # the network returns: the queue goes by itself
    page.wait_for_function("() => document.getElementById('queue-badge').hidden", timeout=30000)
    page.screenshot(path=shots / "o2-sent.png", full_page=True)
    event = Event.objects.get()
    assert event.description == "东侧裸土未苫盖（离线上报）" and event.submission_key
    assert Attachment.objects.filter(order__event=event, stage="report").count() == 1
    inspection = Inspection.objects.get()
    assert inspection.source_id == site.pk and inspection.note == "现场检查，无信号"
    assert inspection.photos.count() == 1 and inspection.submission_key
    page.reload()  # nothing is sent twice on the next page load
    page.wait_for_load_state("networkidle")
    assert Event.objects.count() == 1 and Inspection.objects.count() == 1
    assert problems == []
    context.close()


def test_a_lost_answer_is_re_sent_and_stored_once(
    live_server,
    browser,  # noqa: F811
    crew,
    tmp_path,
):
    base = live_server.url
    context = phone(browser, service_workers="block")  # so that the route below sees the POST
    page = context.new_page()
    log_in(page, base, "g1_worker", "/orders/m/report/")
    lost: list[int] = []

    def lose_the_answer(route):
        if route.request.method != "POST" or lost:
            route.continue_()
            return
        answer = route.fetch()  # the server stores the report...
        lost.append(answer.status)
        route.abort("connectionreset")  # ...and the phone never hears back

    page.route("**/orders/m/report/", lose_the_answer)
    fill_report(page, photo_file(tmp_path))
    badge_says(page, "1 待上传")
    assert lost and Event.objects.count() == 1  # stored once, the phone does not know it
    page.goto(base + "/orders/m/queue/")
    assert "网络不通" in page.inner_text("#queue-list")
    page.click("#queue-list .q-retry")
    page.wait_for_function("() => document.getElementById('queue-badge').hidden", timeout=20000)
    event = Event.objects.get()
    assert Attachment.objects.filter(order__event=event).count() == 1
    context.close()


def test_an_action_the_order_no_longer_allows_is_a_conflict_kept_to_read(
    live_server,
    browser,  # noqa: F811
    crew,
    report,
):
    """Signed for offline; meanwhile the order moved on (signed from elsewhere): when the
    network returns the queue does not retry it for ever — it is a conflict, with the server's
    reason, kept until the worker discards it."""
    from gridgov.workorders.services import perform
    from gridgov.workorders.states import State

    order = report()
    base = live_server.url
    context = phone(browser, service_workers="block")
    page = context.new_page()
    log_in(page, base, "g1_worker", f"/orders/m/{order.pk}/")
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    context.set_offline(True)
    page.click("form.act button:has-text('签收')")
    badge_says(page, "1 待上传")
    perform(order.pk, "sign", crew["g1_worker"])  # from the desk, say, meanwhile
    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('queue-badge').classList.contains('trouble')"
    )
    page.goto(base + "/orders/m/queue/")
    item = page.inner_text("#queue-list li[data-key]")
    assert "冲突：工单已变化" in item and "不能签收" in item
    assert page.locator("#queue-list .q-retry").count() == 0  # not sent again
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#queue-list .q-discard")
    page.wait_for_selector("#queue-list li.empty")
    assert page.is_hidden(BADGE_SELECTOR)
    assert list(order.transitions.values_list("action", flat=True)).count("sign") == 1
    assert order.__class__.objects.get(pk=order.pk).state == State.SIGNED
    context.close()


def test_photos_beyond_the_budget_are_not_queued(live_server, browser, crew, settings, tmp_path):  # noqa: F811
    """GRIDGOV_OFFLINE_QUEUE_MB: a report whose photos would pass it is refused on the phone,
    saying so, and nothing is queued."""
    import os

    from PIL import Image

    settings.GRIDGOV_OFFLINE_QUEUE_MB = 1
    big = tmp_path / "big.png"
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(big)  # ~1.5 MB of noise
    assert big.stat().st_size > 1024 * 1024
    base = live_server.url
    context = phone(browser, service_workers="block")
    page = context.new_page()
    log_in(page, base, "g1_worker", "/orders/m/report/")
    context.set_offline(True)
    fill_report(page, big)
    page.wait_for_function("() => document.getElementById('offline').textContent.includes('上限')")
    assert "1 MB" in page.inner_text("#offline")
    assert page.is_hidden(BADGE_SELECTOR)
    assert (
        page.evaluate("""() => new Promise(done => {
        const open = indexedDB.open("gridgov-queue", 1);
        open.onsuccess = () => {
            const read = open.result.transaction("items").objectStore("items").count();
            read.onsuccess = () => done(read.result);
        };
    })""")
        == 0
    )
    context.close()


def queued_count(page) -> int:
    return page.evaluate("""() => new Promise(done => {
        const open = indexedDB.open("gridgov-queue", 1);
        open.onsuccess = () => {
            const read = open.result.transaction("items").objectStore("items").count();
            read.onsuccess = () => done(read.result);
        };
    })""")


def test_a_flush_while_the_form_is_sending_does_not_post_it_again(
    live_server,
    browser,  # noqa: F811
    crew,
    tmp_path,
):
    """The network "returns" (the online event, the timer) while the report's own POST is on
    its way: the queue's flush leaves the item being sent alone — one POST, one event, and no
    ghost left in 待上传 when the answers come back."""
    import re
    import time

    base = live_server.url
    context = phone(browser, service_workers="block")
    context.add_init_script("""(() => {
        const send = window.fetch;
        window.fetch = function (url, options) {
            if (options && options.method === "POST" && !window.__raced) {
                window.__raced = true;  // the flush starts while this POST is on its way
                setTimeout(() => window.dispatchEvent(new Event("online")), 100);
            }
            return send.apply(this, arguments);
        };
    })()""")
    page = context.new_page()
    log_in(page, base, "g1_worker", "/orders/m/report/")
    posts: list[str] = []

    def slow(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.url)
        if len(posts) == 1:
            time.sleep(1.5)  # a slow answer: the flush has all the time it needs
        route.continue_()

    page.route("**/orders/m/report/", slow)
    fill_report(page, photo_file(tmp_path))
    page.wait_for_url(re.compile(r"/orders/m/\d+/$"), timeout=20000)
    page.wait_for_timeout(1500)  # any second POST would have come by now
    assert len(posts) == 1
    assert Event.objects.count() == 1
    assert queued_count(page) == 0
    context.close()


def test_pages_kept_for_one_account_are_not_served_to_the_next(
    live_server,
    browser,  # noqa: F811
    crew,
    report,
):
    """Worker A's session expires (no log-out); worker B signs in on the same phone and loses
    the signal: A's kept task pages (reporters' contacts on them) are not served to B — B gets
    only B's own copies."""
    order = report(title="甲的任务", description="只给甲看的任务")
    base = live_server.url
    context = phone(browser)
    page = context.new_page()
    log_in(page, base, "g1_worker", "/orders/m/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    for path in (f"/orders/m/{order.pk}/", "/orders/m/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    first = page.get_attribute("body", "data-cache-id")
    assert first and first not in ("g1_worker", str(crew["g1_worker"].pk))
    context.set_offline(True)  # A's copy is there for A
    page.goto(base + f"/orders/m/{order.pk}/")
    assert "甲的任务" in page.content()
    context.set_offline(False)

    context.clear_cookies()  # the session expired
    log_in(page, base, "g1_part", "/orders/m/")
    page.wait_for_load_state("networkidle")
    second = page.get_attribute("body", "data-cache-id")
    assert second not in ("", first)
    page.wait_for_function(  # B's list kept by the worker
        "id => caches.open('gridgov-pages-' + id).then(c => c.keys()).then(k => k.length > 0)",
        arg=second,
    )
    context.set_offline(True)
    try:
        page.goto(base + f"/orders/m/{order.pk}/")
        shown = page.content()
    except playwright.Error:  # nothing kept for this address: the browser's offline error
        shown = ""
    assert "甲的任务" not in shown
    page = context.new_page()  # (the browser's error page may still be loading in the other)
    page.goto(base + "/orders/m/")  # B's own list, kept while B was signed in
    assert page.get_attribute("body", "data-cache-id") == second
    context.close()
