"""The unread-notice count for the page header (one indexed count per page view)."""

from __future__ import annotations

from django.http import HttpRequest

from gridgov.inbox.models import Notification


def inbox(request: HttpRequest) -> dict[str, int]:
    user = getattr(request, "user", None)
    return {"unread_notices": Notification.objects.for_user(user).unread().count()}
