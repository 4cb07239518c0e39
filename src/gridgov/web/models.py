"""Per-client counters for limits that every server process must see alike (web/ratelimit.py)."""

from __future__ import annotations

from django.db import models


class ClientCounter(models.Model):
    """How often one client did one thing in the current window: a row per key, reset in place
    when its window has ended. Written only by ratelimit.count(), in one atomic statement."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(db_index=True)  # Unix time the window ends

    class Meta:
        verbose_name = "client counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
