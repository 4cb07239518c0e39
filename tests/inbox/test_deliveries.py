"""Real messages: each channel against a local fake server (the SMS gateway, the WeCom and
DingTalk robots; e-mail through Django's test outbox), with failure, back-off, give-up, quiet
hours, the digest, a disabled channel, exactly-once claims and `text_citizen`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest
from django.core import mail

from gridgov import inputs
from gridgov.inbox import delivery, digest, gateways, notify, timing
from gridgov.inbox.models import Delivery, GroupRobot, NoticeSettings
from tests.inbox.fakegateway import FakeGateway

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
MORNING = dt.datetime(2026, 12, 8, 10, 0, tzinfo=CST)
S = Delivery.State


@pytest.fixture
def sms(settings):
    fake = FakeGateway({"code": 0, "msgid": "M-1"})
    settings.GRIDGOV_NOTIFY_CHANNELS = ["log", "sms", "email"]
    settings.GRIDGOV_SMS_URL = fake.url + "/sms/send"
    settings.GRIDGOV_SMS_SIGN = "网格办"
    settings.GRIDGOV_SMS_KEY = "k3y"
    settings.GRIDGOV_NOTIFY_TIMEOUT = 0.5
    settings.GRIDGOV_NOTIFY_RETRY_SECONDS = 60
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 4
    yield fake
    fake.stop()


@pytest.fixture
def robot(settings):
    fake = FakeGateway({"errcode": 0, "errmsg": "ok"})
    settings.GRIDGOV_NOTIFY_CHANNELS = ["log", "wecom", "dingtalk"]
    settings.GRIDGOV_NOTIFY_TIMEOUT = 0.5
    yield fake
    fake.stop()


def tell(capture, persons, kind, title, key, body=""):
    with capture(execute=True):
        return notify.notify(persons, kind, title, key=key, body=body)


def at(clock, moment):
    clock.travel(moment, tick=False)
    return moment


def test_sms_goes_through_the_gateway_with_the_template_filled_and_signed(
    sms, people, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", "工单超期", "k1")
    d = Delivery.objects.get()
    assert (d.channel, d.target, d.state, d.urgent) == ("sms", "13900000005", S.PENDING, True)
    assert delivery.send_due(now).sent == [d.pk]
    (seen,) = sms.seen
    body = seen.json()
    assert seen.method == "POST" and seen.path == "/sms/send"
    assert body["mobile"] == "13900000005" and body["sign"] == "网格办"
    assert body["content"] == "【超期】工单超期"
    expected = hmac.new(
        b"k3y", f"{body['timestamp']}\n13900000005\n【超期】工单超期".encode(), hashlib.sha256
    ).hexdigest()
    assert body["signature"] == expected
    d.refresh_from_db()
    assert (d.state, d.provider_id, d.attempts, d.sent_at) == (S.SENT, "M-1", 1, now)
    # Sent once: another sweep, and the same notice again, send nothing.
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", "工单超期", "k1")
    assert delivery.send_due(now + dt.timedelta(hours=1)).sent == [] and len(sms.seen) == 1


def test_a_get_gateway_gets_its_values_url_encoded(sms, settings):
    settings.GRIDGOV_SMS_METHOD = "GET"
    settings.GRIDGOV_SMS_TEMPLATE = "to={phone}&msg={text}&apikey={key}"
    settings.GRIDGOV_SMS_OK_FIELD = ""
    assert gateways.send_sms("13900000005", "你好 & 再见") == ""
    assert sms.seen[0].method == "GET"
    assert sms.seen[0].query == {"to": "13900000005", "msg": "你好 & 再见", "apikey": "k3y"}


def test_a_failing_gateway_is_retried_with_back_off_then_sent(
    sms, people, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    sms.then(500, {"code": 500}).then(200, {"code": 17, "msg": "余额不足"}).then(
        200, {"code": 0}, delay=1.5
    )
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "command", "立即检查", "c1")
    d = Delivery.objects.get()
    waits = []
    for error in ("HTTP 500", "provider code=17 余额不足", "timeout"):
        assert delivery.send_due(now).failed == [d.pk]
        d.refresh_from_db()
        assert d.state == S.FAILED and d.last_error == error
        waits.append((d.next_attempt_at - now).total_seconds())
        # Not due a second early.
        assert delivery.send_due(d.next_attempt_at - dt.timedelta(seconds=1)).failed == []
        now = d.next_attempt_at
    assert waits == [60, 120, 240]
    assert delivery.send_due(now).sent == [d.pk]
    d.refresh_from_db()
    assert (d.state, d.attempts, d.last_error, d.provider_id) == (S.SENT, 4, "", "M-1")


def test_a_delivery_is_given_up_after_the_limit(
    sms, settings, people, clock, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 2
    now = at(clock, MORNING)
    sms.then(503, {}).then(503, {}).then(503, {})
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "escalated", "升级", "e1")
    d = Delivery.objects.get()
    assert delivery.send_due(now).failed == [d.pk]
    assert delivery.send_due(now + dt.timedelta(minutes=1)).given_up == [d.pk]
    d.refresh_from_db()
    assert (d.state, d.attempts, d.last_error) == (S.GIVEN_UP, 2, "HTTP 503")
    assert delivery.send_due(now + dt.timedelta(days=3)).given_up == []
    assert len(sms.seen) == 2


def test_a_units_wecom_robot_hears_a_notice_once(
    robot, people, territory, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    GroupRobot.objects.create(
        region=territory["D-S1-C1-G1"], name="一网格群", provider="wecom", webhook=robot.url + "/w"
    )
    GroupRobot.objects.create(
        region=territory["D-S2-C2-G3"], name="三网格群", provider="wecom", webhook=robot.url + "/x"
    )
    g1 = [people["g1_worker"], people["g1_leader"]]
    tell(django_capture_on_commit_callbacks, g1, "overdue", "工单超期", "t9", body="D-1 东街")
    tell(django_capture_on_commit_callbacks, g1, "assigned", "新派单", "t10")  # not its kind
    d = Delivery.objects.get()
    assert (d.channel, d.target, d.key) == ("wecom", f"robot:{d.robot_id}", "t9")
    assert delivery.send_due(now).sent == [d.pk]
    (seen,) = robot.seen
    assert seen.path == "/w"
    assert seen.json() == {"msgtype": "text", "text": {"content": "【超期】工单超期\nD-1 东街"}}
    d.refresh_from_db()
    assert d.masked_target == "一网格群"


def test_dingtalk_robot_signs_with_timestamp_and_secret(
    robot, people, territory, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    GroupRobot.objects.create(
        region=territory["D-S1-C1-G1"],
        name="钉钉群",
        provider="dingtalk",
        webhook=robot.url + "/robot/send?access_token=abc",
        secret="SECxyz",
    )
    robot.then(200, {"errcode": 310000, "errmsg": "sign not match"})
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "command", "指令", "d1")
    d = Delivery.objects.get()
    assert delivery.send_due(now).failed == [d.pk]
    d.refresh_from_db()
    assert d.last_error == "errcode=310000 sign not match"
    assert delivery.send_due(d.next_attempt_at).sent == [d.pk]
    for seen in robot.seen:
        q = seen.query
        assert q["access_token"] == "abc"
        ts = q["timestamp"]
        mac = hmac.new(b"SECxyz", f"{ts}\nSECxyz".encode(), hashlib.sha256).digest()
        assert q["sign"] == base64.b64encode(mac).decode()
        assert abs(int(ts) / 1000 - now.timestamp()) < 5
        assert seen.json()["text"]["content"] == "【指令】指令"


def test_quiet_hours_hold_non_urgent_until_morning_but_urgent_goes(
    sms, people, clock, django_capture_on_commit_callbacks
):
    worker = people["g1_leader"]
    worker.user.email = "zhang@example.org"
    worker.user.save()
    night = at(clock, dt.datetime(2026, 12, 8, 23, 30, tzinfo=CST))
    tell(django_capture_on_commit_callbacks, [worker], "assigned", "新派单", "a1")
    tell(django_capture_on_commit_callbacks, [worker], "overdue", "超期", "o1")
    held = Delivery.objects.get(kind="assigned")
    assert held.channel == "email" and held.state == S.PENDING
    assert held.next_attempt_at == dt.datetime(2026, 12, 9, 7, 0, tzinfo=CST)
    sent = delivery.send_due(night).sent
    assert sorted(Delivery.objects.filter(kind="overdue").values_list("channel", flat=True)) == [
        "email",
        "sms",
    ]
    assert len(sent) == 2 and held.pk not in sent and len(mail.outbox) == 1
    assert delivery.send_due(dt.datetime(2026, 12, 9, 6, 59, tzinfo=CST)).sent == []
    assert delivery.send_due(dt.datetime(2026, 12, 9, 7, 0, tzinfo=CST)).sent == [held.pk]
    assert mail.outbox[-1].to == ["zhang@example.org"] and mail.outbox[-1].subject == "新派单"


def test_the_digest_combines_the_days_non_urgent_notices(
    sms, people, clock, django_capture_on_commit_callbacks
):
    worker = people["g1_worker"]
    NoticeSettings.objects.create(
        person=worker, digest=True, digest_at=dt.time(18, 0), channels={"assigned": ["sms"]}
    )
    now = at(clock, MORNING)
    for i in range(3):
        tell(django_capture_on_commit_callbacks, [worker], "assigned", f"新派单{i}", f"a{i}")
    tell(django_capture_on_commit_callbacks, [worker], "command", "指令", "c")
    assert delivery.send_due(now).sent == [Delivery.objects.get(kind="command").pk]
    held = Delivery.objects.filter(state=S.DIGEST)
    assert held.count() == 3
    assert digest.combine_digests(dt.datetime(2026, 12, 8, 17, 59, tzinfo=CST)) == []
    six = dt.datetime(2026, 12, 8, 18, 0, tzinfo=CST)
    (pk,) = digest.combine_digests(six)
    assert digest.combine_digests(six) == []  # the second sweep finds nothing held
    combined = Delivery.objects.get(pk=pk)
    assert combined.key == "digest:202612081800" and combined.target == "13900000005"
    assert combined.text == "今日消息汇总（3 条）\n· 新派单0\n· 新派单1\n· 新派单2"
    assert set(Delivery.objects.filter(merged_into=combined).values_list("state", flat=True)) == {
        S.MERGED
    }
    assert delivery.send_due(six).sent == [pk]
    assert [s.json()["content"] for s in sms.seen][-1] == combined.text


def test_a_disabled_channel_makes_no_delivery_and_a_pending_one_is_given_up(
    sms, settings, people, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    worker = people["g1_worker"]
    NoticeSettings.objects.create(person=worker, channels={"overdue": []})
    tell(django_capture_on_commit_callbacks, [worker], "overdue", "超期", "o1")
    assert not Delivery.objects.exists()  # the person turned SMS off for this kind
    tell(django_capture_on_commit_callbacks, [worker], "command", "指令", "c1")
    d = Delivery.objects.get()
    settings.GRIDGOV_NOTIFY_CHANNELS = ["log"]
    tell(django_capture_on_commit_callbacks, [worker], "command", "指令2", "c2")
    assert Delivery.objects.count() == 1
    assert delivery.send_due(now).given_up == [d.pk]
    d.refresh_from_db()
    assert d.last_error == "通道未启用" and sms.seen == []


def test_each_delivery_is_claimed_by_one_worker(
    sms, people, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", "超期", "o1")
    d = Delivery.objects.get()
    assert delivery.claim(now) == [d.pk]
    assert delivery.claim(now) == []  # claimed: not due while its lease runs
    # A worker that died holding it: taken again once the lease has run out.
    assert delivery.claim(now + timing.LEASE) == [d.pk]
    # A worker that read the row before another claimed it finds it gone.
    stale = Delivery.objects.filter(pk=d.pk, state=S.PENDING, attempts=0)
    assert stale.update(state=S.SENDING) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_send_each_delivery_once(sms, people, clock):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the claim itself is tested above")
    import threading

    now = at(clock, MORNING)
    for i in range(30):
        notify.notify([people["g1_worker"]], "overdue", f"超期{i}", key=f"o{i}")
    delivery.plan(list(notify.Notification.objects.all()), now)
    assert Delivery.objects.count() == 30
    results: list[list[int]] = []

    def work():
        try:
            results.append(delivery.send_due(now, limit=10).sent)
            results.append(delivery.send_due(now, limit=30).sent)
        finally:
            connection.close()  # each thread's own connection (else the test DB stays in use)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = [pk for r in results for pk in r]
    assert len(sent) == len(set(sent)) == 30 and len(sms.seen) == 30


def test_text_citizen_sends_once_per_key_and_refuses_bad_input(
    sms, settings, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    with django_capture_on_commit_callbacks(execute=True):
        notify.text_citizen("13800001234", "您反映的问题已办结", key="order:7:closed")
        notify.text_citizen("13800001234", "您反映的问题已办结", key="order:7:closed")
    d = Delivery.objects.get()
    assert (d.target, d.key, d.person_id, d.state) == (
        "13800001234",
        "citizen:order:7:closed",
        None,
        S.PENDING,
    )
    assert delivery.send_due(now).sent == [d.pk]
    assert sms.seen[0].json()["content"] == "您反映的问题已办结"
    for phone, text, key, field in [
        ("1380000123", "x", "k", "phone"),
        ("23800001234", "x", "k", "phone"),
        ("1380000123\x00", "x", "k", "phone"),
        ("13800001234", "a\x07b", "k", "text"),
        ("13800001234", "", "k", "text"),
        ("13800001234", "x" * 501, "k", "text"),
        ("13800001234", "x", "k" * 121, "key"),
    ]:
        with pytest.raises(inputs.InputError) as exc:
            notify.text_citizen(phone, text, key=key)
        assert exc.value.field == field
    # At night a citizen's SMS waits for the morning; with SMS off it is kept as given up.
    night = at(clock, dt.datetime(2026, 12, 8, 22, 30, tzinfo=CST))
    notify.text_citizen("13800001234", "夜间", key="n")
    assert Delivery.objects.get(key="citizen:n").next_attempt_at == dt.datetime(
        2026, 12, 9, 7, 0, tzinfo=CST
    )
    assert delivery.send_due(night).sent == []
    settings.GRIDGOV_NOTIFY_CHANNELS = ["log"]
    notify.text_citizen("13800001234", "关闭", key="off")
    off = Delivery.objects.get(key="citizen:off")
    assert off.state == S.GIVEN_UP and off.last_error == "SMS channel off"


def test_the_sms_channel_needs_its_gateway(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.GRIDGOV_NOTIFY_CHANNELS = ["log", "sms"]
    settings.GRIDGOV_SMS_URL = ""
    with pytest.raises(ImproperlyConfigured, match="GRIDGOV_SMS_URL"):
        notify.channels()


def test_notices_bulk_made_without_ids_are_found_and_the_worker_sweep_sends_them(
    sms, people, clock
):
    """The deadline sweep hands `_deliver` notices inserted with ignore_conflicts (no ids)."""
    from gridgov.inbox import tasks
    from gridgov.inbox.models import Notification

    now = at(clock, MORNING)
    worker = people["g1_worker"]
    made = Notification(person=worker, kind="overdue", title="超期", key="sw1", created_at=now)
    Notification.objects.bulk_create([made], ignore_conflicts=True)
    bare = Notification(person_id=worker.pk, kind="overdue", title="超期", key="sw1")
    assert bare.pk is None
    notify._deliver([bare])
    d = Delivery.objects.get()
    assert d.notification_id == Notification.objects.get(key="sw1").pk
    tasks.delivery_sweep.call_local()
    d.refresh_from_db()
    assert d.state == S.SENT and len(sms.seen) == 1


def test_the_sweep_stops_claiming_once_its_time_is_spent(
    sms, people, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    for i in range(delivery.BATCH + 5):
        tell(
            django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", f"超{i}", f"o{i}"
        )
    first = delivery.send_due(now, limit=1000, budget=0)
    assert len(first.sent) == delivery.BATCH  # one batch, then the budget is spent
    assert Delivery.objects.filter(state=S.PENDING).count() == 5
    assert len(delivery.send_due(now, limit=1000).sent) == 5


def test_an_unexpected_error_is_a_failure_to_retry(
    sms, people, clock, django_capture_on_commit_callbacks, monkeypatch
):
    now = at(clock, MORNING)
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", "超期", "o1")

    def broken(phone, text):
        raise RuntimeError("bug")

    monkeypatch.setattr(gateways, "send_sms", broken)
    assert len(delivery.send_due(now).failed) == 1
    d = Delivery.objects.get()
    assert (d.state, d.last_error, d.lease_until) == (S.FAILED, "bug", None)


def test_wecom_failure_is_retried_and_an_inactive_robot_gets_nothing(
    robot, people, territory, clock, django_capture_on_commit_callbacks
):
    now = at(clock, MORNING)
    group = GroupRobot.objects.create(
        region=territory["D-S1-C1-G1"], name="一网格群", provider="wecom", webhook=robot.url + "/w"
    )
    robot.then(500, {"errcode": -1}).then(200, {"errcode": 93000, "errmsg": "invalid webhook"})
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", "超期", "t1")
    d = Delivery.objects.get()
    assert delivery.send_due(now).failed == [d.pk]
    d.refresh_from_db()
    assert d.last_error == "HTTP 500"
    assert delivery.send_due(d.next_attempt_at).failed == [d.pk]
    d.refresh_from_db()
    assert d.last_error == "errcode=93000 invalid webhook" and d.attempts == 2
    # Turned off meanwhile: the waiting delivery is given up, new notices make none.
    group.active = False
    group.save()
    assert delivery.send_due(d.next_attempt_at).given_up == [d.pk]
    tell(django_capture_on_commit_callbacks, [people["g1_worker"]], "overdue", "超期", "t2")
    assert Delivery.objects.count() == 1 and len(robot.seen) == 2


def test_email_failure_is_retried(
    sms, people, clock, django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    now = at(clock, MORNING)
    leader = people["g1_leader"]
    leader.user.email = "zhang@example.org"
    leader.user.save()
    NoticeSettings.objects.create(person=leader, channels={"command": ["email"]})
    real = gateways.send_mail

    def refused(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(gateways, "send_mail", refused)
    tell(django_capture_on_commit_callbacks, [leader], "command", "指令", "c1")
    d = Delivery.objects.get()
    assert (d.channel, d.target) == ("email", "zhang@example.org")
    assert delivery.send_due(now).failed == [d.pk]
    d.refresh_from_db()
    assert d.last_error == "mail: gone"
    monkeypatch.setattr(gateways, "send_mail", real)
    assert delivery.send_due(d.next_attempt_at).sent == [d.pk]
    assert mail.outbox[-1].to == ["zhang@example.org"] and mail.outbox[-1].body == "【指令】指令"
