"""Deliveries sent once however slow the gateway (each batch claimed at its own moment, the
claim's attempt number checked before sending and at the outcome), a late notice's digest not
lost to one already sent, retries held past the quiet hours, and the DingTalk secret kept out
of the admin form's page."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from gridgov.inbox import delivery, digest, gateways, notify, tasks, timing
from gridgov.inbox.models import Delivery, NoticeSettings, Notification

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
MORNING = dt.datetime(2026, 12, 8, 10, 0, tzinfo=CST)
S = Delivery.State


@pytest.fixture
def channels(settings):
    settings.GRIDGOV_NOTIFY_CHANNELS = ["log", "sms", "email"]
    settings.GRIDGOV_SMS_URL = "http://127.0.0.1:9/never"  # every send below is replaced
    settings.GRIDGOV_NOTIFY_RETRY_SECONDS = 60
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 4


def urgent_sms(person, n: int, now: dt.datetime) -> list[int]:
    """`n` urgent notices (SMS) to `person`, planned at `now`; the ids to send."""
    for i in range(n):
        notify.notify([person], "overdue", f"超期{i}", key=f"o{i}")
    return delivery.plan(list(Notification.objects.order_by("pk")), now)


class SlowGateway:
    """An SMS gateway taking `seconds` a message by a fake clock; during the `sweep_at`-th send
    the minute sweep runs (as another worker would, meanwhile)."""

    def __init__(self, start: dt.datetime, seconds: int, sweep_at: int) -> None:
        self.now, self.seconds, self.sweep_at = start, seconds, sweep_at
        self.texts: list[str] = []
        self.sweeping = False

    def clock(self) -> dt.datetime:
        return self.now

    def send(self, phone: str, text: str) -> str:
        self.texts.append(text)
        if self.sweeping:
            return "sweep"
        self.now += dt.timedelta(seconds=self.seconds)
        if len(self.texts) == self.sweep_at:
            self.sweeping = True
            delivery.send_due(self.now, limit=1000)
            self.sweeping = False
        return "worker"


@pytest.mark.parametrize(
    "rows, seconds, sweep_at",
    [
        (45, 10, 41),  # the third batch, claimed 400 s after the first: its lease is fresh
        (20, 19, 16),  # one slow batch: its last rows' leases run out and the sweep takes them
    ],
)
def test_a_slow_gateway_never_gets_a_message_twice(
    channels, people, clock, monkeypatch, rows, seconds, sweep_at
):
    clock.travel(MORNING, tick=False)
    ids = urgent_sms(people["g1_worker"], rows, MORNING)
    assert len(ids) == rows
    gw = SlowGateway(MORNING, seconds, sweep_at)
    monkeypatch.setattr(delivery, "clock", gw.clock, raising=False)
    monkeypatch.setattr(gateways, "send_sms", gw.send)
    delivery.send_due(MORNING, ids=ids, limit=1000)
    twice = [t for t, n in Counter(gw.texts).items() if n > 1]
    assert twice == [] and len(gw.texts) == rows
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.SENT}


def test_a_claim_taken_over_is_neither_sent_nor_overwritten(channels, people, clock):
    clock.travel(MORNING, tick=False)
    (pk,) = urgent_sms(people["g1_worker"], 1, MORNING)
    assert delivery.take(MORNING) == {pk: 1}
    later = MORNING + timing.LEASE
    assert delivery.take(later) == {pk: 2}  # the first worker's lease ran out
    result = delivery.Sent()
    delivery._send_one(pk, 1, lambda: later, result)  # the first worker comes back
    assert result == delivery.Sent()
    d = Delivery.objects.get()
    assert (d.state, d.attempts, d.lease_until) == (S.SENDING, 2, later + timing.LEASE)


def test_the_delivery_job_of_new_notices_has_a_time_budget(channels, people, clock, monkeypatch):
    clock.travel(MORNING, tick=False)
    ids = urgent_sms(people["g1_worker"], delivery.BATCH + 5, MORNING)
    monkeypatch.setattr(gateways, "send_sms", lambda phone, text: "ok")
    monkeypatch.setattr(tasks, "SEND_BUDGET", 0, raising=False)
    tasks.send_deliveries.call_local(ids)
    assert Delivery.objects.filter(state=S.SENT).count() == delivery.BATCH
    assert Delivery.objects.filter(state=S.PENDING).count() == 5  # for the next sweep


def hold_for_digest(person, title: str, key: str, planned: dt.datetime) -> Delivery:
    """A non-urgent notice held for `person`'s 18:00 digest, planned at `planned`."""
    notify.notify([person], "assigned", title, key=key)
    delivery.plan([Notification.objects.get(key=key)], planned)
    return Delivery.objects.get(key=f"n{Notification.objects.get(key=key).pk}")


def test_a_late_notice_is_not_merged_into_a_digest_already_sent(
    channels, people, clock, monkeypatch
):
    worker = people["g1_worker"]
    NoticeSettings.objects.create(
        person=worker, digest=True, digest_at=dt.time(18, 0), channels={"assigned": ["sms"]}
    )
    sent: list[str] = []
    monkeypatch.setattr(gateways, "send_sms", lambda phone, text: sent.append(text) or "ok")
    six = dt.datetime(2026, 12, 8, 18, 0, tzinfo=CST)
    clock.travel(six, tick=False)
    hold_for_digest(worker, "早", "a1", MORNING)
    (first,) = digest.combine_digests(six)
    assert delivery.send_due(six).sent == [first]
    # Planned a moment before six, committed after the digest went: due at six all the same.
    late = hold_for_digest(worker, "迟", "a2", six - dt.timedelta(seconds=1))
    assert late.state == S.DIGEST and late.next_attempt_at == six
    (second,) = digest.combine_digests(six + dt.timedelta(minutes=1))
    assert second != first
    assert Delivery.objects.get(pk=second).key == "digest:202612081800:2"
    late.refresh_from_db()
    assert (late.state, late.merged_into_id) == (S.MERGED, second)
    assert delivery.send_due(six + dt.timedelta(minutes=1)).sent == [second]
    assert sent == ["今日消息汇总（1 条）\n· 早", "今日消息汇总（1 条）\n· 迟"]


def test_a_late_notice_joins_a_digest_not_yet_sent_and_its_text(channels, people, clock):
    worker = people["g1_worker"]
    NoticeSettings.objects.create(
        person=worker, digest=True, digest_at=dt.time(18, 0), channels={"assigned": ["sms"]}
    )
    six = dt.datetime(2026, 12, 8, 18, 0, tzinfo=CST)
    clock.travel(six, tick=False)
    hold_for_digest(worker, "早", "a1", MORNING)
    (first,) = digest.combine_digests(six)
    hold_for_digest(worker, "迟", "a2", six - dt.timedelta(seconds=1))
    assert digest.combine_digests(six) == [first]
    combined = Delivery.objects.get(pk=first)
    assert combined.text == "今日消息汇总（2 条）\n· 早\n· 迟"
    assert Delivery.objects.filter(merged_into=combined).count() == 2


NIGHT = (dt.time(22, 0), dt.time(7, 0))


@pytest.mark.parametrize(
    "kind, quiet, retry_at",
    [
        ("assigned", "default", dt.datetime(2026, 12, 9, 7, 0, tzinfo=CST)),
        ("assigned", (dt.time(21, 0), dt.time(6, 30)), dt.datetime(2026, 12, 9, 6, 30, tzinfo=CST)),
        ("assigned", None, dt.datetime(2026, 12, 8, 22, 0, tzinfo=CST)),  # no quiet hours
        ("overdue", NIGHT, dt.datetime(2026, 12, 8, 22, 0, tzinfo=CST)),  # urgent: not held
    ],
)
def test_a_retry_waits_out_the_quiet_hours(
    channels, people, clock, monkeypatch, kind, quiet, retry_at
):
    leader = people["g1_leader"]
    leader.user.email = "zhang@example.org"
    leader.user.save()
    if quiet != "default":
        NoticeSettings.objects.create(
            person=leader,
            quiet=quiet is not None,
            quiet_from=(quiet or NIGHT)[0],
            quiet_until=(quiet or NIGHT)[1],
            channels={kind: ["email"]},
        )
    # Made in the day (not held), failing at 21:59 China time with 60 s of back-off.
    notify.notify([leader], kind, "消息", key="k")
    delivery.plan([Notification.objects.get(key="k")], MORNING)
    fail_at = dt.datetime(2026, 12, 8, 21, 59, tzinfo=CST)
    clock.travel(fail_at, tick=False)

    def down(*args: str) -> str:
        raise gateways.SendFailed("timeout")

    monkeypatch.setattr(gateways, "send_email", down)
    assert len(delivery.send_due(fail_at).failed) == 1
    d = Delivery.objects.get()
    assert (d.channel, d.next_attempt_at) == ("email", retry_at)


def test_a_citizens_retry_waits_out_the_default_quiet_hours(channels, clock, monkeypatch):
    clock.travel(MORNING, tick=False)
    Delivery.objects.create(
        channel="sms",
        target="13800001234",
        key="citizen:x",
        title="办结",
        text="办结",
        next_attempt_at=MORNING,
        created_at=MORNING,
    )
    fail_at = dt.datetime(2026, 12, 8, 21, 59, 30, tzinfo=CST)

    def down(*args: str) -> str:
        raise gateways.SendFailed("timeout")

    monkeypatch.setattr(gateways, "send_sms", down)
    assert len(delivery.send_due(fail_at).failed) == 1
    assert Delivery.objects.get().next_attempt_at == dt.datetime(2026, 12, 9, 7, 0, tzinfo=CST)


def test_the_admin_never_shows_the_dingtalk_secret(client, territory, django_user_model):
    from gridgov.inbox.models import GroupRobot

    robot = GroupRobot.objects.create(
        region=territory["D-S1-C1-G1"],
        name="钉钉群",
        provider="dingtalk",
        webhook="https://oapi.dingtalk.com/robot/send?access_token=abc",
        secret="SECxyz123",
    )
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    url = f"/admin/inbox/grouprobot/{robot.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "SECxyz123" not in page.content.decode()
    form = {
        "region": territory["D-S1-C1-G1"].pk,
        "name": "钉钉群2",
        "provider": "dingtalk",
        "webhook": robot.webhook,
        "secret": "",
        "kinds": robot.kinds,
        "active": "on",
    }
    assert client.post(url, form).status_code == 302
    robot.refresh_from_db()
    assert (robot.name, robot.secret) == ("钉钉群2", "SECxyz123")  # blank keeps it
    assert client.post(url, {**form, "secret": "SECnew"}).status_code == 302
    robot.refresh_from_db()
    assert robot.secret == "SECnew"
    assert client.post(url, {**form, "clear_secret": "on"}).status_code == 302
    robot.refresh_from_db()
    assert robot.secret == ""
