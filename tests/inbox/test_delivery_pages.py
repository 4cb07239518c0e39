"""The delivery log (scoped, phones masked), the message settings pages (desktop and phone),
the admin, and the timing rules (quiet hours, digest moment, back-off) as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gridgov import config
from gridgov.inbox import preferences, timing
from gridgov.inbox.models import Delivery, NoticeSettings, mask_target

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
T = dt.time


def delivery(person, phone, title, state="sent", **kw):
    now = dt.datetime(2026, 12, 8, 10, 0, tzinfo=CST)
    return Delivery.objects.create(
        person=person,
        channel="sms",
        target=phone,
        key=f"k-{title}",
        title=title,
        text=title,
        state=state,
        next_attempt_at=now,
        created_at=now,
        **kw,
    )


def test_the_delivery_log_is_scoped_and_masks_phones(client, crew, people):
    delivery(people["g1_worker"], people["g1_worker"].phone, "东边的", last_error="HTTP 500")
    delivery(people["g3_worker"], people["g3_worker"].phone, "西边的", state="given_up")
    client.force_login(crew["command"])
    page = client.get(reverse("inbox:deliveries")).content.decode()
    assert "东边的" in page and "西边的" in page and "HTTP 500" in page
    assert "139****0005" in page and "13900000005" not in page and "13900000006" not in page
    only = client.get(reverse("inbox:deliveries"), {"state": "given_up"}).content.decode()
    assert "西边的" in only and "东边的" not in only
    assert client.get(reverse("inbox:deliveries"), {"state": "a\x00"}).status_code == 400
    # An office that issues commands (a street's, a community's) sees its own people only.
    from django.contrib.auth.models import Permission

    east = crew["east_secretary"]
    east.user_permissions.add(Permission.objects.get(codename="issue_command"))
    east = type(east).objects.get(pk=east.pk)
    client.force_login(east)
    page = client.get(reverse("inbox:deliveries")).content.decode()
    assert "东边的" in page and "西边的" not in page
    client.force_login(crew["g1_leader"])
    assert client.get(reverse("inbox:deliveries")).status_code == 404
    assert [d.title for d in Delivery.objects.for_user(east)] == ["东边的"]
    assert not Delivery.objects.for_user(crew["g1_worker"]).filter(title="西边的").exists()


def test_the_admin_lists_deliveries_masked(client, people, django_user_model):
    delivery(people["g1_worker"], people["g1_worker"].phone, "东边的")
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    page = client.get("/admin/inbox/delivery/")
    assert page.status_code == 200, page.status_code
    text = page.content.decode()
    assert "139****0005" in text and "13900000005" not in text
    d = Delivery.objects.get()
    one = client.get(f"/admin/inbox/delivery/{d.pk}/change/").content.decode()
    assert "139****0005" in one and "13900000005" not in one
    assert client.get("/admin/inbox/grouprobot/").status_code == 200


def test_masking():
    assert mask_target("sms", "13812345678") == "138****5678"
    assert mask_target("email", "zhang@example.org") == "z***@example.org"
    assert mask_target("wecom", "robot:1") == "—"


@pytest.mark.parametrize("page", ["inbox:settings", "inbox:phone_settings"])
def test_a_person_edits_their_message_settings(client, crew, people, page):
    client.force_login(crew["g1_leader"])
    url = reverse(page)
    got = client.get(url)
    assert got.status_code == 200
    html = got.content.decode()
    assert 'name="ch_overdue_sms" id="id_ch_overdue_sms" checked' in html  # the defaults
    assert 'name="ch_assigned_sms" id="id_ch_assigned_sms">' in html
    post = {
        "quiet": "on",
        "quiet_from": "21:30",
        "quiet_until": "06:45",
        "digest": "on",
        "digest_at": "17:00",
        "ch_assigned_email": "on",
        "ch_overdue_sms": "on",
    }
    assert client.post(url, post).status_code == 302
    row = NoticeSettings.objects.get(person=people["g1_leader"])
    assert (row.quiet, row.quiet_from, row.quiet_until, row.digest, row.digest_at) == (
        True,
        T(21, 30),
        T(6, 45),
        True,
        T(17, 0),
    )
    assert row.channels["assigned"] == ["email"] and row.channels["overdue"] == ["sms"]
    assert row.channels["command"] == []
    prefs = preferences.prefs_for([people["g1_leader"].pk])[people["g1_leader"].pk]
    assert prefs.quiet == (T(21, 30), T(6, 45)) and prefs.digest_at == T(17, 0)
    # Bad input: an impossible time, quiet hours of no length, a control character.
    bad = client.post(url, {**post, "quiet_from": "25:00"})
    assert bad.status_code == 200 and "quiet_from" in bad.context["form"].errors
    same = client.post(url, {**post, "quiet_until": "21:30"})
    assert same.status_code == 200 and "quiet_until" in same.context["form"].errors
    assert client.post(url, {**post, "digest_at": "17:00\x00"}).status_code == 400


def test_an_account_without_a_person_has_no_settings(client, users):
    client.force_login(users["nobody"])
    assert client.get(reverse("inbox:settings")).status_code == 404


def test_defaults_and_refusals_of_preferences(people):
    p = preferences.prefs_for([people["g1_worker"].pk])[people["g1_worker"].pk]
    assert p.channels_for("overdue") == ["sms", "email"]
    assert p.channels_for("assigned") == ["email"]
    assert p.quiet == (T(22, 0), T(7, 0)) and p.digest_at is None
    from gridgov.errors import DomainError

    kw = dict(quiet=True, quiet_from=T(22), quiet_until=T(7), digest=False, digest_at=T(18))
    with pytest.raises(DomainError, match="unknown kind"):
        preferences.save(people["g1_worker"], channels={"nope": ["sms"]}, **kw)
    with pytest.raises(DomainError, match="unknown channel"):
        preferences.save(people["g1_worker"], channels={"overdue": ["fax"]}, **kw)


def test_quiet_hours_pass_midnight():
    night = (T(22, 0), T(7, 0))
    at = lambda h, m=0: dt.datetime(2026, 12, 8, h, m, tzinfo=CST)  # noqa: E731
    assert timing.in_quiet(at(22), *night) and timing.in_quiet(at(3), *night)
    assert not timing.in_quiet(at(7), *night) and not timing.in_quiet(at(21, 59), *night)
    assert timing.quiet_release(at(23), *night) == dt.datetime(2026, 12, 9, 7, 0, tzinfo=CST)
    assert timing.quiet_release(at(3), *night) == at(7)
    assert timing.quiet_release(at(12), *night) == at(12)
    lunch = (T(12, 0), T(14, 0))
    assert timing.quiet_release(at(13), *lunch) == at(14)
    assert not timing.in_quiet(at(13), T(9), T(9))
    # The same moment in UTC is read in China time.
    utc = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)  # 23:00 in China
    assert timing.in_quiet(utc, *night)


def test_digest_moment_and_back_off(settings):
    at = lambda h, m=0: dt.datetime(2026, 12, 8, h, m, tzinfo=CST)  # noqa: E731
    assert timing.next_digest(at(10), T(18)) == at(18)
    assert timing.next_digest(at(18), T(18)) == at(18)
    assert timing.next_digest(at(18, 1), T(18)) == dt.datetime(2026, 12, 9, 18, 0, tzinfo=CST)
    settings.GRIDGOV_NOTIFY_RETRY_SECONDS = 60
    assert [timing.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert timing.backoff(40) == dt.timedelta(days=1)
    now = at(10)
    assert timing.is_due("pending", now, None, now)
    assert not timing.is_due("failed", now + dt.timedelta(seconds=1), None, now)
    assert not timing.is_due("sending", now, now + dt.timedelta(seconds=1), now)
    assert timing.is_due("sending", now, now, now)
    assert not timing.is_due("sent", now, None, now)
    assert not timing.is_due("digest", now, None, now)


def test_the_time_settings_are_checked(monkeypatch):
    monkeypatch.setenv("X_RANGE", "22:00-07:00")
    assert config.env_time_range("X_RANGE", "") == (T(22), T(7))
    monkeypatch.setenv("X_RANGE", "")
    assert config.env_time_range("X_RANGE", "22:00-07:00") is None
    for bad in ("22:00", "25:00-07:00", "nonsense"):
        monkeypatch.setenv("X_RANGE", bad)
        with pytest.raises(ValueError, match="X_RANGE"):
            config.env_time_range("X_RANGE", "")
    monkeypatch.setenv("X_AT", "18:61")
    with pytest.raises(ValueError, match="X_AT"):
        config.env_time("X_AT", "18:00")


def test_a_robot_names_only_known_kinds(territory):
    from django.core.exceptions import ValidationError

    from gridgov.inbox.models import GroupRobot

    robot = GroupRobot(
        region=territory["D-S1-C1-G1"],
        name="群",
        provider="dingtalk",
        webhook="https://oapi.dingtalk.com/robot/send?access_token=x",
        kinds="overdue, nope",
    )
    with pytest.raises(ValidationError, match="nope"):
        robot.full_clean()
    robot.kinds = "overdue, command"
    robot.full_clean()
    assert robot.kind_set() == {"overdue", "command"}
