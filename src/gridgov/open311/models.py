"""Open311 API keys: shown once, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "o311_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """Open311 接口密钥 for a client application (a city app, a 12345 hotline system)."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str) -> tuple[ApiKey, str]:
        raw = PREFIX + secrets.token_urlsafe(24)
        key = cls.objects.create(name=name, key_hash=_hash(raw), prefix=raw[: len(PREFIX) + 4])
        return key, raw

    @classmethod
    def verify(cls, raw: str | None) -> ApiKey | None:
        if not raw:
            return None
        key = cls.objects.active().filter(key_hash=_hash(raw)).first()
        if key is not None:
            cls.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
