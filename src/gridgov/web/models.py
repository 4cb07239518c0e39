"""Per-client counters for limits that every server process must see alike (web/ratelimit.py)."""

from __future__ import annotations

from django.conf import settings
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


class SubmissionReceipt(models.Model):
    """提交回执: a phone's submission that was carried out, by its idempotency key. A queued
    form re-sent after a lost answer finds its receipt and is answered with the first result
    instead of acting twice (web/receipts.py). Kinds whose own record holds the key (an event's
    or an inspection's `submission_key`) need no receipt."""

    key = models.CharField(max_length=40, unique=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)  # what was done, e.g. "order-action:12"
    url = models.CharField(max_length=300, blank=True)  # where the first answer led
    message = models.CharField(max_length=300, blank=True)  # what the first answer said
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "submission receipt"

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
