"""The unread-notice count for the page header (one indexed count per page view)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gridgov.people.actor import person_of
from gridgov.workorders.models import Notification


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    person = person_of(user) if user is not None else None
    if person is None:
        return {"unread_notices": 0}
    return {
        "unread_notices": Notification.objects.filter(person=person, read_at__isnull=True).count()
    }
