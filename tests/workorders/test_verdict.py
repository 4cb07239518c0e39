"""The citizen's verdict: a closed public order rated once per closure and re-opened within
GRIDGOV_REOPEN_DAYS, by reference number and by the SMS link; the public 办结时限 and whether it
was met; 重新打开 in the statistics, the horse race, the bulletin and Open311. Every "now" comes
from the clock fixture (these tests run at each date of the sweep)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing

from gridgov.bulletins.periods import period_for
from gridgov.bulletins.shapes import Section, UnitReader
from gridgov.errors import CONFLICT, INVALID, NOT_FOUND, DomainError
from gridgov.inbox.models import Delivery, Notification
from gridgov.racing.metrics import REGISTRY
from gridgov.workorders import lateness, verdict, verdict_links
from gridgov.workorders.bulletin import orders_part
from gridgov.workorders.deadlines import timing_for
from gridgov.workorders.models import Source, Transition, Verdict, WorkOrder
from gridgov.workorders.services import perform
from gridgov.workorders.signals import order_moved
from gridgov.workorders.states import State
from gridgov.workorders.stats import order_stats
from tests.workorders.fixtures import G1_POINT

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
CST = dt.timezone(dt.timedelta(hours=8))
PHONE = "13812345678"


def close_it(order, crew, start: dt.datetime, minutes: int = 10) -> WorkOrder:
    """Take a citizen's order from 待受理 (or 重新打开) to 已结案, one step every `minutes`."""
    sec, worker = crew["east_secretary"], crew["g1_worker"]
    steps = [
        ("dispatch", sec, {}),
        ("sign", worker, {}),
        ("handle", worker, {"note": "已处理"}),
        ("verify", sec, {}),
        ("close", sec, {}),
    ]
    if order.state == State.REPORTED:
        steps.insert(0, ("accept", sec, {}))
    for i, (code, user, kw) in enumerate(steps, start=1):
        at = start + dt.timedelta(minutes=minutes * i)
        order, _t = perform(order.pk, code, user, now=at, **kw)
    return order


@pytest.fixture
def closed(crew, report, clock, django_capture_on_commit_callbacks):
    """A citizen's order with a phone, reported 3 hours ago and closed an hour later."""

    def make(phone: str = PHONE, source: str = Source.CITIZEN) -> WorkOrder:
        start = clock.now() - dt.timedelta(hours=3)
        order = report(source=source, contact_phone=phone, now=start)
        with django_capture_on_commit_callbacks(execute=True):
            return close_it(order, crew, start)

    return make


def refused(kind: str, field: str | None, fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kw)
    assert info.value.kind == kind and info.value.field == field, info.value.message
    return info.value


# --- rating --------------------------------------------------------------------------------


def test_a_closure_is_rated_once_and_unknown_ratings_are_refused(closed):
    order = closed()
    refused(INVALID, "rating", verdict.rate, order, "great", via="reference")
    refused(INVALID, "rating", verdict.rate, order, "", via="reference")
    refused(INVALID, "rating", verdict.rate, order, "satisfied\x00", via="reference")
    v = verdict.rate(order, "fairly", via="reference")
    assert (v.rating, v.closed_at, v.via) == ("fairly", order.closed_at, "reference")
    refused(CONFLICT, "rating", verdict.rate, order, "satisfied", via="reference")
    assert Verdict.objects.filter(order=order).count() == 1
    offer = verdict.offer(order, order.closed_at)
    assert offer.closed and not offer.may_rate and offer.rating == "基本满意" and offer.may_reopen


def test_an_open_order_cannot_be_rated_or_reopened(crew, report, clock):
    order = report(source=Source.CITIZEN, now=clock.now())
    refused(CONFLICT, "rating", verdict.rate, order, "satisfied", via="reference")
    refused(CONFLICT, "reason", verdict.reopen, order, "没有处理")


# --- re-opening ----------------------------------------------------------------------------


def test_reopen_returns_it_to_the_closing_unit_with_a_new_deadline(closed, crew, people, clock):
    order = closed()
    verdict.rate(order, "unsatisfied", via="reference")
    now = clock.now()
    t = verdict.reopen(order, "  工地仍在扬尘，没有苫盖  ")
    order.refresh_from_db()
    assert order.state == State.REOPENED and order.unit.code == "D-S1-C1"  # the secretary's
    assert order.assignee is None and order.closed_at is None and order.reopen_count == 1
    assert (t.action, t.from_state, t.to_state) == ("reopen", "closed", "reopened")
    assert t.actor is None and t.actor_name == "公众" and t.note == "工地仍在扬尘，没有苫盖"
    # The step's deadline runs from the re-opening: the category's dispatch time limit.
    timing = timing_for(order.event.category, order.priority)
    assert order.step == "dispatch" and order.due_at == timing.due(order.step, t.at)[1]
    assert order.due_at >= now
    notice = Notification.objects.get(person=people["east_secretary"], kind="returned")
    assert "群众申请重新办理" in notice.title and notice.body == "工地仍在扬尘，没有苫盖"
    # Dispatched, handled and closed again: the new closure may be rated again.
    order = close_it(order, crew, clock.now())
    assert order.state == State.CLOSED
    verdict.rate(order, "satisfied", via="reference")
    assert Verdict.objects.filter(order=order).count() == 2
    actions = list(order.transitions.values_list("action", flat=True))
    assert actions.count("close") == 2 and actions.count("reopen") == 1


def test_reopen_after_the_window_is_refused_with_a_clear_message(closed, clock, settings):
    settings.GRIDGOV_REOPEN_DAYS = 7
    order = closed()
    clock.travel(order.closed_at + dt.timedelta(days=7, minutes=1))
    error = refused(CONFLICT, "reason", verdict.reopen, order, "仍未解决")
    assert "7天" in error.message and "重新上报" in error.message
    order.refresh_from_db()
    assert order.state == State.CLOSED and not order.transitions.filter(action="reopen").exists()
    assert verdict.offer(order, clock.now()).window_over
    verdict.rate(order, "unsatisfied", via="reference")  # rating has no window


def test_reopen_just_inside_the_window(closed, clock, settings):
    settings.GRIDGOV_REOPEN_DAYS = 3
    order = closed()
    clock.travel(order.closed_at + dt.timedelta(days=3) - dt.timedelta(minutes=1))
    verdict.reopen(order, "还是有问题")
    order.refresh_from_db()
    assert order.state == State.REOPENED


@pytest.mark.parametrize(
    "reason", ["", "   ", "x" * (verdict.REASON_LIMIT + 1), "没有\x07解决", "没有\x00解决"]
)
def test_bad_reasons_are_refused_naming_the_field(closed, reason):
    order = closed()
    refused(INVALID, "reason", verdict.reopen, order, reason)
    order.refresh_from_db()
    assert order.state == State.CLOSED


def test_a_patrol_order_has_no_verdict(crew, report, clock):
    order = report(now=clock.now() - dt.timedelta(hours=3))  # a grid worker's own report
    refused(NOT_FOUND, "ref", verdict.order_by_reference, order.event.reference)


# --- the SMS link --------------------------------------------------------------------------


def texts() -> list[Delivery]:
    return list(Delivery.objects.filter(channel="sms", person=None))


def sent_link(caplog=None) -> str:
    [sms] = texts()
    assert sms.target == PHONE and sms.key.startswith("citizen:verdict-t")
    return re.search(r"(/report/v/[^/]+/)", sms.text).group(1)


def test_closing_texts_the_reporter_a_link_that_rates_and_reopens(closed, client, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.notify")
    order = closed()
    url = sent_link(caplog)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "评价办理结果" in text and "申请重新办理" in text and PHONE not in text
    r = client.post(url, {"action": "rate", "rating": "satisfied"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    assert Verdict.objects.get(order=order).via == "link"
    r = client.post(url, {"action": "rate", "rating": "satisfied"})
    assert r.status_code == 409
    r = client.post(url, {"action": "reopen", "reason": ""})
    assert r.status_code == 400 and "理由" in r.content.decode()
    r = client.post(url, {"action": "reopen", "reason": "没有解决"})
    assert r.status_code == 200
    order.refresh_from_db()
    assert order.state == State.REOPENED
    assert order.transitions.get(action="reopen").actor_name == "公众"


def test_only_public_orders_with_a_phone_get_a_text(closed, crew, report, clock, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.notify")
    closed(phone="")
    closed(source=Source.HOTLINE)  # a 12345 caller is texted too
    assert len(texts()) == 1


def test_bad_or_expired_links_are_404(closed, client, clock, caplog, settings):
    caplog.set_level(logging.INFO, logger="gridgov.notify")
    order = closed()
    url = sent_link(caplog)
    token = url.split("/")[3]
    forged = signing.dumps({"o": order.pk}, salt="another.salt")
    for bad in ("nope", token[:-2] + "xx", forged, "a" * 300,
                signing.dumps({"o": "1"}, salt=verdict_links.SALT)):  # fmt: skip
        assert client.get(f"/report/v/{bad}/").status_code == 404, bad
        assert client.post(f"/report/v/{bad}/", {"action": "rate"}).status_code == 404
    clock.travel(clock.now() + dt.timedelta(days=settings.GRIDGOV_REOPEN_DAYS, hours=1))
    assert client.get(url).status_code == 404
    refused(NOT_FOUND, None, verdict.order_by_token, token)


# --- the tracking page ---------------------------------------------------------------------


def test_the_tracking_page_rates_and_reopens_by_reference(closed, client, clock, settings):
    order = closed()
    ref = order.event.reference
    page = client.get(f"/report/track/?ref={ref}").content.decode()
    assert "提交评价" in page and "申请重新办理" in page and PHONE not in page
    assert client.get("/report/track/verdict/").status_code == 405
    post = "/report/track/verdict/"
    pin = PHONE[-4:]
    assert (
        client.post(post, {"ref": "SJ000000NOPE", "proof": pin, "action": "rate"}).status_code
        == 404
    )
    assert client.post(post, {"ref": "SJ\x00", "proof": pin, "action": "rate"}).status_code == 400
    assert client.post(post, {"ref": ref, "proof": pin, "action": "fly"}).status_code == 400
    meh = {"ref": ref, "proof": pin, "action": "rate", "rating": "meh"}
    assert client.post(post, meh).status_code == 400
    r = client.post(
        post, {"ref": ref.lower(), "proof": pin, "action": "rate", "rating": "unsatisfied"}
    )
    assert r.status_code == 200 and "您的评价" in r.content.decode()
    bad = {"ref": ref, "proof": pin, "action": "reopen", "reason": "坏\x1b"}
    r = client.post(post, bad)
    # The site's input boundary refuses it before the view, naming the field.
    assert r.status_code == 400 and "reason" in r.content.decode()
    assert "U+001B" in r.content.decode()
    long = "长" * (verdict.REASON_LIMIT + 1)
    r = client.post(post, {"ref": ref, "proof": pin, "action": "reopen", "reason": long})
    assert r.status_code == 400 and 'data-field="reason"' in r.content.decode()
    assert "理由（reason）：at most 500 characters" in r.content.decode()
    clock.travel(order.closed_at + dt.timedelta(days=settings.GRIDGOV_REOPEN_DAYS, hours=1))
    r = client.post(post, {"ref": ref, "proof": pin, "action": "reopen", "reason": "仍未解决"})
    assert r.status_code == 409 and "重新办理期限" in r.content.decode()
    assert "已超过重新办理期限" in client.get(f"/report/track/?ref={ref}").content.decode()


def test_a_write_by_number_needs_the_phone_digits_or_the_verdict_code(closed, client):
    post = "/report/track/verdict/"
    order = closed()
    ref = order.event.reference
    code = verdict.verdict_code(ref)
    assert re.fullmatch(r"[A-Z2-7]{6}", code) and code == verdict.verdict_code(ref)
    assert verdict.verdict_code(ref + "X") != code
    rate = {"ref": ref, "action": "rate", "rating": "satisfied"}
    unknown = client.post(post, {**rate, "ref": "SJ000000NOPE", "proof": code})
    assert unknown.status_code == 404
    message = "编号或手机后四位/评价码不正确"
    assert message in unknown.content.decode()
    # The number alone (public in Open311), a wrong proof, another number's code: refused
    # exactly as an unknown number, and nothing is written.
    other = verdict.verdict_code("SJ000000NOPE")
    for proof in ("", "0000", PHONE[-5:], PHONE, code[:5], other, PHONE[:4]):
        r = client.post(post, {**rate, "proof": proof})
        assert r.status_code == 404 and message in r.content.decode(), proof
        assert code not in r.content.decode()
        r = client.post(post, {"ref": ref, "proof": proof, "action": "reopen", "reason": "x"})
        assert r.status_code == 404, proof
    assert client.post(post, {**rate, "proof": "12\x00"}).status_code == 400
    assert client.post(post, {**rate, "proof": "1" * 21}).status_code == 400
    assert not Verdict.objects.exists() and not order.transitions.filter(action="reopen")
    r = client.post(post, {**rate, "proof": f" {PHONE[-4:]} "})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    # No phone given: only the 评价码 proves it.
    bare = closed(phone="")
    ref = bare.event.reference
    r = client.post(post, {**rate, "ref": ref, "proof": PHONE[-4:]})
    assert r.status_code == 404
    r = client.post(post, {**rate, "ref": ref, "proof": verdict.verdict_code(ref).lower()})
    assert r.status_code == 200
    # The tracking page asks for the proof and never shows the code.
    page = client.get(f"/report/track/?ref={ref}").content.decode()
    assert 'name="proof"' in page and "手机后四位或评价码" in page
    assert verdict.verdict_code(ref) not in page


def test_verdict_posts_are_rate_limited_per_client(closed, client, settings, caplog):
    caplog.set_level(logging.INFO, logger="gridgov.notify")
    settings.GRIDGOV_PUBLIC_VERDICTS_PER_HOUR = 3
    order = closed()
    ref = order.event.reference
    url = sent_link()
    post = "/report/track/verdict/"
    for _i in range(2):  # wrong guesses count too
        assert client.post(post, {"ref": ref, "proof": "0000", "action": "rate"}).status_code == 404
    assert client.post(url, {"action": "rate", "rating": "satisfied"}).status_code == 200
    good = {"ref": ref, "proof": PHONE[-4:], "action": "reopen", "reason": "没修好"}
    r = client.post(post, good)
    assert r.status_code == 429 and "提交过于频繁" in r.content.decode()
    assert client.post(url, {"action": "reopen", "reason": "没修好"}).status_code == 429
    assert client.get(url).status_code == 200  # reading is not limited
    order.refresh_from_db()
    assert order.state == State.CLOSED
    r = client.post(post, good, REMOTE_ADDR="10.9.9.9")  # another client
    assert r.status_code == 200


def test_the_done_page_shows_the_number_and_the_verdict_code(crew, client):
    lat, lon = G1_POINT
    form = {"category": "construction_dust", "lat": lat, "lon": lon, "description": "工地扬尘"}
    r = client.post("/report/", {**form, "contact_phone": PHONE})
    assert r.status_code == 200, r.content.decode()[:2000]
    page = r.content.decode()
    [order] = WorkOrder.objects.all()
    ref = order.event.reference
    code = verdict.verdict_code(ref)
    assert ref in page and code in page and "请保存编号和评价码" in page
    # Nowhere else public: not the tracking page, not Open311.
    assert code not in client.get(f"/report/track/?ref={ref}").content.decode()
    assert code not in client.get(f"/open311/v2/requests/{ref}.json").content.decode()


def test_reopen_by_reference_shows_in_the_public_timeline(closed, client):
    order = closed()
    ref = order.event.reference
    code = verdict.verdict_code(ref)
    data = {"ref": ref, "proof": code.lower(), "action": "reopen", "reason": "没修好"}
    r = client.post("/report/track/verdict/", data)
    assert r.status_code == 200
    page = client.get(f"/report/track/?ref={ref}").content.decode()
    assert "群众申请重新办理" in page and "重新打开" in page and "没修好" not in page


def test_public_deadline_met_missed_and_in_hand(crew, report, clock, client):
    now = clock.now()
    on_time = report(source=Source.CITIZEN, now=now - dt.timedelta(hours=3))
    on_time = close_it(on_time, crew, now - dt.timedelta(hours=3))
    limit = timing_for(on_time.event.category, on_time.priority).limit(on_time.created_at)
    d = lateness.public_deadline(on_time, now)
    assert (d.due_at, d.status, d.label) == (limit, "on_time", "按时")

    long_ago = now - dt.timedelta(days=40)
    late = report(source=Source.CITIZEN, now=long_ago)
    late = close_it(late, crew, long_ago, minutes=60 * 24 * 5)  # a step in 5 days: late
    assert lateness.public_deadline(late, now).label == "超时"

    stuck = report(source=Source.CITIZEN, now=long_ago)  # still waiting, past its limit
    assert lateness.public_deadline(stuck, now).label == "超时"
    fresh = report(source=Source.CITIZEN, now=now)
    assert lateness.public_deadline(fresh, now).label == "处理中"

    for order, word in ((on_time, "按时"), (late, "超时"), (stuck, "超时"), (fresh, "处理中")):
        page = client.get(f"/report/track/?ref={order.event.reference}").content.decode()
        assert "办结时限" in page and 'class="timeliness' in page and word in page, word


def test_a_reopened_order_has_a_new_public_deadline(closed, clock):
    order = closed()
    verdict.reopen(order, "没修好")
    order.refresh_from_db()
    d = lateness.public_deadline(order, clock.now())
    timing = timing_for(order.event.category, order.priority)
    assert d.due_at == timing.limit(order.reopened_at) and d.label == "处理中"


# --- statistics, horse race, bulletin, Open311 ---------------------------------------------


def test_reopen_and_satisfaction_in_stats_race_and_bulletin(closed, crew, territory, clock):
    a, b, c = closed(), closed(), closed()
    verdict.rate(a, "satisfied", via="reference")
    verdict.rate(b, "fairly", via="link")
    verdict.rate(c, "unsatisfied", via="reference")
    verdict.reopen(c, "没修好")
    [day] = {o.created_at.astimezone(CST).date() for o in (a, b, c)}  # made together
    start = end = day

    [row] = order_stats(crew["command"], start, end, "community", min_orders=1)["ranked"]
    assert row["key"] == "D-S1-C1" and row["closed"] == 2 and row["open"] == 1
    assert row["public_closed"] == 3 and row["reopened"] == 1
    assert row["reopen_rate"] == round(1 / 3, 4)
    assert row["rated"] == 3 and row["satisfied"] == 2
    assert row["satisfaction_rate"] == round(2 / 3, 4)

    community, other = territory["D-S1-C1"], territory["D-S2-C2"]
    reopen_rate = REGISTRY["order_reopen_rate"]
    assert not reopen_rate.higher_is_better
    got = reopen_rate([community, other], start, end)
    assert got[community.pk].value == 33.3 and got[community.pk].sample == 3
    assert got[other.pk].value is None and got[other.pk].sample == 0
    satisfaction = REGISTRY["order_satisfaction_rate"]([community, other], start, end)
    assert satisfaction[community.pk].value == 66.7 and satisfaction[community.pk].sample == 3

    street = territory["D-S1"]
    period = period_for("day", day, on=day + dt.timedelta(days=1))
    section = Section("work", "工作")
    _key, data = orders_part(section, street, period, UnitReader(street))
    assert data["total"]["reopened"] == 1 and data["total"]["public_closed"] == 3
    text = "".join(section.paragraphs)
    assert "申请重新办理1件" in text and "满意率66.7%" in text
    assert "东一社区（重新打开1件）" in text
    [table] = section.tables
    assert table.headers[-2:] == ["重新打开", "群众满意率"]
    assert table.rows[0][-2:] == [1, round(2 / 3, 4)]


def test_patrol_orders_do_not_dilute_the_reopen_rate(closed, crew, report, territory, clock):
    a, b = closed(), closed()
    verdict.rate(a, "satisfied", via="reference")
    verdict.reopen(b, "没修好")
    [day] = {o.created_at.astimezone(CST).date() for o in (a, b)}
    community = territory["D-S1-C1"]

    def figures():
        [row] = order_stats(crew["command"], day, day, "community", min_orders=1)["ranked"]
        race = REGISTRY["order_reopen_rate"]([community], day, day)[community.pk]
        period = period_for("day", day, on=day + dt.timedelta(days=1))
        street = territory["D-S1"]
        _key, data = orders_part(Section("work", "工作"), street, period, UnitReader(street))
        pick = ("public_closed", "reopened", "reopen_rate", "rated", "satisfaction_rate")
        return {k: row[k] for k in pick}, (race.value, race.sample), data["total"]

    before, race_before, total_before = figures()
    assert before["public_closed"] == 2 and before["reopen_rate"] == 0.5
    assert race_before == (50.0, 2)
    for _i in range(8):  # closed patrol orders of the same community, the same day
        patrol = report(now=a.created_at)
        WorkOrder.objects.filter(pk=patrol.pk).update(state=State.CLOSED, closed_at=a.closed_at)
    after, race_after, total_after = figures()
    assert (after, race_after) == (before, race_before)
    assert total_after["public_closed"] == 2 and total_after["received"] == 10
    assert total_after["closed"] == total_before["closed"] + 8


def test_a_reopen_is_sent_to_the_order_moved_listeners_on_commit(
    closed, django_capture_on_commit_callbacks
):
    order = closed()
    heard = []

    def listener(sender, **kw):
        heard.append((kw["order"].pk, kw["action"], kw["from_state"], kw["to_state"]))

    order_moved.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            verdict.reopen(order, "没修好")
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        order_moved.disconnect(listener)
    assert heard == [(order.pk, "reopen", State.CLOSED, State.REOPENED)]


def test_staff_never_see_the_citizen_sms_link(closed, client, crew, caplog, django_user_model):
    caplog.set_level(logging.INFO, logger="gridgov.notify")
    closed()
    url = sent_link()
    token = url.split("/")[3]
    [sms] = texts()
    assert sms.title == "群众短信" and token in sms.text  # the link only in the body sent
    client.force_login(crew["command"])
    page = client.get("/orders/deliveries/").content.decode()
    assert "群众短信" in page and token not in page and PHONE not in page
    # An older row whose title was the text's start: still shown neutrally.
    Delivery.objects.filter(pk=sms.pk).update(title=sms.text[:200])
    page = client.get("/orders/deliveries/").content.decode()
    assert "群众短信" in page and token not in page
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    listing = client.get("/admin/inbox/delivery/").content.decode()
    one = client.get(f"/admin/inbox/delivery/{sms.pk}/change/").content.decode()
    for text in (listing, one):
        assert "群众短信" in text and token not in text and PHONE not in text
    assert "（群众短信内容不显示）" in one


def test_open311_shows_a_reopened_request_as_open_again(closed, client):
    order = closed()
    ref = order.event.reference
    [before] = client.get(f"/open311/v2/requests/{ref}.json").json()
    assert before["status"] == "closed" and before["expected_datetime"] is None
    verdict.reopen(order, "没修好")
    [after] = client.get(f"/open311/v2/requests/{ref}.json").json()
    assert after["status"] == "open" and "重新打开" in after["status_notes"]
    assert "1次" in after["status_notes"] and after["expected_datetime"]
    xml = client.get(f"/open311/v2/requests/{ref}.xml").content.decode()
    assert "<status>open</status>" in xml and "没修好" not in xml
    assert Transition.objects.filter(order=order, action="reopen").count() == 1


def test_the_desk_sees_the_rating_and_the_reopen_and_dispatches_again(closed, client, login):
    order = closed()
    verdict.rate(order, "unsatisfied", via="link")
    verdict.reopen(order, "没修好")
    login("east_secretary")
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "群众评价" in page and "不满意" in page and "短信链接" in page
    assert "群众申请重新办理" in page and "公众" in page and "没修好" in page
    assert 'value="dispatch"' in page  # the closing unit sends it out again


def test_a_bad_reopen_window_setting_names_the_variable():
    src = Path(verdict.__file__).resolve().parents[2]
    for value, message in (("seven", "must be a whole number"), ("0", "must be at least 1")):
        env = {**os.environ, "PYTHONPATH": str(src), "GRIDGOV_REOPEN_DAYS": value}
        run = subprocess.run(
            [sys.executable, "-c", "import gridgov.settings"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode != 0 and f"GRIDGOV_REOPEN_DAYS {message}" in run.stderr
