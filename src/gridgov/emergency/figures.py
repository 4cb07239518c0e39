"""The emergency's figures other apps show (the bulletin): read here, not from its tables."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from gridgov.emergency.models import Warning


def warnings_between(lo: dt.datetime, hi: dt.datetime) -> list[Warning]:
    """The warnings in force at some moment of [lo, hi) (one ended early counts until then),
    by start."""
    return list(
        Warning.objects.filter(starts_at__lt=hi, ends_at__gt=lo)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=lo))
        .order_by("starts_at", "pk")
    )
