"""Which warning is in force, and what it asks (the other apps ask only this)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from gridgov.emergency.models import Warning


def in_force(at: dt.datetime | None = None) -> Warning | None:
    """The highest warning in force at `at` (now by default), or None."""
    at = at or timezone.now()
    return (
        Warning.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=at))
        .order_by("-level", "-starts_at")
        .first()
    )
