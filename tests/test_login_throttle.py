"""Login throttling (django-axes) on the login page, the admin's login and the token endpoint:
per account at one address (5), per account anywhere (50), per address over every account (100),
ending by itself after the cool-off, lifted by an admin."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def page_login(client, username, password, ip="192.0.2.1", path="/login/", **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def token_login(client, username, password, ip="192.0.2.1", **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        **extra,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def after_cooloff(settings):
    """Move every counted failure back past the cool-off, as if that time had passed."""
    past = timezone.now() - dt.timedelta(minutes=settings.GRIDGOV_LOGIN_COOLOFF_MINUTES, seconds=5)
    AccessAttempt.objects.update(attempt_time=past)


def test_thirty_wrong_passwords_lock_the_login_page_even_for_the_right_one(client, users, settings):
    assert settings.AXES_FAILURE_LIMIT == settings.GRIDGOV_LOGIN_FAILURE_LIMIT == 5
    for _ in range(30):
        page_login(client, "command", "wrong")
    response = page_login(client, "command", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert int(response["Retry-After"]) == 15 * 60
    assert not logged_in(client)

    after_cooloff(settings)
    response = page_login(client, "command", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_lock_message_is_translated(client, users):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = page_login(client, "command", "wrong")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_failures_below_the_limit_do_not_lock(client, users):
    for _ in range(4):
        assert page_login(client, "command", "wrong").status_code == 200
    assert page_login(client, "command", PASSWORD).status_code == 302


def test_thirty_wrong_passwords_lock_the_token_endpoint(client, users, settings):
    for _ in range(30):
        token_login(client, "command", "wrong")
    response = token_login(client, "command", PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["errors"][0]["field"] == "username"
    assert "登录失败次数过多" in body["detail"]
    assert response["Retry-After"] == str(15 * 60)

    after_cooloff(settings)
    assert token_login(client, "command", PASSWORD).status_code == 200


def test_failures_on_one_path_count_on_the_others(client, users):
    for _ in range(3):
        token_login(client, "command", "wrong")
    for _ in range(2):
        page_login(client, "command", "wrong")
    assert token_login(client, "command", PASSWORD).status_code == 429
    assert page_login(client, "command", PASSWORD, path="/admin/login/").status_code == 429


def test_the_admin_login_is_throttled(client, users):
    for _ in range(5):
        page_login(client, "command", "wrong", path="/admin/login/")
    response = page_login(client, "command", PASSWORD, path="/admin/login/?next=/admin/")
    assert response.status_code == 429
    assert not logged_in(client)


def test_failures_at_one_address_do_not_lock_the_account_at_another(client, users):
    for _ in range(5):
        token_login(client, "command", "wrong", ip="192.0.2.1")
    assert token_login(client, "command", PASSWORD, ip="192.0.2.1").status_code == 429
    # The same person (or a guesser) elsewhere: below the account's own limit, not locked.
    assert token_login(client, "command", PASSWORD, ip="198.51.100.9").status_code == 200


def test_the_account_limit_locks_the_account_everywhere(client, users, settings):
    assert settings.GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT == 50
    # A guesser spread over ten addresses, five tries each (each address locks at five).
    for n in range(10):
        for _ in range(6):
            token_login(client, "command", "wrong", ip=f"203.0.113.{n}")
    assert (
        AccessAttempt.objects.filter(username="command").aggregate(n=Sum("failures_since_start"))[
            "n"
        ]
        == 50
    )
    for ip in ("198.51.100.9", "192.0.2.200"):
        assert token_login(client, "command", PASSWORD, ip=ip).status_code == 429
    # Another account from a fresh address is not affected.
    assert token_login(client, "east_secretary", PASSWORD, ip="198.51.100.9").status_code == 200


def test_one_persons_failures_do_not_lock_colleagues_behind_the_same_address(client, users):
    for _ in range(30):
        page_login(client, "command", "wrong", ip="192.0.2.10")  # an office's one NAT address
    assert page_login(client, "command", PASSWORD, ip="192.0.2.10").status_code == 429
    assert token_login(client, "east_secretary", PASSWORD, ip="192.0.2.10").status_code == 200


def test_an_address_that_tries_many_accounts_is_locked(client, users, settings):
    settings.GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT = 12  # 100 by default; fewer requests here
    for n in range(12):
        token_login(client, f"guess{n}", "wrong", ip="192.0.2.66")
    # A real account, the right password, but from the address that sprayed guesses.
    assert token_login(client, "command", PASSWORD, ip="192.0.2.66").status_code == 429
    assert token_login(client, "command", PASSWORD, ip="192.0.2.67").status_code == 200


def test_the_address_limit_is_on_at_a_hundred_and_can_be_turned_off(settings):
    assert settings.GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT == 100
    assert settings.AXES_LOCKOUT_PARAMETERS == [
        ["username", "ip_address"],
        "username",
        "ip_address",
    ]
    from gridgov.people.throttle import limit_for

    settings.GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT = 0
    assert limit_for("ip_address") > 10**9


def test_the_address_comes_from_the_configured_proxy_header(client, users, settings):
    settings.GRIDGOV_CLIENT_IP_HEADER = "X-Real-IP"
    settings.GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for name in ["a", "b", "c", "d", "e"]:
        token_login(client, name, "wrong", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").count() == 5
    locked = token_login(client, "command", PASSWORD, ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert locked.status_code == 429
    # Same proxy, another client behind it: not locked.
    other = token_login(client, "command", PASSWORD, ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.8")
    assert other.status_code == 200


def test_failures_during_a_lock_do_not_prolong_it(client, users, settings):
    for _ in range(5):
        page_login(client, "command", "wrong")
    locked_at = AccessAttempt.objects.get(username="command").attempt_time
    for _ in range(10):
        assert page_login(client, "command", "wrong").status_code == 429
    attempt = AccessAttempt.objects.get(username="command")
    assert attempt.attempt_time == locked_at and attempt.failures_since_start == 5


def test_the_limit_and_cooloff_are_settings(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=3)
    for _ in range(2):
        token_login(client, "command", "wrong")
    response = token_login(client, "command", PASSWORD)
    assert response.status_code == 429 and response["Retry-After"] == "180"
    assert "3 分钟" in response.json()["detail"]


def test_reset_command_unlocks(client, users, settings):
    """`gridgov axes-reset-username NAME`, the command the lock page and the README name, lifts
    both the account-at-this-address lock and the account-everywhere lock."""
    settings.GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    for ip in ("192.0.2.1", "192.0.2.2"):
        for _ in range(5):
            page_login(client, "command", "wrong", ip=ip)
    assert page_login(client, "command", PASSWORD, ip="192.0.2.1").status_code == 429
    assert page_login(client, "command", PASSWORD, ip="198.51.100.9").status_code == 429
    call_command("axes_reset_username", "command")
    assert page_login(client, "command", PASSWORD, ip="192.0.2.1").status_code == 302


def test_the_lock_page_says_whom_to_ask(client, users, settings):
    for _ in range(5):
        page_login(client, "command", "wrong")
    page = page_login(client, "command", PASSWORD).content.decode()
    assert "请本系统管理员解锁" in page and "gridgov axes-reset-username" in page
    settings.GRIDGOV_LOGIN_UNLOCK_CONTACT = "区城运中心值班室（0571-0000）"
    body = token_login(client, "command", PASSWORD).json()
    assert "请区城运中心值班室（0571-0000）解锁" in body["detail"]


def test_an_admin_unlocks_in_the_admin(client, users, settings):
    settings.GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT = 5  # locked everywhere, as at the real 50
    for _ in range(5):
        token_login(client, "command", "wrong", ip="192.0.2.1")
    assert token_login(client, "command", PASSWORD, ip="198.51.100.9").status_code == 429
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "command" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    assert token_login(client, "command", PASSWORD, ip="198.51.100.9").status_code == 200


def test_test_client_login_without_a_request_still_works(client, users):
    """Logins in code (the test client, a shell) pass no request: nothing to throttle there."""
    assert client.login(username="command", password=PASSWORD)
    assert not client.login(username="command", password="wrong")


def test_the_failure_records_keep_no_password(client, users):
    page_login(client, "command", "my-wrong-secret")
    token_login(client, "east_secretary", "other-wrong-secret")
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "secret" not in stored
