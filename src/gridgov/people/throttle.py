"""Login throttling (django-axes) on every login path — the login page, the admin's login and
POST /api/v1/auth/token. Failures are counted per account at one client address (locked after
`GRIDGOV_LOGIN_FAILURE_LIMIT`), per account over every address (`..._ACCOUNT_FAILURE_LIMIT`) and
per address over every account (`..._ADDRESS_FAILURE_LIMIT`, 0: not counted): a person's typos
lock only that account at that address, not the account everywhere nor the colleagues behind the
same office address. A lock holds even for the right password for `GRIDGOV_LOGIN_COOLOFF_MINUTES`,
then ends by itself, or an administrator lifts it (admin → Axes → Access attempts, or `gridgov
axes-reset-username NAME`); the lock page says whom to ask (`GRIDGOV_LOGIN_UNLOCK_CONTACT`)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class AxesBackend(AxesStandaloneBackend):
    """Axes' lockout check, for calls that come with a request. Every login over HTTP passes
    one (Django's login form, the admin's, the token endpoint); a call without one is made in
    code — the test client's `login()`, a shell — and has no client to throttle."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        # Axes' check authenticates nobody: it returns None, or raises for a locked-out client.
        super().authenticate(request, username, password, **kwargs)
        return None


class LoginFailures(AxesDatabaseHandler):
    """AXES_HANDLER: axes counts failures for each entry of AXES_LOCKOUT_PARAMETERS but holds them
    all to one AXES_FAILURE_LIMIT. Here each has its own limit (`limit_for`); `get_failures`, which
    axes compares with AXES_FAILURE_LIMIT, reports that limit once any count has reached its own,
    and otherwise the account-at-this-address count, kept below it."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        base = settings.AXES_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if any(n >= limit_for(p) for p, n in zip(parameters, counts, strict=True)):
            return base
        return min(counts[0] if counts else 0, base - 1)


def limit_for(parameter: str | list[str]) -> int:
    """The failures that lock: an account at one address, an account anywhere, an address."""
    if parameter == "username":
        return int(settings.GRIDGOV_LOGIN_ACCOUNT_FAILURE_LIMIT)
    if parameter == "ip_address":
        return int(settings.GRIDGOV_LOGIN_ADDRESS_FAILURE_LIMIT) or 2**31
    return int(settings.AXES_FAILURE_LIMIT)


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    contact = settings.GRIDGOV_LOGIN_UNLOCK_CONTACT or _("本系统管理员")
    return _(
        "登录失败次数过多，已暂时锁定。请 %(minutes)d 分钟后再试，或请%(contact)s解锁"
        "（管理员运行 gridgov axes-reset-username 账号名，或在后台 Axes → Access attempts "
        "中删除该记录）。"
    ) % {"minutes": cooloff_minutes(), "contact": contact}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After; the API's error format under /api/, a page
    elsewhere."""
    from gridgov.apikit import error_body

    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            error_body(message, [{"field": "username", "message": message}]), status=429
        )
    else:
        response = render(
            request,
            "web/locked_out.html",
            {"message": message, "minutes": cooloff_minutes()},
            status=429,
        )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
