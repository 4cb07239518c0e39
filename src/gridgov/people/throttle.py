"""Login throttling (django-axes): failures are counted per account and per client address on
every login path — the login page, the admin's login and POST /api/v1/auth/token. After
`GRIDGOV_LOGIN_FAILURE_LIMIT` failures the account (or the address) is refused for
`GRIDGOV_LOGIN_COOLOFF_MINUTES`, even with the right password; the lock then ends by itself, or
an administrator lifts it (admin → 登录失败记录, or `gridgov axes-reset-username NAME`)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
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
        return super().authenticate(request, username, password, **kwargs)


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "登录失败次数过多，该账号或所在网络地址已被暂时锁定。请 %(minutes)d 分钟后再试，"
        "或联系管理员解锁。"
    ) % {"minutes": cooloff_minutes()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After; the API's error format under /api/, a page
    elsewhere."""
    from gridgov.api import error_body

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
